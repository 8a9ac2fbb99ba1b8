//! The engine's `Performance` monitors, by their constant names, looked up
//! in ClassDB once (the numbers changed between Godot versions). The vitals
//! read them one a frame; a hitch reads them all.

use godot::classes::Engine;
use godot::prelude::*;

pub struct EngineMonitors {
    performance: Option<Gd<Object>>,
    get_monitor: StringName,
    /// (monitor id, the name it is reported under), for those this Godot has.
    ids: Vec<(i64, &'static str)>,
}

impl EngineMonitors {
    /// `wanted`: (`Performance` constant, the name to report it under).
    pub fn new(wanted: &[(&str, &'static str)]) -> EngineMonitors {
        let engine = Engine::singleton();
        let class_db = engine.get_singleton("ClassDB");
        let ids = wanted
            .iter()
            .filter_map(|(constant, name)| {
                let id = class_db
                    .clone()?
                    .try_call(
                        "class_get_integer_constant",
                        &["Performance".to_variant(), constant.to_variant()],
                    )
                    .ok()?;
                Some((id.try_to::<i64>().ok()?, *name))
            })
            .collect();
        EngineMonitors {
            performance: engine.get_singleton("Performance"),
            get_monitor: StringName::from("get_monitor"),
            ids,
        }
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Monitor `i` now: its name and value.
    pub fn read(&mut self, i: usize) -> Option<(&'static str, f64)> {
        let (id, name) = *self.ids.get(i)?;
        let value = self
            .performance
            .as_mut()?
            .try_call(&self.get_monitor, &[id.to_variant()])
            .ok()?;
        Some((name, value.try_to::<f64>().unwrap_or(0.0)))
    }

    pub fn read_all(&mut self) -> Vec<(&'static str, f64)> {
        (0..self.len()).filter_map(|i| self.read(i)).collect()
    }
}
