//! The layering test: every `crate::` path in `src/` points down the
//! layers of docs/ARCHITECTURE.md, never up or sideways into a cycle.
//!
//! Owns: the table of layers and the reading of `use crate::...` lines
//! (and `crate::x::` paths in code). Must not: be compiled outside tests.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The layers, top first; each with its top-level modules (in the order
/// they may use each other: a module may use the ones listed after it in
/// its own layer) and why nothing below may use it.
const LAYERS: &[(&str, &[&str], &str)] = &[
    (
        "face",
        &["app", "cli"],
        "the command line and its exit codes sit on top: nothing below may know about flags or commands",
    ),
    (
        "pipeline",
        &["lib", "config", "scan", "rule_examples", "walk"],
        "the pipeline drives the stages and writes reports; stages and reports are handed data and options, they do not call back into the run",
    ),
    (
        "report",
        &["report"],
        "reports render what the stages produced; stages must not know how their results are written",
    ),
    (
        "stages",
        &[
            "classify",
            "matcher",
            "patterns",
            "extract",
            "normalize",
            "textutil",
        ],
        "each stage only uses the stages before it (classify reads matcher hits over normalized text; the matcher is compiled from patterns)",
    ),
    (
        "model",
        &["model", "hash"],
        "model is the data every layer shares (and hash a leaf helper): it depends on nothing",
    ),
];

/// Modules that depend on no other module of the crate.
const LEAVES: &[&str] = &["model", "hash", "textutil"];

/// Where a module sits: (layer index, position within the layer).
fn rank(module: &str) -> Option<(usize, usize)> {
    LAYERS
        .iter()
        .enumerate()
        .find_map(|(l, (_, mods, _))| mods.iter().position(|m| *m == module).map(|p| (l, p)))
}

/// Why an edge `from -> to` is not allowed, or `None` when it is.
fn violation(from: &str, to: &str) -> Option<String> {
    if from == to {
        return None;
    }
    let (Some((lf, pf)), Some((lt, pt))) = (rank(from), rank(to)) else {
        return Some(format!(
            "module {from} or {to} is in no layer: add it to LAYERS and docs/ARCHITECTURE.md"
        ));
    };
    let (name_f, _, why_f) = LAYERS[lf];
    let (name_t, _, why_t) = LAYERS[lt];
    if LEAVES.contains(&from) {
        return Some(format!(
            "{from} is a leaf of layer `{name_f}` and uses no other module ({why_f})"
        ));
    }
    if lf > lt {
        return Some(format!(
            "{from} is in layer `{name_f}`, below `{name_t}` where {to} is: {why_t}"
        ));
    }
    if lf == lt && pf > pt {
        return Some(format!(
            "{from} and {to} are both in layer `{name_f}`, where {to} comes first and so may use {from}, not the other way round ({why_t})"
        ));
    }
    None
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("src/ is readable")
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a file under `src/` belongs to (`lib` for the
/// crate root); `None` for the binary's `main.rs`, which uses the library
/// by its name, not `crate::`.
fn module_of(rel: &Path) -> Option<String> {
    let first = rel.components().next()?.as_os_str().to_str()?;
    match first {
        "main.rs" => None,
        "lib.rs" => Some("lib".into()),
        f => Some(f.trim_end_matches(".rs").to_string()),
    }
}

/// The code of a line: without `//` comments (doc comments included).
fn code_of(line: &str) -> &str {
    let mut in_str = false;
    let mut prev = ' ';
    let bytes = line.as_bytes();
    for (i, c) in line.char_indices() {
        // A `'"'` char literal does not start a string.
        let char_literal = prev == '\'' && bytes.get(i + 1) == Some(&b'\'');
        match c {
            '"' if prev != '\\' && !char_literal => in_str = !in_str,
            '/' if !in_str && prev == '/' => return &line[..i - 1],
            _ => {}
        }
        prev = if prev == '\\' && c == '\\' { ' ' } else { c };
    }
    line
}

/// The first path segment of each item of a `crate::{...}` group, or of
/// the `crate::x` path, starting right after `crate::`.
fn targets(rest: &str) -> Vec<String> {
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let Some(group) = rest.strip_prefix('{') else {
        return vec![ident(rest)];
    };
    // Top-level items of the group, which may span lines.
    let mut out = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                out.push(ident(&group[start..i]));
                break;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(ident(&group[start..i]));
                start = i + 1;
            }
            _ => {}
        }
    }
    out.retain(|s| !s.is_empty() && s != "self");
    out
}

