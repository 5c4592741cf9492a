//! One short document per behaviour of the stance stage, in the project's
//! own words, with the stance it must give and a snapshot of the trace
//! that `explain` prints for it (what counted, through which scope, and
//! what was set aside and why). A change of behaviour shows up as a
//! changed stance or a changed trace.

use std::fmt::Write as _;

use super::analyze;
use crate::model::{Criterion, Stance, Topic};
use crate::normalize::NormalizedText;

/// Analyses a document given as its pages.
fn run(pages: &[&str]) -> super::Analysis {
    analyze(&NormalizedText::from_pages(pages), crate::test_matcher())
}

/// The trace of one topic, one line per entry.
fn trace(a: &super::Analysis, topic: Topic) -> String {
    let mut out = String::new();
    for e in a.trace.iter().filter(|e| e.topic == topic) {
        let _ = write!(
            out,
            "p{} l{} {} {:?}",
            e.finding.page, e.finding.line, e.role, e.finding.text
        );
        if let Some(via) = e.via {
            let _ = write!(out, " via: {via}");
        }
        if let Some(note) = &e.note {
            let _ = write!(out, " ({note})");
        }
        out.push('\n');
    }
    let r = a.topics.drug(topic).expect("a drug topic");
    let _ = writeln!(out, "=> {}", r.stance.as_str());
    out
}

fn stance(a: &super::Analysis, topic: Topic) -> Stance {
    a.topics.drug(topic).expect("a drug topic").stance
}

fn criteria(a: &super::Analysis, topic: Topic) -> Vec<Criterion> {
    a.topics.drug(topic).expect("a drug topic").criteria.clone()
}

/// Pages of the evidence for a topic.
fn evidence_pages(a: &super::Analysis, topic: Topic) -> Vec<u32> {
    let mut p: Vec<u32> = a
        .topics
        .drug(topic)
        .unwrap()
        .evidence
        .iter()
        .map(|f| f.page)
        .collect();
    p.dedup();
    p
}

#[test]
fn a_criteria_list_without_a_coverage_verb_is_coverage_with_criteria() {
    let a = run(&["Nasal esketamine (Spravato) - Riverbend Plan\n\
         Treatment-resistant depression\n\
         Initial criteria\n\
         - The member is 18 years of age or older; AND\n\
         - The member did not respond to two antidepressants from different classes; AND\n\
         - A psychiatrist prescribes the drug.\n\
         Approval duration\n\
         6 months\n"]);
    assert_eq!(stance(&a, Topic::ESKETAMINE), Stance::CoveredWithCriteria);
    let c = criteria(&a, Topic::ESKETAMINE);
    for want in [
        Criterion::PriorAuthorization,
        Criterion::AgeLimit,
        Criterion::TrialOfAntidepressants,
        Criterion::PrescriberSpecialty,
    ] {
        assert!(c.contains(&want), "{want:?} missing from {c:?}");
    }
    assert!(
        !c.contains(&Criterion::Reauthorization),
        "an approval period is not reauthorization"
    );
    assert_eq!(stance(&a, Topic::KETAMINE), Stance::NotAddressed);
    insta::assert_snapshot!(trace(&a, Topic::ESKETAMINE));
}

#[test]
fn a_limited_benefit_with_a_required_approval_is_coverage_with_criteria() {
    let a = run(&[
        "Spravato is a limited benefit under this plan for members 21 and older \
         with treatment-resistant depression. Racemic ketamine in any form is not a \
         covered benefit.\n",
    ]);
    assert_eq!(stance(&a, Topic::ESKETAMINE), Stance::CoveredWithCriteria);
    assert_eq!(stance(&a, Topic::KETAMINE), Stance::NotCovered);
    insta::assert_snapshot!(trace(&a, Topic::ESKETAMINE));
}

#[test]
fn a_notice_announcing_prior_authorization_criteria_is_coverage_with_criteria() {
    let a = run(&["Provider notice: changes for esketamine\n\n\
         From June 1, the prior authorization criteria for esketamine (Spravato) will \
         change. The following diagnosis codes will also be considered for prior \
         authorization: F32.2 and F33.2.\n"]);
    assert_eq!(stance(&a, Topic::ESKETAMINE), Stance::CoveredWithCriteria);
    assert!(criteria(&a, Topic::ESKETAMINE).contains(&Criterion::PriorAuthorization));
    insta::assert_snapshot!(trace(&a, Topic::ESKETAMINE));
}

