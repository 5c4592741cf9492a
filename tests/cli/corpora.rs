//! The labeled corpora, scored through the binary: the parity documents of
//! `tests/data/parity` (every limitation exactly as labeled), the
//! phrasings corpus of `tests/data/phrasings`, and the corpora beside the
//! repository (`../shared/devset`, `../shared/realdev` and
//! `../shared/corpus/payers`, each skipped when absent). Labels were
//! written from the documents' text, not from the classifier's output.
//!
//! Stances are checked exactly: every (document, topic) whose stance
//! differs from its label must be listed in the corpus's known misses with
//! the stance it gets, and every listed miss must still be one. A change
//! that flips any stance, either way, fails here until the list is updated
//! on purpose.

use std::collections::BTreeMap;

use serde_json::Value;

use super::common::{by_name, devset_dir, json, repo, scan_by_name, sorted_strings};

/// Scans a folder (no cache) and returns its documents by file stem.
fn scan_by_stem(dir: &std::path::Path) -> BTreeMap<String, Value> {
    scan_by_name(dir)
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

/// (has MH/SUD evidence, has medical/surgical evidence, asymmetric, the
/// classification when the label names one).
type Sides = (bool, bool, bool, Option<String>);

#[test]
fn parity_documents_give_their_labeled_limitations() {
    let mut misses = Vec::new();
    for (stem, want, doc) in labeled("parity") {
        let want: BTreeMap<String, Sides> = want
            .as_table()
            .unwrap()
            .iter()
            .map(|(kind, v)| {
                let flag = |k: &str| v[k].as_bool().unwrap();
                let class = v
                    .get("classification")
                    .map(|c| c.as_str().unwrap().to_string());
                (
                    kind.clone(),
                    (flag("mh_sud"), flag("med_surg"), flag("asymmetric"), class),
                )
            })
            .collect();
        let got: BTreeMap<String, Sides> = doc["topics"]["mental_health_parity"]["limitations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                let kind = l["type"].as_str().unwrap().to_string();
                let side = |k: &str| !l[k].is_null();
                let asym = l["asymmetric"].as_bool().unwrap();
                // The classification is checked where the label names one.
                let class = want
                    .get(&kind)
                    .and_then(|w| w.3.as_ref())
                    .and(l["classification"].as_str().map(str::to_string));
                (kind, (side("mh_sud"), side("med_surg"), asym, class))
            })
            .collect();
        if got != want {
            misses.push(format!(
                "{stem}: got (mh_sud, med_surg, asymmetric, classification) {got:?}, want {want:?}"
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

/// A known miss: (document stem or file name, topic, the stance it gets).
type Miss = (&'static str, &'static str, &'static str);

/// Compares every stance with its label; the differences must be exactly
/// `known`.
fn assert_exact_stances(corpus: &str, got_want: &[(String, &str, String, String)], known: &[Miss]) {
    let mut unexpected = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (doc, topic, got, want) in got_want {
        if got == want {
            continue;
        }
        let listed = known
            .iter()
            .any(|&(d, t, g)| d == doc && t == *topic && g == got);
        if listed {
            seen.insert((doc.clone(), topic.to_string()));
        } else {
            unexpected.push(format!("{doc} {topic}: got {got}, want {want}"));
        }
    }
    let fixed: Vec<String> = known
        .iter()
        .filter(|&&(d, t, _)| !seen.contains(&(d.to_string(), t.to_string())))
        .map(|(d, t, g)| format!("{d} {t}: listed as {g}, now right (or changed): update the list"))
        .collect();
    let right = got_want.len() - seen.len() - unexpected.len();
    eprintln!(
        "{corpus}: {right}/{} stances right, {} known misses",
        got_want.len(),
        seen.len()
    );
    assert!(
        unexpected.is_empty() && fixed.is_empty(),
        "{corpus}: stances differ from the labels and the known misses:\n  {}",
        unexpected
            .iter()
            .chain(&fixed)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}

/// Known misses of the phrasings corpus (the project's own hard cases).
const PHRASINGS_KNOWN_MISSES: &[Miss] = &[
    (
        "006_paragon_policy_update_bulletin",
        "esketamine",
        "not_covered",
    ),
    (
        "019_scriptpath_quantity_limit_list",
        "esketamine",
        "not_addressed",
    ),
    (
        "026_iro_overturned_ketamine_paid",
        "ketamine",
        "covered_with_criteria",
    ),
    ("030_eob_ketamine_crps_paid", "ketamine", "not_addressed"),
    (
        "034_benefits_comparison_two_plans",
        "esketamine",
        "not_covered",
    ),
    (
        "038_provider_newsletter_ketamine_now_covered",
        "ketamine",
        "not_covered",
    ),
    ("039_pt_newsletter_research_only", "ketamine", "not_covered"),
    (
        "046_parity_nqtl_ketamine_example",
        "ketamine",
        "covered_with_criteria",
    ),
    ("051_member_faq_plain_language", "esketamine", "covered"),
    (
        "061_employer_plan_hmo_ppo_ketamine_mixed",
        "ketamine",
        "covered_with_criteria",
    ),
    (
        "065_billing_guide_spravato_payable",
        "esketamine",
        "not_covered",
    ),
    (
        "067_appeal_partial_crps_approved_troche_denied",
        "ketamine",
        "not_covered",
    ),
    ("073_medicaid_mco_pa_grid", "esketamine", "not_addressed"),
    (
        "077_esketamine_trd_vs_mdsi_mixed",
        "esketamine",
        "not_covered",
    ),
    (
        "078_pbm_multi_formulary_esketamine_mixed",
        "esketamine",
        "covered",
    ),
    (
        "104_medicaid_programs_spravato_mixed",
        "esketamine",
        "covered_with_criteria",
    ),
    (
        "109_partd_formulary_page_legend",
        "esketamine",
        "not_addressed",
    ),
    (
        "110_two_column_newsletter_interleaved",
        "ketamine",
        "covered",
    ),
    (
        "112_medicaid_pdl_anesthetics_and_antidepressants",
        "esketamine",
        "covered",
    ),
];

#[test]
fn phrasings_corpus_stances_are_exactly_the_labels_but_the_known_misses() {
    let labels = labeled("phrasings");
    let mut got_want = Vec::new();
    let mut parity_misses = Vec::new();
    for (stem, want, doc) in &labels {
        for topic in ["ketamine", "esketamine"] {
            let got = doc["topics"][topic]["stance"].as_str().unwrap_or("missing");
            let w = want[topic].as_str().unwrap();
            got_want.push((stem.clone(), topic, got.to_string(), w.to_string()));
        }
        let parity = doc["topics"]["mental_health_parity"]["mentioned"].as_bool();
        if parity != want["parity"].as_bool() {
            parity_misses.push(format!("{stem} parity: got {parity:?}"));
        }
    }
    assert!(
        parity_misses.len() <= 1,
        "parity: {}",
        parity_misses.join("\n")
    );
    assert_exact_stances("phrasings", &got_want, PHRASINGS_KNOWN_MISSES);
}

/// Pairs every labeled stance of a folder of `../shared` with the one the
/// report gives: (file, topic, got, want).
fn shared_corpus(
    pdfs: &std::path::Path,
    docs: &BTreeMap<String, Value>,
) -> Vec<(String, &'static str, String, String)> {
    let labels: Value =
        serde_json::from_str(&std::fs::read_to_string(pdfs.join("../labels.json")).unwrap())
            .unwrap();
    let mut out = Vec::new();
    for (name, want) in labels["documents"].as_object().unwrap() {
        let doc = docs
            .get(name)
            .unwrap_or_else(|| panic!("{name} not scanned"));
        for topic in ["ketamine", "esketamine"] {
            let got = doc["topics"][topic]["stance"].as_str().unwrap_or("missing");
            let w = want[topic]["stance"].as_str().unwrap();
            out.push((name.clone(), topic, got.to_string(), w.to_string()));
        }
    }
    out
}

/// A folder of `../shared` beside the repository, if it is there.
fn shared(path: &str) -> Option<std::path::PathBuf> {
    let dir = repo().join("../shared").join(path);
    dir.is_dir().then_some(dir)
}

/// Checks a labeled folder of `../shared` exactly (stances, and every
/// asymmetric parity limitation as `(file, type)`), or says it is skipped.
fn exact_shared(path: &str, known: &[Miss], asymmetric: &[(&str, &str)]) {
    let Some(pdfs) = shared(path) else {
        eprintln!("skipping: ../shared/{path} not found beside the repository");
        return;
    };
    let docs = scan_by_name(&pdfs);
    assert_exact_stances(path, &shared_corpus(&pdfs, &docs), known);
    assert_parity_like_with_like(path, &docs, asymmetric);
}

/// Every asymmetric parity limitation of a corpus is exactly `want`, names
/// its classification and has MH/SUD evidence; no benefit that is not
/// health care (child care, legal services) is evidence for either side;
/// and both sides of a classified comparison are in that classification.
fn assert_parity_like_with_like(
    corpus: &str,
    docs: &BTreeMap<String, Value>,
    want: &[(&str, &str)],
) {
    let mut got = Vec::new();
    let mut wrong = Vec::new();
    for (name, doc) in docs {
        let limitations = doc["topics"]["mental_health_parity"]["limitations"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for l in &limitations {
            let kind = l["type"].as_str().unwrap().to_string();
            for side in ["mh_sud", "med_surg"] {
                let sentence = l[side]["sentence"].as_str().unwrap_or("").to_lowercase();
                if ["child care", "childcare", "attorney", "legal plan"]
                    .iter()
                    .any(|w| sentence.contains(w))
                {
                    wrong.push(format!(
                        "{name} {kind}: {side} evidence is a non-health benefit"
                    ));
                }
            }
            if l["asymmetric"].as_bool().unwrap() {
                if l["classification"].is_null() || l["mh_sud"].is_null() {
                    wrong.push(format!(
                        "{name} {kind}: asymmetric without a classification or MH/SUD evidence"
                    ));
                }
                got.push((name.clone(), kind));
            }
        }
    }
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(d, k)| (d.to_string(), k.to_string()))
        .collect();
    assert!(
        wrong.is_empty() && got == want,
        "{corpus}: {}\nasymmetric limitations: got {got:?}, want {want:?}",
        wrong.join("\n")
    );
}

#[test]
fn realdev_stances_are_exactly_the_labels() {
    // Single-drug clinical policies, forms and notices: no benefits
    // comparison, so no asymmetric limitation.
    exact_shared("realdev/pdf", &[], &[]);
}

/// The asymmetric parity limitations of the payer corpus, listed to be
/// read by hand against the document. An SPD's MH/SUD level-of-care
/// guidelines are not among them: they sit beside its rule that every
/// covered service be medically necessary, the same limitation stated for
/// benefits in general.
const PAYERS_ASYMMETRIC: &[(&str, &str)] = &[
    // An SBC read row by row: the MH/SUD inpatient row limits stays to 30
    // days per year, the skilled nursing row (inpatient too) to 60.
    ("20_seechange_health_hsa4000_sbc_2014.pdf", "day_limit"),
];

#[test]
fn payer_corpus_stances_are_exactly_the_labels() {
    exact_shared("corpus/payers/pdf", &[], PAYERS_ASYMMETRIC);
}

/// A drug list set in newspaper-style columns (each column a list under
/// class headings) is read a column at a time: every esketamine finding
/// and evidence sentence of the payer corpus's drug list is the drug's
/// own entry, never a line across the columns that names other drugs.
#[test]
fn a_column_drug_list_cites_the_drug_s_own_entry() {
    let Some(pdfs) = shared("corpus/payers/pdf") else {
        eprintln!("skipping: ../shared/corpus/payers not found beside the repository");
        return;
    };
    let name = "02_cvs_caremark_performance_drug_list_standard_control_2026.pdf";
    let report = json(&[
        "scan",
        "--no-cache",
        "--format",
        "json",
        pdfs.join(name).to_str().unwrap(),
    ]);
    let doc = &report["documents"][0];
    let topic = &doc["topics"]["esketamine"];
    assert_eq!(topic["stance"], "covered");
    let cited = |v: &Value| -> Vec<(u64, String)> {
        v.as_array()
            .unwrap()
            .iter()
            .filter(|f| f["topic"] == "esketamine")
            .map(|f| {
                (
                    f["page"].as_u64().unwrap(),
                    f["sentence"].as_str().unwrap().trim().to_string(),
                )
            })
            .collect()
    };
    let entry = |page: u64| (page, "SPRAVATO".to_string());
    assert_eq!(cited(&topic["evidence"]), vec![entry(3), entry(9)]);
    assert_eq!(cited(&doc["findings"]), vec![entry(3), entry(9)]);
}

/// Known misses of the dev set.
const DEVSET_KNOWN_MISSES: &[Miss] = &[];

#[test]
fn devset_stances_are_exactly_the_labels_but_the_known_misses() {
    exact_shared("devset/pdf", DEVSET_KNOWN_MISSES, &[]);
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
