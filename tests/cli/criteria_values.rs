//! Criteria values (`criteria_detail`) on the corpora beside the
//! repository, through `policyscan compare --format csv`: the values of
//! the esketamine documents of `../shared/realdev` that cover it with
//! criteria, written here by hand from each document's text (read with
//! `policyscan extract`), never from the tool's output; and `diff` of two
//! versions of a devset policy naming the criteria values added. Each test
//! is skipped when its corpus is absent.

use std::collections::BTreeMap;

use super::common::{devset_dir, pdf_count, repo, run};

/// A value check: the cell equals the value, or (`Has`) the cell's list
/// holds the item.
enum Want {
    Is(&'static str),
    Has(&'static str),
}

use Want::{Has, Is};

/// (document number, column, value), read by hand from the documents.
const EXPECTED: &[(&str, &str, Want)] = &[
    // 09: two failed oral antidepressants; age within the label; a
    // specialist such as a psychiatrist; with an oral antidepressant.
    ("09", "failed_trials.min_count", Is("2")),
    ("09", "age.within_label", Is("yes")),
    ("09", "prescriber.specialty", Has("psychiatrist")),
    ("09", "concurrent_antidepressant.required", Is("yes")),
    // 10: adults from 18; three failed antidepressants, one in the
    // current episode; REMS setting with two hours of monitoring.
    ("10", "age.min", Is("18")),
    ("10", "failed_trials.min_count", Is("3")),
    ("10", "failed_trials.current_episode", Is("yes")),
    ("10", "prescriber.specialty", Has("psychiatrist")),
    ("10", "concurrent_antidepressant.required", Is("yes")),
    ("10", "rems_setting.certified", Is("yes")),
    ("10", "monitoring.hours", Is("2")),
    // 11: 18 or older; with an oral antidepressant; two hours observed.
    ("11", "age.min", Is("18")),
    ("11", "concurrent_antidepressant.required", Is("yes")),
    ("11", "monitoring.hours", Is("2")),
    // 12: a psychiatrist; REMS; approved for six months.
    ("12", "prescriber.specialty", Is("psychiatrist")),
    ("12", "rems_setting.certified", Is("yes")),
    ("12", "initial_approval.months", Is("6")),
    // 27: four failed agents; MADRS or HAM-D.
    ("27", "failed_trials.min_count", Is("4")),
    ("27", "severity_scale.scales", Is("MADRS; HAM-D")),
    // 35: 18 or older; two failed antidepressants, six weeks each, in the
    // current episode; no psychosis; the PDMP checked; a psychiatrist;
    // six months.
    ("35", "age.min", Is("18")),
    ("35", "failed_trials.min_count", Is("2")),
    ("35", "failed_trials.min_weeks", Is("6")),
    ("35", "failed_trials.current_episode", Is("yes")),
    ("35", "exclusion.conditions", Is("psychosis")),
    ("35", "pdmp_check.required", Is("yes")),
    ("35", "prescriber.specialty", Is("psychiatrist")),
    ("35", "initial_approval.months", Is("6")),
    // 36: REMS; twelve months.
    ("36", "rems_setting.certified", Is("yes")),
    ("36", "initial_approval.months", Is("12")),
    // 41: 18 or older; three failed antidepressants; a psychiatrist among
    // the prescribers.
    ("41", "age.min", Is("18")),
    ("41", "failed_trials.min_count", Is("3")),
    ("41", "prescriber.specialty", Has("psychiatrist")),
    // 45: 18 or older; two failed antidepressants in the current episode.
    ("45", "age.min", Is("18")),
    ("45", "failed_trials.min_count", Is("2")),
    ("45", "failed_trials.current_episode", Is("yes")),
    // 46: 18 or older; two agents from two classes, six weeks each;
    // MADRS or HAM-D; with an oral antidepressant; REMS; 28 days.
    ("46", "age.min", Is("18")),
    ("46", "failed_trials.min_count", Is("2")),
    ("46", "failed_trials.different_classes", Is("yes")),
    ("46", "failed_trials.min_weeks", Is("6")),
    ("46", "severity_scale.scales", Is("MADRS; HAM-D")),
    ("46", "concurrent_antidepressant.required", Is("yes")),
    ("46", "rems_setting.certified", Is("yes")),
    ("46", "initial_approval.days", Is("28")),
    // 47: older than 18 and younger than 65; PHQ-9 above 15; a
    // psychiatrist; two failed antidepressants from two classes; with an
    // oral antidepressant; three months.
    ("47", "age.min", Is("18")),
    ("47", "age.max", Is("65")),
    ("47", "severity_scale.scales", Is("PHQ-9")),
    ("47", "severity_scale.threshold", Is("15")),
    ("47", "prescriber.specialty", Is("psychiatrist")),
    ("47", "failed_trials.min_count", Is("2")),
    ("47", "failed_trials.different_classes", Is("yes")),
    ("47", "concurrent_antidepressant.required", Is("yes")),
    ("47", "initial_approval.months", Is("3")),
    // 48: 18 or older; three failed antidepressants; a psychiatrist among
    // the prescribers.
    ("48", "age.min", Is("18")),
    ("48", "failed_trials.min_count", Is("3")),
    ("48", "prescriber.specialty", Has("psychiatrist")),
];

/// Values the tool does not read, each with why.
const KNOWN_MISSES: &[(&str, &str, &str)] = &[(
    "27",
    "failed_trials.different_classes",
    "the classes are a sub-item of the form that names no trial",
)];

/// `compare --format csv` of a folder: rows by document number (the first
/// two characters of the file name) for one topic.
fn compare_rows(dir: &std::path::Path, topic: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let out = run(&[
        "compare",
        "--format",
        "csv",
        "--sort",
        "path",
        "--topic",
        topic,
        dir.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut rd = csv::Reader::from_reader(out.stdout.as_slice());
    let header = rd.headers().unwrap().clone();
    rd.records()
        .map(|r| {
            let r = r.unwrap();
            let row: BTreeMap<String, String> = header
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect();
            let name = row["path"].rsplit('/').next().unwrap().to_string();
            (name[..2].to_string(), row)
        })
        .collect()
}

#[test]
fn realdev_esketamine_criteria_values_are_the_hand_read_ones() {
    let dir = repo().join("../shared/realdev/pdf");
    if !dir.is_dir() {
        eprintln!("skipping: ../shared/realdev/pdf not found");
        return;
    }
    let rows = compare_rows(&dir, "esketamine");
    let docs: std::collections::BTreeSet<&str> = EXPECTED.iter().map(|e| e.0).collect();
    assert!(docs.len() >= 12 && EXPECTED.len() >= 40);
    let mut misses = Vec::new();
    for (doc, column, want) in EXPECTED {
        let row = rows
            .get(*doc)
            .unwrap_or_else(|| panic!("document {doc} not compared"));
        assert_eq!(row["stance"], "covered_with_criteria", "document {doc}");
        assert_eq!(row["coverage"], "conditional", "document {doc}");
        let got = row.get(*column).map(String::as_str).unwrap_or("");
        let ok = match want {
            Is(v) => got == *v,
            Has(v) => got
                .split(" / ")
                .flat_map(|c| c.split("; "))
                .any(|x| x == *v),
        };
        if !ok {
            misses.push(format!("{doc} {column}: got {got:?}"));
        }
    }
    assert!(
        misses.is_empty(),
        "criteria values differ from the hand-read ones:\n{}",
        misses.join("\n")
    );
    // A known miss that the tool now reads must leave the list.
    for (doc, column, why) in KNOWN_MISSES {
        let got = rows[*doc].get(*column).map(String::as_str).unwrap_or("");
        assert_eq!(
            got, "",
            "{doc} {column} is read now ({why}): move it to EXPECTED"
        );
    }
}

#[test]
fn devset_diff_names_the_criteria_values_added() {
    let Some(dir) = devset_dir() else {
        eprintln!("skipping: ../shared/devset/pdf not found");
        return;
    };
    let find = |prefix: &str| {
        std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
            })
            .unwrap_or_else(|| panic!("no {prefix}* in the devset"))
    };
    let (old, new) = (find("05_"), find("06_"));
    let out = run(&[
        "diff",
        "--format",
        "json",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
    ]);
    let d: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let k = &d["documents"][0]["topics"]["ketamine"];
    let added: BTreeMap<String, String> = k["value_changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["change"] == "added")
        .map(|v| {
            (
                v["column"].as_str().unwrap().to_string(),
                v["new"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // The 2025 version covers the infusion with criteria the 2024 version
    // did not have: two failed antidepressants of different classes, six
    // weeks each, adults, a psychiatrist.
    for (column, value) in [
        ("failed_trials.min_count", "2"),
        ("failed_trials.different_classes", "yes"),
        ("failed_trials.min_weeks", "6"),
        ("age.min", "18"),
        ("prescriber.specialty", "psychiatrist"),
    ] {
        assert_eq!(
            added.get(column).map(String::as_str),
            Some(value),
            "{column} in {added:?}"
        );
    }
    let human = run(&["diff", old.to_str().unwrap(), new.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("+ failed-trial count added: 2"), "{text}");
}

#[test]
fn compare_html_is_one_self_contained_page_with_a_row_per_document_topic() {
    let Some(dir) = devset_dir() else {
        eprintln!("skipping: ../shared/devset/pdf not found");
        return;
    };
    let out = run(&["compare", "--format", "html", dir.to_str().unwrap()]);
    assert!(out.status.success());
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    for external in ["<script", "<link", "src=", "@import", "url("] {
        assert!(!page.contains(external), "the page loads {external}");
    }
    let docs = pdf_count(&dir);
    let rows = page.matches("<td class=\"path\"").count();
    assert_eq!(rows, docs * 2, "one row per document and drug topic");
}
