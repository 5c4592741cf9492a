//! A small, fixed report for the snapshot tests of every format: built
//! from model values (not by running the classifier), so the snapshots
//! change only when a renderer changes.
//!
//! Owns: test data only. Must not: be used outside tests.

use std::collections::BTreeMap;

use crate::model::{
    CodeRef, Coverage, Criterion, CriterionDetail, DetailValue, Document, Finding, GroupOp,
    Limitation, Metadata, ParityResult, Reason, Report, Stance, Status, Topic, TopicResult, Topics,
};

fn finding(rule: &str, topic: Option<Topic>, page: u32, line: u32, text: &str, s: &str) -> Finding {
    Finding {
        rule: rule.to_string(),
        category: rule.split('.').next().unwrap_or("").to_string(),
        topic,
        page,
        line,
        start: 0,
        end: 0,
        text: text.to_string(),
        sentence: s.to_string(),
        negated: false,
        hedged: false,
        section: "policy".to_string(),
        ocr: false,
    }
}

fn code(code: &str, system: &str, page: u32, line: u32) -> CodeRef {
    CodeRef {
        code: code.to_string(),
        system: system.to_string(),
        page,
        line,
    }
}

/// Three documents: a policy with criteria, evidence that tries to inject
/// HTML, Markdown and spreadsheet formulas, and parity limitations; a
/// denial letter; and a PDF that could not be read.
pub(crate) fn report() -> Report {
    let k = Some(Topic::KETAMINE);
    let e = Some(Topic::ESKETAMINE);
    let policy = Document {
        path: "policies/lakeshore_v2025.pdf".to_string(),
        sha256: "5f".repeat(32),
        status: Status::Ok,
        error: None,
        extractor: Some("pdf-extract".to_string()),
        pages: 4,
        metadata: Metadata {
            title: Some("Ketamine Infusion <Therapy> & Esketamine".to_string()),
            payer: Some("Lakeshore Community Health Plan".to_string()),
            policy_number: Some("=HYPERLINK(\"http://x\")".to_string()),
            effective_date: Some("2025-01-01".to_string()),
            last_reviewed: None,
            ..Metadata::default()
        },
        topics: Topics {
            drugs: [
                (
                    Topic::KETAMINE,
                    TopicResult {
                stance: Stance::CoveredWithCriteria,
                reasons: vec![],
                criteria: vec![Criterion::PriorAuthorization, Criterion::DiagnosisTrd],
                evidence: vec![
                    finding(
                        "coverage.medically_necessary",
                        k,
                        2,
                        7,
                        "medically necessary",
                        "IV ketamine is considered medically necessary for *treatment-resistant* depression when prior authorization is obtained.",
                    ),
                    finding(
                        "criteria.trd",
                        k,
                        2,
                        9,
                        "failed",
                        "The member has failed two antidepressants <script>document.title='pwned'</script> | [link](http://x).",
                    ),
                ],
                coverage: Some(Coverage::Conditional),
                pa_needed: Some(true),
                criteria_detail: vec![CriterionDetail {
                    kind: CriterionDetail::GROUP.to_string(),
                    values: BTreeMap::new(),
                    op: Some(GroupOp::AllOf),
                    items: vec![
                        CriterionDetail {
                            kind: "failed_trials".to_string(),
                            values: BTreeMap::from([
                                ("min_count".to_string(), DetailValue::Number(2)),
                                ("min_weeks".to_string(), DetailValue::Number(6)),
                            ]),
                            op: None,
                            items: vec![],
                            page: 2,
                            line: 9,
                            quote: "The member has failed two antidepressants <script>document.title='pwned'</script> | [link](http://x).".to_string(),
                        },
                        CriterionDetail {
                            kind: "initial_approval".to_string(),
                            values: BTreeMap::from([("months".to_string(), DetailValue::Number(6))]),
                            op: None,
                            items: vec![],
                            page: 2,
                            line: 11,
                            quote: "Approval is for 6 months.".to_string(),
                        },
                    ],
                    page: 2,
                    line: 8,
                    quote: "All of the following:".to_string(),
                }],
            },
                ),
                (
                    Topic::ESKETAMINE,
                    TopicResult {
                stance: Stance::NotCovered,
                reasons: vec![Reason::ExperimentalInvestigational],
                criteria: vec![],
                evidence: vec![finding(
                    "coverage.experimental",
                    e,
                    3,
                    1,
                    "investigational",
                    "-Spravato is investigational <img src=x onerror=alert(1)> for all other uses.",
                )],
                coverage: Some(Coverage::NotCovered),
                pa_needed: None,
                criteria_detail: vec![],
            },
                ),
            ]
            .into_iter()
            .collect(),
            mental_health_parity: ParityResult {
                mentioned: true,
                evidence: vec![finding(
                    "parity.mhpaea",
                    None,
                    4,
                    2,
                    "Mental Health Parity",
                    "This policy complies with the Mental Health Parity and Addiction Equity Act.",
                )],
                limitations: vec![
                    Limitation {
                        kind: "visit_limit".to_string(),
                        class: "quantitative".to_string(),
                        mh_sud: Some(finding(
                            "limit.visit_limit",
                            None,
                            4,
                            5,
                            "20 visits",
                            "Outpatient psychotherapy is limited to 20 visits per year.",
                        )),
                        med_surg: Some(finding(
                            "limit.visit_limit",
                            None,
                            4,
                            6,
                            "60 visits",
                            "Physical therapy is limited to 60 visits per year.",
                        )),
                        asymmetric: true,
                        note: "stricter for MH/SUD (20 vs 60)".to_string(),
                        classification: Some("outpatient_office".to_string()),
                    },
                    Limitation {
                        kind: "prior_authorization".to_string(),
                        class: "non_quantitative".to_string(),
                        mh_sud: Some(finding(
                            "limit.prior_authorization",
                            None,
                            4,
                            8,
                            "Prior authorization",
                            "Prior authorization is required for ketamine infusion.",
                        )),
                        med_surg: None,
                        asymmetric: true,
                        note: "stated for MH/SUD only".to_string(),
                        classification: None,
                    },
                ],
            },
        },
        findings: vec![],
        codes: vec![
            code("96365", "CPT", 3, 4),
            code("J3490", "HCPCS", 3, 5),
            code("F33.2", "ICD-10-CM", 3, 6),
        ],
        warnings: vec!["page 4: font without a ToUnicode map".to_string()],
        ocr_pages: Vec::new(),
    };
    let letter = Document {
        path: "letters/denial.txt".to_string(),
        sha256: "ab".repeat(32),
        status: Status::Ok,
        error: None,
        extractor: Some("text".to_string()),
        pages: 1,
        metadata: Metadata {
            payer: Some("Cascadia Mutual".to_string()),
            ..Metadata::default()
        },
        topics: Topics {
            drugs: [
                (
                    Topic::KETAMINE,
                    TopicResult {
                        stance: Stance::NotCovered,
                        reasons: vec![Reason::NotMedicallyNecessary, Reason::Unproven],
                        criteria: vec![],
                        evidence: vec![finding(
                            "coverage.not_medically_necessary",
                            k,
                            1,
                            12,
                            "not medically necessary",
                            "Your request for IV ketamine was denied as not medically necessary.",
                        )],
                        coverage: Some(Coverage::NotCovered),
                        pa_needed: None,
                        criteria_detail: vec![],
                    },
                ),
                (Topic::ESKETAMINE, TopicResult::default()),
            ]
            .into_iter()
            .collect(),
            ..Topics::default()
        },
        findings: vec![],
        codes: vec![],
        warnings: vec![],
        ocr_pages: Vec::new(),
    };
    let broken = Document::failed(
        "scans/broken.pdf".to_string(),
        "00".repeat(32),
        Status::Malformed,
        "not a PDF: missing %PDF header".to_string(),
    );
    crate::report::json::report(
        crate::report::tool_info("builtin@test"),
        vec![policy, letter, broken],
    )
}
