//! The modules form layers: no module reaches, directly or through others, a
//! module that reaches back to it. Checked for the core's modules, for the
//! files inside each of the core's folders, and for the engine crate's
//! files; and the core's modules, and the files of each folder
//! ARCHITECTURE.md draws, import only what its *Layers* section puts below
//! them, so the document cannot drift from the code. Read from the source: every `crate::…` path (and `super::…` inside
//! a folder, and a folder's `mod.rs` naming one of its files) outside
//! comments and test modules is an edge. A folder's `mod.rs` declaring its
//! files (`pub mod x;`) is not one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

/// `x` for `src/x.rs`, `dir` for `src/dir/mod.rs`, `dir/f` for `src/dir/f.rs`.
fn node_of(path: &Path, src: &Path) -> String {
    let rel = path.strip_prefix(src).unwrap().with_extension("");
    let name = rel.to_string_lossy().replace('\\', "/");
    name.strip_suffix("/mod").unwrap_or(&name).to_string()
}

fn rust_files(src: &Path) -> Vec<PathBuf> {
    let mut files = vec![];
    let mut dirs = vec![src.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files
}

fn ident(s: &str) -> String {
    s.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// The node a path names: `dir/f` when `dir/f.rs` exists, else `dir`.
fn target(src: &Path, segments: &[String]) -> Option<String> {
    let first = segments.first().filter(|s| !s.is_empty())?;
    if let Some(second) = segments.get(1) {
        if src.join(first).join(format!("{second}.rs")).exists() {
            return Some(format!("{first}/{second}"));
        }
    }
    Some(first.clone())
}

/// The paths after `prefix` on `line`, each as its leading segments; a
/// group (`{a, b::c}`) gives one path per member.
fn paths_after(line: &str, prefix: &str) -> Vec<Vec<String>> {
    let mut out = vec![];
    for (i, _) in line.match_indices(prefix) {
        if line[..i].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let rest = &line[i + prefix.len()..];
        let mut head = vec![];
        let mut rest = rest;
        loop {
            let name = ident(rest);
            if name.is_empty() {
                break;
            }
            rest = &rest[name.len()..];
            head.push(name);
            match rest.strip_prefix("::") {
                Some(more) => rest = more,
                None => break,
            }
        }
        if let Some(group) = rest.strip_prefix('{') {
            let inner = &group[..group.find('}').unwrap_or(group.len())];
            for part in inner.split(',') {
                let mut path = head.clone();
                path.extend(part.trim().split("::").map(ident).filter(|s| !s.is_empty()));
                out.push(path);
            }
        } else {
            out.push(head);
        }
    }
    out
}

fn edges(src: &Path) -> Graph {
    let mut graph = Graph::new();
    for file in rust_files(src) {
        let from = node_of(&file, src);
        if from == "lib" {
            continue;
        }
        let folder = file
            .parent()
            .unwrap()
            .strip_prefix(src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let is_mod = file.file_name().is_some_and(|n| n == "mod.rs");
        let siblings: Vec<String> = if is_mod {
            rust_files(file.parent().unwrap())
                .iter()
                .filter(|f| {
                    f.parent() == file.parent() && f.file_name().is_some_and(|n| n != "mod.rs")
                })
                .map(|f| f.file_stem().unwrap().to_string_lossy().to_string())
                .collect()
        } else {
            vec![]
        };
        let text = std::fs::read_to_string(&file).unwrap();
        // Production code only: a file's test module comes last.
        let text = text.split("#[cfg(test)]").next().unwrap();
        let targets = graph.entry(from.clone()).or_default();
        for line in text
            .lines()
            .map(str::trim_start)
            .filter(|l| !l.starts_with("//"))
        {
            let mut found: Vec<String> = paths_after(line, "crate::")
                .iter()
                .filter_map(|p| target(src, p))
                .collect();
            if !folder.is_empty() {
                // `super::x` from `dir/f.rs` is `crate::dir::x`.
                for path in paths_after(line, "super::") {
                    let mut full = vec![folder.clone()];
                    full.extend(path);
                    found.extend(target(src, &full));
                }
            }
            if is_mod && !line.starts_with("pub mod ") && !line.starts_with("mod ") {
                // A folder's own files, named from its `mod.rs` (`schema::KEYS`).
                for sibling in &siblings {
                    if !paths_after(line, &format!("{sibling}::")).is_empty()
                        || line.contains(&format!("use {sibling}::"))
                    {
                        found.push(format!("{folder}/{sibling}"));
                    }
                }
            }
            targets.extend(found.into_iter().filter(|t| *t != from));
        }
    }
    graph
}

/// The graph with each folder's files merged into the folder.
fn by_top_module(graph: &Graph) -> Graph {
    let top = |n: &str| n.split('/').next().unwrap().to_string();
    let mut out = Graph::new();
    for (from, tos) in graph {
        let targets = out.entry(top(from)).or_default();
        targets.extend(tos.iter().map(|t| top(t)).filter(|t| *t != top(from)));
    }
    out
}

fn assert_no_circle(graph: &Graph, what: &str) {
    // Depth-first search for a cycle; report the first one found.
    fn visit(
        node: &str,
        graph: &Graph,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if let Some(cycle) = visit(node, graph, &mut Vec::new(), &mut done) {
            panic!(
                "{what}: import circle: {}\nall imports: {graph:#?}",
                cycle.join(" → ")
            );
        }
    }
}

fn core_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn no_core_module_imports_a_module_that_imports_it_back() {
    let graph = by_top_module(&edges(&core_src()));
    assert_no_circle(&graph, "core");
    assert!(
        graph.get("api").is_some_and(|t| t.contains("delivery")) && graph.len() > 12,
        "the graph was read: {graph:?}"
    );
}

#[test]
fn inside_each_core_folder_no_file_imports_one_that_imports_it_back() {
    let graph = edges(&core_src());
    assert_no_circle(&graph, "core files");
    // Read as meant: the encoder reaches each format, the formats the body.
    let encoder = &graph["encode/encoder"];
    assert!(
        encoder.contains("encode/loki") && encoder.contains("encode/body"),
        "{encoder:?}"
    );
    assert!(
        graph["encode/loki"].contains("encode/body"),
        "{:?}",
        graph["encode/loki"]
    );
    assert!(
        graph["config/schema"].contains("config"),
        "super:: is read: {:?}",
        graph["config/schema"]
    );
}

#[test]
fn no_engine_file_imports_a_file_that_imports_it_back() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../gdext/src");
    let graph = edges(&src);
    assert_no_circle(&graph, "engine crate");
    assert!(
        graph
            .get("client")
            .is_some_and(|t| t.contains("convert") && t.contains("hot_methods")),
        "the graph was read: {graph:?}"
    );
}

/// The *Layers* section's drawing in ARCHITECTURE.md: the core's modules,
/// top layer first, each line a layer (`a, b`), and for a folder drawn
/// beside its line (`encode/: a → b, c → d`) its files' layers, top first.
struct Drawing {
    modules: Vec<Vec<String>>,
    folders: BTreeMap<String, Vec<Vec<String>>>,
}

fn read_drawing() -> Drawing {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ARCHITECTURE.md"),
    )
    .unwrap();
    let section = doc
        .split("\n## Layers")
        .nth(1)
        .expect("ARCHITECTURE.md has a Layers section");
    let block = section
        .split("```")
        .nth(1)
        .expect("the Layers section draws the layers in a code block");
    let names = |list: &str| {
        list.split(',')
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .collect::<Vec<_>>()
    };
    let mut drawing = Drawing {
        modules: vec![],
        folders: BTreeMap::new(),
    };
    for line in block.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let (layer, folder) = match line.find("  ") {
            Some(gap) => (&line[..gap], Some(line[gap..].trim())),
            None => (line, None),
        };
        drawing.modules.push(names(layer));
        if let Some((name, files)) = folder.and_then(|f| f.split_once("/:")) {
            drawing.folders.insert(
                name.trim().to_string(),
                files.split('→').map(names).collect(),
            );
        }
    }
    drawing
}

