//! `GameTrackerBenchFloor` (only with the `bench` feature): native methods
//! with the same arguments as the tracker's API that do nothing. The call
//! benchmark measures them as the floor: what any native call costs from
//! GDScript, before the tracker does its work.
//!
//! `GameTrackerBenchFloorNode` is the same floor for the game-frame
//! benchmark: a Node (behind an autoload script, as GameTracker is) whose
//! methods have the client's exact signatures, optional parameters
//! included, so a call reaches it by the same dispatch and argument
//! handling as a call to the addon.

use godot::prelude::*;

use crate::convert::Optional;

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

#[derive(GodotClass)]
#[class(base = Node, init)]
pub struct GameTrackerBenchFloorNode {
    /// Handed out by every `start_span`: its `end()` does nothing.
    span: Option<Gd<GameTrackerBenchFloorSpan>>,
    base: Base<Node>,
}

#[godot_api]
impl GameTrackerBenchFloorNode {
    #[func]
    fn log_info(&self, _message: Variant, #[opt(default = Optional::null())] _data: Optional) {}

    #[func]
    fn increment(
        &self,
        _name: Variant,
        #[opt(default = Optional::null())] _labels: Optional,
        #[opt(default = Optional::int(1))] _amount: Optional,
    ) {
    }

    #[func]
    fn gauge(
        &self,
        _name: Variant,
        _value: Variant,
        #[opt(default = Optional::null())] _labels: Optional,
    ) {
    }

    #[func]
    fn histogram(
        &self,
        _name: Variant,
        _value: Variant,
        #[opt(default = Optional::null())] _labels: Optional,
    ) {
    }

    #[func]
    fn start_span(
        &mut self,
        _name: Variant,
        #[opt(default = Optional::null())] _attributes: Optional,
        #[opt(default = Optional::null())] _parent: Optional,
    ) -> Gd<GameTrackerBenchFloorSpan> {
        self.span
            .get_or_insert_with(GameTrackerBenchFloorSpan::new_gd)
            .clone()
    }
}

#[derive(GodotClass)]
#[class(base = RefCounted, init)]
pub struct GameTrackerBenchFloorSpan {
    base: Base<RefCounted>,
}

#[godot_api]
impl GameTrackerBenchFloorSpan {
    #[func]
    fn end(&mut self) {}
}

/// The game-frame benchmark's floor for the addon: the hot methods
/// registered by hand exactly as the client's are (hot_methods.rs), doing
/// nothing; `start_span` hands out one inert span.
#[derive(GodotClass)]
#[class(base = Node, init)]
pub struct GameTrackerBenchRawFloor {
    span: std::cell::OnceCell<Gd<crate::span::GameTrackerSpan>>,
    base: Base<Node>,
}

impl crate::hot_methods::HotApi for GameTrackerBenchRawFloor {
    fn log(&self, _: game_tracker_core::Level, _: &'static str, _: &Variant, _: Option<&Variant>) {}
    fn metric(
        &self,
        _: game_tracker_core::MetricKind,
        _: &'static str,
        _: &Variant,
        _: Option<&Variant>,
        _: Option<&Variant>,
    ) {
    }
    fn start_span(
        &self,
        _: &Variant,
        _: Option<&Variant>,
        _: Option<&Variant>,
        give: &mut dyn FnMut(&Gd<crate::span::GameTrackerSpan>),
    ) {
        give(self.span.get_or_init(crate::span::GameTrackerSpan::inert));
    }
}
