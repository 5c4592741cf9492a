//! The kind of document: medical or pharmacy policy, PA criteria, PA
//! request form, provider notice, formulary or drug list, benefit summary
//! (SBC, EOC, SPD), member letter, review or appeal decision, billing
//! article.
//!
//! Owns: reading the kind from the title block (the first sentences and
//! the title lines of page one) and the running headers and footers,
//! where documents say what they are; the
//! words are `context` rules tagged `kind_*`, `formulary_doc`,
//! `approval_criteria` and `letter`. The stance stage reads statements by
//! kind (a formulary states coverage by listing a drug; a letter is judged
//! by its decision); `explain` shows the kind.
//!
//! Must not: decide stances.

use std::collections::BTreeSet;

use super::Context;
use super::sentence::SentenceKind;

/// What a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DocumentKind {
    /// An external, independent or appeal review decision.
    ReviewDecision,
    /// A letter to a member or provider (denial, approval, EOB).
    Letter,
    /// A prior-authorization request form.
    PaForm,
    /// A formulary, preferred drug list or drug list.
    Formulary,
    /// A benefit summary: SBC, evidence or certificate of coverage, SPD.
    BenefitSummary,
    /// A provider notice, alert, bulletin or newsletter.
    Notice,
    /// A billing or coding article.
    BillingArticle,
    /// Prior-authorization or approval criteria for a drug.
    PaCriteria,
    /// A medical, clinical, pharmacy or drug policy.
    Policy,
    /// Nothing in the title block says.
    #[default]
    Unknown,
}

impl DocumentKind {
    /// The name `explain` prints.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::ReviewDecision => "review or appeal decision",
            DocumentKind::Letter => "letter",
            DocumentKind::PaForm => "prior authorization request form",
            DocumentKind::Formulary => "formulary or drug list",
            DocumentKind::BenefitSummary => "benefit summary (SBC, EOC, SPD)",
            DocumentKind::Notice => "provider notice or bulletin",
            DocumentKind::BillingArticle => "billing or coding article",
            DocumentKind::PaCriteria => "prior authorization criteria",
            DocumentKind::Policy => "medical or pharmacy policy",
            DocumentKind::Unknown => "unknown",
        }
    }
}

/// Whether the document speaks as a letter: a salutation, "this letter",
/// "we reviewed your request" (two letter cues or more, anywhere).
pub fn letter_voice(ctx: &Context<'_>) -> bool {
    ctx.cues
        .iter()
        .filter(|c| ctx.rule(c).tag.as_deref() == Some("letter"))
        .count()
        >= LETTER_CUES
}

/// Whether a context tag names a kind of document (the tags a running
/// header or footer may carry).
pub fn is_kind_tag(tag: &str) -> bool {
    tag.starts_with("kind_")
}

/// How many leading sentences make a document's title block.
pub const TITLE_BLOCK: usize = 8;

/// The longest unpunctuated line that can title a document as a formulary
/// ("2026 Formulary (List of Covered Drugs)"); a sentence only mentions one
/// ("search the formulary to ...").
const FORMULARY_TITLE_WORDS: usize = 20;

/// How many letter cues make a document a letter.
const LETTER_CUES: usize = 2;

/// Whether sentence `si` belongs to the title block.
pub fn in_title_block(ctx: &Context<'_>, si: usize) -> bool {
    let s = &ctx.sentences[si];
    si < TITLE_BLOCK || (s.page == 0 && s.kind == SentenceKind::Title)
}

/// Reads the kind of a document, in order of precedence: what the title
/// block names (a review decision, a form, a drug list, a benefit summary,
/// a notice, a billing article) before the letter voice of the text (a
/// benefit summary also says "your plan"), and a letter before the policy
/// or criteria it cites.
pub fn detect(ctx: &Context<'_>, running: &BTreeSet<String>) -> DocumentKind {
    let tagged = |tag: &str| {
        running.contains(tag)
            || ctx
                .cues
                .iter()
                .any(|c| ctx.rule(c).tag.as_deref() == Some(tag) && in_title_block(ctx, c.sentence))
    };
    if tagged("kind_review") {
        DocumentKind::ReviewDecision
    } else if tagged("kind_pa_form") {
        DocumentKind::PaForm
    } else if is_formulary(ctx) {
        DocumentKind::Formulary
    } else if tagged("kind_benefit_summary") {
        DocumentKind::BenefitSummary
    } else if tagged("kind_notice") {
        DocumentKind::Notice
    } else if tagged("kind_billing") {
        DocumentKind::BillingArticle
    } else if ctx.letter {
        DocumentKind::Letter
    } else if tagged("approval_criteria") {
        DocumentKind::PaCriteria
    } else if tagged("kind_policy") {
        DocumentKind::Policy
    } else {
        DocumentKind::Unknown
    }
}

