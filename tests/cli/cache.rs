//! The extraction and analysis cache through the binary: a warm run really
//! reads its entries and gives the cold run's report, another pattern
//! library re-analyses from the cached text, and a damaged entry (edited,
//! truncated, emptied, garbage) is detected, ignored, and redone.
//! (`scan.rs` checks that cold, warm and `--no-cache` reports are equal.)

use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::common::{by_name, run, stdout_json};

const KETAMINE_POLICY: &str = "01_fernhollow_ketamine_infusion_policy.pdf";

fn scan_with(cache: &Path) -> std::process::Output {
    scan_with_args(cache, &[])
}

fn scan_with_args(cache: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "scan",
        "fixtures",
        "--format",
        "json",
        "--quiet",
        "--cache",
        cache.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = run(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(entries(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// What a cache entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A file's extracted text (or extraction status).
    Extraction,
    /// A file's analysed document.
    Analysis,
}

fn kind_of(path: &Path) -> Kind {
    let entry: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let payload: Value = serde_json::from_str(entry["payload"].as_str().unwrap()).unwrap();
    if payload.get("ok").is_some() || payload.get("err").is_some() {
        Kind::Extraction
    } else {
        assert!(payload.get("topics").is_some(), "{}", path.display());
        Kind::Analysis
    }
}

/// The cache entry of this kind of the file whose content hash is
/// `sha256`.
fn entry_of(cache: &Path, sha256: &str, kind: Kind) -> PathBuf {
    let found: Vec<PathBuf> = entries(cache)
        .into_iter()
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&format!("{sha256}-"))
                && kind_of(p) == kind
        })
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one {kind:?} cache entry for {sha256}: {found:?}"
    );
    found.into_iter().next().unwrap()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn ketamine_stance(report: &Value) -> String {
    by_name(report)[KETAMINE_POLICY]["topics"]["ketamine"]["stance"]
        .as_str()
        .expect("a ketamine stance")
        .to_string()
}

/// Rewrites the pages of an entry's payload with `edit`; with `checksum`,
/// the entry's checksum is updated to match (a valid, forged entry).
fn edit_pages(path: &Path, edit: impl Fn(&str) -> String, checksum: bool) {
    let mut entry: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut payload: Value = serde_json::from_str(entry["payload"].as_str().unwrap()).unwrap();
    let pages = payload["ok"]["pages"]
        .as_array_mut()
        .expect("an extracted entry");
    for p in pages.iter_mut() {
        *p = Value::String(edit(p.as_str().unwrap()));
    }
    let payload = serde_json::to_string(&payload).unwrap();
    if checksum {
        entry["checksum"] = Value::String(hex(&Sha256::digest(payload.as_bytes())));
    }
    entry["payload"] = Value::String(payload);
    std::fs::write(path, serde_json::to_vec(&entry).unwrap()).unwrap();
}

fn without_ketamine(page: &str) -> String {
    page.replace("ketamine", "aspirin")
        .replace("Ketamine", "Aspirin")
        .replace("KETAMINE", "ASPIRIN")
}

/// Rewrites the analysed document of an entry with `edit`, with a
/// matching checksum (a valid, forged entry).
fn edit_document(path: &Path, edit: impl Fn(&mut Value)) {
    let mut entry: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut doc: Value = serde_json::from_str(entry["payload"].as_str().unwrap()).unwrap();
    edit(&mut doc);
    let payload = serde_json::to_string(&doc).unwrap();
    entry["checksum"] = Value::String(hex(&Sha256::digest(payload.as_bytes())));
    entry["payload"] = Value::String(payload);
    std::fs::write(path, serde_json::to_vec(&entry).unwrap()).unwrap();
}

