//! Topic attribution and per-topic stance.
//!
//! Owns: deciding which drug topic each sentence speaks about, turning each
//! coverage cue into a [`Statement`] (polarity, reason, conditions, the uses
//! it concerns, how much it counts), and aggregating statements into a
//! stance with reasons, criteria and evidence.
//!
//! Attribution, in order: the sentence names the drug (anesthetic mentions
//! and pointers to other policies do not count); a list item takes its
//! lead-in's topic; a table cell takes the topic of the row label before it;
//! an anaphoric sentence ("It is...", "This service...") takes the topic of
//! the last statement; a sentence under a title line naming a drug takes
//! that drug; criteria under a criteria heading take the topic in focus.
//! Remark-code legends (EOBs) lend their statement to the claim lines that
//! cite the code. A letter about one drug lends that drug to its decision
//! sentences.
//!
//! Aggregation encodes how analysts read policies: rationale, references,
//! history and notices never decide; background sentences count only in
//! policy voice and only when nothing in the policy sections speaks; in
//! letters the decision decides ("overturned" beats the quoted denial,
//! "upheld" beats everything); a named covered use with criteria is not
//! undone by catch-alls, off-label limits or exclusions of sub-populations
//! (they are limits of the coverage), but a denial for a different named
//! use (depression vs pain) makes the stance `mixed`.
//!
//! Must not: find hits or scope negation (done before this stage).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use regex::Regex;

use super::sentence::SentenceKind;
use super::{Context, Cue};
use crate::model::{Criterion, Finding, Reason, Stance, Topic, TopicResult, Topics};
use crate::patterns::{Category, SectionKind};

/// Whether a statement grants or denies coverage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polarity {
    /// Covered (possibly with conditions).
    Positive,
    /// Not covered.
    Negative,
}

/// How a sentence was tied to a topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// The sentence names the drug.
    Mention,
    /// A list item under a lead-in that names the drug.
    LeadIn,
    /// An anaphoric sentence ("It is...") after a statement on the drug.
    Focus,
    /// A title line above names the drug.
    Heading,
    /// A table cell in the row of a label naming the drug.
    TableCell,
    /// A remark-code legend cited on a claim line naming the drug.
    Legend,
    /// The document speaks of this one drug only.
    Document,
    /// A row of a formulary or drug list names the drug.
    Listing,
}

impl Via {
    /// Human-readable name for `explain`.
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Mention => "names the drug",
            Via::LeadIn => "item of a list whose lead-in names the drug",
            Via::Focus => "refers back to the drug",
            Via::Heading => "under a heading naming the drug",
            Via::TableCell => "table cell in the row of a label naming the drug",
            Via::Legend => "remark-code legend cited on a claim line naming the drug",
            Via::Document => "the document speaks of this drug only",
            Via::Listing => "a formulary or drug-list row names the drug",
        }
    }
}

/// How much a statement counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    /// A statement in a policy part of the document.
    Normal,
    /// A background sentence in policy voice: counts only when no policy
    /// statement speaks to the topic.
    Weak,
}

/// One coverage cue read as a statement about one topic.
#[derive(Debug, Clone)]
pub struct Statement {
    /// Index of the cue that locates the statement (the evidence).
    pub cue: usize,
    /// Index of the cue whose meaning the statement carries, when it is
    /// not `cue` (a lead-in, a legend).
    pub source: Option<usize>,
    /// The topic.
    pub topic: Topic,
    /// How the topic was attributed.
    pub via: Via,
    /// Positive or negative.
    pub polarity: Polarity,
    /// The reason, for negative statements.
    pub reason: Option<Reason>,
    /// Conditional coverage ("medically necessary when", "not covered
    /// unless the criteria are met").
    pub conditional: bool,
    /// A decision in a letter or claim (approved, denied, overturned, upheld).
    pub decision: bool,
    /// Positive only because a denial term is negated ("not experimental").
    pub by_negation: bool,
    /// A catch-all ("all other indications").
    pub catch_all: bool,
    /// Psychiatric use named with it.
    pub psychiatric: bool,
    /// Pain use named with it.
    pub pain: bool,
    /// The named conditions it speaks of ("depression", "crps", ...).
    pub conditions: BTreeSet<&'static str>,
    /// How much it counts.
    pub weight: Weight,
    /// Why the statement does not count, if it does not.
    pub ignored: Option<&'static str>,
    /// A negative statement read as a limit of a covered use.
    pub limitation: bool,
    /// Another cue shown with the statement as evidence: where its topic
    /// or its meaning came from (a row label, a lead-in, the subject of a
    /// sentence that started on the page before).
    pub anchor: Option<usize>,
}

/// One hit that went into (or was set aside from) a topic's decision, as
/// `explain` prints it.
#[derive(Debug, Clone)]
pub struct TraceEntry {
    /// The topic.
    pub topic: Topic,
    /// The hit, located.
    pub finding: Finding,
    /// The rule's description.
    pub description: String,
    /// What the hit says: "positive", "negative (reason)", "criterion
    /// (name)", "mention", "parity".
    pub role: String,
    /// How the sentence was tied to the topic.
    pub via: Option<&'static str>,
    /// Why it did not count, or how it counted (limitation, catch-all).
    pub note: Option<String>,
    /// The negation trigger that applied.
    pub negated_by: Option<String>,
    /// The hedge trigger that applied.
    pub hedged_by: Option<String>,
}

/// The result of the stance stage.
#[derive(Debug, Clone)]
pub struct Decided {
    /// Per-topic results.
    pub topics: Topics,
    /// Every hit considered per topic, for `explain`.
    pub trace: Vec<TraceEntry>,
    /// The topic each cue was attributed to (when exactly one).
    cue_topics: Vec<Option<Topic>>,
}

impl Decided {
    /// The topic a cue was attributed to, when it is exactly one.
    pub fn cue_topic(&self, cue: usize) -> Option<Topic> {
        self.cue_topics.get(cue).copied().flatten()
    }
}

fn is_coverage(c: Category) -> bool {
    matches!(
        c,
        Category::Experimental
            | Category::Unproven
            | Category::OffLabel
            | Category::MedicalNecessity
            | Category::Exclusion
            | Category::Coverage
    )
}

const ANAPHORA: &[&str] = &[
    "it ",
    "it's",
    "this ",
    "these ",
    "they ",
    "such ",
    "the drug",
    "the medication",
    "the product",
    "the treatment",
    "the therapy",
    "the service",
    "the infusion",
    "the request",
    "the procedure",
    "the nasal spray",
    "treatment ",
    "coverage ",
    "its ",
    "use of this",
    "use of the",
    "the requested",
    "the above",
    "this drug",
    "this medication",
    "this service",
    "the exception",
    "the approval",
    "your request",
    "the denial",
];

