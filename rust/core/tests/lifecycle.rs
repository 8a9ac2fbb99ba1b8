//! The tracker's life as the engine layer drives it, without an engine:
//! not started → running → disabled → running (a new session) → shut down.

use std::time::Duration;

use common::calls::TestCalls;
use game_tracker_core::api::lifecycle::{InitError, Lifecycle, State};
use game_tracker_core::model::value::Value;
use game_tracker_core::{DeviceInfo, DropReason, Level, Signal};

mod common;
use common::{assert_identity, fresh_dir};

fn fields(pairs: &[(&str, Value)]) -> Vec<(String, Value)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

#[test]
fn init_consent_and_shutdown_move_through_the_states() {
    let dir = fresh_dir("lifecycle");
    let local = fields(&[("jsonl_dir", Value::Str(dir.to_string_lossy().into()))]);
    let mut life = Lifecycle::default();
    assert_eq!(life.state(), State::NotStarted);
    assert!(life.tracker().is_none());
    life.not_started().count(Signal::Logs);
    assert_eq!(
        life.not_started().calls(Signal::Logs),
        1,
        "calls before init are counted by the stand-in"
    );

    let bad = fields(&[("flush_interval", Value::Str("soon".into()))]);
    assert!(matches!(
        life.init(&bad, DeviceInfo::default),
        Err(InitError::Invalid(_))
    ));
    assert_eq!(
        life.state(),
        State::NotStarted,
        "an invalid init leaves it off"
    );

    assert!(life.init(&local, DeviceInfo::default).unwrap());
    assert_eq!(life.state(), State::Running);
    assert_eq!(life.local_file(), Some(dir.join("events.jsonl")));
    assert!(matches!(
        life.init(&local, DeviceInfo::default),
        Err(InitError::AlreadyStarted)
    ));
    let first_session = life.tracker().unwrap().session().session_id.clone();

    life.set_enabled(false, DeviceInfo::default).unwrap();
    assert_eq!(life.state(), State::Disabled);
    life.tracker()
        .unwrap()
        .log(Level::Info, "after consent withdrawn".into(), vec![]);
    assert_eq!(life.stats(Signal::Logs).dropped(DropReason::Disabled), 1);
    assert_identity(life.tracker().unwrap());

    life.set_enabled(true, DeviceInfo::default).unwrap();
    assert_eq!(life.state(), State::Running);
    assert_ne!(
        life.tracker().unwrap().session().session_id,
        first_session,
        "consent given again is a new session"
    );

    life.shutdown(Duration::from_secs(2));
    assert_eq!(life.state(), State::ShutDown);
    life.set_enabled(true, DeviceInfo::default).unwrap();
    assert_eq!(
        life.state(),
        State::ShutDown,
        "shutdown is final until the next init"
    );
    assert!(
        life.init(&local, DeviceInfo::default).unwrap(),
        "a new init starts again"
    );
    life.exit();
}

#[test]
fn init_with_consent_withheld_starts_nothing() {
    let dir = fresh_dir("lifecycle_withheld");
    let mut life = Lifecycle::default();
    let f = fields(&[
        ("jsonl_dir", Value::Str(dir.to_string_lossy().into())),
        ("enabled", Value::Bool(false)),
    ]);
    assert!(!life.init(&f, DeviceInfo::default).unwrap());
    assert_eq!(life.state(), State::Disabled);
    assert!(life.tracker().is_none());
    life.set_enabled(true, DeviceInfo::default).unwrap();
    assert_eq!(
        life.state(),
        State::Running,
        "consent given later starts with init's configuration"
    );
}
