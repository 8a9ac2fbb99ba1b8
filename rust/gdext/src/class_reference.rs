//! The editor's class reference (F1) is built from the `///` comments.

/// What F1 in the editor shows comes from these XML pages (gdext's
/// `register-docs` builds them from the `///` comments): every class,
/// method and signal must say something.
#[test]
fn every_class_method_and_signal_has_a_description() {
    let pages: Vec<String> = godot::docs::__gather_xml_docs().collect();
    let classes: Vec<&str> = pages
        .iter()
        .filter_map(|p| attribute(p, "<class name="))
        .collect();
    for class in ["GameTrackerClient", "GameTrackerSpan"] {
        assert!(classes.contains(&class), "{class} has a page: {classes:?}");
    }
    for page in &pages {
        let class = attribute(page, "<class name=").unwrap_or("?");
        assert!(
            !text_of(page, "brief_description").is_empty(),
            "{class} has no description"
        );
        for tag in ["<method name=", "<signal name="] {
            for (i, _) in page.match_indices(tag) {
                let item = &page[i..];
                let name = attribute(item, tag).unwrap_or("?");
                let end = item
                    .find("</method>")
                    .or_else(|| item.find("</signal>"))
                    .unwrap_or(item.len());
                assert!(
                    !text_of(&item[..end], "description").is_empty(),
                    "{class}.{name} has no description"
                );
            }
        }
    }
}

/// The calls registered by hand (hot_methods.rs) are in F1 too, with their
/// parameters, defaults and return type.
#[test]
fn the_hand_registered_calls_have_their_pages_entries() {
    let pages: Vec<String> = godot::docs::__gather_xml_docs().collect();
    let client = pages
        .iter()
        .find(|p| attribute(p, "<class name=") == Some("GameTrackerClient"))
        .expect("client page");
    for name in [
        "log_debug",
        "log_info",
        "log_warn",
        "log_error",
        "increment",
        "gauge",
        "histogram",
        "start_span",
    ] {
        let start = client
            .find(&format!("<method name=\"{name}\""))
            .unwrap_or_else(|| panic!("{name} is on the page"));
        let method = &client[start..start + client[start..].find("</method>").expect("closed")];
        assert!(
            !text_of(method, "description").is_empty(),
            "{name} has a description"
        );
    }
    let span = &client[client
        .find("<method name=\"start_span\"")
        .expect("start_span")..];
    assert!(
        span.contains(r#"<return type="GameTrackerSpan" />"#),
        "start_span returns a GameTrackerSpan"
    );
    assert!(
        span.contains(r#"name="parent" type="Variant" default="null""#),
        "parent is optional"
    );
}

fn attribute<'a>(xml: &'a str, start: &str) -> Option<&'a str> {
    let rest = &xml[xml.find(start)? + start.len() + 1..];
    Some(&rest[..rest.find('"')?])
}

fn text_of<'a>(xml: &'a str, tag: &str) -> &'a str {
    let open = format!("<{tag}>");
    let Some(start) = xml.find(&open).map(|i| i + open.len()) else {
        return "";
    };
    let end = xml[start..]
        .find(&format!("</{tag}>"))
        .map_or(xml.len(), |e| start + e);
    xml[start..end].trim()
}
