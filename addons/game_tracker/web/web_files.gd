@tool
extends RefCounted
## The Web's files, named once: what the export plugin puts into a Web
## export and what the Web autoload (web_tracker.gd) reads there.

## The page's glue: into the pack; the autoload runs it at the first `init`.
const PAGE_GLUE := "res://addons/game_tracker/web/game_tracker_page.js"
## The `init` keys' table (the editor's native `settings_schema()`) as
## text: into the pack, for Project Settings to be read on the Web.
const SCHEMA_FILE := "res://addons/game_tracker/web/settings_schema.txt"
## Beside the exported page: the worker's script (the addon's), and the
## module with its loader (scripts/build.sh --release --target web).
const BESIDE_PAGE := ["res://addons/game_tracker/web/game_tracker_worker.js",
	"res://addons/game_tracker/bin/web/game_tracker_web.js",
	"res://addons/game_tracker/bin/web/game_tracker_web_bg.wasm"]
