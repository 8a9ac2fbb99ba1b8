#!/usr/bin/env bash
# Runs a game exported with scripts/checks/export_template.sh's template, from any
# folder. The template finds the provisioned Godot's libraries by itself
# (its interpreter and RPATH), so nothing is added to the environment the
# game passes on to the programs it starts.
#   scripts/checks/run_exported.sh /path/to/game.x86_64 [args…]
set -euo pipefail
exec "$@"