#[test]
fn a_pointer_to_criteria_kept_elsewhere_says_nothing() {
    let a = run(&["Clinic news\n\n\
         RESEARCH NOTES: KETAMINE\n\
         A new study compared ketamine with other treatments for depression. \
         Coverage criteria are published in our medical policies.\n\n\
         Esketamine nasal spray is handled by the pharmacy program; see the drug list \
         and its prior authorization criteria.\n"]);
    assert_eq!(stance(&a, Topic::KETAMINE), Stance::NotAddressed);
    assert_eq!(stance(&a, Topic::ESKETAMINE), Stance::NotAddressed);
}

#[test]
fn a_regulator_approval_is_label_status_not_coverage() {
    let a = run(&[
        "Esketamine received its label in 2019: the FDA has approved it for adults \
         whose depression did not respond to other drugs.\n",
    ]);
    assert_eq!(stance(&a, Topic::ESKETAMINE), Stance::NotAddressed);
    insta::assert_snapshot!(trace(&a, Topic::ESKETAMINE));
}

#[test]
fn a_possibility_of_coverage_is_not_a_statement_of_it() {
    let a = run(&["Spravato (esketamine)\n\n\
         Check the member's drug list to verify that it is covered. Retirees' drugs may \
         be covered through a separate pharmacy carrier.\n"]);
    assert_eq!(stance(&a, Topic::ESKETAMINE), Stance::NotAddressed);
    insta::assert_snapshot!(trace(&a, Topic::ESKETAMINE));
}

#[test]
fn an_off_label_use_is_described_unless_the_plan_denies_it() {
    let described = run(&["Using ketamine drips for long-term pain is an off-label use.\n"]);
    assert_eq!(stance(&described, Topic::KETAMINE), Stance::NotAddressed);
    let denied =
        run(&["Using ketamine drips for long-term pain is an off-label use and is not covered.\n"]);
    assert_eq!(stance(&denied, Topic::KETAMINE), Stance::NotCovered);
}

#[test]
fn covered_on_one_named_plan_and_excluded_on_another_is_mixed() {
    let a = run(&[
        "Spravato is not covered under the Basic Formulary plans. Spravato is \
         covered with prior authorization under the Select Formulary plans.\n",
    ]);
    assert_eq!(stance(&a, Topic::ESKETAMINE), Stance::Mixed);
    insta::assert_snapshot!(trace(&a, Topic::ESKETAMINE));
}

#[test]
fn a_drug_list_row_is_its_drugs_listing_and_a_formulary_mention_is_not_a_drug_list() {
    let list =
        run(&["2027 Preferred Drug List\n\nAntidepressants\n\nbupropion  SPRAVATO  sertraline\n"]);
    assert_eq!(stance(&list, Topic::ESKETAMINE), Stance::Covered);
    let mention = run(&["Spravato (esketamine)\n\n\
         Please search the formulary with the member's ID before you prescribe.\n\n\
         Spravato (esketamine) is the S-enantiomer of ketamine.\n"]);
    assert_eq!(stance(&mention, Topic::ESKETAMINE), Stance::NotAddressed);
    assert_eq!(stance(&mention, Topic::KETAMINE), Stance::NotAddressed);
}

#[test]
fn an_infusion_of_anesthetics_is_the_drug_class_not_anesthesia_use() {
    let a = run(&[
        "Infusions of anesthetics such as ketamine are investigational when \
         given for chronic pain.\n",
    ]);
    assert_eq!(stance(&a, Topic::KETAMINE), Stance::NotCovered);
    let anesthesia = run(&["Ketamine used as an anesthetic for surgical procedures is covered.\n"]);
    assert_eq!(stance(&anesthesia, Topic::KETAMINE), Stance::NotAddressed);
}

