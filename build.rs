//! Build script: names the analysis this binary performs, for the
//! analysis cache, and works out the matcher's gate facts for the
//! built-in pattern library.
//!
//! The analysis identity is a hash of every file of the program's source,
//! pattern library and data, and of the locked dependency versions, so a
//! cached analysis is reused only by a binary built from the same sources.
//! The gate facts are those `src/matcher/facts.rs` gives each regex of
//! `patterns/` (the same file, included here), so that a run does not
//! parse the whole library again to build its gate.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[allow(dead_code)]
#[path = "src/matcher/facts.rs"]
mod facts;

#[allow(dead_code)]
#[path = "src/textutil/classes.rs"]
mod classes;

/// Directories and files that decide what an analysis produces.
const INPUTS: [&str; 4] = ["src", "patterns", "data", "Cargo.lock"];

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    if dir.is_file() {
        out.push(dir.to_path_buf());
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// 64-bit FNV-1a: enough to tell builds apart, and needs no crate here.
fn fnv1a(hash: &mut u64, bytes: &[u8]) {
    for &b in bytes {
        *hash ^= u64::from(b);
        *hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
}

/// A set of literals as Rust source: `Some(&[b"..", ..])` or `None`.
fn set_source(set: &Option<Vec<Vec<u8>>>) -> String {
    match set {
        None => "None".to_string(),
        Some(lits) => {
            let items: Vec<String> = lits.iter().map(|l| format!("&{l:?}")).collect();
            format!("Some(&[{}])", items.join(", "))
        }
    }
}

/// Writes `$OUT_DIR/gate_facts.rs`: `FACTS`, the gate facts of every rule
/// regex of `patterns/*.toml` (as the matcher sees it: with ASCII
/// classes), sorted by source. A file that does not parse is left to the
/// library's loader to report.
fn gate_facts(out_dir: &Path) {
    let mut tomls = Vec::new();
    files(Path::new("patterns"), &mut tomls);
    tomls.retain(|p| p.extension().is_some_and(|e| e == "toml"));
    tomls.sort();
    let mut facts = BTreeMap::new();
    for path in tomls {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let Ok(table) = text.parse::<toml::Table>() else {
            continue;
        };
        let rules = table.get("rule").and_then(|r| r.as_array());
        let regexes = rules
            .into_iter()
            .flatten()
            .filter_map(|r| r.get("regexes").and_then(|x| x.as_array()))
            .flatten()
            .filter_map(|x| x.as_str());
        for src in regexes {
            let src = classes::ascii_classes(src);
            let f = facts::gate_facts(&src);
            facts.insert(src, f);
        }
    }
    let mut code = String::from(
        "/// `(source, prefixes, bounded, required)` of each regex, sorted by source.\n\
         #[allow(clippy::type_complexity)]\n\
         pub static FACTS: &[(&str, Option<&[&[u8]]>, bool, Option<&[&[u8]]>)] = &[\n",
    );
    for (src, f) in &facts {
        let _ = writeln!(
            code,
            "    ({src:?}, {}, {}, {}),",
            set_source(&f.prefixes),
            f.bounded,
            set_source(&f.required)
        );
    }
    code.push_str("];\n");
    std::fs::write(out_dir.join("gate_facts.rs"), code).expect("write gate_facts.rs");
}

fn main() {
    let mut paths = Vec::new();
    for dir in INPUTS {
        println!("cargo:rerun-if-changed={dir}");
        files(Path::new(dir), &mut paths);
    }
    paths.sort();
    let mut hash = 0xcbf2_9ce4_8422_2325_u64;
    for path in &paths {
        fnv1a(&mut hash, path.to_string_lossy().as_bytes());
        fnv1a(&mut hash, &[0]);
        fnv1a(&mut hash, &std::fs::read(path).unwrap_or_default());
        fnv1a(&mut hash, &[0]);
    }
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR is set by cargo"));
    gate_facts(&out_dir);
    println!(
        "cargo:rustc-env=POLICYSCAN_ANALYSIS_ID={}-{hash:016x}",
        std::env::var("CARGO_PKG_VERSION").unwrap_or_default()
    );
}
