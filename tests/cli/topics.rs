//! Topics defined as data: the example topics of `examples/topics` on
//! their documents, a topic written by a test into a temporary folder in
//! every report format, and topic files that do not load.

use std::collections::BTreeMap;

use serde_json::Value;

use super::common::{by_name, json, repo, run, temp_with};
use super::schema::schema;

/// The stance of every drug topic of every document, by file name.
fn stances(report: &Value) -> BTreeMap<String, BTreeMap<String, String>> {
    by_name(report)
        .into_iter()
        .map(|(name, d)| {
            let per = d["topics"]
                .as_object()
                .expect("topics is an object")
                .iter()
                .filter(|(k, _)| *k != "mental_health_parity")
                .map(|(k, v)| (k.clone(), v["stance"].as_str().unwrap_or("").to_string()))
                .collect();
            (name, per)
        })
        .collect()
}

#[test]
fn the_example_topics_give_their_stances_on_their_documents() {
    let topics = repo().join("examples/topics");
    let docs = repo().join("examples/topic-docs");
    let report = json(&[
        "scan",
        "--no-cache",
        "--format",
        "json",
        "--topics",
        topics.to_str().unwrap(),
        docs.to_str().unwrap(),
    ]);
    let got = stances(&report);
    assert_eq!(got.len(), 6, "{got:?}");
    for (name, per) in &got {
        // Named `<topic>-<stance>.md`: that topic gets that stance, every
        // other topic is not addressed.
        let (topic, stance) = name
            .trim_end_matches(".md")
            .split_once('-')
            .expect("a <topic>-<stance> file name");
        let stance = stance.replace('-', "_");
        let keys: Vec<&str> = per.keys().map(String::as_str).collect();
        assert_eq!(keys, ["ect", "esketamine", "ketamine", "tms"], "{name}");
        for (t, s) in per {
            let want = if t == topic {
                stance.as_str()
            } else {
                "not_addressed"
            };
            assert_eq!(s, want, "{name}: topics.{t}");
        }
    }
    let sum = &report["summary"]["stances"];
    for t in ["tms", "ect"] {
        assert_eq!(sum[t]["covered_with_criteria"], 1, "{t}");
        assert_eq!(sum[t]["not_covered"], 1, "{t}");
        assert_eq!(sum[t]["not_addressed"], 4, "{t}");
        assert_eq!(sum[t]["mixed"], 0, "{t}");
    }
    let origin = report["tool"]["patterns"].as_str().unwrap();
    assert!(
        origin.starts_with("builtin@") && origin.contains('+'),
        "{origin}"
    );
}

