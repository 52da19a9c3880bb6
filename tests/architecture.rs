//! The library's layout, checked from its source: imports point down the stages only, and no files
//! import each other in a loop. The order is the one ARCHITECTURE.md states:
//!
//! `text`, `parallel` → `facts` → `import`, `rdf` → `store` → `linking` → `http`
//!
//! A module may use its own folder and the folders on lower floors; two folders on one floor may not
//! use each other. The binary (`src/bin/`) sits on top and may use anything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module of the library and its floor.
const FLOORS: &[(&str, u8)] = &[
    ("text", 0),
    ("parallel", 0),
    ("facts", 1),
    ("import", 2),
    ("rdf", 2),
    ("store", 3),
    ("linking", 4),
    ("http", 5),
];

/// A module's path (`facts::validate`) and its file.
fn modules(src: &Path) -> BTreeMap<String, PathBuf> {
    fn walk(dir: &Path, prefix: &str, out: &mut BTreeMap<String, PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for path in entries {
            let name = path.file_stem().unwrap().to_str().unwrap().to_string();
            if path.is_dir() {
                if prefix.is_empty() && name == "bin" {
                    continue;
                }
                let module = if prefix.is_empty() { name.clone() } else { format!("{prefix}::{name}") };
                walk(&path, &module, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let module = match (prefix.is_empty(), name.as_str()) {
                    (true, "lib") => continue,
                    (true, _) => name,
                    (false, "mod") => prefix.to_string(),
                    (false, _) => format!("{prefix}::{name}"),
                };
                out.insert(module, path);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(src, "", &mut out);
    out
}

/// The module paths that `text` refers to through `crate::…` and `super::…`, braces expanded one level.
fn references(module: &str, is_folder_root: bool, text: &str) -> Vec<String> {
    // The module that `super` names: the parent of a file, or of a folder's root module.
    let parent: Vec<&str> = {
        let parts: Vec<&str> = module.split("::").collect();
        if is_folder_root { parts[..parts.len().saturating_sub(1)].to_vec() } else { parts[..parts.len() - 1].to_vec() }
    };
    let mut found = Vec::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        // A folder's root re-exports its children with paths relative to itself (`pub use kb::KnowledgeBase`).
        if is_folder_root {
            if let Some(path) = code.trim_start().strip_prefix("pub use ").or_else(|| code.trim_start().strip_prefix("use ")) {
                if !path.starts_with("crate::") && !path.starts_with("super::") {
                    let path: String = path.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
                    found.push(format!("{module}::{}", path.trim_end_matches(':')));
                }
            }
        }
        for (prefix, start) in [("crate::", Vec::new()), ("super::", parent.clone())] {
            let mut rest = code;
            while let Some(at) = rest.find(prefix) {
                let before = rest[..at].chars().last();
                rest = &rest[at + prefix.len()..];
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let path: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
                let base: Vec<String> = start.iter().map(|s| s.to_string()).chain(path.split("::").filter(|s| !s.is_empty()).map(str::to_string)).collect();
                let after = &rest[path.len()..];
                if (path.is_empty() || path.ends_with("::")) && after.starts_with('{') {
                    let inner = &after[1..after.find('}').unwrap_or(after.len())];
                    for item in inner.split(',') {
                        let item: String = item.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
                        let mut full = base.clone();
                        full.extend(item.split("::").filter(|s| !s.is_empty()).map(str::to_string));
                        found.push(full.join("::"));
                    }
                } else {
                    found.push(base.join("::"));
                }
            }
        }
    }
    found
}

/// The longest known module that `path` starts with.
fn owner<'a>(path: &str, known: &'a BTreeMap<String, PathBuf>) -> Option<&'a str> {
    let parts: Vec<&str> = path.split("::").collect();
    (1..=parts.len()).rev().map(|n| parts[..n].join("::")).find_map(|candidate| known.get_key_value(&candidate).map(|(k, _)| k.as_str()))
}

fn floor(module: &str) -> u8 {
    let top = module.split("::").next().unwrap();
    FLOORS.iter().find(|(name, _)| *name == top).unwrap_or_else(|| panic!("src/{top} is on no floor: add it to FLOORS and ARCHITECTURE.md")).1
}

/// The library's modules → the modules each uses (itself and its own ancestors left out).
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    graph_of(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))
}

