//! The labeled corpora, scored through the binary: the parity documents of
//! `tests/data/parity` (every limitation exactly as labeled), the
//! phrasings corpus of `tests/data/phrasings` and the dev set beside the
//! repository (`../shared/devset`, skipped when absent). Labels were written
//! from the documents' text, not from the classifier's output; the stance
//! floors are regression guards a little under today's scores
//! (phrasings 0.912, dev set 0.979), and every miss is printed.

use std::collections::BTreeMap;

use serde_json::Value;

use super::common::{by_name, devset_dir, json, repo, sorted_strings};

/// Scans a folder (no cache) and returns its documents by file stem.
fn scan_by_stem(dir: &std::path::Path) -> BTreeMap<String, Value> {
    let report = json(&[
        "scan",
        "--no-cache",
        "--format",
        "json",
        dir.to_str().unwrap(),
    ]);
    by_name(&report)
        .into_iter()
        .map(|(name, d)| {
            let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s);
            (stem.to_string(), d)
        })
        .collect()
}

/// The documents of `tests/data/NAME`, each with its label from the
/// folder's EXPECTED.toml and its scanned report entry.
fn labeled(name: &str) -> Vec<(String, toml::Value, Value)> {
    let dir = repo().join("tests/data").join(name);
    let path = dir.join("EXPECTED.toml");
    let labels: toml::Table = std::fs::read_to_string(&path)
        .unwrap()
        .parse()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut docs = scan_by_stem(&dir);
    assert_eq!(docs.len(), labels.len(), "one label per document");
    labels
        .into_iter()
        .map(|(stem, want)| {
            let doc = docs
                .remove(&stem)
                .unwrap_or_else(|| panic!("{stem} not scanned"));
            (stem, want, doc)
        })
        .collect()
}

#[test]
fn parity_documents_give_their_labeled_limitations() {
    let mut misses = Vec::new();
    for (stem, want, doc) in labeled("parity") {
        let got: BTreeMap<String, (bool, bool, bool)> =
            doc["topics"]["mental_health_parity"]["limitations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| {
                    let kind = l["type"].as_str().unwrap().to_string();
                    let side = |k: &str| !l[k].is_null();
                    let asym = l["asymmetric"].as_bool().unwrap();
                    (kind, (side("mh_sud"), side("med_surg"), asym))
                })
                .collect();
        let want: BTreeMap<String, (bool, bool, bool)> = want
            .as_table()
            .unwrap()
            .iter()
            .map(|(kind, v)| {
                let flag = |k: &str| v[k].as_bool().unwrap();
                (
                    kind.clone(),
                    (flag("mh_sud"), flag("med_surg"), flag("asymmetric")),
                )
            })
            .collect();
        if got != want {
            misses.push(format!(
                "{stem}: got (mh_sud, med_surg, asymmetric) {got:?}, want {want:?}"
            ));
        }
    }
    assert!(misses.is_empty(), "{}", misses.join("\n"));
}

/// Stance hits and misses for one topic of one document.
fn score_stance(
    name: &str,
    topic: &str,
    got: &Value,
    want: &str,
    hits: &mut usize,
    misses: &mut Vec<String>,
) {
    let got = got["topics"][topic]["stance"].as_str().unwrap_or("missing");
    if got == want {
        *hits += 1;
    } else {
        misses.push(format!("{name} {topic}: got {got}, want {want}"));
    }
}

#[test]
fn phrasings_corpus_stances_stay_above_their_floor() {
    let labels = labeled("phrasings");
    let (mut hits, mut misses) = (0, Vec::new());
    let mut parity_hits = 0;
    for (stem, want, doc) in &labels {
        for topic in ["ketamine", "esketamine"] {
            let w = want[topic].as_str().unwrap();
            score_stance(stem, topic, doc, w, &mut hits, &mut misses);
        }
        let parity = doc["topics"]["mental_health_parity"]["mentioned"].as_bool();
        if parity == want["parity"].as_bool() {
            parity_hits += 1;
        } else {
            misses.push(format!("{stem} parity: got {parity:?}"));
        }
    }
    let total = 2 * labels.len();
    let acc = hits as f64 / total as f64;
    let parity_acc = parity_hits as f64 / labels.len() as f64;
    eprintln!(
        "phrasings: stance accuracy {acc:.3}, parity {parity_acc:.3}\n  {}",
        misses.join("\n  ")
    );
    assert!(acc >= 0.89, "stance accuracy {acc:.3} under 0.89");
    assert!(
        parity_acc >= 0.97,
        "parity accuracy {parity_acc:.3} under 0.97"
    );
}

#[test]
fn devset_stances_reasons_and_codes_stay_above_their_floor() {
    let Some(pdfs) = devset_dir() else {
        eprintln!("skipping: ../shared/devset/pdf not found beside the repository");
        return;
    };
    let labels: Value =
        serde_json::from_str(&std::fs::read_to_string(pdfs.join("../labels.json")).unwrap())
            .unwrap();
    let labels = labels["documents"].as_object().unwrap();
    let report = json(&["scan", "--format", "json", pdfs.to_str().unwrap()]);
    let docs = by_name(&report);
    let (mut hits, mut misses) = (0, Vec::new());
    let (mut reasons_hits, mut reasons_total) = (0, 0);
    for (name, want) in labels {
        let doc = docs
            .get(name)
            .unwrap_or_else(|| panic!("{name} not scanned"));
        for topic in ["ketamine", "esketamine"] {
            let w = want[topic]["stance"].as_str().unwrap();
            score_stance(name, topic, doc, w, &mut hits, &mut misses);
            if w == "not_covered" {
                reasons_total += 1;
                let got = sorted_strings(&doc["topics"][topic]["reasons"]);
                let w = sorted_strings(&want[topic]["reasons"]);
                // Every labeled reason is found.
                if w.iter().all(|r| got.contains(r)) {
                    reasons_hits += 1;
                } else {
                    misses.push(format!("{name} {topic} reasons: got {got:?}, want {w:?}"));
                }
            }
        }
    }
    let acc = hits as f64 / (2 * labels.len()) as f64;
    let reasons = reasons_hits as f64 / reasons_total.max(1) as f64;
    eprintln!(
        "devset: stance accuracy {acc:.3}, denial reasons {reasons:.3}\n  {}",
        misses.join("\n  ")
    );
    assert!(acc >= 0.95, "stance accuracy {acc:.3} under 0.95");
    assert!(reasons >= 0.9, "denial reasons {reasons:.3} under 0.9");
}