#[test]
fn the_example_topics_pass_their_own_examples() {
    let topics = repo().join("examples/topics");
    let out = run(&["patterns", "test", "--topics", topics.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    // Two built-in examples per built-in topic, three per example topic.
    assert!(
        text.trim_end()
            .ends_with("10 topic examples, 10 passed, 0 failed"),
        "{text}"
    );
    let list = run(&["patterns", "list", "--topics", topics.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&list.stdout);
    for line in [
        "topics.ketamine",
        "topics.esketamine",
        "topics.tms",
        "topics.ect",
    ] {
        assert!(text.lines().any(|l| l.starts_with(line)), "{line}: {text}");
    }
}

/// A topic of the test's own, its examples and two documents.
const GLOW: &[u8] = br#"
[topic]
id = "glowcap"
name = "Glowcap light therapy"
names = ["glowcap", "glowcap light therapy"]

[[topic.example]]
text = "Glowcap light therapy is not covered."
stance = "not_covered"
"#;

fn glow_dir() -> tempfile::TempDir {
    temp_with(&[
        ("topics/glowcap.toml", GLOW),
        (
            "docs/denied.md",
            b"# Plan policy\n\nGlowcap light therapy is considered investigational and is not covered.\n",
        ),
        (
            "docs/other.md",
            b"# Plan policy\n\nKetamine infusion is excluded from coverage.\n",
        ),
    ])
}

#[test]
fn a_topic_from_a_folder_is_in_json_csv_html_markdown_and_exit_status() {
    let dir = glow_dir();
    let topics = dir.path().join("topics");
    let topics = topics.to_str().unwrap();
    let docs = dir.path().join("docs");
    let docs = docs.to_str().unwrap();
    let scan = |format: &str| {
        let out = run(&[
            "scan",
            "--no-cache",
            "--topics",
            topics,
            "--format",
            format,
            docs,
        ]);
        assert_eq!(out.status.code(), Some(0), "{format}");
        String::from_utf8(out.stdout).unwrap()
    };
    let report: Value = serde_json::from_str(&scan("json")).unwrap();
    let errs = schema().check_report_with_topics(&report, &["glowcap"]);
    assert!(
        errs.is_empty(),
        "contract violations:\n  {}",
        errs.join("\n  ")
    );
    // The check sees a departure of the added topic.
    let mut bad = report.clone();
    bad["documents"][0]["topics"]["glowcap"]["stance"] = Value::String("maybe".into());
    bad["summary"]["stances"]["glowcap"]
        .as_object_mut()
        .unwrap()
        .remove("mixed");
    let errs = schema().check_report_with_topics(&bad, &["glowcap"]);
    assert!(
        errs.iter()
            .any(|e| e.starts_with("$.documents[0].topics.glowcap.stance: \"maybe\"")),
        "{errs:?}"
    );
    assert!(
        errs.contains(&"$.summary.stances.glowcap.mixed: missing".to_string()),
        "{errs:?}"
    );
    let got = stances(&report);
    assert_eq!(got["denied.md"]["glowcap"], "not_covered");
    assert_eq!(got["denied.md"]["ketamine"], "not_addressed");
    assert_eq!(got["other.md"]["glowcap"], "not_addressed");
    assert_eq!(got["other.md"]["ketamine"], "not_covered");
    let denied = &by_name(&report)["denied.md"]["topics"]["glowcap"];
    assert_eq!(denied["reasons"][0], "experimental_investigational");
    assert_eq!(denied["evidence"][0]["page"], 1);
    assert_eq!(report["summary"]["stances"]["glowcap"]["not_covered"], 1);

    let csv = scan("csv");
    let rows: Vec<&str> = csv.lines().filter(|l| l.contains(",glowcap,")).collect();
    assert_eq!(rows.len(), 2, "{csv}");
    assert!(
        rows.iter()
            .any(|r| r.contains("denied.md") && r.contains(",glowcap,not_covered,")),
        "{csv}"
    );

    let html = scan("html");
    // The denied document's card: the topic's name and its stance badge.
    let card = "<h3><span>Glowcap light therapy</span><span class=\"badge st-not_covered\">";
    assert_eq!(html.matches(card).count(), 1, "{html}");
    let none = "<h3><span>Glowcap light therapy</span><span class=\"badge st-not_addressed\">";
    assert_eq!(html.matches(none).count(), 1);

    let md = scan("markdown");
    assert!(
        md.contains("### Glowcap light therapy: Not covered"),
        "{md}"
    );

    let jsonl = scan("jsonl");
    assert!(jsonl.lines().any(|l| l.contains("\"glowcap\"")));

    // --fail-on takes the topic; an unknown one is a usage error.
    let fail = run(&[
        "scan",
        "--no-cache",
        "--topics",
        topics,
        "--fail-on",
        "glowcap:not_covered",
        docs,
    ]);
    assert_eq!(fail.status.code(), Some(1));
    let pass = run(&[
        "scan",
        "--no-cache",
        "--topics",
        topics,
        "--fail-on",
        "glowcap:covered",
        docs,
    ]);
    assert_eq!(pass.status.code(), Some(0));
    let unknown = run(&["scan", "--no-cache", "--fail-on", "glowcap:covered", docs]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown topic \"glowcap\""));

    // explain --topic and compare --topic take it too.
    let denied_path = dir.path().join("docs/denied.md");
    let explain = run(&[
        "explain",
        "--topics",
        topics,
        "--topic",
        "glowcap",
        denied_path.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&explain.stdout);
    assert!(text.contains("=> stance: not_covered"), "{text}");
    let compare = run(&[
        "compare", "--topics", topics, "--topic", "glowcap", "--format", "csv", docs,
    ]);
    let text = String::from_utf8_lossy(&compare.stdout);
    assert_eq!(compare.status.code(), Some(0), "{text}");
    assert!(text.contains(",glowcap,ok,not_covered,"), "{text}");
}

#[test]
fn a_topics_folder_inside_a_pattern_folder_is_read() {
    let dir = temp_with(&[("topics/glowcap.toml", GLOW)]);
    for e in std::fs::read_dir(repo().join("patterns")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
    }
    let out = run(&[
        "patterns",
        "list",
        "--patterns",
        dir.path().to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines().any(|l| l.starts_with("topics.glowcap")),
        "{text}"
    );
}

#[test]
fn a_topic_file_that_does_not_load_names_its_file_and_line() {
    let unknown = temp_with(&[(
        "bad.toml",
        b"[topic]\nid = \"glowcap\"\nname = \"Glowcap\"\nnames = [\"glowcap\"]\nsynonyms = [\"glow\"]\n".as_slice(),
    )]);
    let nameless = temp_with(&[(
        "bad.toml",
        b"# no names\n[topic]\nid = \"glowcap\"\nname = \"Glowcap\"\n".as_slice(),
    )]);
    for (dir, line, what) in [(&unknown, 5, "synonyms"), (&nameless, 2, "has no names")] {
        let out = run(&[
            "scan",
            "--no-cache",
            "--topics",
            dir.path().to_str().unwrap(),
            "fixtures",
        ]);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        let at = format!("bad.toml:{line}:");
        assert!(
            err.contains(&at) && err.contains(what),
            "{at} {what}: {err}"
        );
    }
}
