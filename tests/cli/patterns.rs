//! `policyscan patterns list|test|check`, on the built-in library (which
//! is `patterns/*.toml`) and on a directory given with `--patterns`.

use super::common::{repo, run, temp_with};

/// Rule ids of the repository's pattern files.
fn rule_ids() -> Vec<String> {
    entries(false)
}

/// What `patterns list` lists: the rule ids and `topics.<id>` for each
/// `[topic]` table.
fn listed_ids() -> Vec<String> {
    entries(true)
}

fn entries(with_topics: bool) -> Vec<String> {
    let mut ids = Vec::new();
    for e in std::fs::read_dir(repo().join("patterns")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            let v: toml::Value = toml::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            for r in v
                .get("rule")
                .and_then(|r| r.as_array())
                .into_iter()
                .flatten()
            {
                ids.push(r["id"].as_str().unwrap().to_string());
            }
            if let Some(t) = v.get("topic").filter(|_| with_topics) {
                ids.push(format!("topics.{}", t["id"].as_str().unwrap()));
            }
        }
    }
    ids.sort();
    ids
}

#[test]
fn builtin_examples_all_pass() {
    let out = run(&["patterns", "test"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(!text.contains("FAIL"), "{text}");
    assert!(text.trim_end().ends_with(", 0 failed"), "{text}");
}

#[test]
fn list_and_check_cover_every_rule_of_the_pattern_files() {
    let ids = rule_ids();
    assert!(ids.len() > 20);
    let out = run(&["patterns", "list"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    let mut listed: Vec<String> = text
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();
    listed.sort();
    assert_eq!(listed, listed_ids());
    assert!(listed.iter().any(|l| l == "topics.ketamine"));
    let out = run(&["patterns", "check"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(&format!("ok: {} rules (builtin@", ids.len())),
        "{text}"
    );
    // The repository's folder is the built-in library.
    let out = run(&["patterns", "check", "--patterns", "patterns"]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with(&format!("ok: {} rules", ids.len())));
    let verbose = run(&["patterns", "list", "--verbose"]);
    assert!(String::from_utf8_lossy(&verbose.stdout).contains("defined at "));
}

#[test]
fn test_reports_every_failing_example() {
    let dir = temp_with(&[
        (
            "a.toml",
            b"[[rule]]\nid = \"demo.one\"\ncategory = \"experimental\"\ndescription = \"one\"\nliterals = [\"experimental\"]\nmatch = [\"experimental use\", \"investigational use\"]\n".as_slice(),
        ),
        (
            "b.toml",
            b"[[rule]]\nid = \"demo.two\"\ncategory = \"parity\"\ndescription = \"two\"\nregexes = ['\\bparity\\b']\nmatch = [\"mental health parity\"]\nno_match = [\"parity of the test\"]\n".as_slice(),
        ),
    ]);
    let out = run(&[
        "patterns",
        "test",
        "--patterns",
        dir.path().to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let fails: Vec<&str> = text.lines().filter(|l| l.starts_with("FAIL")).collect();
    assert_eq!(fails.len(), 2, "{text}");
    assert!(
        fails
            .iter()
            .any(|l| l.contains("demo.one") && l.contains("investigational use")),
        "{text}"
    );
    assert!(
        fails
            .iter()
            .any(|l| l.contains("demo.two") && l.contains("parity of the test")),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l == "4 examples, 2 passed, 2 failed"),
        "{text}"
    );
    assert!(
        text.trim_end()
            .ends_with("0 topic examples, 0 passed, 0 failed"),
        "{text}"
    );
}
