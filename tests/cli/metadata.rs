//! Stated metadata on real documents (`../shared/realdev`, skipped when
//! absent): the payer (its canonical name), the policy number and the
//! effective date of each listed document, written by hand from the
//! document's text. A value the document does not state as such is null
//! (a form number, a phone number, an archive or revision date is not the
//! effective date). Every title on the set is also checked not to be a
//! table header, a table row or a bare date.

use std::path::PathBuf;

use super::common::{repo, scan_by_name};

fn realdev_dir() -> Option<PathBuf> {
    let dir = repo().join("../shared/realdev/pdf");
    dir.is_dir().then_some(dir)
}

/// A document's file name, then its canonical payer, policy number and
/// effective date.
type Expected = (
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
);

const EXPECTED: &[Expected] = &[
    (
        "01_aetna_cpb0938_v2017.pdf",
        Some("Aetna"),
        Some("0938"),
        None,
    ),
    (
        "05_bcbsmn_ii226_esketamine.pdf",
        Some("Blue Cross and Blue Shield of Minnesota"),
        Some("II-226-007"),
        Some("2022-08-29"),
    ),
    (
        "08_triples_salud_iv_anesthetics.pdf",
        Some("Triple-S Salud"),
        Some("05.001.014"),
        None,
    ),
    (
        "09_bcbsnd_esketamine_a.pdf",
        Some("Blue Cross Blue Shield of North Dakota"),
        None,
        None,
    ),
    (
        "11_tmhp_esketamine_2021_update.pdf",
        Some("Texas Medicaid"),
        None,
        Some("2021-01-01"),
    ),
    (
        "12_tmhp_esketamine_benefit_2019.pdf",
        Some("Texas Medicaid"),
        None,
        Some("2019-10-01"),
    ),
    (
        "15_tchp_spravato_alert_2020.pdf",
        Some("Texas Children's Health Plan"),
        None,
        Some("2021-01-01"),
    ),
    (
        "16_humana_military_spravato_2020.pdf",
        Some("Humana Military"),
        None,
        None,
    ),
    (
        "18_hnfs_tricare_spravato.pdf",
        Some("Health Net Federal Services"),
        None,
        None,
    ),
    (
        "20_bcbsal_mp446_iv_anesthetics_2024.pdf",
        Some("Blue Cross and Blue Shield of Alabama"),
        Some("MP-446"),
        None,
    ),
    (
        "22_bcbsmt_iv_anesthetics_2013.pdf",
        Some("Blue Cross and Blue Shield of Montana"),
        None,
        Some("2013-04-18"),
    ),
    (
        "26_bcbsnd_iv_anesthetics_archived.pdf",
        Some("Blue Cross Blue Shield of North Dakota"),
        None,
        None,
    ),
    (
        "27_bcbsma_087_pa_form.pdf",
        Some("Blue Cross Blue Shield of Massachusetts"),
        Some("087"),
        None,
    ),
    (
        "29_bcbs_mp170_tms.pdf",
        Some("Blue Cross Blue Shield"),
        Some("MP-170"),
        None,
    ),
    (
        "31_cms_a59250_esketamine_billing.pdf",
        None,
        None,
        Some("2022-11-14"),
    ),
    (
        "32_highmark_wholecare_de_esketamine.pdf",
        Some("Highmark Health Options"),
        Some("HHO-DE-MP-1265"),
        Some("2024-12-13"),
    ),
    (
        "35_cigna_spravato_trd_criteria.pdf",
        Some("Cigna"),
        None,
        None,
    ),
    (
        "37_wcb_alberta_ketamine_esketamine.pdf",
        Some("Workers' Compensation Board of Alberta"),
        None,
        None,
    ),
    (
        "40_wa_lni_compounded_drugs.pdf",
        Some("Washington State Department of Labor & Industries"),
        None,
        None,
    ),
    (
        "41_highmark_i212_esketamine.pdf",
        Some("Highmark"),
        None,
        Some("2024-08-05"),
    ),
    (
        "43_bcbsma_291_iv_anesthetics.pdf",
        Some("Blue Cross Blue Shield of Massachusetts"),
        Some("291"),
        None,
    ),
    (
        "47_qualchoice_bi734_spravato.pdf",
        Some("QualChoice"),
        None,
        None,
    ),
    (
        "48_bcbsnd_esketamine_2019.pdf",
        Some("Blue Cross Blue Shield of North Dakota"),
        None,
        Some("2019-07-15"),
    ),
    (
        "51_cgs_medicare_spravato_billing.pdf",
        Some("CGS Administrators"),
        None,
        None,
    ),
];

#[test]
fn realdev_metadata_is_what_the_documents_state() {
    let Some(dir) = realdev_dir() else {
        eprintln!("skipped: ../shared/realdev/pdf not found");
        return;
    };
    let docs = scan_by_name(&dir);
    let mut misses = Vec::new();
    for &(file, payer, number, effective) in EXPECTED {
        let Some(d) = docs.get(file) else {
            misses.push(format!("{file}: not scanned"));
            continue;
        };
        let m = &d["metadata"];
        for (field, want) in [
            ("payer_canonical", payer),
            ("policy_number", number),
            ("effective_date", effective),
        ] {
            let got = m[field].as_str();
            if got != want {
                misses.push(format!("{file}: {field} = {got:?}, expected {want:?}"));
            }
        }
    }
    // No title is a table header, a table row or a bare date; every value
    // has its source.
    for (file, d) in &docs {
        let m = &d["metadata"];
        if let Some(t) = m["title"].as_str() {
            let bad = t
                .chars()
                .all(|c| !c.is_alphabetic() || c.is_uppercase() || c.is_whitespace())
                && t.split_whitespace().filter(|w| w.len() <= 4).count() >= 3;
            const MONTHS: &[&str] = &[
                "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
            ];
            let words_besides_a_date = t
                .split(|c: char| !c.is_alphabetic())
                .filter(|w| w.len() > 1)
                .filter(|w| !MONTHS.iter().any(|m| w.to_lowercase().starts_with(m)))
                .count();
            if bad || words_besides_a_date < 2 {
                misses.push(format!("{file}: title {t:?} looks like a table cell"));
            }
        }
        let stated = [
            "title",
            "payer",
            "policy_number",
            "effective_date",
            "last_reviewed",
        ]
        .iter()
        .filter(|f| !m[**f].is_null())
        .count();
        let sources = m["sources"].as_array().map_or(0, Vec::len);
        if stated != sources {
            misses.push(format!("{file}: {stated} values, {sources} sources"));
        }
    }
    assert!(
        misses.is_empty(),
        "metadata misses:\n  {}",
        misses.join("\n  ")
    );
}

#[test]
fn explain_shows_where_metadata_came_from() {
    let Some(dir) = realdev_dir() else {
        eprintln!("skipped: ../shared/realdev/pdf not found");
        return;
    };
    let file = dir.join("20_bcbsal_mp446_iv_anesthetics_2024.pdf");
    let out = super::common::run(&["explain", file.to_str().unwrap(), "--topic", "ketamine"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("  metadata:"), "{text}");
    assert!(text.contains("policy_number: \"MP-446\""), "{text}");
    assert!(text.contains("[running_header]"), "{text}");
}
