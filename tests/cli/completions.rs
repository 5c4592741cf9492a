//! Shell completions and the manual page, both generated from the
//! command-line definitions: every shell gets a script, bash's completes a
//! subcommand and a `--format` value, and `docs/policyscan.1` is what
//! `policyscan man` prints today (`scripts/make_man.sh` rewrites it) and
//! a well-formed page.

use super::common::{repo, run};

fn stdout(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "policyscan {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

#[test]
fn every_shell_gets_a_script_without_the_internal_worker() {
    for (shell, marker) in [
        ("bash", "complete -F _policyscan"),
        ("zsh", "#compdef policyscan"),
        ("fish", "complete -c policyscan"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let script = stdout(&["completions", shell]);
        assert!(script.contains(marker), "{shell}: no {marker:?}");
        // fish writes long flags without their dashes (`-l format`).
        for word in [
            "scan",
            "explain",
            "format",
            "no-config",
            "color",
            "ocr-lang",
        ] {
            assert!(script.contains(word), "{shell}: {word} is not completed");
        }
        assert!(
            !script.contains("__extract-worker"),
            "{shell}: the internal worker subcommand is offered"
        );
    }
    let out = run(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn bash_completes_a_subcommand_and_a_format_value() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("policyscan.bash");
    std::fs::write(&script, stdout(&["completions", "bash"])).unwrap();
    let test = format!(
        r#"source '{}'
complete -p policyscan
COMP_WORDS=(policyscan sc); COMP_CWORD=1
_policyscan policyscan sc policyscan; echo "subcommand: ${{COMPREPLY[*]}}"
COMP_WORDS=(policyscan scan --format j); COMP_CWORD=3
_policyscan policyscan j --format; echo "format: ${{COMPREPLY[*]}}"
COMP_WORDS=(policyscan diff --format ''); COMP_CWORD=3
_policyscan policyscan '' --format; echo "diff format: ${{COMPREPLY[*]}}"
COMP_WORDS=(policyscan completions p); COMP_CWORD=2
_policyscan policyscan p completions; echo "shell: ${{COMPREPLY[*]}}"
"#,
        script.display()
    );
    let out = std::process::Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &test])
        .output()
        .expect("run bash");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("complete ") && lines[0].ends_with("-F _policyscan policyscan"),
        "{text}"
    );
    assert_eq!(
        &lines[1..],
        [
            "subcommand: scan",
            "format: json jsonl",
            "diff format: human json",
            "shell: powershell",
        ],
        "{text}"
    );
}

#[test]
fn the_man_page_in_docs_is_current() {
    let page = repo().join("docs/policyscan.1");
    let written = std::fs::read_to_string(&page).expect("docs/policyscan.1");
    let now = stdout(&["man"]);
    assert!(
        written == now,
        "docs/policyscan.1 is out of date: run scripts/make_man.sh"
    );
}

/// Undoes the roff escapes of option names (`\-\-format` is `--format`).
fn unroff(text: &str) -> String {
    text.replace("\\-", "-")
}

#[test]
fn the_man_page_is_well_formed_and_lists_every_flag() {
    let page = stdout(&["man"]);
    let lines: Vec<&str> = page.lines().collect();
    assert!(
        lines
            .iter()
            .take(3)
            .any(|l| l.starts_with(".TH policyscan 1 ")),
        "no .TH title"
    );
    let sections: Vec<String> = lines
        .iter()
        .filter_map(|l| l.strip_prefix(".SH "))
        .map(|s| s.trim_matches('"').to_string())
        .collect();
    for wanted in [
        "NAME",
        "SYNOPSIS",
        "DESCRIPTION",
        "OPTIONS",
        "SUBCOMMANDS",
        "POLICYSCAN SCAN",
        "POLICYSCAN EXTRACT",
        "POLICYSCAN EXPLAIN",
        "POLICYSCAN PATTERNS",
        "POLICYSCAN PATTERNS LIST",
        "POLICYSCAN MERGE",
        "POLICYSCAN DIFF",
        "POLICYSCAN COMPLETIONS",
        "FILES",
        "ENVIRONMENT",
        "EXIT STATUS",
    ] {
        assert!(
            sections.iter().any(|s| s == wanted),
            "no section {wanted}: {sections:?}"
        );
    }
    // Every line is text or a request the man macros know.
    let requests = [
        ".TH", ".SH", ".TP", ".PP", ".IP", ".RS", ".RE", ".br", ".ie", ".el", ".B", ".I",
    ];
    for l in &lines {
        if l.starts_with('.') {
            assert!(
                requests.iter().any(|r| l.split(' ').next() == Some(r)),
                "unknown request: {l}"
            );
        }
    }
    let flag = regex::Regex::new(r"--[a-z][a-z-]+").unwrap();
    let text = unroff(&page);
    let help = stdout(&["scan", "--help"]);
    for f in flag.find_iter(&help) {
        assert!(
            text.contains(f.as_str()),
            "{} is not in the man page",
            f.as_str()
        );
    }
    assert!(!text.contains("__extract-worker"));
}

#[test]
fn man_renders_the_page_when_it_is_installed() {
    let rendered = std::process::Command::new("man")
        .arg("-l")
        .arg(repo().join("docs/policyscan.1"))
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .env("LC_ALL", "C")
        .output();
    let Ok(out) = rendered else {
        eprintln!("man is not installed: the page's rendering is not checked");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for wanted in [
        "NAME",
        "POLICYSCAN SCAN",
        "--no-config",
        "config.toml",
        "EXIT STATUS",
    ] {
        assert!(text.contains(wanted), "man -l shows no {wanted:?}:\n{text}");
    }
    assert!(!text.contains(".SH"), "a request was printed as text");
    // groff, when there, has no warning about the page either.
    if let Ok(out) = std::process::Command::new("groff")
        .args(["-man", "-ww", "-z"])
        .arg(repo().join("docs/policyscan.1"))
        .output()
    {
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "groff warnings");
    }
}