/// A formulary or drug list says so in a title line at the top of its
/// first page ("2026 Formulary (List of Covered Drugs)"), not in passing
/// ("non-formulary drugs", "search the formulary to ...").
fn is_formulary(ctx: &Context<'_>) -> bool {
    let head_end = ctx
        .sentences
        .get(..ctx.sentences.len().min(6))
        .and_then(<[_]>::last)
        .map_or(0, |s| s.end());
    ctx.cues.iter().any(|c| {
        let s = &ctx.sentences[c.sentence];
        let title_like = matches!(s.kind, SentenceKind::Title | SentenceKind::Heading)
            || (ctx.word_count(c.sentence) <= FORMULARY_TITLE_WORDS
                && !s.text.trim_end().ends_with(['.', '?', '!']));
        ctx.rule(c).tag.as_deref() == Some("formulary_doc")
            && c.hit.start < head_end
            && title_like
            && !ctx.grammar().negating_prefixes.iter().any(|p| {
                let before = &ctx.flat.as_bytes()[..c.hit.start];
                before.len() >= p.len()
                    && before[before.len() - p.len()..].eq_ignore_ascii_case(p.as_bytes())
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::analyze;
    use crate::normalize::NormalizedText;

    fn kind(text: &str) -> DocumentKind {
        analyze(&NormalizedText::from_pages(&[text]), crate::test_matcher()).kind
    }

    #[test]
    fn the_title_block_says_what_a_document_is() {
        let cases = [
            (
                "Lakeview Health\nMedical Policy MP-210\nKetamine infusions\n\nPolicy\nKetamine is not covered.\n",
                DocumentKind::Policy,
            ),
            (
                "Prior Authorization Request Form\nNasal esketamine\n\nPatient name:\n",
                DocumentKind::PaForm,
            ),
            (
                "2027 Preferred Drug List\n\nAntidepressants\nbupropion  SPRAVATO\n",
                DocumentKind::Formulary,
            ),
            (
                "Provider Alert: esketamine criteria change\n\nFrom May 1 the criteria change.\n",
                DocumentKind::Notice,
            ),
            (
                "Summary of Benefits and Coverage: Gold PPO\n\nWhat this plan covers.\n",
                DocumentKind::BenefitSummary,
            ),
            (
                "Billing and Coding: nasal esketamine\n\nUse G2082 for the visit.\n",
                DocumentKind::BillingArticle,
            ),
            (
                "Nasal esketamine\nInitial approval criteria\n- age 18 or older\n",
                DocumentKind::PaCriteria,
            ),
            (
                "Dear Member,\n\nWe reviewed your request for ketamine infusions. Your request is denied.\n",
                DocumentKind::Letter,
            ),
            (
                "Independent Medical Review Decision\n\nThe denial is overturned.\n",
                DocumentKind::ReviewDecision,
            ),
            (
                "Some notes on depression care\n\nTalk to your doctor.\n",
                DocumentKind::Unknown,
            ),
        ];
        for (text, want) in cases {
            assert_eq!(kind(text), want, "{text:?}");
        }
    }

    #[test]
    fn a_kind_named_only_deep_in_the_text_is_not_the_documents() {
        let mut text = String::from("Lakeview Health newsletter\n\n");
        for i in 0..12 {
            text.push_str(&format!(
                "Item {i} of the news is about flu shots and clinic hours.\n"
            ));
        }
        text.push_str("Our provider bulletin and the formulary are online.\n");
        assert_eq!(kind(&text), DocumentKind::Notice);
        let plain = "Some notes on depression care\n\nPatients can talk with a doctor. ".repeat(6)
            + "See the prior authorization request form online.\n";
        assert_eq!(kind(&plain), DocumentKind::Unknown);
    }
}