#[test]
fn a_warm_run_reads_the_cache_and_gives_the_cold_report() {
    let dir = tempfile::tempdir().unwrap();
    let cold = scan_with(dir.path());
    let report = stdout_json(&cold);
    assert_ne!(ketamine_stance(&report), "not_addressed");
    let files = entries(dir.path());
    let analyses = files.iter().filter(|f| kind_of(f) == Kind::Analysis);
    assert_eq!(analyses.count() * 2, files.len(), "{files:?}");
    let warm = scan_with(dir.path());
    assert!(cold.stdout == warm.stdout, "a cache hit changes the report");
    assert_eq!(entries(dir.path()), files, "a warm run writes no entry");

    // A valid analysis entry that says something else is believed: the
    // warm run took the document from the cache.
    let sha = by_name(&report)[KETAMINE_POLICY]["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let analysis = entry_of(dir.path(), &sha, Kind::Analysis);
    let kept = std::fs::read(&analysis).unwrap();
    edit_document(&analysis, |doc| {
        doc["topics"]["ketamine"]["stance"] = Value::String("mixed".into());
    });
    assert_eq!(
        ketamine_stance(&stdout_json(&scan_with(dir.path()))),
        "mixed"
    );
    std::fs::write(&analysis, kept).unwrap();

    // A valid extraction entry that says something else is believed once
    // the analysis has to be made again: here, by another pattern library
    // (the same rules, from a folder), whose analysis is keyed apart and
    // made from the cached text, not from the PDF.
    edit_pages(
        &entry_of(dir.path(), &sha, Kind::Extraction),
        without_ketamine,
        true,
    );
    assert_ne!(
        ketamine_stance(&stdout_json(&scan_with(dir.path()))),
        "not_addressed",
        "the analysis entry of the built-in library still holds"
    );
    let other_library = scan_with_args(dir.path(), &["--patterns", "patterns"]);
    assert_eq!(
        ketamine_stance(&stdout_json(&other_library)),
        "not_addressed",
        "the re-analysis did not read the cached text"
    );
}

#[test]
fn damaged_cache_entries_are_detected_and_redone() {
    let dir = tempfile::tempdir().unwrap();
    let cold = scan_with(dir.path());
    let files = entries(dir.path());
    assert!(files.len() >= 16, "two entries per fixture: {files:?}");
    let originals: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();

    // The ketamine policy's entry is edited so that, if believed, it would
    // change the report; the others are damaged in turn.
    let sha = by_name(&stdout_json(&cold))[KETAMINE_POLICY]["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let edited = entry_of(dir.path(), &sha, Kind::Extraction);
    for (i, (f, bytes)) in files.iter().zip(&originals).enumerate() {
        if *f == edited {
            edit_pages(f, without_ketamine, false);
            continue;
        }
        match i % 3 {
            0 => std::fs::write(f, &bytes[..bytes.len() / 2]).unwrap(),
            1 => std::fs::write(f, b"").unwrap(),
            _ => std::fs::write(f, b"\x00\xff not json \xfe").unwrap(),
        }
    }

    let warm = scan_with(dir.path());
    assert!(
        cold.stdout == warm.stdout,
        "a damaged cache entry changed the report"
    );
    assert_eq!(entries(dir.path()), files, "no entry added or left behind");
    for (f, bytes) in files.iter().zip(&originals) {
        assert!(
            std::fs::read(f).unwrap() == *bytes,
            "{} was not redone",
            f.display()
        );
    }
}

#[test]
fn cache_info_and_prune_report_and_trim_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().to_str().unwrap();
    scan_with(dir.path());
    let files = entries(dir.path());
    let total: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().len())
        .sum();
    let info = run(&["cache", "info", "--cache", cache]);
    assert_eq!(info.status.code(), Some(0));
    let line = String::from_utf8(info.stdout).unwrap();
    assert!(
        line.contains(&format!("{} entries, {total} bytes", files.len())),
        "{line}"
    );

    let kept = run(&["cache", "prune", "--cache", cache, "--max-size", "1G"]);
    assert_eq!(kept.status.code(), Some(0));
    assert_eq!(entries(dir.path()), files, "within the size nothing goes");
    let emptied = run(&["cache", "prune", "--cache", cache, "--max-size", "0"]);
    assert_eq!(emptied.status.code(), Some(0));
    let line = String::from_utf8(emptied.stdout).unwrap();
    assert!(
        line.contains(&format!("removed {} entries ({total} bytes)", files.len())),
        "{line}"
    );
    assert!(entries(dir.path()).is_empty());
    // The next scan fills it again and reports the same.
    scan_with(dir.path());
    assert_eq!(entries(dir.path()), files);

    let bad = run(&["cache", "prune", "--cache", cache, "--max-size", "lots"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("lots"));
}
