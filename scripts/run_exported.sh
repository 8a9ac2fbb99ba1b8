#!/usr/bin/env bash
# Runs a game exported with scripts/export_template.sh's template, from any
# folder. The template finds the provisioned Godot's libraries by itself
# (its loader and RPATH): nothing is put in the environment of the game, so
# the programs it starts run on the host's libraries.
#   scripts/run_exported.sh /path/to/game.x86_64 [args…]
set -euo pipefail
exec "$@"