/// A remark code at the start of a legend line ("EX41 This service...").
static LEGEND: LazyLock<Regex> =
    LazyLock::new(|| crate::textutil::ascii_regex(r"^([A-Z]{1,3}\d{1,3})\b\s*[-:–]?\s+\S"));

/// Per-sentence facts used by attribution and statements.
struct Facts {
    /// Effective drug mentions: (topic, hit start, cue index).
    mentions: Vec<Vec<(Topic, usize, usize)>>,
    /// Whether the sentence holds a coverage cue.
    has_cues: Vec<bool>,
    /// Topics mentioned (effectively) outside informative sections.
    doc_topics: BTreeSet<Topic>,
    /// The document is a letter (a salutation, "this letter", "we
    /// reviewed your request"...).
    letter: bool,
}

impl Context<'_> {
    /// Whether a clause boundary lies between two offsets.
    fn clause_break(&self, from: usize, to: usize) -> bool {
        let seg = &self.flat[from..to];
        if seg
            .char_indices()
            .any(|(i, c)| c == ';' || (c == '.' && seg[i + 1..].starts_with(' ')))
        {
            return true;
        }
        let lower = seg.to_ascii_lowercase();
        [
            " but ",
            " however",
            " whereas ",
            " while ",
            ", except",
            " unlike ",
        ]
        .iter()
        .any(|w| lower.contains(w))
    }

    fn word_count(&self, si: usize) -> usize {
        self.sentences[si].text.split_whitespace().count()
    }

    fn is_anaphoric(&self, si: usize) -> bool {
        let t = self.sentences[si].text.trim_start().to_lowercase();
        ANAPHORA.iter().any(|a| t.starts_with(a))
    }

    fn sentence_cues(&self, si: usize) -> impl Iterator<Item = (usize, &Cue)> + '_ {
        self.by_sentence[si]
            .iter()
            .map(move |&c| (c, &self.cues[c]))
    }
}

/// Drug mentions in a sentence that count: not anesthetic, not redirected
/// to another policy.
fn effective_mentions(ctx: &Context<'_>, si: usize) -> Vec<(Topic, usize, usize)> {
    let anesthetic = ctx.has_tag(si, "anesthesia")
        && !ctx.has_tag(si, "use_psychiatric")
        && !ctx.has_tag(si, "use_pain");
    let redirects: Vec<usize> = ctx
        .sentence_cues(si)
        .filter(|(_, c)| ctx.rule(c).tag.as_deref() == Some("redirect"))
        .map(|(_, c)| c.hit.start)
        .collect();
    let mut out = Vec::new();
    for (ci, cue) in ctx.sentence_cues(si) {
        let topic = match ctx.rule(cue).category {
            Category::Ketamine if !anesthetic => Topic::Ketamine,
            Category::Esketamine => Topic::Esketamine,
            _ => continue,
        };
        let redirected = redirects
            .iter()
            .any(|&r| !ctx.clause_break(cue.hit.start.min(r), cue.hit.start.max(r)));
        if !redirected {
            out.push((topic, cue.hit.start, ci));
        }
    }
    out
}

fn facts(ctx: &Context<'_>) -> Facts {
    let n = ctx.sentences.len();
    let mentions: Vec<_> = (0..n).map(|si| effective_mentions(ctx, si)).collect();
    let has_cues = (0..n)
        .map(|si| {
            ctx.sentence_cues(si)
                .any(|(_, c)| is_coverage(ctx.rule(c).category))
        })
        .collect();
    let doc_topics = (0..n)
        .filter(|&si| !never_counts(ctx.sentences[si].section))
        .flat_map(|si| mentions[si].iter().map(|m| m.0))
        .collect();
    let letter = ctx
        .cues
        .iter()
        .filter(|c| ctx.rule(c).tag.as_deref() == Some("letter"))
        .count()
        >= 2;
    Facts {
        mentions,
        has_cues,
        doc_topics,
        letter,
    }
}

fn never_counts(section: SectionKind) -> bool {
    matches!(
        section,
        SectionKind::Rationale
            | SectionKind::References
            | SectionKind::History
            | SectionKind::Notices
    )
}

fn topics_of(m: &[(Topic, usize, usize)]) -> Vec<Topic> {
    let set: BTreeSet<Topic> = m.iter().map(|x| x.0).collect();
    set.into_iter().collect()
}

/// A short line with no digits and no cues, starting upper case: a table
/// row label for something else ("Vagus nerve stimulation").
fn is_row_label(ctx: &Context<'_>, f: &Facts, si: usize) -> bool {
    let t = &ctx.sentences[si].text;
    ctx.word_count(si) <= 6
        && !t.chars().any(|c| c.is_ascii_digit())
        && !f.has_cues[si]
        && !t.ends_with('.')
        && t.chars().next().is_some_and(char::is_uppercase)
}

/// Demonstratives that point back to the drug of an earlier sentence
/// ("Lakeshore considers these uses experimental").
static DEMONSTRATIVE: LazyLock<Regex> = LazyLock::new(|| {
    crate::textutil::ascii_regex(
        r"(?i)\b(?:these|this|such|the\s+requested)\s+(?:uses?|indications?|services?|treatments?|therap(?:y|ies)|infusions?|conditions?|drugs?|medications?|products?|requests?|agents?)\b",
    )
});

/// The topics of each sentence, and for sentences that took their topic
/// from another sentence (a row label, a lead-in, a heading, the sentence
/// in focus), that sentence.
struct Attributed {
    topics: Vec<Vec<(Topic, Via)>>,
    lender: Vec<Option<usize>>,
}

