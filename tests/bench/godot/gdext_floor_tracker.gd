extends GameTrackerBenchFloorNode
## The `GdextFloorTracker` autoload (benchmark build only): the same
## do-nothing calls as `FloorTracker`, declared as gdext `#[func]`s with
## optional parameters. What the addon's calls cost to reach before it
## registered them by hand.
