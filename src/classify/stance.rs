//! Topic attribution and per-topic stance.
//!
//! Owns: deciding which drug topic each sentence speaks about (its own
//! mentions; the lead-in of a list item; an anaphoric "It is..." after a
//! statement; a title line naming the drug; a table label and its cell),
//! turning each coverage cue into a [`Statement`] with polarity, reason,
//! conditions and the uses it concerns, and aggregating statements into a
//! stance with reasons, criteria and evidence.
//!
//! The aggregation encodes how analysts read policies: informative
//! sections (background, rationale, references, coding, history) do not
//! decide; an anesthetic mention or a pointer to another policy is not a
//! coverage statement; "not covered unless the criteria are met" is
//! covered with criteria while "unless in a clinical trial" stays a denial;
//! a catch-all ("experimental for all other indications") or an off-label
//! limit does not undo a named covered use; a decision that overturns a
//! denial beats the quoted denial; `mixed` needs opposite stances for
//! different named uses.
//!
//! Must not: find hits or scope negation (done before this stage).

use std::collections::BTreeSet;

use super::{Context, Cue};
use crate::model::{Criterion, Finding, Reason, Stance, Topic, TopicResult, Topics};
use crate::patterns::{Category, SectionKind};

use super::sentence::SentenceKind;

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
    /// A table cell next to a label naming the drug.
    TableCell,
}

impl Via {
    /// Human-readable name for `explain`.
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Mention => "names the drug",
            Via::LeadIn => "item of a list whose lead-in names the drug",
            Via::Focus => "refers back to the drug",
            Via::Heading => "under a heading naming the drug",
            Via::TableCell => "table cell next to a label naming the drug",
        }
    }
}

/// One coverage cue read as a statement about one topic.
#[derive(Debug, Clone)]
pub struct Statement {
    /// Index of the cue in [`Context::cues`].
    pub cue: usize,
    /// The topic.
    pub topic: Topic,
    /// How the topic was attributed.
    pub via: Via,
    /// Positive or negative.
    pub polarity: Polarity,
    /// The reason, for negative statements.
    pub reason: Option<Reason>,
    /// Conditional coverage ("medically necessary when", "unless the
    /// criteria are met", hedged).
    pub conditional: bool,
    /// A decision in a letter or claim (approved, denied, overturned, upheld).
    pub decision: bool,
    /// Positive only because a negative cue is negated ("not experimental").
    pub by_negation: bool,
    /// A catch-all ("all other indications").
    pub catch_all: bool,
    /// Psychiatric use named with it.
    pub psychiatric: bool,
    /// Pain use named with it.
    pub pain: bool,
    /// Why the statement does not count, if it does not.
    pub ignored: Option<&'static str>,
    /// A negative statement read as a limit of a covered use.
    pub limitation: bool,
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

#[derive(Debug, Clone, Default)]
struct Attribution {
    topics: Vec<(Topic, Via)>,
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
];

impl Context<'_> {
    /// Drug mentions in a sentence that count: not anesthetic, not
    /// redirected to another policy. Returns (topic, hit start).
    fn mentions(&self, si: usize) -> Vec<(Topic, usize)> {
        let anesthetic = self.has_tag(si, "anesthesia")
            && !self.has_tag(si, "use_psychiatric")
            && !self.has_tag(si, "use_pain");
        let redirects: Vec<usize> = self.by_sentence[si]
            .iter()
            .map(|&c| &self.cues[c])
            .filter(|c| self.rule(c).tag.as_deref() == Some("redirect"))
            .map(|c| c.hit.start)
            .collect();
        let mut out = Vec::new();
        for &ci in &self.by_sentence[si] {
            let cue = &self.cues[ci];
            let topic = match self.rule(cue).category {
                Category::Ketamine if !anesthetic => Topic::Ketamine,
                Category::Esketamine => Topic::Esketamine,
                _ => continue,
            };
            let redirected = redirects
                .iter()
                .any(|&r| !self.clause_break(cue.hit.start.min(r), cue.hit.start.max(r)));
            if !redirected {
                out.push((topic, cue.hit.start));
            }
        }
        out
    }