/// Ties every sentence to the topics it speaks about.
fn attribute(ctx: &Context<'_>, f: &Facts) -> Attributed {
    let n = ctx.sentences.len();
    let mut attr: Vec<Vec<(Topic, Via)>> = vec![Vec::new(); n];
    let mut lender: Vec<Option<usize>> = vec![None; n];
    let mut focus: Option<(Vec<Topic>, usize)> = None;
    // The open table row: its topics, its label and how many cells it may
    // still take.
    let mut row: Option<(Vec<Topic>, usize, usize)> = None;
    for si in 0..n {
        let s = &ctx.sentences[si];
        let topics = topics_of(&f.mentions[si]);
        match s.kind {
            SentenceKind::Heading => {
                if s.section.is_informative() || s.section == SectionKind::Exclusions {
                    focus = None;
                }
                row = None;
                // "Continuation Criteria: Spravato" lends its drug like a title.
                if !topics.is_empty() {
                    focus = Some((topics.clone(), si));
                    attr[si] = topics.iter().map(|&t| (t, Via::Mention)).collect();
                }
                continue;
            }
            SentenceKind::Title => {
                row = None;
                if !topics.is_empty() {
                    focus = Some((topics.clone(), si));
                    attr[si] = topics.iter().map(|&t| (t, Via::Mention)).collect();
                }
                continue;
            }
            _ => {}
        }
        if !topics.is_empty() {
            attr[si] = topics.iter().map(|&t| (t, Via::Mention)).collect();
            // A statement on the drug (with a cue, or negated or hedged
            // without one: "members may NOT be eligible for ketamine") is
            // what a following "This is..." refers to.
            let speaks = f.has_cues[si]
                || s.is_lead_in()
                || s.kind == SentenceKind::Item
                || (!s.section.is_informative()
                    && f.mentions[si]
                        .iter()
                        .any(|&(_, _, c)| ctx.cues[c].scope.negated));
            if speaks {
                focus = Some((topics.clone(), si));
            }
            // A short line without a full stop labels a table row.
            let label = ctx.word_count(si) <= 16 && !s.text.trim_end().ends_with('.');
            row = label.then_some((topics, si, 6));
            continue;
        }
        // No mention of its own. A remark-code legend line speaks through
        // the claim lines that cite its code, not through its neighbours.
        if LEGEND.is_match(&s.text) && f.has_cues[si] {
            row = None;
            continue;
        }
        if let Some((rt, label, left)) = &mut row {
            if *left > 0 && ctx.word_count(si) <= 20 && !is_row_label(ctx, f, si) {
                *left -= 1;
                attr[si] = rt.iter().map(|&t| (t, Via::TableCell)).collect();
                lender[si] = Some(*label);
                continue;
            }
            row = None;
        }
        if let Some(l) = s.lead_in
            && !attr[l].is_empty()
        {
            attr[si] = attr[l].iter().map(|&(t, _)| (t, Via::LeadIn)).collect();
            lender[si] = if f.mentions[l].is_empty() {
                lender[l]
            } else {
                Some(l)
            };
            continue;
        }
        if let Some((ft, fsi)) = &focus {
            let recent = si - fsi <= 3 || ctx.sentences[*fsi].block == s.block;
            if recent && (ctx.is_anaphoric(si) || DEMONSTRATIVE.is_match(&s.text)) {
                attr[si] = ft.iter().map(|&t| (t, Via::Focus)).collect();
                lender[si] = Some(*fsi);
                continue;
            }
        }
        if let Some(h) = s.heading
            && !attr[h].is_empty()
        {
            attr[si] = attr[h].iter().map(|&(t, _)| (t, Via::Heading)).collect();
            lender[si] = Some(h);
            continue;
        }
        if s.section == SectionKind::Criteria
            && let Some((ft, fsi)) = &focus
        {
            attr[si] = ft.iter().map(|&t| (t, Via::Focus)).collect();
            lender[si] = Some(*fsi);
        }
    }
    Attributed {
        topics: attr,
        lender,
    }
}

/// Words that open a subordinate or relative clause: a drug named after
/// one of them, later than the cue, is not what the cue is about
/// ("psychotherapy remains covered even if the member received ketamine").
const SUBORDINATORS: &[&str] = &[
    "if", "when", "whether", "although", "though", "unless", "because", "since", "even", "who",
    "whom", "whose", "which", "that", "after", "before", "while", "once", "where",
];

/// Whether a drug mention can be what a cue speaks of: not itself negated
/// ("visits that are not part of a ketamine program are covered"), and,
/// when it follows the cue, not inside a subordinate clause.
fn governs(ctx: &Context<'_>, cue: &Cue, mention: &(Topic, usize, usize)) -> bool {
    // A negation that belongs to a coverage phrase ("Coverage is not
    // provided for ketamine") negates the predicate, not the drug.
    if let Some(neg) = ctx.cues[mention.2].scope.negated_by {
        let in_cue = ctx.sentence_cues(cue.sentence).any(|(_, c)| {
            is_coverage(ctx.rule(c).category) && c.hit.start <= neg.start && neg.end <= c.hit.end
        });
        if !in_cue {
            return false;
        }
    }
    if mention.1 <= cue.hit.start {
        return true;
    }
    let between = &ctx.flat[cue.hit.end.min(mention.1)..mention.1];
    !between
        .split(|c: char| !c.is_ascii_alphabetic())
        .any(|w| SUBORDINATORS.contains(&w.to_ascii_lowercase().as_str()))
}

/// For a cue in a sentence naming both drugs, the topics its clause is
/// about: the nearest preceding mention in the clause (with mentions
/// coordinated to it, "ketamine and esketamine"), else the nearest
/// following one, else the nearest before it in the sentence.
fn topics_for_cue(ctx: &Context<'_>, cue: &Cue, mentions: &[(Topic, usize, usize)]) -> Vec<Topic> {
    let governing: Vec<(Topic, usize, usize)> = mentions
        .iter()
        .copied()
        .filter(|m| governs(ctx, cue, m))
        .collect();
    let mentions = governing.as_slice();
    let distinct: BTreeSet<Topic> = mentions.iter().map(|m| m.0).collect();
    if distinct.len() <= 1 {
        return distinct.into_iter().collect();
    }
    let at = cue.hit.start;
    let before = mentions
        .iter()
        .filter(|m| m.1 < at && !ctx.clause_break(m.1, at))
        .max_by_key(|m| m.1);
    let after = mentions
        .iter()
        .filter(|m| m.1 > at && !ctx.clause_break(at, m.1))
        .min_by_key(|m| m.1);
    let anchor = before
        .or(after)
        .or_else(|| mentions.iter().filter(|m| m.1 < at).max_by_key(|m| m.1))
        .or_else(|| mentions.first());
    let Some(&(t0, p0, _)) = anchor else {
        return Vec::new();
    };
    let mut out = vec![t0];
    for &(t, p, _) in mentions {
        if t == t0 {
            continue;
        }
        let (a, b) = (p.min(p0), p.max(p0));
        let between = ctx.flat[a..b].to_ascii_lowercase();
        let coordinated = between.len() < 60
            && (between.contains(" and ") || between.contains(" or ") || between.contains(", "))
            && !ctx.clause_break(a, b)
            && !between.contains("unlike")
            && !between.contains("not ");
        if coordinated {
            out.push(t);
        }
    }
    out.sort();
    out.dedup();
    out
}

/// What a cue says: (polarity, reason, conditional, decision, by_negation).
type Reading = (Polarity, Option<Reason>, bool, bool, bool);

/// Whether a cue states a decision: a decision rule, not hedged ("will be
/// denied if...").
fn is_decision(ctx: &Context<'_>, cue: &Cue) -> bool {
    ctx.rule(cue).id.starts_with("decision.") && !cue.scope.hedged
}

