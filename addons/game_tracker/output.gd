extends RefCounted
## What every line the addon prints starts with, for the scripts that run
## with no library behind them: the stand-in, the Web's autoload, the editor
## plugin. The native side's is the core's `diagnostics::PREFIX`
## (`GameTrackerClient._output_prefix()`); tests/godot/test_stand_in.gd
## checks that the two agree.

const PREFIX := "GameTracker: "
