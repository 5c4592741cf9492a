//! Bench inputs shared by the `normalize` and `matcher` benches (a module
//! of each, by `#[path]`): the raw extracted pages of real documents, and a
//! generated policy-like text that needs nothing outside the repository.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use policyscan::extract::{FileOptions, extract_file};

/// One document's raw extracted pages.
pub type Pages = Vec<String>;

/// A named set of documents.
pub struct Input {
    pub name: &'static str,
    pub docs: Vec<Pages>,
}

impl Input {
    /// Raw bytes over every page.
    pub fn bytes(&self) -> usize {
        self.docs.iter().flatten().map(String::len).sum()
    }

    /// Each document normalized, and the normalized bytes over all of them.
    pub fn normalized(&self) -> (Vec<policyscan::normalize::NormalizedText>, usize) {
        let texts: Vec<_> = self
            .docs
            .iter()
            .map(|p| policyscan::normalize::NormalizedText::from_pages(p))
            .collect();
        let bytes = texts.iter().map(|t| t.text().len()).sum();
        (texts, bytes)
    }
}

/// Benches `work` over each input's normalized documents, in a group
/// named `group`, with throughput in normalized bytes (the `matcher` and
/// `classify` benches). `work` returns a count, so that nothing is
/// optimized away.
pub fn bench_normalized(
    c: &mut criterion::Criterion,
    group: &str,
    work: impl Fn(&policyscan::normalize::NormalizedText) -> usize,
) {
    let mut g = c.benchmark_group(group);
    for input in inputs() {
        let (texts, bytes) = input.normalized();
        g.throughput(criterion::Throughput::Bytes(bytes as u64));
        g.bench_function(input.name, |b| {
            b.iter(|| texts.iter().map(&work).sum::<usize>())
        });
    }
    g.finish();
}

fn extract_dir(dir: &Path) -> Vec<Pages> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| {
        matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("pdf" | "txt" | "md")
        )
    });
    files.sort();
    let settings = FileOptions::default();
    files
        .iter()
        .filter_map(|p| extract_file(p, &settings).1.ok().map(|e| e.pages))
        .collect()
}

/// The inputs: `devset` (`../shared/devset/pdf`, 24 policy-like PDFs) when
/// it is there, `fixtures` (the repository's 8 documents), and `generated`
/// (about 1 MB of policy-like text, with ligatures, soft hyphens, words
/// broken across lines and typographic quotes for normalize to fix).
pub fn inputs() -> Vec<Input> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let devset = root.join("../shared/devset/pdf");
    if devset.is_dir() {
        out.push(Input {
            name: "devset",
            docs: extract_dir(&devset),
        });
    }
    out.push(Input {
        name: "fixtures",
        docs: extract_dir(&root.join("fixtures")),
    });
    out.push(Input {
        name: "generated",
        docs: vec![generated(1 << 20)],
    });
    out
}

/// About `bytes` of policy-like text in pages of ~3 KB.
pub fn generated(bytes: usize) -> Pages {
    const PARAS: &[&str] = &[
        "Clinical Policy: Ketamine and Esketamine (Spravato\u{ae}) for Treatment-Resistant Depression\nPolicy Number: BH-2025-014        Effective Date: 01/01/2025\n",
        "Esketamine nasal spray (Spravato) is considered medically necessary when ALL of the following criteria are met:\n1. The member is 18 years of age or older;\n2. The member has a diagnosis of major depressive disorder (MDD) and has had an inadequate response to at least two antidepres-\nsants of adequate dose and duration in the current episode;\n3. Prior authorization is obtained before the first dose.\n",
        "Intravenous ketamine infusion is considered experimental, investigational or unproven for all indications, including but not limited to depression, post-traumatic stress disorder, and chronic pain, because the evidence is insufficient to determine its e\u{fb00}ects on health outcomes.\n",
        "Coverage for mental health and substance use disorder bene\u{fb01}ts is provided in parity with medical/surgical bene\u{fb01}ts, in accordance with the Mental Health Parity and Addiction Equity Act (MHPAEA). Non\u{ad}quantitative treatment limitations are applied no more stringently.\n",
        "CPT/HCPCS codes: G2082 \u{2013} Office or other outpatient visit for the evaluation and management of an established patient that requires the supervision of a physician, provision of up to 56 mg of esketamine nasal self administration.\nG2083 \u{2013} up to 84 mg. J3490 \u{2013} Unclassified drugs (ketamine hydrochloride).\n",
        "\u{201c}Medically necessary\u{201d} means health care services that a physician, exercising prudent clinical judgment, would provide to a patient for the purpose of evaluating, diagnosing or treating an illness. Quantity limits: 8 treatments per 4\u{2011}week induction phase.\n",
        "Section 7.2 Exclusions\nThe plan does not cover: treatment-\nresistant conditions treated with off-label drugs; services rendered by non-par-\nticipating providers without a referral; dental implants; cosmetic procedures.\n",
        "Table 3. Summary of Benefits\nService                         In-network      Out-of-network\nOutpatient infusion therapy     20% coinsurance 40% coinsurance\nSpecialty drugs (Tier 4)        $250 copay      Not covered\n",
    ];
    let mut pages = Vec::new();
    let mut page = String::new();
    let mut total = 0;
    let mut i = 0;
    while total < bytes {
        let p = PARAS[i % PARAS.len()];
        page.push_str(p);
        page.push('\n');
        total += p.len() + 1;
        i += 1;
        if page.len() > 3000 {
            pages.push(std::mem::take(&mut page));
        }
    }
    if !page.is_empty() {
        pages.push(page);
    }
    pages
}
