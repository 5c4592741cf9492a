//! `policyscan scan`: the fixtures give the results `fixtures/EXPECTED.json`
//! intends, output is deterministic, inputs are found as documented, and
//! unreadable inputs become documents with a status.

use serde_json::Value;

use super::common::{
    by_name, expected, json, policyscan, run, sorted_strings, stdout_json, temp_with,
};

#[test]
fn fixtures_give_the_intended_results() {
    let report = json(&["scan", "fixtures"]);
    let docs = by_name(&report);
    let exp = expected();
    let mut problems = Vec::new();
    let names: Vec<&String> = docs.keys().collect();
    let wanted: Vec<&String> = exp.keys().collect();
    if names != wanted {
        problems.push(format!("documents {names:?}, expected {wanted:?}"));
    }
    for (name, want) in &exp {
        let Some(got) = docs.get(name) else {
            continue;
        };
        let mut check = |what: &str, g: Value, w: Value| {
            if g != w {
                problems.push(format!("{name}: {what}: got {g}, intended {w}"));
            }
        };
        check("status", got["status"].clone(), want["status"].clone());
        check("pages", got["pages"].clone(), want["pages"].clone());
        for topic in ["ketamine", "esketamine"] {
            let (g, w) = (&got["topics"][topic], &want[topic]);
            check(
                &format!("{topic}.stance"),
                g["stance"].clone(),
                w["stance"].clone(),
            );
            for field in ["reasons", "criteria"] {
                check(
                    &format!("{topic}.{field}"),
                    sorted_strings(&g[field]).into(),
                    sorted_strings(&w[field]).into(),
                );
            }
        }
        check(
            "mental_health_parity",
            got["topics"]["mental_health_parity"]["mentioned"].clone(),
            want["mental_health_parity"].clone(),
        );
        let codes: Vec<Value> = got["codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["code"].clone())
            .collect();
        check(
            "codes",
            sorted_strings(&Value::Array(codes)).into(),
            sorted_strings(&want["codes"]).into(),
        );
    }
    assert!(
        problems.is_empty(),
        "policyscan disagrees with fixtures/EXPECTED.json:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn evidence_cites_the_deciding_sentence_with_its_page() {
    let report = json(&["scan", "fixtures"]);
    let docs = by_name(&report);
    // 01 splits "investi-gational" across two lines; the evidence sentence
    // carries the joined word and cites page 1, where the policy statement is.
    let doc = &docs["01_fernhollow_ketamine_infusion_policy.pdf"];
    let ev = doc["topics"]["ketamine"]["evidence"].as_array().unwrap();
    let s = ev
        .iter()
        .find(|e| {
            e["sentence"]
                .as_str()
                .unwrap()
                .contains("experimental and investigational")
        })
        .unwrap_or_else(|| panic!("no evidence sentence with the joined word: {ev:#?}"));
    assert_eq!(s["page"], 1);
    assert!(!s["negated"].as_bool().unwrap());
    // 06 says "is not considered experimental": a negated hit, not a denial.
    let doc = &docs["06_larkspur_ketamine_policy_update.pdf"];
    let negated: Vec<&Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["category"] == "experimental")
        .collect();
    assert!(!negated.is_empty(), "no experimental finding in 06");
    assert!(
        negated.iter().all(|f| f["negated"] == true),
        "'is not considered experimental' must be negated: {negated:#?}"
    );
    // 07 is a text file with two pages split by a form feed.
    let doc = &docs["07_osprey_eob_spravato.txt"];
    assert_eq!(doc["extractor"], "text");
    let f332 = doc["codes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "F33.2")
        .expect("F332 reported as F33.2");
    assert_eq!(f332["system"], "ICD-10-CM");
    assert_eq!(f332["page"], 1);
}

#[test]
fn json_output_is_deterministic() {
    let a = run(&["scan", "fixtures", "-j", "1"]);
    let b = run(&["scan", "fixtures", "-j", "2"]);
    let c = run(&["scan", "fixtures"]);
    assert_eq!(a.status.code(), Some(0));
    assert!(a.stdout == b.stdout, "-j 1 and -j 2 differ");
    assert!(b.stdout == c.stdout, "two runs differ");
    // Sorted by path.
    let r = stdout_json(&a);
    let paths: Vec<&str> = r["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
}

#[test]
fn scan_without_path_scans_the_current_directory() {
    let fixtures = super::common::repo().join("fixtures");
    let here = policyscan()
        .current_dir(&fixtures)
        .arg("scan")
        .output()
        .unwrap();
    let dot = policyscan()
        .current_dir(&fixtures)
        .args(["scan", "."])
        .output()
        .unwrap();
    assert_eq!(here.status.code(), Some(0));
    assert!(here.stdout == dot.stdout, "`scan` and `scan .` differ");
    let names: Vec<String> = by_name(&stdout_json(&here)).into_keys().collect();
    let wanted: Vec<String> = expected().keys().cloned().collect();
    assert_eq!(names, wanted);
}

#[test]
fn a_path_without_subcommand_means_scan() {
    let a = run(&["fixtures"]);
    let b = run(&["scan", "fixtures"]);
    assert_eq!(a.status.code(), Some(0));
    assert!(a.stdout == b.stdout);
}

#[test]
fn every_input_appears_once_and_text_named_pdf_is_malformed() {
    let dir = temp_with(&[
        ("fake.pdf", b"Ketamine infusions are covered.\n".as_slice()),
        ("empty.pdf", b"".as_slice()),
        (
            "notes.txt",
            b"Ketamine infusions are not covered.\n".as_slice(),
        ),
        ("ignored.docx", b"PK".as_slice()),
    ]);
    let d = dir.path().to_str().unwrap();
    let notes = dir.path().join("notes.txt");
    // The folder and one of its files named again: still one entry each.
    let out = run(&["scan", d, notes.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "a bad file alone is not a reason to fail"
    );
    let r = stdout_json(&out);
    let docs = by_name(&r);
    assert_eq!(
        docs.keys().collect::<Vec<_>>(),
        ["empty.pdf", "fake.pdf", "notes.txt"]
    );
    for bad in ["fake.pdf", "empty.pdf"] {
        assert_eq!(docs[bad]["status"], "malformed", "{bad}");
        assert!(docs[bad]["error"].as_str().is_some_and(|e| !e.is_empty()));
        assert_eq!(docs[bad]["pages"], 0);
        // Never read as text: no finding from its words.
        assert_eq!(docs[bad]["findings"], Value::Array(vec![]));
    }
    assert_eq!(docs["notes.txt"]["status"], "ok");
    assert_eq!(r["summary"]["documents"], 3);
    assert_eq!(r["summary"]["ok"], 1);
    assert_eq!(r["summary"]["failed"], 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("fake.pdf") && stderr.contains("malformed"),
        "{stderr}"
    );
}

#[test]
fn an_empty_folder_gives_a_zero_summary_with_every_stance() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["scan", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let r = stdout_json(&out);
    assert_eq!(r["documents"], Value::Array(vec![]));
    let schema = super::schema::schema();
    for topic in ["ketamine", "esketamine"] {
        for stance in &schema.stances {
            assert_eq!(
                r["summary"]["stances"][topic][stance], 0,
                "{topic}.{stance}"
            );
        }
    }
    assert!(schema.check_report(&r).is_empty());
}

#[test]
fn summary_counts_the_documents() {
    let r = json(&["scan", "fixtures"]);
    let docs = r["documents"].as_array().unwrap();
    let s = &r["summary"];
    assert_eq!(s["documents"], docs.len());
    let pages: u64 = docs.iter().map(|d| d["pages"].as_u64().unwrap()).sum();
    assert_eq!(s["pages"], pages);
    for topic in ["ketamine", "esketamine"] {
        let counts = s["stances"][topic].as_object().unwrap();
        for (stance, n) in counts {
            let actual = docs
                .iter()
                .filter(|d| d["topics"][topic]["stance"] == stance.as_str())
                .count();
            assert_eq!(n, actual, "{topic}.{stance}");
        }
    }
}

#[test]
fn shards_merge_into_the_unsharded_report() {
    let dir = tempfile::tempdir().unwrap();
    let full = run(&["scan", "fixtures"]);
    let mut parts = Vec::new();
    let mut seen = 0;
    for (k, format) in [(1, "json"), (2, "jsonl"), (3, "json")] {
        let out = run(&[
            "scan",
            "fixtures",
            "--shard",
            &format!("{k}/3"),
            "--format",
            format,
        ]);
        assert_eq!(out.status.code(), Some(0));
        if format == "json" {
            seen += stdout_json(&out)["documents"].as_array().unwrap().len();
        }
        let p = dir.path().join(format!("part{k}.{format}"));
        std::fs::write(&p, &out.stdout).unwrap();
        parts.push(p.to_string_lossy().into_owned());
    }
    assert!(
        seen < expected().len(),
        "a shard holds only part of the documents"
    );
    let mut args = vec!["merge"];
    args.extend(parts.iter().rev().map(String::as_str));
    let merged = run(&args);
    assert_eq!(
        merged.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&merged.stderr)
    );
    assert!(
        merged.stdout == full.stdout,
        "merged shards differ from one full run"
    );
}

#[test]
fn the_extraction_cache_does_not_change_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().to_str().unwrap();
    let cold = run(&["scan", "fixtures", "--cache", cache]);
    let warm = run(&["scan", "fixtures", "--cache", cache]);
    let none = run(&["scan", "fixtures", "--no-cache"]);
    assert_eq!(cold.status.code(), Some(0));
    let entries = count_files(dir.path());
    assert!(entries > 0, "--cache DIR holds the extraction results");
    assert!(cold.stdout == warm.stdout, "a cache hit changes the report");
    assert!(cold.stdout == none.stdout, "--no-cache changes the report");
    assert_eq!(count_files(dir.path()), entries, "a warm run adds nothing");
}

fn count_files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            if p.is_dir() { count_files(&p) } else { 1 }
        })
        .sum()
}
