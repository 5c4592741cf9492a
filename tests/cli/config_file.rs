//! The configuration file: a value from it is applied, a flag on the
//! command line wins over it, `--no-config` ignores it, it is found under
//! XDG_CONFIG_HOME as well as through POLICYSCAN_CONFIG, and a typo or a
//! bad value is an error naming the file and the line.

use std::path::{Path, PathBuf};
use std::process::Output;

use super::common::{policyscan, repo};

const PDF: &str = "fixtures/01_fernhollow_ketamine_infusion_policy.pdf";
const TXT: &str = "tests/data/reports/hostile_policy.txt";

/// Writes `text` as a configuration file in a new folder.
fn config(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// Runs policyscan with `POLICYSCAN_CONFIG=file`.
fn with_config(file: &Path, args: &[&str]) -> Output {
    policyscan()
        .env("POLICYSCAN_CONFIG", file)
        .args(args)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_value_is_applied_overridden_by_a_flag_and_ignored_with_no_config() {
    let (_dir, file) = config("# analyst defaults\nformat = \"csv\"\n");
    let applied = stdout(&with_config(&file, &["scan", TXT]));
    assert!(applied.starts_with("path,title,payer,"), "{applied}");
    let flag = stdout(&with_config(&file, &["scan", "--format", "jsonl", TXT]));
    assert!(flag.starts_with("{\"type\":\"begin\""), "{flag}");
    for args in [
        &["--no-config", "scan", TXT][..],
        &["scan", "--no-config", TXT],
    ] {
        let ignored = stdout(&with_config(&file, args));
        assert!(ignored.starts_with("{\n"), "{args:?}: {ignored}");
    }
    // The default subcommand takes it too, after the flags that go first.
    let implicit = stdout(&with_config(&file, &["--no-config", TXT]));
    assert!(implicit.starts_with("{\n"), "{implicit}");
    // --evidence asks for Markdown: the file's format does not get in its way.
    let evidence = stdout(&with_config(&file, &["scan", "--evidence", TXT]));
    assert!(evidence.starts_with('#'), "{evidence}");
}

/// The time limit column of `--timings` for one worker-extracted PDF.
fn limit_seconds(file: &Path, flags: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let timings = dir.path().join("t.tsv");
    let mut args = vec!["scan", "--no-cache", "--format", "json", "--timings"];
    args.push(timings.to_str().unwrap());
    args.extend_from_slice(flags);
    args.push(PDF);
    stdout(&with_config(file, &args));
    let tsv = std::fs::read_to_string(&timings).unwrap();
    let row: Vec<&str> = tsv
        .lines()
        .nth(1)
        .expect("a timings row")
        .split('\t')
        .collect();
    row[4].to_string()
}

#[test]
fn the_timeout_from_the_file_reaches_the_workers_unless_a_flag_says_otherwise() {
    let (_dir, file) = config("timeout = 7\nmax-memory = \"1G\"\njobs = 1\n");
    assert_eq!(limit_seconds(&file, &[]), "7.000");
    assert_eq!(limit_seconds(&file, &["--timeout", "9"]), "9.000");
    assert_ne!(limit_seconds(&file, &["--no-config"]), "7.000");
}

#[test]
fn the_file_is_found_under_xdg_config_home() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("policyscan");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), "format = \"markdown\"\n").unwrap();
    let out = policyscan()
        .env("XDG_CONFIG_HOME", home.path())
        .args(["scan", TXT])
        .output()
        .unwrap();
    assert!(stdout(&out).starts_with('#'));
    let help = policyscan()
        .env("XDG_CONFIG_HOME", home.path())
        .args(["scan", "--help"])
        .output()
        .unwrap();
    let help = stdout(&help);
    assert!(help.contains("POLICYSCAN_CONFIG"), "{help}");
    assert!(
        help.contains(&format!(
            "Configuration file here: {}",
            dir.join("config.toml").display()
        )),
        "{help}"
    );
}

