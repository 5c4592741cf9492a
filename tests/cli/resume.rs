//! `--resume`: an interrupted JSONL run is completed without scanning its
//! finished documents again.

use std::io::Write;

use super::harness::{documents, policyscan, tiny_pdf};

fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (i, name) in ["a.pdf", "b.txt", "c.pdf", "d.txt"].iter().enumerate() {
        let text = format!("Policy {i}: ketamine is considered experimental.");
        let bytes = if name.ends_with(".pdf") {
            tiny_pdf(&text)
        } else {
            text.into_bytes()
        };
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    dir
}

fn scan(dir: &std::path::Path, extra: &[&std::ffi::OsStr]) -> std::process::Output {
    policyscan()
        .args(["scan", "--format", "jsonl", "-j", "2"])
        .args(extra)
        .arg(dir)
        .output()
        .unwrap()
}

#[test]
fn resume_completes_an_interrupted_run() {
    let dir = folder();
    let full = scan(dir.path(), &[]);
    assert!(full.status.success());
    let text = String::from_utf8(full.stdout.clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6, "begin, 4 documents, summary");
    // As if killed while writing the third document line.
    let mut cut = tempfile::NamedTempFile::new().unwrap();
    for l in &lines[..3] {
        writeln!(cut, "{l}").unwrap();
    }
    write!(cut, "{}", &lines[3][..20]).unwrap();
    cut.flush().unwrap();
    // One of the recorded files changed since: it must be scanned again.
    let recorded: Vec<String> = lines[1..3]
        .iter()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["path"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let timings = dir.path().join("timings.tsv");
    let out = scan(
        dir.path(),
        &[
            "--resume".as_ref(),
            cut.path().as_os_str(),
            "--timings".as_ref(),
            timings.as_os_str(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ignored the incomplete last line"), "{err}");
    let new_text = String::from_utf8(out.stdout.clone()).unwrap();
    // The recorded lines come back byte for byte.
    for l in &lines[1..3] {
        assert_eq!(new_text.lines().filter(|x| x == l).count(), 1, "{l}");
    }
    let docs = documents(&out.stdout);
    let mut paths: Vec<&str> = docs.iter().map(|d| d["path"].as_str().unwrap()).collect();
    paths.sort();
    paths.dedup();
    assert_eq!(paths.len(), 4, "every input exactly once: {new_text}");
    let old_docs = documents(&full.stdout);
    let mut a: Vec<String> = old_docs.iter().map(|d| d.to_string()).collect();
    let mut b: Vec<String> = docs.iter().map(|d| d.to_string()).collect();
    a.sort();
    b.sort();
    assert_eq!(a, b, "resumed output equals a full run");
    // Timings say which documents were taken from the earlier run.
    let t = std::fs::read_to_string(&timings).unwrap();
    let resumed: Vec<&str> = t
        .lines()
        .skip(1)
        .filter(|l| l.ends_with("\t1"))
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    let mut want: Vec<&str> = recorded.iter().map(String::as_str).collect();
    want.sort();
    let mut got = resumed.clone();
    got.sort();
    assert_eq!(got, want);

    // Change a recorded file: it is scanned again, not reused.
    let changed = &recorded[0];
    std::fs::write(changed, b"Spravato is covered.").unwrap();
    let out = scan(dir.path(), &["--resume".as_ref(), cut.path().as_os_str()]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.contains(lines[1]),
        "the changed file's old line is not reused"
    );
    assert_eq!(documents(text.as_bytes()).len(), 4);
}

#[test]
fn resume_refuses_its_own_output_file_and_garbage() {
    let dir = folder();
    let report = dir.path().join("out.jsonl");
    let full = scan(dir.path(), &[]);
    std::fs::write(&report, &full.stdout).unwrap();
    let out = std::process::Command::new(super::harness::bin())
        .args(["scan", "--format", "jsonl", "--resume"])
        .env("XDG_CACHE_HOME", super::harness::fresh_cache_home())
        .env("XDG_CONFIG_HOME", super::common::config_home())
        .env_remove("POLICYSCAN_CONFIG")
        .arg(&report)
        .arg(dir.path().join("a.pdf"))
        .stdout(
            std::fs::OpenOptions::new()
                .append(true)
                .open(&report)
                .unwrap(),
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("also the output file"));
    let junk = dir.path().join("junk.jsonl");
    std::fs::write(&junk, "hello\n").unwrap();
    policyscan()
        .args(["scan", "--resume"])
        .arg(&junk)
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not a policyscan JSONL line"));
}

/// Processes whose environment contains `needle` (Linux /proc).
fn processes_with_env(needle: &str) -> Vec<u32> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return found;
    };
    for e in entries.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        if let Ok(env) = std::fs::read(e.path().join("environ"))
            && env.windows(needle.len()).any(|w| w == needle.as_bytes())
        {
            found.push(pid);
        }
    }
    found
}

#[test]
fn a_killed_run_leaves_complete_lines_no_orphans_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["a.pdf", "b.pdf", "c_hang.pdf", "d.pdf"] {
        std::fs::write(dir.path().join(name), tiny_pdf("Ketamine is not covered.")).unwrap();
    }
    let out_path = tempfile::NamedTempFile::new().unwrap();
    let fault = "hang:c_hang.pdf";
    // A unique marker in the environment finds the run's processes later.
    let marker = format!("POLICYSCAN_TEST_MARKER_{}", std::process::id());
    let mut child = std::process::Command::new(super::harness::bin())
        .args(["scan", "--format", "jsonl", "-j", "1", "--no-cache"])
        .arg(dir.path())
        .env("XDG_CACHE_HOME", super::harness::fresh_cache_home())
        .env("XDG_CONFIG_HOME", super::common::config_home())
        .env_remove("POLICYSCAN_CONFIG")
        .env("POLICYSCAN_TEST_FAULT", fault)
        .env(&marker, "1")
        .stdout(out_path.reopen().unwrap())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the two documents before the hanging one are written.
    let start = std::time::Instant::now();
    loop {
        let text = std::fs::read_to_string(out_path.path()).unwrap();
        if text.lines().count() >= 3 {
            break;
        }
        assert!(start.elapsed().as_secs() < 60, "no progress: {text}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // The parent and its worker are both alive (and visible in /proc).
    assert!(
        processes_with_env(&marker).len() >= 2,
        "{:?}",
        processes_with_env(&marker)
    );
    child.kill().unwrap();
    child.wait().unwrap();
    // The worker stuck on c_hang.pdf dies with its parent.
    let start = std::time::Instant::now();
    while !processes_with_env(&marker).is_empty() {
        assert!(start.elapsed().as_secs() < 10, "orphaned worker survived");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let text = std::fs::read_to_string(out_path.path()).unwrap();
    assert!(text.ends_with('\n'), "only complete lines: {text:?}");
    for l in text.lines() {
        serde_json::from_str::<serde_json::Value>(l).expect("complete JSON line");
    }
    let done = documents(text.as_bytes()).len();
    assert_eq!(done, 2, "{text}");
    // Resuming (without the fault) completes the report.
    let out = scan(
        dir.path(),
        &["--resume".as_ref(), out_path.path().as_os_str()],
    );
    assert!(out.status.success());
    let docs = documents(&out.stdout);
    assert_eq!(docs.len(), 4);
    assert!(docs.iter().all(|d| d["status"] == "ok"), "{docs:?}");
}