/// Reads one coverage cue. `None` when the cue says nothing either way.
fn read_cue(ctx: &Context<'_>, cue: &Cue) -> Option<Reading> {
    let rule = ctx.rule(cue);
    let negated = cue.scope.negated;
    // "Requests will be denied if any apply" is a rule, not a decision.
    let decision = is_decision(ctx, cue);
    Some(match rule.category {
        Category::Experimental | Category::OffLabel | Category::Unproven => {
            if negated {
                (Polarity::Positive, None, cue.scope.hedged, false, true)
            } else {
                (Polarity::Negative, rule.reason, false, false, false)
            }
        }
        Category::MedicalNecessity => {
            if rule.negative {
                (Polarity::Negative, rule.reason, false, false, false)
            } else if negated {
                (
                    Polarity::Negative,
                    Some(Reason::NotMedicallyNecessary),
                    false,
                    false,
                    false,
                )
            } else {
                (Polarity::Positive, None, true, false, false)
            }
        }
        Category::Exclusion => (Polarity::Negative, rule.reason, false, decision, false),
        Category::Coverage => {
            if negated {
                (Polarity::Negative, None, false, decision, false)
            } else {
                let conditional = cue.scope.hedged && criteria_follow(ctx, cue);
                (Polarity::Positive, None, conditional, decision, false)
            }
        }
        Category::Context if rule.tag.as_deref() == Some("cost_share") => {
            (Polarity::Positive, None, false, false, false)
        }
        _ => return None,
    })
}

/// Whether criteria (or a reference to criteria) follow a cue in its
/// sentence.
fn criteria_follow(ctx: &Context<'_>, cue: &Cue) -> bool {
    ctx.sentences[cue.sentence].is_lead_in()
        || ctx.sentence_cues(cue.sentence).any(|(_, c)| {
            c.hit.start >= cue.hit.end
                && (ctx.rule(c).category == Category::Criteria
                    || ctx.rule(c).tag.as_deref() == Some("criteria_reference"))
        })
}

/// Whether a negative cue is lifted by an "unless / except" clause that
/// points at criteria ("not covered unless ALL of the following criteria
/// are met"), as opposed to a clinical-trial exception.
fn lifted_by_criteria(ctx: &Context<'_>, cue: &Cue) -> bool {
    let Some(h) = cue.scope.hedged_by else {
        return false;
    };
    if h.start < cue.hit.end {
        return false;
    }
    let word = ctx.flat[h.start..h.end].to_ascii_lowercase();
    if !(word.starts_with("unless") || word.starts_with("except")) {
        return false;
    }
    let mut criteria = false;
    for (_, c) in ctx.sentence_cues(cue.sentence) {
        if c.hit.start < h.start {
            continue;
        }
        let r = ctx.rule(c);
        match (r.category, r.tag.as_deref()) {
            (Category::Context, Some("clinical_trial")) => return false,
            (Category::Context, Some("criteria_reference")) | (Category::Criteria, _) => {
                criteria = true;
            }
            _ => {}
        }
    }
    criteria || ctx.sentences[cue.sentence].is_lead_in()
}

/// Whether a catch-all context cue belongs with this cue: in the same
/// sentence with no cue of the opposite polarity between them, and no
/// named use between them ("for depression and all other psychiatric
/// conditions" names depression: it is not a catch-all).
fn catch_all_for(ctx: &Context<'_>, cue: &Cue, polarity: Polarity) -> bool {
    let cues: Vec<&Cue> = ctx.sentence_cues(cue.sentence).map(|(_, c)| c).collect();
    cues.iter()
        .filter(|c| ctx.rule(c).tag.as_deref() == Some("catch_all"))
        .any(|ca| {
            let (a, b) = if ca.hit.start < cue.hit.start {
                (ca.hit.end, cue.hit.start)
            } else {
                (cue.hit.end, ca.hit.start)
            };
            !cues.iter().any(|o| {
                let inside = o.hit.start >= a && o.hit.end <= b;
                let rule = ctx.rule(o);
                let opposite =
                    is_coverage(rule.category) && read_cue(ctx, o).is_some_and(|r| r.0 != polarity);
                let named_use = matches!(rule.tag.as_deref(), Some("use_psychiatric" | "use_pain"));
                inside && (opposite || named_use)
            })
        })
}

/// The condition a use cue names, as a key; `None` for generic words
/// ("psychiatric", "mental health").
fn condition_key(text: &str) -> Option<&'static str> {
    let t = text.to_ascii_lowercase();
    let key = if t.contains("suicid") {
        "suicidal_ideation"
    } else if t.starts_with("depress") || t == "mdd" || t == "trd" || t.contains("mood") {
        "depression"
    } else if t.contains("ptsd") || t.contains("traumatic") {
        "ptsd"
    } else if t.contains("bipolar") {
        "bipolar"
    } else if t.contains("anxiety") {
        "anxiety"
    } else if t.contains("ocd") || t.contains("obsessive") {
        "ocd"
    } else if t.contains("substance") || t.contains("alcohol") {
        "substance_use"
    } else if t.contains("eating") {
        "eating_disorder"
    } else if t.contains("schizo") {
        "psychosis"
    } else if t.contains("crps")
        || t.contains("complex regional")
        || t.contains("reflex sympathetic")
    {
        "crps"
    } else if t.contains("fibromyalgia") {
        "fibromyalgia"
    } else if t.contains("neuropath") {
        "neuropathic_pain"
    } else if t.contains("migraine") || t.contains("headache") {
        "headache"
    } else if t == "pain" {
        "pain"
    } else {
        return None;
    };
    Some(key)
}

/// The named conditions of a sentence (or, when it names none but a
/// generic "pain", of its lead-in): a generic "pain" gives way to a
/// specific pain condition named beside it.
fn conditions_of(ctx: &Context<'_>, si: usize) -> BTreeSet<&'static str> {
    let mut out = BTreeSet::new();
    for s in std::iter::once(si).chain(ctx.sentences[si].lead_in) {
        if out.iter().any(|&k| k != "pain") {
            break;
        }
        for (_, c) in ctx.sentence_cues(s) {
            if matches!(
                ctx.rule(c).tag.as_deref(),
                Some("use_psychiatric" | "use_pain")
            ) && let Some(k) = condition_key(ctx.matched(c))
            {
                out.insert(k);
            }
        }
    }
    if out.len() > 1 {
        out.remove("pain");
    }
    out
}

/// The approved indications of esketamine: limiting coverage to them, or
/// denying it beyond them, is a criterion, not a second stance.
const ESKETAMINE_INDICATIONS: &[&str] = &["depression", "suicidal_ideation"];

fn uses_of(ctx: &Context<'_>, si: usize) -> (bool, bool) {
    let mut psych = ctx.has_tag(si, "use_psychiatric");
    let mut pain = ctx.has_tag(si, "use_pain");
    // An item names its use, or takes the one of its lead-in.
    if !(psych || pain)
        && let Some(l) = ctx.sentences[si].lead_in
    {
        psych |= ctx.has_tag(l, "use_psychiatric");
        pain |= ctx.has_tag(l, "use_pain");
    }
    (psych, pain)
}

/// How a sentence's statements count: `Err(reason)` when they do not.
fn weigh(
    ctx: &Context<'_>,
    si: usize,
    polarity: Polarity,
    repeated: &BTreeSet<usize>,
) -> Result<Weight, &'static str> {
    let s = &ctx.sentences[si];
    // A heading is not a statement, unless it announces a decision
    // ("APPEAL DECISION: OVERTURNED").
    let decision = ctx.sentence_cues(si).any(|(_, c)| is_decision(ctx, c));
    if matches!(s.kind, SentenceKind::Heading | SentenceKind::Title) && !decision {
        return Err("a heading, not a statement");
    }
    if ctx.has_tag(si, "history") {
        return Err("describes a past version");
    }
    if polarity == Polarity::Negative && ctx.has_tag(si, "out_of_network") {
        return Err("an out-of-network rule, not a stance on the drug");
    }
    if repeated.contains(&si) {
        return Err("a table column value repeated on many rows");
    }
    let voice = ctx.has_tag(si, "policy_voice");
    match s.section {
        SectionKind::Rationale => Err("in a rationale / evidence section"),
        SectionKind::References => Err("in the references"),
        SectionKind::History => Err("in the policy history"),
        SectionKind::Notices => Err("in a member notice"),
        SectionKind::Background if voice => Ok(Weight::Weak),
        SectionKind::Background => Err("in a background section, not in policy voice"),
        SectionKind::Coding | SectionKind::Definitions if !voice => {
            Err("in a coding or definitions section, not in policy voice")
        }
        _ => Ok(Weight::Normal),
    }
}

