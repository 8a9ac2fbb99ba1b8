//! Facts fixed for one game session: who is sending and from what device.

use crate::model::value::{Fields, Value};

/// The build's labels, on every Loki stream, metric series and JSON line
/// (`Session::build_labels`).
pub const GAME_LABEL: &str = "game";
pub const ENV_LABEL: &str = "env";
pub const VERSION_LABEL: &str = "version";

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
    session_label: String,
}

impl Session {
    pub fn new(
        game: &str,
        version: &str,
        environment: &str,
        device: DeviceInfo,
        session_label: &str,
    ) -> Self {
        Session {
            session_id: uuid::Uuid::new_v4().to_string(),
            game: game.into(),
            version: version.into(),
            environment: environment.into(),
            device,
            session_label: session_label.into(),
        }
    }

    /// The build's labels, on every log stream and metric series and, under
    /// the same names, among OTLP's resource attributes. The one place that
    /// names them: every encoder and check asks here.
    pub fn build_labels(&self) -> [(&'static str, &str); 3] {
        [
            (GAME_LABEL, &self.game),
            (ENV_LABEL, &self.environment),
            (VERSION_LABEL, &self.version),
        ]
    }

    /// The session label (`session_label`) and its value, when it is set.
    pub fn session_label(&self) -> Option<(&str, &str)> {
        (!self.session_label.is_empty())
            .then_some((self.session_label.as_str(), self.session_id.as_str()))
    }

    /// Every label a metric series gets without the game asking: the
    /// build's, then the session's.
    pub fn automatic_labels(&self) -> impl Iterator<Item = (&str, &str)> {
        self.build_labels().into_iter().chain(self.session_label())
    }

    /// The device facts of a log line (its `device` object).
    pub fn device_fields(&self) -> Fields {
        let d = &self.device;
        [
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
