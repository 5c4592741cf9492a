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
