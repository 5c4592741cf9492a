//! Bad user input: a clear message and exit code 2; an empty folder is a
//! warning with exit 0.

use predicates::str::contains;

use super::harness::policyscan;

#[test]
fn a_missing_path_is_a_usage_error() {
    policyscan()
        .args(["scan", "/no/such/policy.pdf"])
        .assert()
        .code(2)
        .stderr(contains("/no/such/policy.pdf: no such file or directory"));
}

#[test]
fn bad_flag_values_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    for (args, msg) in [
        (&["--timeout", "0"][..], "must be more than 0 seconds"),
        (&["--timeout", "soon"], "expected a number of seconds"),
        (&["--max-memory", "garbage"], "--max-memory: invalid size"),
        (&["--max-memory", "1M"], "too small"),
        (&["--max-filesize", "12X"], "invalid size unit"),
        (&["--jobs", "0"], "--jobs must be at least 1"),
        (&["--fail-on", "nope"], "unknown stance"),
    ] {
        policyscan()
            .arg("scan")
            .args(args)
            .arg(dir.path())
            .assert()
            .code(2)
            .stderr(contains(msg));
    }
}

#[test]
fn an_unreadable_file_is_a_usage_error() {
    // Root reads anything, so only an ordinary user can see this.
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        eprintln!("skipped: running as root");
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("locked.pdf");
    std::fs::write(&p, b"%PDF-1.4").unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    policyscan()
        .arg("scan")
        .arg(&p)
        .assert()
        .code(2)
        .stderr(contains("permission denied"));
}

#[test]
fn a_folder_without_supported_files_warns_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("letter.docx"), b"PK").unwrap();
    let out = policyscan()
        .args(["scan", "--format", "jsonl"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no PDF, .txt or .md files found"), "{err}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\"type\":\"summary\""), "{text}");
}

#[test]
fn a_broken_pattern_file_names_file_rule_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.toml"),
        "[[rule]]\nid = \"x.bad\"\ncategory = \"experimental\"\ndescription = \"d\"\nregexes = [\"(unclosed\"]\n",
    )
    .unwrap();
    let out = policyscan()
        .args(["scan", "--patterns"])
        .arg(dir.path())
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml"), "{err}");
    assert!(err.contains("rule x.bad"), "{err}");
    assert!(err.contains("unclosed"), "{err}");
}