/// Every node of `graph` is drawn once, every drawn name is a node, and
/// every edge goes to a lower layer than the one it leaves.
fn assert_follows(graph: &Graph, layers: &[Vec<String>], what: &str) {
    let mut layer_of = BTreeMap::new();
    for (i, layer) in layers.iter().enumerate() {
        for name in layer {
            assert!(
                layer_of.insert(name.clone(), i).is_none(),
                "{what}: `{name}` is drawn twice"
            );
        }
    }
    let drawn: BTreeSet<&String> = layer_of.keys().collect();
    let real: BTreeSet<&String> = graph.keys().collect();
    assert_eq!(
        drawn, real,
        "{what}: the drawing names exactly the modules there are"
    );
    for (from, tos) in graph {
        for to in tos {
            assert!(
                layer_of[to] > layer_of[from],
                "{what}: `{from}` imports `{to}`, which the drawing puts on the same line or above it (line {} vs {})",
                layer_of[from] + 1,
                layer_of[to] + 1
            );
        }
    }
}

#[test]
fn the_core_imports_only_what_architecture_md_draws_below() {
    let drawing = read_drawing();
    let files = edges(&core_src());
    assert_follows(
        &by_top_module(&files),
        &drawing.modules,
        "ARCHITECTURE.md, Layers",
    );
    assert!(
        !drawing.folders.is_empty(),
        "the drawing shows a folder's files"
    );
    for (folder, layers) in &drawing.folders {
        let prefix = format!("{folder}/");
        // The folder's files and the imports among them, by file name.
        let inside: Graph = files
            .iter()
            .filter_map(|(from, tos)| {
                let name = from.strip_prefix(&prefix)?.to_string();
                Some((
                    name,
                    tos.iter()
                        .filter_map(|t| t.strip_prefix(&prefix).map(str::to_string))
                        .collect(),
                ))
            })
            .collect();
        assert_follows(
            &inside,
            layers,
            &format!("ARCHITECTURE.md, Layers, {folder}/"),
        );
    }
}