/// Short cue-only sentences that repeat on three or more rows of a table
/// ("Not covered" in an out-of-network column).
fn repeated_cells(ctx: &Context<'_>) -> BTreeSet<usize> {
    let mut by_text: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (si, s) in ctx.sentences.iter().enumerate() {
        if s.text.split_whitespace().count() <= 5 {
            by_text.entry(s.text.to_lowercase()).or_default().push(si);
        }
    }
    by_text
        .into_values()
        .filter(|v| v.len() >= 3)
        .flatten()
        .collect()
}

/// Remark-code legends: code → sentence that defines it.
fn legends(ctx: &Context<'_>, f: &Facts) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for (si, s) in ctx.sentences.iter().enumerate() {
        if !f.has_cues[si] {
            continue;
        }
        if let Some(c) = LEGEND.captures(&s.text) {
            out.entry(c[1].to_string()).or_insert(si);
        }
    }
    out
}

struct Builder<'c, 'a> {
    ctx: &'c Context<'a>,
    repeated: BTreeSet<usize>,
    statements: Vec<Statement>,
    cue_topics: Vec<Option<Topic>>,
    /// The sentence each sentence took its topic from, if any.
    lender: &'c [Option<usize>],
}

impl Builder<'_, '_> {
    /// Adds statements reading `source` (a cue) about `topics`, located at
    /// `cue`, in sentence `si`.
    fn add(&mut self, si: usize, cue: usize, source: usize, topics: &[(Topic, Via)]) {
        let ctx = self.ctx;
        let src = &ctx.cues[source];
        let Some((mut polarity, mut reason, mut conditional, decision, by_negation)) =
            read_cue(ctx, src)
        else {
            return;
        };
        if polarity == Polarity::Negative && lifted_by_criteria(ctx, src) {
            polarity = Polarity::Positive;
            reason = None;
            conditional = true;
        }
        if polarity == Polarity::Negative
            && reason.is_none()
            && ctx.sentences[si].section == SectionKind::Exclusions
        {
            reason = Some(Reason::PlanExclusion);
        }
        let catch_all = catch_all_for(ctx, src, polarity);
        let (mut psychiatric, mut pain) = uses_of(ctx, si);
        let mut conditions = conditions_of(ctx, si);
        // "This is considered experimental for these conditions": the uses
        // and conditions are those of the sentence referred back to.
        if matches!(topics.first(), Some((_, Via::Focus)))
            && let Some(l) = self.lender[si]
        {
            if !(psychiatric || pain) {
                (psychiatric, pain) = uses_of(ctx, l);
            }
            if conditions.is_empty() {
                conditions = conditions_of(ctx, l);
            }
        }
        // A claim line counts as its remark-code legend does: the line
        // itself is table data wherever the table sits.
        let judged = match topics.first() {
            Some((_, Via::Legend)) => src.sentence,
            _ => si,
        };
        let (weight, ignored) = match weigh(ctx, judged, polarity, &self.repeated) {
            Ok(w) => (w, None),
            Err(r) => (Weight::Normal, Some(r)),
        };
        for &(topic, via) in topics {
            self.statements.push(Statement {
                cue,
                source: (source != cue).then_some(source),
                topic,
                via,
                polarity,
                reason,
                conditional,
                decision,
                by_negation,
                catch_all,
                psychiatric,
                pain,
                conditions: conditions.clone(),
                weight,
                ignored,
                limitation: false,
                anchor: None,
            });
        }
    }

    /// The statements a sentence makes on its own.
    fn own(
        &mut self,
        si: usize,
        attr: &[(Topic, Via)],
        mentions: &[(Topic, usize, usize)],
    ) -> BTreeSet<Topic> {
        let ctx = self.ctx;
        let mut spoke = BTreeSet::new();
        let cues: Vec<usize> = ctx.by_sentence[si].clone();
        for ci in cues {
            let cue = &ctx.cues[ci];
            let rule = ctx.rule(cue);
            let topics: Vec<(Topic, Via)> = if mentions.is_empty() {
                // "Your plan covers other medicines": the object is not the
                // drug the sentence was tied to.
                let mut end = (cue.hit.end + 24).min(ctx.flat.len());
                while !ctx.flat.is_char_boundary(end) {
                    end -= 1;
                }
                let after = &ctx.flat[cue.hit.end..end];
                let other = after.split_whitespace().take(3).any(|w| {
                    matches!(
                        w.to_ascii_lowercase()
                            .trim_matches(|c: char| !c.is_alphabetic()),
                        "other" | "alternative" | "alternatives" | "different"
                    )
                });
                if other { Vec::new() } else { attr.to_vec() }
            } else {
                topics_for_cue(ctx, cue, mentions)
                    .into_iter()
                    .map(|t| (t, Via::Mention))
                    .collect()
            };
            if topics.len() == 1
                && (is_coverage(rule.category) || rule.category == Category::Criteria)
            {
                self.cue_topics[ci] = Some(topics[0].0);
            }
            if read_cue(ctx, cue).is_none() {
                continue;
            }
            spoke.extend(topics.iter().map(|t| t.0));
            self.add(si, ci, ci, &topics);
        }
        spoke
    }
}

