//! Worker processes: a worker that dies, hangs or talks nonsense costs only
//! the document it held; passwords and limits reach the worker.

use std::time::{Duration, Instant};

use super::harness::{doc_named, documents, policyscan, shared, tiny_pdf};

const TEXT: &str = "Ketamine infusion is considered experimental and investigational.";

/// A folder with two good PDFs, one marked for the fault hook, and a text file.
fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in ["a.pdf", "faulty.pdf", "z.pdf"] {
        std::fs::write(dir.path().join(name), tiny_pdf(TEXT)).unwrap();
    }
    std::fs::write(dir.path().join("notes.txt"), TEXT).unwrap();
    dir
}

fn run_with_fault(fault: &str, extra: &[&str]) -> (Vec<serde_json::Value>, Duration) {
    let dir = folder();
    let start = Instant::now();
    let out = policyscan()
        .env("POLICYSCAN_TEST_FAULT", fault)
        // The three PDFs have the same bytes: with the cache on, the first
        // one's result would answer for the others without a worker.
        .args(["scan", "--format", "jsonl", "-j", "1", "--no-cache"])
        .args(extra)
        .arg(dir.path())
        .output()
        .unwrap();
    let took = start.elapsed();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let docs = documents(&out.stdout);
    assert_eq!(docs.len(), 4, "every input exactly once");
    for name in ["a.pdf", "z.pdf", "notes.txt"] {
        assert_eq!(doc_named(&docs, name)["status"], "ok", "{name}");
    }
    (docs, took)
}

#[test]
fn a_worker_killed_mid_document_yields_crashed_and_the_run_goes_on() {
    let (docs, _) = run_with_fault("abort:faulty", &[]);
    let d = doc_named(&docs, "faulty.pdf");
    assert_eq!(d["status"], "crashed");
    assert_eq!(d["error"], "worker killed by signal 6 (SIGABRT)");
    assert_eq!(
        d["sha256"].as_str().unwrap().len(),
        64,
        "sha256 still reported"
    );
}

#[test]
fn a_worker_that_exits_without_replying_is_a_crash() {
    let (docs, _) = run_with_fault("exit:faulty", &[]);
    let d = doc_named(&docs, "faulty.pdf");
    assert_eq!(d["status"], "crashed");
    assert_eq!(d["error"], "worker exited with status 3 without replying");
}

#[test]
fn a_malformed_reply_is_a_crash() {
    let (docs, _) = run_with_fault("garbage:faulty", &[]);
    let d = doc_named(&docs, "faulty.pdf");
    assert_eq!(d["status"], "crashed");
    assert!(
        d["error"]
            .as_str()
            .unwrap()
            .starts_with("worker sent a malformed reply"),
        "{d}"
    );
}

#[test]
fn a_hanging_worker_is_killed_at_the_time_limit() {
    let (docs, took) = run_with_fault("hang:faulty", &["--timeout", "1.5"]);
    let d = doc_named(&docs, "faulty.pdf");
    assert_eq!(d["status"], "timeout");
    assert_eq!(
        d["error"],
        "extraction took longer than the 1.5 s limit; the worker was killed"
    );
    assert!(took < Duration::from_secs(30), "took {took:?}");
}

#[test]
fn in_process_mode_gives_the_same_statuses() {
    let dir = folder();
    let run = |extra: &[&str]| {
        let out = policyscan()
            .args(["scan", "--format", "json"])
            .args(extra)
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(run(&[]), run(&["--in-process"]));
}

#[test]
fn extract_uses_a_worker_too() {
    let dir = folder();
    let out = policyscan()
        .env("POLICYSCAN_TEST_FAULT", "abort:faulty")
        .arg("extract")
        .arg(dir.path().join("faulty.pdf"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("crashed: worker killed by signal 6 (SIGABRT)"),
        "{err}"
    );
    let ok = policyscan()
        .arg("extract")
        .arg(dir.path().join("a.pdf"))
        .output()
        .unwrap();
    assert!(ok.status.success());
    assert!(String::from_utf8_lossy(&ok.stdout).contains("Ketamine infusion"));
}

#[test]
fn passwords_reach_the_worker() {
    let Some(shared) = shared() else {
        eprintln!("skipped: ../shared/corpus not found");
        return;
    };
    let file = shared.join("corpus/torture/encrypted_user_password.pdf");
    let run = |extra: &[&str]| {
        let out = policyscan()
            .args(["scan", "--format", "jsonl"])
            .args(extra)
            .arg(&file)
            .output()
            .unwrap();
        documents(&out.stdout)[0]["status"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(run(&[]), "encrypted");
    assert_eq!(run(&["--password", "wrong"]), "encrypted");
    // The right password opens it: whatever text it has, it is not encrypted.
    assert_ne!(run(&["--password", "secret"]), "encrypted");
    let empty = shared.join("corpus/torture/encrypted_empty_user_password.pdf");
    let out = policyscan()
        .args(["scan", "--format", "jsonl"])
        .arg(&empty)
        .output()
        .unwrap();
    assert_eq!(documents(&out.stdout)[0]["status"], "ok");
}

#[test]
fn the_worker_subcommand_is_hidden() {
    let out = policyscan().arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("scan"), "{help}");
    assert!(!help.contains("__extract-worker"), "{help}");
}

#[test]
fn a_crash_inside_an_extractor_is_retried_without_it() {
    let dir = folder();
    let timings = dir.path().join("t.tsv");
    let out = policyscan()
        .env("POLICYSCAN_TEST_FAULT", "abort-in-first:faulty")
        .args([
            "scan",
            "--format",
            "jsonl",
            "-j",
            "1",
            "--no-cache",
            "--timings",
        ])
        .arg(&timings)
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let docs = documents(&out.stdout);
    assert_eq!(docs.len(), 4);
    let d = doc_named(&docs, "faulty.pdf");
    let crash = "worker killed by signal 6 (SIGABRT) in pdf-extract";
    if d["status"] == "ok" {
        // A later extractor in the chain produced the text; the crash stays
        // visible as a warning.
        assert_eq!(d["warnings"][0], format!("crashed: {crash}"), "{d}");
    } else {
        // pdf-extract is the only extractor: nothing was left to retry with.
        assert_eq!(d["status"], "crashed");
        assert_eq!(d["error"], crash);
    }
    // Two attempts, so two time limits were granted.
    let t = std::fs::read_to_string(&timings).unwrap();
    let row = t.lines().find(|l| l.contains("faulty.pdf")).unwrap();
    let limit: f64 = row.split('\t').nth(4).unwrap().parse().unwrap();
    assert!(limit >= 60.0, "{row}");
}
