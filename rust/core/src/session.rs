//! Facts fixed for one game session: who is sending and from what device.

use crate::value::{Fields, Value};

/// Collected once by the engine layer at `init`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeviceInfo {
    pub os: String,
    pub os_version: String,
    pub locale: String,
    pub godot_version: String,
    pub gpu: String,
    pub screen: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// UUID v4, new at every `init` (docs/protocols.md#identity).
    pub session_id: String,
    pub game: String,
    pub version: String,
    pub environment: String,
    pub device: DeviceInfo,
    /// The label that carries `session_id` on metrics (`session_label`;
    /// empty: none). OTLP sends it as a resource attribute of that name.
    pub session_label: String,
}

impl Session {
    pub fn new(game: &str, version: &str, environment: &str, device: DeviceInfo) -> Self {
        Session {
            session_id: uuid::Uuid::new_v4().to_string(),
            game: game.into(),
            version: version.into(),
            environment: environment.into(),
            device,
            session_label: String::new(),
        }
    }

    /// The automatic context attached to every log line.
    pub fn context_fields(&self) -> Fields {
        let d = &self.device;
        [
            ("session_id", &self.session_id),
            ("game", &self.game),
            ("version", &self.version),
            ("environment", &self.environment),
            ("os", &d.os),
            ("os_version", &d.os_version),
            ("locale", &d.locale),
            ("godot_version", &d.godot_version),
            ("gpu", &d.gpu),
            ("screen", &d.screen),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), Value::Str(v.clone())))
        .collect()
    }
}
