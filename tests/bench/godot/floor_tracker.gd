extends GameTrackerBenchRawFloor
## The `FloorTracker` autoload (benchmark build only): GameTracker's calls
## on methods that do nothing, registered with Godot the way the addon's
## are (hot_methods.rs), behind an autoload script as GameTracker is. What
## reaching the addon costs before it does any work.
