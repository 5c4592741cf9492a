//! Exit codes (0 ran; 1 a `--fail-on` / `--strict` condition; 2 usage
//! errors and nothing readable), error messages, and a closed stdout.

use std::io::Read;
use std::process::Stdio;

use super::common::{expected, run, temp_with};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Stances the fixtures are meant to take, per topic (from EXPECTED.json).
fn intended(topic: &str, stance: &str) -> bool {
    expected().values().any(|d| d[topic]["stance"] == stance)
}

#[test]
fn fail_on_exits_1_exactly_when_a_document_takes_the_stance() {
    let schema = super::schema::schema();
    for stance in &schema.stances {
        let any = intended("ketamine", stance) || intended("esketamine", stance);
        let out = run(&["scan", "fixtures", "--fail-on", stance]);
        assert_eq!(
            out.status.code(),
            Some(i32::from(any)),
            "--fail-on {stance}: {}",
            stderr(&out)
        );
        assert!(!out.stdout.is_empty(), "the report is still written");
        for topic in ["ketamine", "esketamine"] {
            let cond = format!("{topic}:{stance}");
            let out = run(&["scan", "fixtures", "--fail-on", &cond]);
            assert_eq!(
                out.status.code(),
                Some(i32::from(intended(topic, stance))),
                "--fail-on {cond}"
            );
        }
    }
    // Several conditions: any one is enough.
    let out = run(&["scan", "fixtures", "--fail-on", "mixed,not_covered"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn plain_scan_exits_0_with_nothing_on_stderr() {
    let out = run(&["scan", "fixtures"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stderr(&out), "");
}

#[test]
fn a_missing_path_is_a_usage_error() {
    let out = run(&["scan", "fixtures", "no/such/folder"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "no report on a usage error");
    assert!(stderr(&out).contains("no/such/folder"), "{}", stderr(&out));
}

#[test]
fn bad_flag_values_are_usage_errors() {
    for args in [
        &["scan", "fixtures", "--format", "xml"][..],
        &["scan", "fixtures", "--fail-on", "rejected"],
        &["scan", "fixtures", "--fail-on", "parity:covered"],
        &["scan", "fixtures", "--max-filesize", "12X"],
        &["scan", "fixtures", "--jobs", "0"],
        &["scan", "fixtures", "--no-such-flag"],
        &[
            "explain",
            "fixtures/01_fernhollow_ketamine_infusion_policy.pdf",
            "--topic",
            "aspirin",
        ],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).trim().is_empty(), "{args:?}: says why");
    }
}

#[test]
fn a_broken_patterns_dir_names_file_rule_and_reason() {
    let dir = temp_with(&[(
        "broken.toml",
        b"[[rule]]\nid = \"broken.rule\"\ncategory = \"experimental\"\ndescription = \"d\"\nregexes = ['(unclosed']\nmatch = ['x']\n"
            .as_slice(),
    )]);
    let d = dir.path().to_str().unwrap();
    for args in [
        &["scan", "fixtures", "--patterns", d][..],
        &["patterns", "check", "--patterns", d],
        &["patterns", "test", "--patterns", d],
    ] {
        let out = run(args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("broken.toml:2"), "file and line: {err}");
        assert!(err.contains("broken.rule"), "rule: {err}");
        assert!(err.contains("regex"), "reason: {err}");
    }
    let empty = tempfile::tempdir().unwrap();
    let out = run(&[
        "scan",
        "fixtures",
        "--patterns",
        empty.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no *.toml"), "{}", stderr(&out));
}

#[test]
fn strict_fails_on_an_unreadable_document_and_nothing_readable_is_2() {
    let dir = temp_with(&[
        ("fake.pdf", b"not a pdf".as_slice()),
        ("ok.txt", b"Spravato is covered.".as_slice()),
    ]);
    let d = dir.path().to_str().unwrap();
    assert_eq!(run(&["scan", d]).status.code(), Some(0));
    assert_eq!(run(&["scan", d, "--strict"]).status.code(), Some(1));
    let fake = dir.path().join("fake.pdf");
    let out = run(&["scan", fake.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "no input could be read");
    let r = super::common::stdout_json(&out);
    assert_eq!(r["documents"][0]["status"], "malformed", "still reported");
}

#[test]
fn quiet_silences_warnings() {
    let dir = temp_with(&[
        ("fake.pdf", b"not a pdf".as_slice()),
        ("a.txt", b"x".as_slice()),
    ]);
    let d = dir.path().to_str().unwrap();
    assert!(!stderr(&run(&["scan", d])).is_empty());
    assert_eq!(stderr(&run(&["scan", d, "--quiet"])), "");
}

#[test]
fn a_closed_stdout_exits_0_quietly() {
    // Enough documents that the report is far larger than a pipe buffer,
    // so the writes after the reader leaves fail with EPIPE.
    let fixtures = super::common::repo().join("fixtures");
    let dir = tempfile::tempdir().unwrap();
    for i in 0..6 {
        let sub = dir.path().join(format!("copy{i}"));
        std::fs::create_dir(&sub).unwrap();
        for e in std::fs::read_dir(&fixtures).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, sub.join(p.file_name().unwrap())).unwrap();
        }
    }
    for format in ["json", "jsonl"] {
        let mut child = super::common::std_command()
            .args(["scan", "--format", format])
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut head = [0u8; 10];
        stdout.read_exact(&mut head).unwrap();
        drop(stdout); // like `| head -c 10`
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{format}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{format}: nothing on stderr");
    }
    // The same through a shell pipeline, as a user would run it.
    let bin = env!("CARGO_BIN_EXE_policyscan");
    let script = format!(
        "set -o pipefail; '{bin}' scan '{}' 2>&1 | head -c 10 >/dev/null",
        dir.path().display()
    );
    let shell = std::process::Command::new("bash")
        .args(["-c", &script])
        .env("XDG_CACHE_HOME", super::common::cache_home())
        .env("XDG_CONFIG_HOME", super::common::config_home())
        .env_remove("POLICYSCAN_CONFIG")
        .output();
    if let Ok(out) = shell {
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
}

#[test]
fn a_full_disk_ends_the_scan_with_exit_2_and_says_so() {
    // /dev/full takes no byte: every write fails with ENOSPC.
    for format in ["json", "jsonl"] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = super::common::std_command()
            .args(["scan", "fixtures", "--format", format])
            .stdout(full)
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{format}: {err}");
        assert!(
            err.contains(
                "error: cannot write the report to standard output: \
                 no space left on device (os error 28); the disk is full"
            ),
            "{format}: {err}"
        );
    }
}

/// Runs `script` (sh) in a private mount namespace with a 16 KiB tmpfs at
/// $FS; `None` where this system allows no such namespace.
fn with_small_filesystem(script: &str) -> Option<std::process::Output> {
    let fs = tempfile::tempdir().unwrap();
    let probe = std::process::Command::new("unshare")
        .args([
            "-rm",
            "sh",
            "-c",
            "mount -t tmpfs -o size=16k tmpfs \"$1\"",
            "sh",
        ])
        .arg(fs.path())
        .output()
        .ok()?;
    if !probe.status.success() {
        return None;
    }
    let out = std::process::Command::new("unshare")
        .args(["-rm", "sh", "-c"])
        .arg(format!(
            "mount -t tmpfs -o size=16k tmpfs \"$FS\" || exit 99\n{script}"
        ))
        .env("FS", fs.path())
        .env("BIN", env!("CARGO_BIN_EXE_policyscan"))
        .env("XDG_CACHE_HOME", super::common::cache_home())
        .current_dir(super::common::repo())
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(99), "{}", stderr(&out));
    Some(out)
}

#[test]
fn jsonl_on_a_filesystem_that_fills_keeps_every_line_written_whole() {
    // The fixtures' JSONL report is several times larger than the
    // filesystem: the disk fills part way through a line.
    let Some(out) = with_small_filesystem(
        "\"$BIN\" scan fixtures --format jsonl -q > \"$FS/out.jsonl\"; \
         echo \"exit $?\" >&2; cat \"$FS/out.jsonl\"",
    ) else {
        eprintln!("no private mount namespace here: only the /dev/full test ran");
        return;
    };
    let err = stderr(&out);
    assert!(err.contains("no space left on device"), "{err}");
    assert!(err.ends_with("exit 2\n"), "{err}");
    let full = run(&["scan", "fixtures", "--format", "jsonl", "-q"]);
    assert_eq!(full.status.code(), Some(0));
    let written = String::from_utf8_lossy(&out.stdout);
    assert!(
        written.len() >= 12 << 10,
        "the filesystem filled: {}",
        written.len()
    );
    let whole = written.rfind('\n').map_or(0, |i| i + 1);
    let lines: Vec<serde_json::Value> = written[..whole]
        .lines()
        .map(|l| serde_json::from_str(l).expect("a whole line is valid JSON"))
        .collect();
    assert!(!lines.is_empty());
    assert_eq!(lines[0]["type"], "begin");
    // Every whole line is one the unhindered run writes too.
    let all: Vec<serde_json::Value> = String::from_utf8_lossy(&full.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(all.len() > lines.len(), "the report did not fit");
    for l in &lines[1..] {
        assert!(all.contains(l), "{l}");
    }
}