/// The crate root's `use` re-exports: item name -> the module it lives in
/// (`crate::Config` is config's, not the root's).
fn root_reexports(lib: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for line in lib.lines().map(code_of) {
        let line = line.trim();
        let Some(pos) = line.find("use ") else {
            continue;
        };
        let path = line[pos + 4..].trim_end_matches(';');
        let Some((module, items)) = path.split_once("::") else {
            continue;
        };
        let items = items.trim_start_matches('{').trim_end_matches('}');
        for item in items.split(',') {
            let name = item.rsplit("::").next().unwrap_or(item);
            let name = name.rsplit(" as ").next().unwrap_or(name).trim();
            if !name.is_empty() {
                map.insert(name.to_string(), module.to_string());
            }
        }
    }
    map
}

/// One `crate::` reference: file, line, the path as written, and the
/// top-level modules it names.
struct Edge {
    file: String,
    line: usize,
    text: String,
    from: String,
    to: String,
}

/// Every cross-module `crate::` edge under `src/`.
fn edges(src: &Path) -> Vec<Edge> {
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("src/lib.rs");
    let reexports = root_reexports(&lib);
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: Vec<String> = files
        .iter()
        .filter_map(|f| module_of(f.strip_prefix(src).ok()?))
        .collect();
    let mut out = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(src).expect("under src/");
        let Some(from) = module_of(rel).filter(|m| m != "layering") else {
            continue;
        };
        let text = std::fs::read_to_string(file).expect("readable source file");
        // Comments out, lines kept: a `crate::{...}` group may span lines.
        let code: String = text.lines().map(code_of).collect::<Vec<_>>().join("\n");
        for (pos, _) in code.match_indices("crate::") {
            let before = code[..pos].chars().next_back();
            // `$crate::` in macros, or `policyscan_crate::`, are not ours.
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
                continue;
            }
            let line = code[..pos].matches('\n').count() + 1;
            for t in targets(&code[pos + "crate::".len()..]) {
                let to = if modules.contains(&t) {
                    t.clone()
                } else {
                    reexports.get(&t).cloned().unwrap_or_else(|| "lib".into())
                };
                if to != from {
                    out.push(Edge {
                        file: format!("src/{}", rel.display()),
                        line,
                        text: format!("crate::{t}"),
                        from: from.clone(),
                        to,
                    });
                }
            }
        }
    }
    out
}

/// The failures for a set of edges, one line each.
fn violations(edges: &[Edge]) -> Vec<String> {
    edges
        .iter()
        .filter_map(|e| {
            violation(&e.from, &e.to).map(|why| {
                format!(
                    "{}:{}: {} -> {} (`{}`) is against the layers: {why}",
                    e.file, e.line, e.from, e.to, e.text
                )
            })
        })
        .collect()
}

#[test]
fn crate_paths_point_down_the_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let edges = edges(&src);
    assert!(
        edges.len() > 50,
        "the test reads the crate's `crate::` paths (found only {})",
        edges.len()
    );
    let bad = violations(&edges);
    assert!(
        bad.is_empty(),
        "{} `crate::` path(s) against the layers of docs/ARCHITECTURE.md:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn every_module_is_in_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    for f in &files {
        if let Some(m) = f.strip_prefix(&src).ok().and_then(module_of)
            && m != "layering"
        {
            assert!(rank(&m).is_some(), "module {m} is in no layer");
        }
    }
}

#[test]
fn the_reader_sees_groups_reexports_and_skips_comments() {
    assert_eq!(
        targets("{load_matcher, patterns::{self, X}, scan};"),
        ["load_matcher", "patterns", "scan"]
    );
    assert_eq!(targets("model::Topic::DRUGS {"), ["model"]);
    assert_eq!(
        targets("{\n    cli::{A, B},\n    walk,\n};"),
        ["cli", "walk"]
    );
    assert_eq!(code_of("let x = 1; // see crate::scan"), "let x = 1; ");
    assert_eq!(
        code_of(r#"f("a // b", crate::x)"#),
        r#"f("a // b", crate::x)"#
    );
    let map = root_reexports("pub use config::{Config, UsageError};\npub use matcher::Matcher;");
    assert_eq!(map.get("UsageError").map(String::as_str), Some("config"));
    assert_eq!(map.get("Matcher").map(String::as_str), Some("matcher"));
}

#[test]
fn an_upward_edge_is_refused_with_its_reason() {
    let e = Edge {
        file: "src/extract/cache.rs".into(),
        line: 58,
        text: "crate::scan".into(),
        from: "extract".into(),
        to: "scan".into(),
    };
    let bad = violations(&[e]);
    assert_eq!(bad.len(), 1);
    assert!(
        bad[0].starts_with("src/extract/cache.rs:58: extract -> scan (`crate::scan`) is against"),
        "{}",
        bad[0]
    );
    assert!(
        bad[0].contains("do not call back into the run"),
        "{}",
        bad[0]
    );
    assert!(violation("classify", "matcher").is_none());
    assert!(violation("matcher", "classify").is_some());
    assert!(violation("report", "classify").is_none());
    assert!(violation("model", "report").is_some());
    assert!(violation("model", "hash").is_some());
    assert!(violation("scan", "hash").is_none());
}
