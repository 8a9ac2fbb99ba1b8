//! `GameTrackerBenchFloor` (only with the `bench` feature): native methods
//! with the same arguments as the tracker's API that do nothing. The call
//! benchmark measures them as the floor: what any native call costs from
//! GDScript, before the tracker does its work.

use godot::prelude::*;

#[derive(GodotClass)]
#[class(base = RefCounted, init)]
pub struct GameTrackerBenchFloor {
    base: Base<RefCounted>,
}

#[godot_api]
impl GameTrackerBenchFloor {
    #[func]
    fn log_info(&self, _message: Variant, _data: Variant) {}

    #[func]
    fn increment(&self, _name: Variant, _labels: Variant, _amount: Variant) {}

    #[func]
    fn gauge(&self, _name: Variant, _value: Variant, _labels: Variant) {}

    #[func]
    fn histogram(&self, _name: Variant, _value: Variant, _labels: Variant) {}

    /// Returns null: the floor of `start_span(...)` + `span.end()` is this
    /// call plus `end_span`.
    #[func]
    fn start_span(&self, _name: Variant, _attributes: Variant, _parent: Variant) -> Variant {
        Variant::nil()
    }

    #[func]
    fn end_span(&self, _span: Variant) {}

    #[func]
    fn set_tag(&self, _key: Variant, _value: Variant) {}
}