/// Builds statements and decides every topic.
pub fn decide(ctx: &Context<'_>) -> Decided {
    let f = facts(ctx);
    let Attributed {
        topics: attr,
        lender,
    } = attribute(ctx, &f);
    let legend = legends(ctx, &f);
    let single =
        (f.doc_topics.len() == 1).then(|| *f.doc_topics.iter().next().unwrap_or(&Topic::Ketamine));
    // A formulary or drug list states coverage by listing a drug.
    // It says so at the top of its first page ("2026 Formulary (List of
    // Covered Drugs)"), not in passing ("non-formulary drugs").
    let head_end = ctx
        .sentences
        .get(..ctx.sentences.len().min(6))
        .and_then(<[_]>::last)
        .map_or(0, |s| s.end());
    let formulary = ctx.cues.iter().any(|c| {
        ctx.rule(c).tag.as_deref() == Some("formulary_doc")
            && c.hit.start < head_end
            && !ctx.flat[c.hit.start.saturating_sub(4)..c.hit.start].ends_with("non-")
    });
    // A letter about one drug speaks of that drug throughout.
    let letter = f.letter;
    let mut b = Builder {
        ctx,
        repeated: repeated_cells(ctx),
        statements: Vec::new(),
        cue_topics: vec![None; ctx.cues.len()],
        lender: &lender,
    };
    for (si, sentence_attr) in attr.iter().enumerate() {
        let mentions = &f.mentions[si];
        let mut a = sentence_attr.clone();
        // A decision about one drug, or any sentence of a letter about one
        // drug, speaks of that drug.
        if a.is_empty() {
            let decision = ctx.sentence_cues(si).any(|(_, c)| is_decision(ctx, c));
            if let (true, Some(t)) = (decision || letter, single) {
                a = vec![(t, Via::Document)];
            }
        }
        if a.is_empty() {
            continue;
        }
        let spoke = b.own(si, &a, mentions);
        let s = &ctx.sentences[si];
        // Mentions that said nothing on their own: a list item takes its
        // lead-in's statement; a claim line takes its remark code's legend;
        // an item of an exclusions section is excluded.
        for &(topic, _, mention_cue) in mentions {
            if spoke.contains(&topic) {
                continue;
            }
            let only = [(topic, Via::LeadIn)];
            // A list item naming another drug than its lead-in is a
            // criterion of the lead-in's drug ("esketamine has been tried").
            // A lead-in that names no drug lends only a denial ("the
            // following are excluded:"); a coverage list must name its drug.
            let lead_in = s.lead_in.filter(|&l| {
                f.has_cues[l] && (attr[l].is_empty() || attr[l].iter().any(|&(t, _)| t == topic))
            });
            if let Some(l) = lead_in {
                let generic = attr[l].is_empty();
                let sources: Vec<usize> = ctx.by_sentence[l]
                    .iter()
                    .copied()
                    .filter(|&c| {
                        !generic
                            || read_cue(ctx, &ctx.cues[c])
                                .is_some_and(|r| r.0 == Polarity::Negative)
                    })
                    .collect();
                for src in sources {
                    b.add(si, mention_cue, src, &only);
                }
                continue;
            }
            let code = legend.iter().find(|&(code, &def)| {
                def != si
                    && s.text
                        .split(|c: char| !c.is_ascii_alphanumeric())
                        .any(|w| w == code.as_str())
            });
            if let Some((_, &def)) = code {
                let only = [(topic, Via::Legend)];
                let sources: Vec<usize> = ctx.by_sentence[def].clone();
                for src in sources {
                    b.add(si, mention_cue, src, &only);
                }
                continue;
            }
            if s.section == SectionKind::Exclusions && s.kind == SentenceKind::Item {
                b.add_exclusion_item(si, mention_cue, topic);
                continue;
            }
            // A row of a formulary or drug list: listed is covered.
            if formulary && ctx.word_count(si) <= 25 {
                b.add_listing(si, mention_cue, topic);
            }
        }
    }
    let Builder {
        mut statements,
        cue_topics,
        ..
    } = b;
    for st in &mut statements {
        st.anchor = anchor_of(ctx, &f, &lender, st);
    }

    let mut topics = Topics::default();
    for topic in Topic::DRUGS {
        let result = aggregate(ctx, &f, &attr, single, &mut statements, topic);
        match topic {
            Topic::Ketamine => topics.ketamine = result,
            Topic::Esketamine => topics.esketamine = result,
            Topic::MentalHealthParity => {}
        }
    }
    let trace = trace(ctx, &f, &attr, single, &statements);
    Decided {
        topics,
        trace,
        cue_topics,
    }
}

impl Builder<'_, '_> {
    /// A drug listed in a formulary row without a verb of its own: covered
    /// (with the criteria the row's codes carry). Weak: a sentence of the
    /// document that speaks to the drug outweighs its listing.
    fn add_listing(&mut self, si: usize, mention_cue: usize, topic: Topic) {
        self.add_verbless(si, mention_cue, topic, Via::Listing, None, Weight::Weak);
    }

    /// An item of an exclusions list that names the drug without a verb of
    /// its own: excluded by the plan.
    fn add_exclusion_item(&mut self, si: usize, mention_cue: usize, topic: Topic) {
        let reason = Some(Reason::PlanExclusion);
        self.add_verbless(si, mention_cue, topic, Via::Mention, reason, Weight::Normal);
    }

    /// A statement made by naming the drug where it stands, with no cue:
    /// negative when it carries a reason, positive otherwise.
    fn add_verbless(
        &mut self,
        si: usize,
        mention_cue: usize,
        topic: Topic,
        via: Via,
        reason: Option<Reason>,
        weight: Weight,
    ) {
        let polarity = if reason.is_some() {
            Polarity::Negative
        } else {
            Polarity::Positive
        };
        let (psychiatric, pain) = uses_of(self.ctx, si);
        let ignored = weigh(self.ctx, si, polarity, &self.repeated).err();
        self.statements.push(Statement {
            cue: mention_cue,
            source: None,
            topic,
            via,
            polarity,
            reason,
            conditional: false,
            decision: false,
            by_negation: false,
            catch_all: false,
            psychiatric,
            pain,
            conditions: conditions_of(self.ctx, si),
            weight,
            ignored,
            limitation: false,
            anchor: None,
        });
    }
}

/// The cue shown beside a statement: the cue it took its meaning from, the
/// mention in the sentence that lent its topic, or the subject of a
/// sentence that began on an earlier page.
fn anchor_of(
    ctx: &Context<'_>,
    f: &Facts,
    lender: &[Option<usize>],
    st: &Statement,
) -> Option<usize> {
    if st.source.is_some() {
        return st.source;
    }
    let si = ctx.cues[st.cue].sentence;
    let mention_in = |s: usize| f.mentions[s].iter().find(|m| m.0 == st.topic).map(|m| m.2);
    match st.via {
        Via::Mention => {
            let m = mention_in(si)?;
            let page = |c: usize| ctx.text.page_index(ctx.cues[c].hit.start);
            (page(m) != page(st.cue)).then_some(m)
        }
        Via::Document | Via::Legend | Via::Listing => None,
        _ => lender[si].and_then(mention_in),
    }
}

