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
//! One step a file: `context` (per-document facts and the clause and
//! anaphora tests), `attribution` (which drug each sentence and cue is
//! about), `statements` (what each cue says and how much it counts),
//! `aggregation` (stance, reasons, criteria, evidence) and `trace` (what
//! `explain` prints). This file holds the types they share and `decide`,
//! which runs them in order.
//!
//! Must not: find hits or scope negation (done before this stage).

mod aggregation;
mod attribution;
mod context;
mod statements;
mod trace;

use self::aggregation::*;
use self::attribution::*;
use self::context::*;
use self::statements::*;
use self::trace::*;

use std::collections::{BTreeMap, BTreeSet};

use super::kind::{DocumentKind, in_title_block};
use super::sentence::SentenceKind;
use super::{Context, Cue};
use crate::model::{Coverage, Criterion, Finding, Reason, Stance, Topic, TopicResult, Topics};
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
    /// The document is about this drug: its title block names it, or a
    /// short document names it again and again.
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
            Via::Document => "the document is about this drug",
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
    pub conditions: BTreeSet<String>,
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
    /// The plan or formulary the statement is limited to, when named.
    pub plan: Option<String>,
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

/// Builds statements and decides every topic.
pub fn decide(ctx: &Context<'_>) -> Decided {
    let f = facts(ctx);
    let Attributed {
        topics: attr,
        lender,
    } = attribute(ctx, &f);
    let legend = legends(ctx, &f);
    let single =
        (f.doc_topics.len() == 1).then(|| *f.doc_topics.iter().next().unwrap_or(&Topic::KETAMINE));
    // A formulary or drug list states coverage by listing a drug.
    let formulary = ctx.kind == DocumentKind::Formulary;
    // A letter about one drug speaks of that drug throughout.
    let letter = ctx.letter;
    let subject = subject_of(ctx, &f, single);
    let mut b = Builder {
        ctx,
        repeated: repeated_cells(ctx),
        statements: Vec::new(),
        cue_topics: vec![None; ctx.cues.len()],
        lender: &lender,
        subject,
    };
    for (si, sentence_attr) in attr.iter().enumerate() {
        let mentions = &f.mentions[si];
        let mut a = sentence_attr.clone();
        // A decision about one drug, or any sentence of a letter about one
        // drug, speaks of that drug.
        if a.is_empty() {
            let decision = ctx.sentence_cues(si).any(|(_, c)| is_decision(ctx, c));
            if let (true, Some(t)) = (decision || letter, subject) {
                a = vec![(t, Via::Document)];
            } else if let Some(t) = subject
                && ctx.has_tag(si, "approval_criteria")
                && !ctx.has_tag(si, "redirect")
            {
                // Approval criteria in a document about one drug are its.
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
            // The nearest lead-in that says something: an item of a nested
            // list ("the compound contains one of these ingredients:")
            // takes the statement of the list it belongs to.
            let lead_in = std::iter::successors(s.lead_in, |&l| ctx.sentences[l].lead_in)
                .take(MAX_LIST_DEPTH)
                .find(|&l| f.has_cues[l])
                .filter(|&l| attr[l].is_empty() || attr[l].iter().any(|&(t, _)| t == topic));
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
    let mut criteria = Vec::new();
    // In topic order: the built-in topics first, as they always were.
    for def in &ctx.matcher.pattern_set().topics {
        let topic = def.topic;
        let (result, used) = aggregate(ctx, &f, &attr, subject, &mut statements, topic);
        criteria.extend(used.into_iter().map(|(c, ci)| (topic, c, ci)));
        topics.drugs.insert(topic, result);
    }
    let trace = trace(ctx, &f, &statements, &criteria);
    Decided {
        topics,
        trace,
        cue_topics,
    }
}

/// How many levels of nested lists an item looks up for its statement.
const MAX_LIST_DEPTH: usize = 3;