#[test]
fn a_drug_named_once_in_a_long_book_takes_only_its_own_list() {
    // Eight pages of denial templates for other drugs, each its own.
    let classes = [
        "antacids",
        "statins",
        "inhalers",
        "insulins",
        "opioids",
        "stimulants",
        "antivirals",
        "glucose meters",
    ];
    let mut pages: Vec<String> = classes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            format!(
                "Template {i}: {c}\n\nWe cannot approve this request for {c}. Coverage of {c} is \
                 provided when your doctor shows a trial of {} preferred {c}. Your request for {c} \
                 was denied on review number {}.\n",
                i + 2,
                100 + i
            )
        })
        .collect();
    pages.push(
        "Template 9: compounded preparations\n\n\
         The coverage request cannot be approved and is denied for these reasons:\n\
         1. The compound is for convenience only\n\
         2. The compound contains one of the following ingredients:\n\
         baclofen, gabapentin, and ketamine\n\
         3. The compound is commercially available\n"
            .to_string(),
    );
    let refs: Vec<&str> = pages.iter().map(String::as_str).collect();
    let a = run(&refs);
    assert_eq!(stance(&a, Topic::KETAMINE), Stance::NotCovered);
    assert_eq!(
        evidence_pages(&a, Topic::KETAMINE),
        vec![9],
        "evidence only from its own page"
    );
    insta::assert_snapshot!(trace(&a, Topic::KETAMINE));
}

#[test]
fn a_phrase_waiting_for_its_object_is_about_the_drugs_that_follow() {
    let a = run(&[
        "Before any dose, a signed request is required for consideration of IV \
         ketamine or esketamine.\n",
    ]);
    assert_eq!(stance(&a, Topic::KETAMINE), Stance::CoveredWithCriteria);
    assert_eq!(stance(&a, Topic::ESKETAMINE), Stance::CoveredWithCriteria);
}

#[test]
fn a_question_states_no_coverage() {
    let a = run(&["Q: Does my plan cover ketamine infusions?\n\
         A: No. The plan does not cover ketamine infusions for depression.\n"]);
    assert_eq!(stance(&a, Topic::KETAMINE), Stance::NotCovered);
    insta::assert_snapshot!(trace(&a, Topic::KETAMINE));
}

#[test]
fn a_dose_cap_is_a_quantity_limit_not_a_negation() {
    let a = run(&[
        "Esketamine is covered when all of the following criteria are met:\n\
         - the dose does not exceed 84 mg per session; and\n\
         - up to 12 nasal spray devices are dispensed per 28 days.\n",
    ]);
    assert_eq!(stance(&a, Topic::ESKETAMINE), Stance::CoveredWithCriteria);
    assert!(criteria(&a, Topic::ESKETAMINE).contains(&Criterion::QuantityLimit));
}

#[test]
fn coverage_on_a_condition_is_coverage_with_criteria_not_a_possibility() {
    let a = run(&[
        "Nasal esketamine is covered only if the member's group has chosen the \
         behavioral health rider.\n",
    ]);
    assert_eq!(stance(&a, Topic::ESKETAMINE), Stance::CoveredWithCriteria);
    let b = run(&["Nasal esketamine may be covered under another group's rider.\n"]);
    assert_eq!(stance(&b, Topic::ESKETAMINE), Stance::NotAddressed);
}

#[test]
fn a_sentence_with_several_cues_is_shown_once_in_the_evidence() {
    let a = run(&[
        "Esketamine nasal spray (Spravato) | S0013 | Treatment-resistant depression | \
         Covered - prior authorization required; certified REMS site only\n",
    ]);
    assert_eq!(stance(&a, Topic::ESKETAMINE), Stance::CoveredWithCriteria);
    let evidence = &a.topics.drug(Topic::ESKETAMINE).unwrap().evidence;
    let sentences: Vec<&str> = evidence.iter().map(|f| f.sentence.as_str()).collect();
    assert_eq!(sentences.len(), 1, "{sentences:?}");
    // Every hit of the row is still a finding.
    let in_row = a
        .findings
        .iter()
        .filter(|f| f.sentence == sentences[0])
        .count();
    assert!(in_row >= 3, "{in_row} findings in the row");
}