/// The same for the crate whose root folder is `src` (the library, or the binary's folder).
fn graph_of(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let known = modules(src);
    let mut edges = BTreeMap::new();
    for (module, path) in &known {
        let text = std::fs::read_to_string(path).unwrap();
        let is_folder_root = path.file_name().is_some_and(|n| n == "mod.rs");
        let mut used = BTreeSet::new();
        for reference in references(module, is_folder_root, &text) {
            if let Some(target) = owner(&reference, &known) {
                if target != module && !module.starts_with(&format!("{target}::")) {
                    used.insert(target.to_string());
                }
            }
        }
        edges.insert(module.clone(), used);
    }
    edges
}

/// Every use of a module on the same floor or above, as text.
fn upward(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let mut upward = Vec::new();
    for (module, used) in graph {
        let top = module.split("::").next().unwrap();
        for target in used {
            let target_top = target.split("::").next().unwrap();
            if target_top != top && floor(target_top) >= floor(top) {
                upward.push(format!("{module} (floor {}) uses {target} (floor {})", floor(top), floor(target_top)));
            }
        }
    }
    upward
}

#[test]
fn imports_point_down_the_stages() {
    let upward = upward(&graph());
    assert!(upward.is_empty(), "imports that do not point down the stages:\n{}", upward.join("\n"));
}

/// Every loop of modules that use each other, as text.
fn loops(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    // Depth-first search with colours; a grey target closes a loop.
    fn visit(node: &str, graph: &BTreeMap<String, BTreeSet<String>>, colour: &mut BTreeMap<String, u8>, stack: &mut Vec<String>, loops: &mut Vec<String>) {
        colour.insert(node.to_string(), 1);
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            match colour.get(next.as_str()).copied().unwrap_or(0) {
                0 => visit(next, graph, colour, stack, loops),
                1 => {
                    let from = stack.iter().position(|m| m == next).unwrap();
                    loops.push(format!("{} -> {next}", stack[from..].join(" -> ")));
                }
                _ => {}
            }
        }
        stack.pop();
        colour.insert(node.to_string(), 2);
    }
    let mut colour = BTreeMap::new();
    let mut loops = Vec::new();
    for node in graph.keys() {
        if colour.get(node.as_str()).copied().unwrap_or(0) == 0 {
            visit(node, graph, &mut colour, &mut Vec::new(), &mut loops);
        }
    }
    loops
}

#[test]
fn no_modules_import_each_other_in_a_loop() {
    let mut found = loops(&graph());
    // The binary has no floors, but its files must not use each other in a loop either.
    let binary = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/bin/factgraph");
    found.extend(loops(&graph_of(&binary)).into_iter().map(|l| format!("(the binary) {l}")));
    assert!(found.is_empty(), "modules that import each other in a loop:\n{}", found.join("\n"));
}

/// The checker itself: an upward import and a loop in a made-up source are found.
#[test]
fn the_checker_finds_references_through_crate_super_and_braces() {
    let text = "use crate::rdf::iri::Base;\nuse super::{input::Source, problem::Problem};\n// use crate::http::serve;\nlet x = crate::store::KnowledgeBase::open(p);";
    let found = references("facts::validate", false, text);
    assert_eq!(found, ["rdf::iri::Base", "facts::input::Source", "facts::problem::Problem", "store::KnowledgeBase::open"]);
    let found = references("facts", true, "pub use super::text::x;\npub use format::*;");
    assert_eq!(found, ["text::x", "facts::format"]);
}

/// The checks themselves: an upward use and a loop in a made-up graph are found.
#[test]
fn the_checks_find_an_upward_use_and_a_loop() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("facts::input", vec!["facts::validate", "text"]),
        ("facts::validate", vec!["facts::input", "rdf::iri"]),
        ("rdf::iri", vec!["facts::identity"]),
        ("facts::identity", vec![]),
        ("text", vec![]),
    ]
    .into_iter()
    .map(|(m, used)| (m.to_string(), used.into_iter().map(str::to_string).collect()))
    .collect();
    assert_eq!(upward(&graph), ["facts::validate (floor 1) uses rdf::iri (floor 2)"]);
    assert_eq!(loops(&graph), ["facts::input -> facts::validate -> facts::input"]);
}
