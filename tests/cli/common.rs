//! Helpers shared by the integration tests: running the binary, reading
//! its JSON, the fixtures' intended results.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use assert_cmd::Command;
use serde_json::Value;

/// The repository root (where Cargo.toml is).
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The user cache directory the tests give the binary (`XDG_CACHE_HOME`),
/// so its extraction cache lives under `target/`, starts empty on every
/// run of the test binary, and never touches the real user cache.
pub fn cache_home() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("policyscan-test-cache");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the test cache directory");
        dir
    })
}

/// The user configuration directory the tests give the binary
/// (`XDG_CONFIG_HOME`, with `POLICYSCAN_CONFIG` removed): it holds no
/// configuration file, so a file on the machine cannot change a result.
pub fn config_home() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("policyscan-test-config");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the test config directory");
        dir
    })
}

/// The binary under test as a plain `std::process::Command`, with the
/// test cache and no configuration file (for tests that need to drive its
/// pipes themselves).
pub fn std_command() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_policyscan"));
    c.current_dir(repo())
        .env("XDG_CACHE_HOME", cache_home())
        .env("XDG_CONFIG_HOME", config_home())
        .env_remove("POLICYSCAN_CONFIG");
    c
}

/// The binary under test, run from the repository root.
pub fn policyscan() -> Command {
    Command::from_std(std_command())
}

/// Runs `policyscan ARGS` and returns its output, whatever the exit code.
pub fn run(args: &[&str]) -> Output {
    policyscan().args(args).output().expect("run policyscan")
}

/// Parses stdout as one JSON value.
pub fn stdout_json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Runs a command that must exit 0 and print one JSON value.
pub fn json(args: &[&str]) -> Value {
    let out = run(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "policyscan {args:?} failed; stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout_json(&out)
}

/// `fixtures/EXPECTED.json`: file name -> intended results.
pub fn expected() -> serde_json::Map<String, Value> {
    let path = repo().join("fixtures/EXPECTED.json");
    let text = std::fs::read_to_string(&path).expect("read fixtures/EXPECTED.json");
    let v: Value = serde_json::from_str(&text).expect("fixtures/EXPECTED.json is JSON");
    v["documents"]
        .as_object()
        .expect("EXPECTED.json has a documents object")
        .clone()
}

/// Scans a folder without the cache and returns its documents by file
/// name.
pub fn scan_by_name(dir: &Path) -> std::collections::BTreeMap<String, Value> {
    let report = json(&[
        "scan",
        "--no-cache",
        "--format",
        "json",
        dir.to_str().unwrap(),
    ]);
    by_name(&report)
}

/// The documents of a report, by file name (the last path component).
pub fn by_name(report: &Value) -> std::collections::BTreeMap<String, Value> {
    report["documents"]
        .as_array()
        .expect("documents is an array")
        .iter()
        .map(|d| {
            let path = d["path"].as_str().expect("path is a string");
            let name = Path::new(path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, d.clone())
        })
        .collect()
}

/// A string list field as a sorted Vec (for set comparison).
pub fn sorted_strings(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// `../shared/devset/pdf` beside the repository, when present.
pub fn devset_dir() -> Option<PathBuf> {
    let dir = repo().join("../shared/devset/pdf");
    dir.is_dir().then_some(dir)
}

/// The number of PDF files directly in `dir`.
pub fn pdf_count(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("pdf"))
        })
        .count()
}

/// Writes `files` (name, bytes) into a new temporary folder.
pub fn temp_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, data) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent");
        }
        std::fs::write(path, data).expect("write temp file");
    }
    dir
}