    /// Whether a clause boundary lies between two offsets.
    fn clause_break(&self, from: usize, to: usize) -> bool {
        let seg = &self.flat[from..to];
        if seg.contains([';', '.']) {
            // Periods inside numbers or abbreviations do not count.
            return seg
                .char_indices()
                .any(|(i, c)| c == ';' || (c == '.' && seg[i + 1..].starts_with(' ')));
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

    fn has_cues(&self, si: usize) -> bool {
        self.by_sentence[si]
            .iter()
            .any(|&c| is_coverage(self.rule(&self.cues[c]).category))
    }

    fn word_count(&self, si: usize) -> usize {
        self.sentences[si].text.split_whitespace().count()
    }

    fn is_anaphoric(&self, si: usize) -> bool {
        let t = self.sentences[si].text.trim_start().to_lowercase();
        ANAPHORA.iter().any(|a| t.starts_with(a))
    }
}

/// Ties every sentence to the topics it speaks about.
fn attribute(ctx: &Context<'_>) -> Vec<Attribution> {
    let n = ctx.sentences.len();
    let mut attr: Vec<Attribution> = vec![Attribution::default(); n];
    let mut focus: Option<(Vec<Topic>, usize)> = None;
    for si in 0..n {
        let s = &ctx.sentences[si];
        let mentions = ctx.mentions(si);
        let mut topics: Vec<Topic> = mentions.iter().map(|m| m.0).collect();
        topics.sort();
        topics.dedup();
        match s.kind {
            SentenceKind::Heading => {
                if s.section.is_informative() || s.section == SectionKind::Exclusions {
                    focus = None;
                }
                continue;
            }
            SentenceKind::Title => {
                if !topics.is_empty() {
                    focus = Some((topics.clone(), si));
                    attr[si].topics = topics.iter().map(|&t| (t, Via::Mention)).collect();
                }
                continue;
            }
            _ => {}
        }
        if !topics.is_empty() {
            attr[si].topics = topics.iter().map(|&t| (t, Via::Mention)).collect();
            if ctx.has_cues(si) || s.is_lead_in() {
                focus = Some((topics, si));
            }
            continue;
        }
        // No mention of its own.
        if let Some(l) = s.lead_in
            && !attr[l].topics.is_empty()
        {
            attr[si].topics = attr[l]
                .topics
                .iter()
                .map(|&(t, _)| (t, Via::LeadIn))
                .collect();
            continue;
        }
        if let Some((ft, fsi)) = &focus {
            let recent = si - fsi <= 3 || ctx.sentences[*fsi].block == s.block;
            if recent && ctx.is_anaphoric(si) {
                attr[si].topics = ft.iter().map(|&t| (t, Via::Focus)).collect();
                continue;
            }
        }
        if let Some(h) = s.heading
            && ctx.sentences[h].kind == SentenceKind::Title
            && !attr[h].topics.is_empty()
        {
            attr[si].topics = attr[h]
                .topics
                .iter()
                .map(|&(t, _)| (t, Via::Heading))
                .collect();
            continue;
        }
        if si > 0 {
            let p = si - 1;
            let label_like = ctx.sentences[p].kind != SentenceKind::Heading
                && ctx.word_count(p) <= 8
                && !ctx.has_cues(p)
                && ctx.word_count(si) <= 14
                && !attr[p].topics.is_empty()
                && attr[p].topics.iter().all(|&(_, v)| v == Via::Mention);
            if label_like {
                attr[si].topics = attr[p]
                    .topics
                    .iter()
                    .map(|&(t, _)| (t, Via::TableCell))
                    .collect();
                continue;
            }
        }
        if s.section == SectionKind::Criteria
            && let Some((ft, _)) = &focus
        {
            attr[si].topics = ft.iter().map(|&t| (t, Via::Focus)).collect();
        }
    }
    attr
}

/// For a cue in a sentence naming both drugs, the topics its clause is
/// about: the nearest preceding mention in the clause (with mentions
/// coordinated to it, "ketamine and esketamine"), else the nearest
/// following one, else the nearest before it in the sentence.
fn topics_for_cue(ctx: &Context<'_>, cue: &Cue, mentions: &[(Topic, usize)]) -> Vec<Topic> {
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
    let Some(&(t0, p0)) = anchor else {
        return Vec::new();
    };
    let mut out = vec![t0];
    for &(t, p) in mentions {
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

/// Reads one coverage cue as (polarity, reason, conditional, decision,
/// by_negation). `None` when the cue says nothing either way.
fn read_cue(ctx: &Context<'_>, cue: &Cue) -> Option<(Polarity, Option<Reason>, bool, bool, bool)> {
    let rule = ctx.rule(cue);
    let negated = cue.scope.negated;
    let hedged = cue.scope.hedged;
    let decision = rule.id.starts_with("decision.");
    Some(match rule.category {
        Category::Experimental | Category::OffLabel | Category::Unproven => {
            if negated {
                (Polarity::Positive, None, hedged, false, true)
            } else {
                (Polarity::Negative, rule.reason, hedged, false, false)
            }
        }
        Category::MedicalNecessity => {
            if rule.negative {
                (Polarity::Negative, rule.reason, hedged, false, false)
            } else if negated {
                (
                    Polarity::Negative,
                    Some(Reason::NotMedicallyNecessary),
                    hedged,
                    false,
                    false,
                )
            } else {
                (Polarity::Positive, None, true, false, false)
            }
        }
        Category::Exclusion => (Polarity::Negative, rule.reason, hedged, decision, false),
        Category::Coverage => {
            if negated {
                (Polarity::Negative, None, hedged, decision, false)
            } else {
                (Polarity::Positive, None, hedged, decision, false)
            }
        }
        _ => return None,
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
    for &ci in &ctx.by_sentence[cue.sentence] {
        let c = &ctx.cues[ci];
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
/// sentence with no cue of the opposite polarity between them.
fn catch_all_for(ctx: &Context<'_>, cue: &Cue, polarity: Polarity) -> bool {
    let cues: Vec<&Cue> = ctx.by_sentence[cue.sentence]
        .iter()
        .map(|&c| &ctx.cues[c])
        .collect();
    cues.iter()
        .filter(|c| ctx.rule(c).tag.as_deref() == Some("catch_all"))
        .any(|ca| {
            let (a, b) = if ca.hit.start < cue.hit.start {
                (ca.hit.end, cue.hit.start)
            } else {
                (cue.hit.end, ca.hit.start)
            };
            !cues.iter().any(|o| {
                o.hit.start >= a
                    && o.hit.end <= b
                    && is_coverage(ctx.rule(o).category)
                    && read_cue(ctx, o).is_some_and(|r| r.0 != polarity)
            })
        })
}

fn uses_of(ctx: &Context<'_>, si: usize) -> (bool, bool) {
    let mut psych = ctx.has_tag(si, "use_psychiatric");
    let mut pain = ctx.has_tag(si, "use_pain");
    if let Some(l) = ctx.sentences[si].lead_in {
        psych |= ctx.has_tag(l, "use_psychiatric");
        pain |= ctx.has_tag(l, "use_pain");
    }
    (psych, pain)
}

fn ignore_reason(ctx: &Context<'_>, si: usize, polarity: Polarity) -> Option<&'static str> {
    let s = &ctx.sentences[si];
    if s.section.is_informative() {
        return Some(match s.section {
            SectionKind::Background => "in a background section",
            SectionKind::Rationale => "in a rationale / evidence section",
            SectionKind::References => "in the references",
            SectionKind::Coding => "in a coding section",
            SectionKind::Definitions => "in a definitions section",
            SectionKind::History => "in the policy history",
            _ => "in a member notice",
        });
    }
    if matches!(s.kind, SentenceKind::Heading | SentenceKind::Title) {
        return Some("a heading, not a statement");
    }
    if ctx.has_tag(si, "history") {
        return Some("describes a past version");
    }
    if polarity == Polarity::Negative && ctx.has_tag(si, "out_of_network") {
        return Some("an out-of-network rule, not a stance on the drug");
    }
    None
}

/// Builds statements and decides every topic.
pub fn decide(ctx: &Context<'_>) -> Decided {
    let attr = attribute(ctx);
    let mut statements: Vec<Statement> = Vec::new();
    let mut cue_topics: Vec<Option<Topic>> = vec![None; ctx.cues.len()];
    for (si, a) in attr.iter().enumerate() {
        if a.topics.is_empty() {
            continue;
        }
        let mentions = ctx.mentions(si);
        let (psych, pain) = uses_of(ctx, si);
        let cost_share = ctx.has_tag(si, "cost_share");
        for &ci in &ctx.by_sentence[si] {
            let cue = &ctx.cues[ci];
            let category = ctx.rule(cue).category;
            let topics: Vec<(Topic, Via)> = if mentions.is_empty() {
                a.topics.clone()
            } else {
                topics_for_cue(ctx, cue, &mentions)
                    .into_iter()
                    .map(|t| (t, Via::Mention))
                    .collect()
            };
            if topics.len() == 1 && (is_coverage(category) || category == Category::Criteria) {
                cue_topics[ci] = Some(topics[0].0);
            }
            let reading = if is_coverage(category) {
                read_cue(ctx, cue)
            } else if cost_share && ctx.rule(cue).tag.as_deref() == Some("cost_share") {
                Some((Polarity::Positive, None, false, false, false))
            } else {
                None
            };
            let Some((mut polarity, mut reason, mut conditional, decision, by_negation)) = reading
            else {
                continue;
            };
            if polarity == Polarity::Negative && lifted_by_criteria(ctx, cue) {
                polarity = Polarity::Positive;
                reason = None;
                conditional = true;
            }
            let catch_all = catch_all_for(ctx, cue, polarity);
            let ignored = ignore_reason(ctx, si, polarity);
            for (topic, via) in topics {
                statements.push(Statement {
                    cue: ci,
                    topic,
                    via,
                    polarity,
                    reason,
                    conditional,
                    decision,
                    by_negation,
                    catch_all,
                    psychiatric: psych,
                    pain,
                    ignored,
                    limitation: false,
                });
            }
        }
    }

    let mut topics = Topics::default();
    for topic in Topic::DRUGS {
        let result = aggregate(ctx, &attr, &mut statements, topic);
        match topic {
            Topic::Ketamine => topics.ketamine = result,
            Topic::Esketamine => topics.esketamine = result,
            Topic::MentalHealthParity => {}
        }
    }
    topics.mental_health_parity = parity(ctx);
    let trace = trace(ctx, &attr, &statements);
    Decided {
        topics,
        trace,
        cue_topics,
    }
}

fn trigger_text(ctx: &Context<'_>, h: Option<crate::matcher::Hit>) -> Option<String> {
    h.map(|h| ctx.flat[h.start..h.end].to_string())
}

/// Builds the explain trace: mentions (and why they were set aside),
/// statements, criteria, parity hits.
fn trace(ctx: &Context<'_>, attr: &[Attribution], statements: &[Statement]) -> Vec<TraceEntry> {
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
    for (ci, cue) in ctx.cues.iter().enumerate() {
        let rule = ctx.rule(cue);
        let topic = match rule.category {
            Category::Ketamine => Topic::Ketamine,
            Category::Esketamine => Topic::Esketamine,
            Category::Parity if !cue.scope.negated => {
                out.push(entry(
                    ci,
                    Topic::MentalHealthParity,
                    "parity".into(),
                    None,
                    None,
                ));
                continue;
            }
            _ => continue,
        };
        let si = cue.sentence;
        let counted = ctx.mentions(si).iter().any(|m| m.1 == cue.hit.start);
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
            ignore_reason(ctx, si, Polarity::Positive).map(|r| format!("set aside: {r}"))
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
            });
        out.push(entry(st.cue, st.topic, role, Some(st.via.as_str()), note));
    }
    for topic in Topic::DRUGS {
        for (criterion, ci) in criteria_for(ctx, attr, topic) {
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

fn matched_lower(ctx: &Context<'_>, st: &Statement) -> String {
    ctx.matched(&ctx.cues[st.cue]).to_ascii_lowercase()
}

fn aggregate(
    ctx: &Context<'_>,
    attr: &[Attribution],
    statements: &mut [Statement],
    topic: Topic,
) -> TopicResult {
    let idx: Vec<usize> = (0..statements.len())
        .filter(|&i| statements[i].topic == topic && statements[i].ignored.is_none())
        .collect();

    // Decisions in letters: a reversal beats the quoted denial; an upheld
    // denial beats everything positive.
    let reversal = idx.iter().any(|&i| {
        let st = &statements[i];
        st.decision && st.polarity == Polarity::Positive && {
            let m = matched_lower(ctx, st);
            m.contains("overturn") || m.contains("revers") || m.contains("must")
        }
    });
    let upheld = idx.iter().any(|&i| {
        let st = &statements[i];
        st.decision
            && st.polarity == Polarity::Negative
            && matched_lower(ctx, st).contains("upheld")
    });
    for &i in &idx {
        let st = &mut statements[i];
        if reversal && st.polarity == Polarity::Negative {
            st.ignored = Some("the decision overturns this denial");
        } else if upheld && !reversal && st.polarity == Polarity::Positive {
            st.ignored = Some("the denial was upheld");
        }
    }
    let idx: Vec<usize> = idx
        .into_iter()
        .filter(|&i| statements[i].ignored.is_none())
        .collect();
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

    // A positive read only from a negated denial term ("not experimental")
    // is weak: it supports coverage but does not stand against a denial.
    let strong_pos: Vec<usize> = pos
        .iter()
        .copied()
        .filter(|&i| !statements[i].by_negation)
        .collect();
    let pos_sentences: BTreeSet<usize> = pos
        .iter()
        .map(|&i| ctx.cues[statements[i].cue].sentence)
        .collect();

    if !strong_pos.is_empty() {
        for &i in &neg {
            let st = &statements[i];
            let sentence = ctx.cues[st.cue].sentence;
            let off_label_only = st.reason == Some(Reason::OffLabel);
            let hypothetical = st.conditional && !st.decision;
            if st.catch_all || off_label_only || hypothetical || pos_sentences.contains(&sentence) {
                statements[i].limitation = true;
            }
        }
    }
    let neg_core: Vec<usize> = neg
        .iter()
        .copied()
        .filter(|&i| !statements[i].limitation)
        .collect();
    let pos_effective: Vec<usize> = if strong_pos.is_empty() && !neg_core.is_empty() {
        Vec::new()
    } else {
        pos.clone()
    };

    let criteria = criteria_for(ctx, attr, topic);
    let mut result = TopicResult::default();
    let positive_stance = |statements: &[Statement]| {
        let conditional = pos_effective.iter().any(|&i| statements[i].conditional);
        if conditional || !criteria.is_empty() {
            Stance::CoveredWithCriteria
        } else {
            Stance::Covered
        }
    };
    let stance = match (pos_effective.is_empty(), neg_core.is_empty()) {
        (true, true) => {
            if neg.is_empty() {
                Stance::NotAddressed
            } else {
                Stance::NotCovered
            }
        }
        (false, true) => positive_stance(statements),
        (true, false) => Stance::NotCovered,
        (false, false) => {
            let different_uses = pos_effective.iter().any(|&p| {
                neg_core.iter().any(|&n| {
                    let (a, b) = (&statements[p], &statements[n]);
                    (a.psychiatric || a.pain)
                        && (b.psychiatric || b.pain)
                        && !(a.psychiatric && b.psychiatric)
                        && !(a.pain && b.pain)
                })
            });
            if different_uses {
                Stance::Mixed
            } else {
                let weight = |v: &[usize]| -> f32 {
                    v.iter()
                        .map(|&i| {
                            let st = &statements[i];
                            if st.decision {
                                3.0
                            } else if st.by_negation {
                                0.5
                            } else {
                                1.0
                            }
                        })
                        .sum()
                };
                if weight(&pos_effective) > weight(&neg_core) {
                    positive_stance(statements)
                } else {
                    Stance::NotCovered
                }
            }
        }
    };
    result.stance = stance;

    let negatives: &[usize] = if neg_core.is_empty() { &neg } else { &neg_core };
    if matches!(stance, Stance::NotCovered | Stance::Mixed) {
        let reasons: BTreeSet<Reason> = negatives
            .iter()
            .filter_map(|&i| statements[i].reason)
            .collect();
        result.reasons = reasons.into_iter().collect();
    }
    if matches!(stance, Stance::CoveredWithCriteria | Stance::Mixed) {
        result.criteria = criteria
            .iter()
            .map(|c| c.0)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
    }

    // Evidence: the statements that decided, then the criteria.
    let mut evidence_cues: Vec<usize> = Vec::new();
    match stance {
        Stance::Covered | Stance::CoveredWithCriteria => {
            evidence_cues.extend(pos_effective.iter().map(|&i| statements[i].cue))
        }
        Stance::NotCovered => evidence_cues.extend(negatives.iter().map(|&i| statements[i].cue)),
        Stance::Mixed => {
            evidence_cues.extend(pos_effective.iter().map(|&i| statements[i].cue));
            evidence_cues.extend(neg_core.iter().map(|&i| statements[i].cue));
        }
        Stance::NotAddressed => {}
    }
    if matches!(stance, Stance::CoveredWithCriteria | Stance::Mixed) {
        evidence_cues.extend(criteria.iter().map(|c| c.1));
    }
    if stance == Stance::NotAddressed {
        evidence_cues.extend(set_aside_mentions(ctx, topic));
    }
    result.evidence = evidence(ctx, evidence_cues, Some(topic));
    result
}

/// Criteria cues attributed to a topic: (criterion, cue index).
fn criteria_for(ctx: &Context<'_>, attr: &[Attribution], topic: Topic) -> Vec<(Criterion, usize)> {
    let mut out = Vec::new();
    for (si, a) in attr.iter().enumerate() {
        if !a.topics.iter().any(|&(t, _)| t == topic) {
            continue;
        }
        if ignore_reason(ctx, si, Polarity::Positive).is_some() {
            continue;
        }
        let mentions = ctx.mentions(si);
        for &ci in &ctx.by_sentence[si] {
            let cue = &ctx.cues[ci];
            let rule = ctx.rule(cue);
            let Some(criterion) = rule.criterion else {
                continue;
            };
            if rule.category != Category::Criteria || cue.scope.negated {
                continue;
            }
            if !mentions.is_empty() && !topics_for_cue(ctx, cue, &mentions).contains(&topic) {
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

fn parity(ctx: &Context<'_>) -> crate::model::ParityResult {
    let cues: Vec<usize> = ctx
        .cues
        .iter()
        .enumerate()
        .filter(|(_, c)| ctx.rule(c).category == Category::Parity && !c.scope.negated)
        .map(|(i, _)| i)
        .collect();
    crate::model::ParityResult {
        mentioned: !cues.is_empty(),
        evidence: evidence(ctx, cues, Some(Topic::MentalHealthParity)),
    }
}
