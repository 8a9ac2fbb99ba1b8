//! docs/configuration.md is generated from the one table of `init` keys
//! (`config::schema::KEYS`: name, default, range, Project Setting, help).
//! The test fails when the page is not what the table gives; run it with
//! `GAMETRACKER_UPDATE_DOCS=1` to write the page.

use std::path::Path;

use game_tracker_core::config::schema::{DefaultValue, Key, Kind, KEYS};

const PAGE: &str = "docs/configuration.md";

const HEAD: &str = "\
# Configuration

<!-- Generated from rust/core/src/config/schema.rs by rust/core/tests/configuration_page.rs.
     Edit the table there, then: GAMETRACKER_UPDATE_DOCS=1 cargo test -p game_tracker_core --test configuration_page -->

Every key `init` takes, its default and what it does. Pass them to `init({...})`; the ones marked
as Project Settings can also be set under *Project Settings → `game_tracker/config/`* (see
[Project Settings](#project-settings)). An unknown key, or a value of the wrong type or out of its
range, is an error: `init` returns `false` and says which key and why.

| key | default | range | Project Setting | what it does |
|---|---|---|---|---|
";

const TAIL: &str = "
## Project Settings

A key is a Project Setting when it describes the project as a whole:
- where the events go and how they travel: the endpoint and URLs, headers, protocol, OTLP encoding,
  compression, and the request cap of your edge;
- the game's name, version and environment (left empty, they come from the project, as the table
  says);
- what is recorded: `enabled`, `capture_errors`, `sample_rate`, `min_level`, `drop_names`, release
  health, vitals, self-metrics, breadcrumbs, the overlay's key, the spool and the local store.

The bounds (queue, batches, backlog, spool, local store), timeouts and folders are not settings:
their defaults are measured ([BENCHMARKS.md](../BENCHMARKS.md)) and suit most games, and a game that
needs other values passes them to `init`, beside the code that needs them. *Advanced* settings show
with *Advanced Settings* on.

`init({...})` starts from the Project Settings, and its own keys win. An entry under
`game_tracker/config/` that is not one of the settings above (a typo, or a key that is not a
setting) changes nothing: the game says so once at start, with a warning naming it.

Godot gives a plugin's Project Settings no help text of their own (the editor's tooltips come from
the class reference, which has no page for them), so this page is their help.
";

fn number(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

fn default_of(key: &Key) -> String {
    match key.default {
        DefaultValue::None => match key.in_game {
            Some(folder) => format!("`{folder:?}` in a game"),
            None => "—".to_string(),
        },
        DefaultValue::Bool(b) => format!("`{b}`"),
        DefaultValue::Int(i) => format!("`{i}`"),
        DefaultValue::Float(f) => format!("`{f:?}`"),
        DefaultValue::Seconds(d) => format!("`{:?}` s", d.as_secs_f64()),
        DefaultValue::Str(s) => format!("`{s:?}`"),
        DefaultValue::Numbers(n) => {
            format!(
                "`[{}]`",
                n.iter().map(|f| number(*f)).collect::<Vec<_>>().join(", ")
            )
        }
        DefaultValue::EmptyMap => "`{}`".to_string(),
        DefaultValue::EmptyList => "`[]`".to_string(),
    }
}

fn range_of(key: &Key) -> String {
    let unit = if key.kind == Kind::Seconds { " s" } else { "" };
    match (key.kind, key.range) {
        (Kind::Choice(names), _) => names
            .iter()
            .map(|n| format!("`{n:?}`"))
            .collect::<Vec<_>>()
            .join(", "),
        (_, Some((min, max))) if max >= u32::MAX as f64 => format!("≥ {}{unit}", number(min)),
        (_, Some((min, max))) => format!("{} to {}{unit}", number(min), number(max)),
        (_, None) => String::new(),
    }
}

fn setting_of(key: &Key) -> &'static str {
    match key.setting {
        Some(s) if s.basic => "yes",
        Some(_) => "advanced",
        None => "—",
    }
}

fn page() -> String {
    let mut page = HEAD.to_string();
    for key in KEYS {
        let help = key.help.replace('|', "\\|");
        page.push_str(&format!(
            "| `{}` | {} | {} | {} | {help} |\n",
            key.name,
            default_of(key),
            range_of(key),
            setting_of(key)
        ));
    }
    page.push_str(TAIL);
    page
}

#[test]
fn docs_configuration_md_is_what_the_key_table_gives() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(PAGE);
    let want = page();
    if std::env::var("GAMETRACKER_UPDATE_DOCS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{PAGE} is not current: run GAMETRACKER_UPDATE_DOCS=1 cargo test -p game_tracker_core \
         --test configuration_page"
    );
}

#[test]
fn every_key_says_what_it_does() {
    for key in KEYS {
        assert!(
            key.help.len() > 20 && key.help.ends_with('.'),
            "{}: {:?}",
            key.name,
            key.help
        );
    }
}