#[test]
fn a_medical_policy_that_may_find_the_drug_necessary_on_criteria_requires_authorization() {
    let a = run(&[
        "Policy\n\nEsketamine nasal spray may be considered medically necessary for \
         adults when every item below is documented:\n\
         - a diagnosis of treatment-resistant MDD; and\n\
         - two antidepressant trials have failed.\n",
    ]);
    assert_eq!(stance(&a, Topic::ESKETAMINE), Stance::CoveredWithCriteria);
    let got = criteria(&a, Topic::ESKETAMINE);
    assert!(got.contains(&Criterion::PriorAuthorization), "{got:?}");
    assert!(got.contains(&Criterion::DiagnosisTrd), "{got:?}");
    // Calling it necessary, without conditions, asks for no approval.
    let b = run(&["Esketamine nasal spray may be considered medically necessary.\n"]);
    assert!(!criteria(&b, Topic::ESKETAMINE).contains(&Criterion::PriorAuthorization));
}

#[test]
fn an_approval_from_the_plan_that_is_required_is_prior_authorization() {
    let a = run(&[
        "Spravato Nasal Spray\nSpravato is a limited benefit for members 18 and \
         older with treatment-resistant depression. An approval from the plan's \
         utilization review team is required before the first session.\n",
    ]);
    assert_eq!(stance(&a, Topic::ESKETAMINE), Stance::CoveredWithCriteria);
    assert!(criteria(&a, Topic::ESKETAMINE).contains(&Criterion::PriorAuthorization));
}

#[test]
fn a_contrast_set_off_by_commas_does_not_negate_the_clause_after_it() {
    let a = run(&[
        "Spravato is covered. It is billed to the medical plan, not the drug plan, \
         and precertification is needed.\n",
    ]);
    assert_eq!(stance(&a, Topic::ESKETAMINE), Stance::CoveredWithCriteria);
    assert!(criteria(&a, Topic::ESKETAMINE).contains(&Criterion::PriorAuthorization));
}

#[test]
fn a_grid_row_that_refers_back_to_a_denial_restates_it_for_its_reason() {
    let a = run(&[
        "Policy\n\nIntravenous ketamine for chronic pain is investigational.\n\n\
         Gold HMO This is not a covered service. Silver PPO This is not a covered \
         service.\n",
    ]);
    let r = a.topics.drug(Topic::KETAMINE).expect("a drug topic");
    assert_eq!(r.stance, Stance::NotCovered);
    // The rows restate the denial: no plan exclusion of their own.
    assert_eq!(
        r.reasons,
        [crate::model::Reason::ExperimentalInvestigational]
    );
    assert!(
        r.evidence.iter().any(|f| f.text == "not a covered service"),
        "{:?}",
        r.evidence
    );
}

#[test]
fn the_grounds_given_for_a_denial_are_no_reason_of_their_own() {
    let a = run(&[
        "Ketamine infusion for depression is investigational because its long-term \
         benefit has not been established.\n",
    ]);
    let r = a.topics.drug(Topic::KETAMINE).expect("a drug topic");
    assert_eq!(
        r.reasons,
        [crate::model::Reason::ExperimentalInvestigational]
    );
    // Said on its own, the lack of evidence is the reason.
    let b = run(&["The benefit of ketamine infusion for depression has not been established.\n"]);
    let r = b.topics.drug(Topic::KETAMINE).expect("a drug topic");
    assert_eq!(r.reasons, [crate::model::Reason::Unproven]);
}

#[test]
fn a_diagnosis_the_drug_is_approved_or_used_for_is_no_criterion() {
    let a = run(&[
        "Esketamine nasal spray is FDA approved for treatment-resistant depression. \
         The plan covers esketamine with prior authorization for adults who have \
         major depressive disorder with suicidal ideation.\n",
    ]);
    let got = criteria(&a, Topic::ESKETAMINE);
    assert!(!got.contains(&Criterion::DiagnosisTrd), "{got:?}");
    assert!(got.contains(&Criterion::DiagnosisMddSuicidal), "{got:?}");
    assert!(got.contains(&Criterion::PriorAuthorization), "{got:?}");
}

#[test]
fn the_plans_own_statement_after_a_label_use_keeps_its_criteria() {
    let a = run(&[
        "In addition to its current indication for treatment-resistant depression, \
         esketamine will also be a benefit for adults with major depressive disorder \
         with suicidal ideation.\n",
    ]);
    let got = criteria(&a, Topic::ESKETAMINE);
    assert!(!got.contains(&Criterion::DiagnosisTrd), "{got:?}");
    assert!(got.contains(&Criterion::DiagnosisMddSuicidal), "{got:?}");
}