#[test]
fn scan_help_names_the_file_it_would_read() {
    let out = policyscan()
        .env("POLICYSCAN_CONFIG", "/nowhere/policyscan.toml")
        .args(["scan", "--help"])
        .output()
        .unwrap();
    let help = stdout(&out);
    assert!(
        help.contains("Configuration file here: /nowhere/policyscan.toml (no such file)"),
        "{help}"
    );
    assert!(help.contains("$XDG_CONFIG_HOME/policyscan/config.toml"));
}

#[test]
fn ocr_from_the_file_is_turned_off_by_no_ocr() {
    // A language no Tesseract has: the run stops before reading anything
    // when the file's OCR is on.
    let (_dir, file) = config("ocr = true\nocr-lang = \"zzq\"\n");
    let on = with_config(&file, &["scan", TXT]);
    assert_eq!(on.status.code(), Some(2), "{}", stderr(&on));
    for args in [
        &["scan", "--no-ocr", TXT][..],
        &["--no-config", "scan", TXT],
    ] {
        let out = with_config(&file, args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn the_patterns_key_reaches_the_patterns_subcommand() {
    let (_dir, file) = config(&format!(
        "patterns = \"{}\"\n",
        repo().join("patterns").display()
    ));
    let out = stdout(&with_config(&file, &["patterns", "check"]));
    let origin = format!("({}@", repo().join("patterns").display());
    assert!(out.contains(&origin), "{out}");
    let builtin = stdout(&with_config(&file, &["--no-config", "patterns", "check"]));
    assert!(builtin.contains("(builtin@"), "{builtin}");
}

#[test]
fn a_typo_or_a_bad_value_is_reported_with_its_file_and_line() {
    for (text, wanted) in [
        ("jobs = 2\n\nformt = \"csv\"\n", ":3: unknown field `formt`"),
        ("[scan]\njobs = 2\n", ":1: unknown field `scan`"),
        (
            "format = \"csv\"\njobs = 0\n",
            ":2: jobs: must be at least 1",
        ),
        ("timeout = \"soon\"\n", ":1: timeout: --timeout \"soon\""),
        ("format = \"pdf\"\n", ":1: format: unknown format \"pdf\""),
        ("ocr = 1\n", ":1: invalid type"),
        ("jobs = 2\njobs = 3\n", ":2: duplicate key"),
    ] {
        let (_dir, file) = config(text);
        let out = with_config(&file, &["scan", TXT]);
        assert_eq!(out.status.code(), Some(2), "{text:?}: {}", stderr(&out));
        let err = stderr(&out);
        let place = format!("{}{wanted}", file.display());
        assert!(
            err.starts_with("policyscan: error: configuration file ") && err.contains(&place),
            "{text:?}: wanted {place:?} in {err}"
        );
        // Commands that take none of its flags do not read it.
        let out = with_config(&file, &["completions", "bash"]);
        assert_eq!(out.status.code(), Some(0), "{text:?}");
    }
    let missing = with_config(Path::new("/nowhere/policyscan.toml"), &["scan", TXT]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("/nowhere/policyscan.toml (POLICYSCAN_CONFIG)"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn topics_from_the_file_are_added_and_a_missing_folder_is_named() {
    let topics = repo().join("examples/topics");
    let doc = repo().join("examples/topic-docs/tms-not-covered.md");
    let (_d, file) = config(&format!("topics = {:?}\n", topics.to_str().unwrap()));
    let out = stdout(&with_config(
        &file,
        &[
            "scan",
            "--no-cache",
            "--format",
            "json",
            doc.to_str().unwrap(),
        ],
    ));
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        report["documents"][0]["topics"]["tms"]["stance"],
        "not_covered"
    );
    let listed = stdout(&with_config(&file, &["patterns", "list"]));
    assert!(
        listed.lines().any(|l| l.starts_with("topics.ect")),
        "{listed}"
    );
    let (_d, bad) = config("jobs = 2\ntopics = \"no/such/dir\"\n");
    let out = with_config(&bad, &["scan", "--no-cache", doc.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("config.toml:2: topics:"), "{err}");
}