fn matched_lower(ctx: &Context<'_>, st: &Statement) -> String {
    ctx.matched(&ctx.cues[st.source.unwrap_or(st.cue)])
        .to_ascii_lowercase()
}

fn uses_disjoint(a: &Statement, b: &Statement) -> bool {
    (a.psychiatric || a.pain)
        && (b.psychiatric || b.pain)
        && !(a.psychiatric && b.psychiatric)
        && !(a.pain && b.pain)
}

/// Whether a denial names, in its own right, a condition other than the
/// ones the covered use names ("covered for CRPS" / "unproven for
/// fibromyalgia"). For esketamine only its approved indications count:
/// denying it beyond them is a limit of the coverage.
fn names_another_condition(topic: Topic, pos: &Statement, neg: &Statement) -> bool {
    if neg.catch_all
        || neg.reason == Some(Reason::OffLabel)
        || (neg.conditional && !neg.decision)
        || pos.conditions.is_empty()
        || neg.conditions.is_empty()
        || !pos.conditions.is_disjoint(&neg.conditions)
    {
        return false;
    }
    match topic {
        Topic::Esketamine => pos
            .conditions
            .iter()
            .chain(&neg.conditions)
            .all(|c| ESKETAMINE_INDICATIONS.contains(c)),
        _ => true,
    }
}

fn aggregate(
    ctx: &Context<'_>,
    f: &Facts,
    attr: &[Vec<(Topic, Via)>],
    single: Option<Topic>,
    statements: &mut [Statement],
    topic: Topic,
) -> TopicResult {
    let active = |statements: &[Statement]| -> Vec<usize> {
        (0..statements.len())
            .filter(|&i| statements[i].topic == topic && statements[i].ignored.is_none())
            .collect()
    };
    // Background statements count only when the policy parts are silent.
    let idx = active(statements);
    if idx.iter().any(|&i| statements[i].weight == Weight::Normal) {
        for &i in &idx {
            if statements[i].weight == Weight::Weak {
                statements[i].ignored =
                    Some("background or listing; the document's statements decide");
            }
        }
    }
    // Decisions in letters and claims.
    let idx = active(statements);
    let decisions: Vec<usize> = idx
        .iter()
        .copied()
        .filter(|&i| statements[i].decision)
        .collect();
    if !decisions.is_empty() {
        let reversal = decisions.iter().any(|&i| {
            let m = matched_lower(ctx, &statements[i]);
            statements[i].polarity == Polarity::Positive
                && (m.contains("overturn") || m.contains("revers") || m.contains("must"))
        });
        let upheld = decisions.iter().any(|&i| {
            statements[i].polarity == Polarity::Negative
                && matched_lower(ctx, &statements[i]).contains("upheld")
        });
        let polarities: BTreeSet<bool> = decisions
            .iter()
            .map(|&i| statements[i].polarity == Polarity::Positive)
            .collect();
        let winner = if reversal {
            Some(Polarity::Positive)
        } else if upheld {
            Some(Polarity::Negative)
        } else if polarities.len() == 1 {
            Some(if polarities.contains(&true) {
                Polarity::Positive
            } else {
                Polarity::Negative
            })
        } else {
            None
        };
        if let Some(w) = winner {
            for &i in &idx {
                if statements[i].polarity != w
                    && !(w == Polarity::Positive && statements[i].by_negation)
                {
                    statements[i].ignored = Some(if reversal {
                        "the decision overturns this denial"
                    } else if upheld {
                        "the denial was upheld"
                    } else {
                        "the decision of the letter or claim says otherwise"
                    });
                }
            }
        }
    }

    let idx = active(statements);
    let pos: Vec<usize> = idx
        .iter()
        .copied()
        .filter(|&i| statements[i].polarity == Polarity::Positive)
        .collect();
    let neg: Vec<usize> = idx
        .iter()
        .copied()
        .filter(|&i| statements[i].polarity == Polarity::Negative)
        .collect();
    // A negated denial term is weak ("not experimental"), unless it comes
    // with conditions ("not considered experimental when ... criteria"):
    // then it is coverage with criteria in other words.
    let strong_pos: Vec<usize> = pos
        .iter()
        .copied()
        .filter(|&i| !statements[i].by_negation || statements[i].conditional)
        .collect();

    let mut core_neg: Vec<usize> = neg.clone();
    if !strong_pos.is_empty() {
        core_neg.clear();
        for &n in &neg {
            let disjoint = strong_pos.iter().any(|&p| {
                uses_disjoint(&statements[p], &statements[n])
                    || names_another_condition(topic, &statements[p], &statements[n])
            });
            if disjoint && !statements[n].catch_all {
                core_neg.push(n);
            } else {
                statements[n].limitation = true;
            }
        }
    }

    let conditional_coverage = pos.iter().any(|&i| statements[i].conditional);
    let criteria = criteria_for(ctx, f, attr, single, topic, conditional_coverage);
    let conditional = pos.iter().any(|&i| statements[i].conditional);
    let positive = if conditional || !criteria.is_empty() {
        Stance::CoveredWithCriteria
    } else {
        Stance::Covered
    };
    let stance = if !strong_pos.is_empty() {
        if core_neg.is_empty() {
            positive
        } else {
            Stance::Mixed
        }
    } else if !neg.is_empty() {
        Stance::NotCovered
    } else if !pos.is_empty() {
        positive
    } else {
        Stance::NotAddressed
    };

    let mut result = TopicResult {
        stance,
        ..TopicResult::default()
    };
    let reason_sources: &[usize] = if stance == Stance::Mixed {
        &neg
    } else {
        &core_neg
    };
    if matches!(stance, Stance::NotCovered | Stance::Mixed) {
        let reasons: BTreeSet<Reason> = reason_sources
            .iter()
            .filter_map(|&i| statements[i].reason)
            .collect();
        result.reasons = reasons.into_iter().collect();
    }
    if matches!(stance, Stance::CoveredWithCriteria | Stance::Mixed) {
        let set: BTreeSet<Criterion> = criteria.iter().map(|c| c.0).collect();
        result.criteria = set.into_iter().collect();
    }

    let mut evidence_cues: Vec<usize> = Vec::new();
    let with_anchor = |i: usize| std::iter::once(statements[i].cue).chain(statements[i].anchor);
    match stance {
        Stance::Covered | Stance::CoveredWithCriteria => {
            evidence_cues.extend(pos.iter().flat_map(|&i| with_anchor(i)))
        }
        Stance::NotCovered => evidence_cues.extend(core_neg.iter().flat_map(|&i| with_anchor(i))),
        Stance::Mixed => {
            evidence_cues.extend(strong_pos.iter().flat_map(|&i| with_anchor(i)));
            evidence_cues.extend(neg.iter().flat_map(|&i| with_anchor(i)));
        }
        Stance::NotAddressed => evidence_cues.extend(set_aside_mentions(ctx, topic)),
    }
    if matches!(stance, Stance::CoveredWithCriteria | Stance::Mixed) {
        evidence_cues.extend(criteria.iter().map(|c| c.1));
    }
    result.evidence = evidence(ctx, evidence_cues, Some(topic));
    result
}

