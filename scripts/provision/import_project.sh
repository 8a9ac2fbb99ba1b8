#!/usr/bin/env bash
# Prepares a Godot project that uses the addon for headless runs, through the
# route the README gives game developers: the addon's own ci/import.sh, which
# registers the project's GDExtensions in .godot/extension_list.cfg before the
# first import (Godot aborts at the end of a first headless import that
# discovers a GDExtension mid-scan: docs/upstream/headless-first-import/).
#   scripts/provision/import_project.sh demo_project
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
project=$(cd "$1" && pwd)
GODOT="$root/scripts/provision/godot.sh" exec sh "$project/addons/game_tracker/ci/import.sh" "$project"
