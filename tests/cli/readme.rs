//! The README stays true to the tool: its first commands are the two
//! scripts (and CI runs the second), every flag the binary accepts is
//! documented, and its `explain` example is what the tool prints.

use std::os::unix::fs::PermissionsExt;

use super::common::{repo, run};

fn readme() -> String {
    std::fs::read_to_string(repo().join("README.md")).expect("README.md")
}

#[test]
fn readme_starts_with_the_two_commands_and_ci_runs_the_second() {
    let text = readme();
    let block = text
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a ```sh block");
    let commands: Vec<&str> = block
        .lines()
        .map(|l| l.split('#').next().unwrap().trim())
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(commands, ["./scripts/setup.sh", "./scripts/test.sh"]);
    for script in [
        "scripts/setup.sh",
        "scripts/test.sh",
        ".ci/run",
        "scripts/make_fixtures.py",
    ] {
        let mode = std::fs::metadata(repo().join(script))
            .unwrap()
            .permissions()
            .mode();
        assert!(mode & 0o111 != 0, "{script} is not executable");
    }
    let ci = std::fs::read_to_string(repo().join(".ci/run")).unwrap();
    assert!(ci.starts_with("#!/usr/bin/env bash\n"));
    assert!(ci.contains("set -euo pipefail"));
    assert!(
        ci.lines().any(|l| l.trim() == commands[1]),
        ".ci/run must call {}",
        commands[1]
    );
    let test = std::fs::read_to_string(repo().join("scripts/test.sh")).unwrap();
    for step in [
        "cargo fmt --check",
        "cargo clippy --all-targets",
        "-D warnings",
        "cargo test",
    ] {
        assert!(test.contains(step), "scripts/test.sh lacks {step}");
    }
}

#[test]
fn every_flag_of_the_binary_is_in_the_readme() {
    let text = readme();
    let flag = regex::Regex::new(r"--[a-z][a-z-]+").unwrap();
    for sub in [
        &["scan"][..],
        &["extract"],
        &["explain"],
        &["patterns", "list"],
        &["patterns", "test"],
        &["patterns", "check"],
        &["merge"],
        &["diff"],
        &["completions"],
        &["man"],
        &["compare"],
        &["cache", "info"],
        &["cache", "prune"],
    ] {
        let mut args = sub.to_vec();
        args.push("--help");
        let out = run(&args);
        assert_eq!(out.status.code(), Some(0));
        let help = String::from_utf8_lossy(&out.stdout);
        for m in flag.find_iter(&help) {
            let f = m.as_str();
            if f == "--help" || f == "--version" {
                continue;
            }
            assert!(
                text.contains(f),
                "README.md does not document `{} {f}`",
                sub.join(" ")
            );
        }
    }
}

#[test]
fn the_readme_explain_example_is_real() {
    let text = readme();
    let example = text
        .split("$ policyscan explain ")
        .nth(1)
        .expect("an explain example");
    let cmd = example.lines().next().unwrap();
    let args: Vec<&str> = std::iter::once("explain")
        .chain(cmd.split_whitespace())
        .collect();
    let out = run(&args);
    assert_eq!(out.status.code(), Some(0));
    let actual = String::from_utf8_lossy(&out.stdout);
    let shown: Vec<&str> = example
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("    "))
        .map(str::trim)
        .filter(|l| *l != "...")
        .collect();
    assert!(shown.iter().any(|l| l.starts_with("=> stance:")));
    for line in shown {
        assert!(
            actual.lines().any(|a| a.trim() == line),
            "README explain example line {line:?} is not in the output:\n{actual}"
        );
    }
}

#[test]
fn the_readme_scan_example_is_real_output() {
    let text = readme();
    let example = text
        .split("$ policyscan scan ")
        .nth(1)
        .expect("a scan example");
    let cmd = example.lines().next().unwrap();
    let args: Vec<&str> = std::iter::once("scan")
        .chain(cmd.split_whitespace())
        .collect();
    let out = run(&args);
    assert_eq!(out.status.code(), Some(0));
    let actual = String::from_utf8_lossy(&out.stdout);
    let lines: std::collections::BTreeSet<&str> = actual
        .lines()
        .map(|l| l.trim().trim_end_matches(','))
        .collect();
    let shown: Vec<&str> = example
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("    "))
        .map(|l| l.trim().trim_end_matches(','))
        .filter(|l| *l != "...")
        .collect();
    assert!(shown.len() > 50, "the example is cut short");
    for line in shown {
        // The pattern library's hash changes with every rule edit.
        if line.starts_with("\"patterns\": \"builtin@") {
            continue;
        }
        assert!(
            lines.contains(line),
            "README scan example line {line:?} is not in the output of `policyscan scan {cmd}`"
        );
    }
}

#[test]
fn the_readme_slurm_script_is_scripts_policyscan_sbatch() {
    let text = readme();
    let shown = text
        .split("```bash\n")
        .find(|b| b.contains("#SBATCH"))
        .and_then(|b| b.split("```").next())
        .expect("a ```bash block with the sbatch script");
    let file = std::fs::read_to_string(repo().join("scripts/policyscan.sbatch")).unwrap();
    // The file's own comments are left out of the README.
    let code: String = file
        .lines()
        .filter(|l| !l.starts_with('#') || l.starts_with("#!") || l.starts_with("#SBATCH"))
        .filter(|l| !l.trim_start().starts_with("# "))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(shown, code, "README's sbatch script differs from the file");
}