/// Criteria cues attributed to a topic: (criterion, cue index). A letter,
/// or a document that speaks of one drug and makes its coverage
/// conditional (`lend`), lends that drug the criteria no sentence names a
/// drug for.
fn criteria_for(
    ctx: &Context<'_>,
    f: &Facts,
    attr: &[Vec<(Topic, Via)>],
    single: Option<Topic>,
    topic: Topic,
    lend: bool,
) -> Vec<(Criterion, usize)> {
    let none = BTreeSet::new();
    let mut out = Vec::new();
    for (si, a) in attr.iter().enumerate() {
        // A letter about one drug, or a criteria section of a document about
        // one drug, lends it the criteria no sentence names a drug for.
        let lent = a.is_empty()
            && single == Some(topic)
            && (f.letter || lend || ctx.sentences[si].section == SectionKind::Criteria);
        let attributed = a.iter().any(|&(t, _)| t == topic) || lent;
        if !attributed || ctx.has_tag(si, "justification") {
            continue;
        }
        if weigh(ctx, si, Polarity::Positive, &none).is_err()
            && ctx.sentences[si].kind != SentenceKind::Title
        {
            continue;
        }
        let mentions = &f.mentions[si];
        for (ci, cue) in ctx.sentence_cues(si) {
            let rule = ctx.rule(cue);
            let Some(criterion) = rule.criterion else {
                continue;
            };
            if rule.category != Category::Criteria || cue.scope.negated {
                continue;
            }
            if !mentions.is_empty() && !topics_for_cue(ctx, cue, mentions).contains(&topic) {
                continue;
            }
            out.push((criterion, ci));
        }
    }
    out
}

/// Mentions of a topic that were set aside (anesthetic use, pointers to
/// other policies, informative sections): the trail behind `not_addressed`.
fn set_aside_mentions(ctx: &Context<'_>, topic: Topic) -> Vec<usize> {
    let category = match topic {
        Topic::Ketamine => Category::Ketamine,
        Topic::Esketamine => Category::Esketamine,
        Topic::MentalHealthParity => return Vec::new(),
    };
    let mut seen = BTreeSet::new();
    ctx.cues
        .iter()
        .enumerate()
        .filter(|(_, c)| ctx.rule(c).category == category)
        .filter(|(_, c)| seen.insert(c.sentence))
        .map(|(i, _)| i)
        .take(10)
        .collect()
}

const MAX_EVIDENCE: usize = 40;

/// Findings for a set of cues: document order, one per (sentence, rule).
fn evidence(ctx: &Context<'_>, mut cues: Vec<usize>, topic: Option<Topic>) -> Vec<Finding> {
    cues.sort_by_key(|&c| (ctx.cues[c].hit.start, ctx.cues[c].hit.rule));
    cues.dedup();
    let mut seen = BTreeSet::new();
    cues.into_iter()
        .filter(|&c| seen.insert((ctx.cues[c].sentence, ctx.cues[c].hit.rule)))
        .take(MAX_EVIDENCE)
        .map(|c| ctx.finding(&ctx.cues[c], topic))
        .collect()
}

fn trigger_text(ctx: &Context<'_>, h: Option<crate::matcher::Hit>) -> Option<String> {
    h.map(|h| ctx.flat[h.start..h.end].to_string())
}

/// Builds the explain trace: mentions (and why they were set aside),
/// statements, criteria, parity hits.
fn trace(
    ctx: &Context<'_>,
    f: &Facts,
    attr: &[Vec<(Topic, Via)>],
    single: Option<Topic>,
    statements: &[Statement],
) -> Vec<TraceEntry> {
    let mut out = Vec::new();
    let entry =
        |ci: usize, topic: Topic, role: String, via: Option<&'static str>, note: Option<String>| {
            let cue = &ctx.cues[ci];
            TraceEntry {
                topic,
                finding: ctx.finding(cue, Some(topic)),
                description: ctx.rule(cue).description.clone(),
                role,
                via,
                note,
                negated_by: trigger_text(ctx, cue.scope.negated_by),
                hedged_by: trigger_text(ctx, cue.scope.hedged_by),
            }
        };
    let none = BTreeSet::new();
    for (ci, cue) in ctx.cues.iter().enumerate() {
        let rule = ctx.rule(cue);
        let topic = match rule.category {
            Category::Ketamine => Topic::Ketamine,
            Category::Esketamine => Topic::Esketamine,
            _ => continue,
        };
        let si = cue.sentence;
        let counted = f.mentions[si].iter().any(|m| m.2 == ci);
        let note = if !counted {
            Some(
                if ctx.has_tag(si, "anesthesia") && topic == Topic::Ketamine {
                    "set aside: anesthetic use, not a psychiatric or pain coverage statement"
                        .to_string()
                } else {
                    "set aside: points to another policy or out of scope".to_string()
                },
            )
        } else {
            weigh(ctx, si, Polarity::Positive, &none)
                .err()
                .map(|r| format!("set aside: {r}"))
        };
        out.push(entry(ci, topic, "mention".into(), None, note));
    }
    for st in statements {
        let role = match (st.polarity, st.reason) {
            (Polarity::Positive, _) if st.by_negation => {
                "positive (a denial term is negated)".to_string()
            }
            (Polarity::Positive, _) if st.conditional => "positive, conditional".to_string(),
            (Polarity::Positive, _) => "positive".to_string(),
            (Polarity::Negative, Some(r)) => format!("negative ({})", r.as_str()),
            (Polarity::Negative, None) => "negative".to_string(),
        };
        let role = match st.source {
            Some(src) => format!("{role}, from \"{}\"", ctx.matched(&ctx.cues[src])),
            None => role,
        };
        let note = st
            .ignored
            .map(|r| format!("does not count: {r}"))
            .or_else(|| {
                st.catch_all
                    .then(|| "catch-all: limits other uses".to_string())
            })
            .or_else(|| {
                st.limitation
                    .then(|| "read as a limit of the covered use".to_string())
            })
            .or_else(|| {
                (st.weight == Weight::Weak)
                    .then(|| "background sentence in policy voice".to_string())
            });
        out.push(entry(st.cue, st.topic, role, Some(st.via.as_str()), note));
    }
    for topic in Topic::DRUGS {
        let lend = statements
            .iter()
            .any(|st| st.topic == topic && st.ignored.is_none() && st.conditional);
        for (criterion, ci) in criteria_for(ctx, f, attr, single, topic, lend) {
            out.push(entry(
                ci,
                topic,
                format!("criterion ({})", criterion.as_str()),
                None,
                None,
            ));
        }
    }
    out.sort_by_key(|e| (e.finding.start, e.finding.end));
    out
}
