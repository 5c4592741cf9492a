//! `policyscan explain`: the stance line it prints is the stance `scan`
//! reports, for every fixture and topic.

use super::common::{by_name, json, run};

#[test]
fn explain_prints_the_stance_scan_reports() {
    let report = json(&["scan", "fixtures"]);
    for (name, doc) in by_name(&report) {
        let path = format!("fixtures/{name}");
        for topic in ["ketamine", "esketamine"] {
            let out = run(&["explain", &path, "--topic", topic]);
            assert_eq!(out.status.code(), Some(0), "{path} {topic}");
            let text = String::from_utf8_lossy(&out.stdout);
            let t = &doc["topics"][topic];
            let stance_line = format!("=> stance: {}", t["stance"].as_str().unwrap());
            assert!(
                text.lines().any(|l| l.trim() == stance_line),
                "{path} --topic {topic}: no line {stance_line:?} in:\n{text}"
            );
            assert!(text.starts_with(&path), "{path}: starts with the path");
            assert!(text.contains(&format!("topic: {topic}")));
            for field in ["reasons", "criteria"] {
                let list: Vec<&str> = t[field]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap())
                    .collect();
                let line = format!("{field}: {}", list.join(", "));
                assert_eq!(
                    text.lines().any(|l| l.trim() == line),
                    !list.is_empty(),
                    "{path} {topic}: {line:?} in:\n{text}"
                );
            }
            // Every evidence sentence is explained with its page and line.
            for e in t["evidence"].as_array().unwrap() {
                let cite = format!("p.{} l.{}", e["page"], e["line"]);
                assert!(
                    text.contains(&cite),
                    "{path} {topic}: evidence {cite} not shown"
                );
            }
        }
        let out = run(&["explain", &path, "--topic", "mental_health_parity"]);
        let text = String::from_utf8_lossy(&out.stdout);
        let line = format!(
            "=> mentioned: {}",
            doc["topics"]["mental_health_parity"]["mentioned"]
        );
        assert!(
            text.lines().any(|l| l.trim() == line),
            "{path}: {line:?} in:\n{text}"
        );
    }
}

#[test]
fn explain_of_an_unreadable_file_says_why() {
    let dir = super::common::temp_with(&[("fake.pdf", b"plain words".as_slice())]);
    let p = dir.path().join("fake.pdf");
    let out = run(&["explain", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("status: malformed"));
    let missing = run(&["explain", "fixtures/no-such.pdf"]);
    assert_eq!(missing.status.code(), Some(2));
}
