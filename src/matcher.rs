//! Scanning normalized text with the compiled pattern library.
//!
//! Owns: finding every rule hit (rule, byte span) in a text. A run's first
//! megabyte of text goes through one pass of one Aho-Corasick automaton
//! holding both the rules' literals and the prefix literals of the regexes
//! (the [`Gate`]: every match of such a regex starts where one of its
//! prefix literals occurs, so it is tried, anchored, only there) and the
//! literals some regexes require (every match of such a regex contains one
//! of them, so it runs only in a text where one occurs). The regexes
//! without a prefix set run over the whole text, but only those that one
//! pass of a lazy DFA of them all finds in it; so do regexes with too many
//! candidates. After that, one lazy DFA of every regex that begins with a
//! word boundary and of every literal that begins with a word byte,
//! walked anchored from each word boundary, says where each of them can
//! have a match, and often where it ends (`matcher/starts.rs`); they are
//! tried only there, and only when the end is not known. A small
//! automaton finds the other literals and those that the few other
//! regexes require; those regexes scan the text. Either way, the anchored
//! tries (and the ends the walk knows) reproduce `find_iter`'s
//! leftmost-first, non-overlapping matches exactly: the DFAs of several
//! regexes (`MatchKind::All`) only say where a regex can match, and when
//! one cannot be built or gives up, the regexes are found the other way.
//! A `RegexSet` pre-check over ~150 patterns was measured and dropped: an
//! overlapping search that large cannot stay on the lazy DFA and fell back
//! to the PikeVM, which took 83% of a scan (12.7 s vs 0.7 s on a 1.8 MB
//! document); an unanchored DFA of every regex builds a new state every
//! few bytes of new text (docs/SCALE.md).
//! The [`Matcher`] is immutable, `Send + Sync`, and shared by reference
//! across rayon workers.
//!
//! Compiling a pattern set into a `Matcher` is [`compile`].
//!
//! Must not: decide what a hit means (that is `classify`) or load files
//! (that is `patterns`).

pub mod compile;
mod facts;
mod starts;
mod widen;

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use aho_corasick::AhoCorasick;
use rayon::prelude::*;
use regex::RegexSet;
use regex_automata::hybrid;
use regex_automata::meta::Regex as MetaRegex;
use regex_automata::util::pool::Pool;
use regex_automata::{Anchored, Input, PatternID, PatternSet as Found};

use self::starts::Starts;
use crate::patterns::{PatternError, PatternSet, Rule, SectionKind};

/// One rule hit: the rule's index in [`Matcher::rules`] and the byte span.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hit {
    /// Byte offset of the start.
    pub start: usize,
    /// Byte offset of the end.
    pub end: usize,
    /// Index of the rule.
    pub rule: usize,
}

/// The compiled pattern library. What is costly to build (the regexes,
/// the Aho-Corasick automata, the heading set) is built when a text first
/// needs it, once, and shared by every thread: a run compiles only the
/// regexes its documents have candidates for, and a run whose documents
/// all come from the analysis cache compiles nothing.
#[derive(Debug)]
pub struct Matcher {
    set: PatternSet,
    literal_rule: Vec<usize>,
    regex_src: Vec<String>,
    regex_rule: Vec<usize>,
    regexes: Vec<OnceLock<Result<MetaRegex, String>>>,
    /// The same regexes built for anchored tries only, when a text needs
    /// no scan with them.
    anchored: Vec<OnceLock<Result<MetaRegex, String>>>,
    automata: OnceLock<Result<Automata, PatternError>>,
    /// Bytes of text matched so far.
    matched: AtomicUsize,
    /// Bytes of text matched before the regexes' starts are walked
    /// ([`Automata::starts`]).
    walk_after: usize,
    /// What a thread matching a text works in, one per thread that does.
    scratch: Pool<Scratch>,
}

/// What [`Matcher::find_all`] works in, kept from text to text so that
/// neither the automata's caches nor the lists need to be made again.
#[derive(Debug, Default)]
struct Scratch {
    /// What [`Automata::starts`] is walked with; made on first use.
    walk: Option<starts::Walker>,
    /// The cache of [`Automata::always`], with the set its search fills.
    always: Option<(hybrid::dfa::Cache, Found)>,
    planner: Planner,
    /// The text with its ASCII letters lowercased, for the literal pass.
    lower: Vec<u8>,
    /// The occurrences of prefix literals that can open a regex:
    /// (literal, start, whether it starts at a word boundary).
    opening: Vec<(usize, usize, bool)>,
    /// One regex's matches in the text.
    spans: Vec<(usize, usize)>,
}

/// The automata every text goes through: the literals and the regexes'
/// gate in one, and the heading rules.
#[derive(Debug)]
pub(crate) struct Automata {
    /// The rules' literals (pattern ids below `literals.len()`), then the
    /// gate's prefix literals (the rest); `None` when there are neither.
    pub(crate) scan: Option<AhoCorasick>,
    pub(crate) gate: Gate,
    /// The regexes the gate cannot gate ([`Gate::always`]) as one
    /// automaton, which tells which of them match a text at all (built on
    /// first use; `None`: it cannot be).
    pub(crate) always: OnceLock<Option<hybrid::dfa::DFA>>,
    /// The rules' literals, lowercased, by id.
    pub(crate) literals: Vec<Vec<u8>>,
    /// The rules' literals that begin with a word byte, which
    /// [`Automata::starts`] finds with the regexes (its pattern for
    /// literal `id` stands for index `gate.count + id`).
    pub(crate) walked_literals: Vec<usize>,
    /// For texts whose regexes are found by [`Automata::starts`]: the
    /// rules' literals it does not find (`unwalked_literals`), then the
    /// required literals of the regexes without a leading word boundary
    /// whose scan reads every byte (`walk_requires`).
    pub(crate) walk_scan: AhoCorasick,
    /// The rule literals of `walk_scan`'s first patterns.
    pub(crate) unwalked_literals: Vec<usize>,
    /// For each of `walk_scan`'s required literals, the regexes it is a
    /// required literal of.
    pub(crate) walk_requires: Vec<Vec<usize>>,
    /// The regexes that scan a walked text only when one of their
    /// required literals occurs in it.
    pub(crate) walk_waits: Vec<usize>,
    /// The regexes that begin with a word boundary as one automaton, which
    /// tells where their matches start (built on first use; `None`: it
    /// cannot be).
    pub(crate) starts: OnceLock<Option<Starts>>,
    /// One whole-line pattern per heading alternative, and its rule.
    pub(crate) headings: Option<(RegexSet, Vec<usize>)>,
}

/// Which regexes can match a text at all, from the occurrences of their
/// prefix literals and of the literals every one of their matches contains.
#[derive(Debug)]
pub struct Gate {
    /// The prefix literals of the gated regexes and the required literals
    /// of the others (lowercased ASCII), in the order of `regexes`.
    pub(crate) literals: Vec<Vec<u8>>,
    /// For each literal, the regexes it opens: their matches can start
    /// where it occurs.
    pub(crate) regexes: Vec<Vec<usize>>,
    /// For each literal, the regexes it is a required literal of: they can
    /// match only in a text where one of their required literals occurs.
    pub(crate) requires: Vec<Vec<usize>>,
    /// Regexes with required literals.
    pub(crate) required: Vec<bool>,
    /// Regexes without a usable prefix set: they always run.
    pub(crate) always: Vec<usize>,
    /// Regexes that begin with a word boundary: only candidates at one
    /// count.
    pub(crate) bounded: Vec<bool>,
    /// The other regexes.
    pub(crate) unbounded: Vec<usize>,
    /// Number of regexes.
    pub(crate) count: usize,
}

/// Bytes of text a full regex scan covers in the time of one anchored try
/// (measured: ~330 ns a try, ~0.8 ns a byte).
const SCAN_BYTES_PER_TRY: usize = 400;

/// Anchored tries that take the time of building a regex for scanning
/// (with its prefilters and full DFA), which a regex not built yet would
/// cost before its first scan (measured: about 0.15 ms a build).
const BUILD_TRIES: usize = 500;

/// Bytes of text a run matches before it walks the regexes' starts (see
/// [`Automata::starts`]). The automaton costs about 17 ms to build, and
/// its first texts build most of its states: more than a run of one or a
/// few documents saves by it. Whether starts are walked changes how fast a
/// text is matched, never what is found (the tests run both ways).
const WALK_AFTER_BYTES: usize = 1 << 20;

impl Gate {
    /// Whether an occurrence of prefix literal `literal` can open one of
    /// its regexes (`at_boundary`: it starts at a word boundary): not
    /// inside a word when they all begin with a word boundary.
    fn opens_at(&self, literal: usize, at_boundary: bool) -> bool {
        let opens = &self.regexes[literal];
        !opens.is_empty() && (at_boundary || opens.iter().any(|&i| !self.bounded[i]))
    }
}

/// Where each regex of one text is looked for, filled from the text's
/// candidates. Kept from text to text with a thread's [`Scratch`], so that
/// its lists keep their room.
#[derive(Debug, Default)]
struct Planner {
    /// Whether each regex scans the whole text.
    scan: Vec<bool>,
    /// Otherwise, where its matches can start (sorted and without
    /// duplicates once finished; empty: nowhere).
    starts: Vec<Vec<Candidate>>,
    /// Whether one of a regex's required literals occurs in the text.
    present: Vec<bool>,
    /// Whether each regex is built for scanning already.
    built: Vec<bool>,
    /// The most candidates a built regex is tried at before a scan of
    /// the text is cheaper.
    most: usize,
    /// The regexes looked for in the text, each once: those that scan it
    /// and those with candidates. Every regex with candidates is in it,
    /// so that the next text clears only their lists.
    runs: Vec<usize>,
}

impl Planner {
    /// Starts the plan of a text: no regex scanning it, none with a
    /// candidate.
    fn reset(&mut self, gate: &Gate) {
        self.scan.clear();
        self.scan.resize(gate.count, false);
        self.starts.resize_with(gate.count, Vec::new);
        for &i in &self.runs {
            self.starts[i].clear();
        }
        self.runs.clear();
        self.present.clear();
        self.present.resize(gate.count, false);
    }

    /// Starts the plan of a text of `len` bytes for the gate: every gated
    /// regex with no candidate yet, the others scanning the whole text.
    fn reset_for_gate(&mut self, gate: &Gate, m: &Matcher, len: usize) {
        self.reset(gate);
        for &i in &gate.always {
            self.scan[i] = true;
        }
        self.built.clear();
        self.built
            .extend(m.regexes.iter().map(|r| r.get().is_some()));
        // An anchored try costs about what scanning a few hundred bytes
        // does: a regex with many candidates scans the text instead.
        self.most = len / SCAN_BYTES_PER_TRY;
    }

    /// The most candidates regex `i` is tried at before scanning the text
    /// is cheaper, counting the build of a regex not built yet.
    fn most(&self, i: usize) -> usize {
        if self.built[i] {
            self.most
        } else {
            self.most + BUILD_TRIES
        }
    }

    /// Counts an occurrence of prefix literal `literal` at `start` (at a
    /// word boundary or not) for the regexes it opens.
    fn candidate(&mut self, gate: &Gate, literal: usize, start: usize, at_boundary: bool) {
        for &i in &gate.regexes[literal] {
            if self.scan[i] || (gate.bounded[i] && !at_boundary) {
                continue;
            }
            // Overlapping literals can repeat a start: the count may run
            // ahead of the distinct starts.
            if self.starts[i].len() > 2 * self.most(i) {
                self.scan[i] = true;
            } else {
                self.starts[i].push(Candidate {
                    start,
                    end: UNKNOWN_END,
                });
            }
        }
    }

    /// Of the regexes that always run, keeps those `set` (the same
    /// regexes as one automaton) finds somewhere in `text`; all of them
    /// when its search gives up.
    fn scan_only_matching(
        &mut self,
        gate: &Gate,
        set: &hybrid::dfa::DFA,
        text: &str,
        cache: &mut Option<(hybrid::dfa::Cache, Found)>,
    ) {
        let (cache, found) = cache
            .get_or_insert_with(|| (hybrid::dfa::Cache::new(set), Found::new(set.pattern_len())));
        found.clear();
        if set
            .try_which_overlapping_matches(cache, &Input::new(text), found)
            .is_err()
        {
            return;
        }
        for (k, &i) in gate.always.iter().enumerate() {
            if !found.contains(PatternID::new_unchecked(k)) {
                self.scan[i] = false;
            }
        }
    }

    /// Settles, for each regex, where its matches can start: nowhere when
    /// none of its required literals occurs, everywhere when it has more
    /// candidates than tries are worth; and lists those looked for.
    fn finish(&mut self, gate: &Gate) {
        for i in 0..gate.count {
            if gate.required[i] && !self.present[i] {
                self.scan[i] = false;
                self.starts[i].clear();
            } else if !self.scan[i] {
                let starts = &mut self.starts[i];
                starts.sort_unstable();
                starts.dedup();
                if starts.len() > self.most(i) {
                    self.scan[i] = true;
                }
            }
        }
        self.runs.clear();
        self.runs
            .extend((0..gate.count).filter(|&i| self.scan[i] || !self.starts[i].is_empty()));
    }
}

/// Where a match of a regex can start, and where it ends when that is
/// known without a try: the walk of starts saw one end only, and the text
/// up to it is ASCII ([`UNKNOWN_END`] otherwise).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Candidate {
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// The end of a [`Candidate`] that a try finds.
pub(crate) const UNKNOWN_END: usize = usize::MAX;

/// The non-empty matches `re.find_iter(text)` reports, given every offset
/// where a match may start: at each candidate not inside the previous
/// match, the anchored leftmost-first match there. `re` is asked for only
/// when a candidate's end is not known.
fn matches_at<'a>(
    re: impl Fn() -> &'a MetaRegex,
    text: &str,
    candidates: &[Candidate],
    out: &mut Vec<(usize, usize)>,
) {
    let mut next = 0;
    for &Candidate { start: s, end } in candidates {
        if s < next {
            continue;
        }
        if end != UNKNOWN_END && text.as_bytes()[s..end].is_ascii() {
            // Its only match from `s` ends there.
            if end == s {
                next = s + 1;
            } else {
                out.push((s, end));
                next = end;
            }
            continue;
        }
        let re = re();
        let input = Input::new(text).range(s..).anchored(Anchored::Yes);
        if let Some(m) = re.search(&input) {
            if m.is_empty() {
                next = s + 1;
            } else {
                out.push((m.start(), m.end()));
                next = m.end();
            }
        }
    }
}

impl Matcher {
    pub(crate) fn from_parts(
        set: PatternSet,
        literal_rule: Vec<usize>,
        regex_src: Vec<String>,
        regex_rule: Vec<usize>,
    ) -> Matcher {
        let regexes = regex_src.iter().map(|_| OnceLock::new()).collect();
        let anchored = regex_src.iter().map(|_| OnceLock::new()).collect();
        Matcher {
            set,
            literal_rule,
            regex_src,
            regex_rule,
            regexes,
            anchored,
            automata: OnceLock::new(),
            matched: AtomicUsize::new(0),
            walk_after: WALK_AFTER_BYTES,
            scratch: Pool::new(Scratch::default),
        }
    }

    /// Builds now everything that is otherwise built on first use, and
    /// reports the first regex or automaton that cannot be built (with
    /// its rule's file and line).
    pub fn compile_all(&self) -> Result<(), PatternError> {
        if let Err(e) = self.automata.get_or_init(|| compile::automata(self)) {
            return Err(e.clone());
        }
        self.set.compile_vocabulary()?;
        for i in 0..self.regexes.len() {
            if let Err(reason) = self.try_regex(i) {
                let rule = &self.set.rules[self.regex_rule[i]];
                return Err(PatternError {
                    file: rule.file.clone(),
                    line: Some(rule.line),
                    rule: Some(rule.id.clone()),
                    reason: reason.clone(),
                });
            }
        }
        Ok(())
    }

    fn try_regex(&self, i: usize) -> &Result<MetaRegex, String> {
        self.regexes[i].get_or_init(|| compile::regex(&self.regex_src[i]))
    }

    /// Regex `i`, built on first use.
    fn regex(&self, i: usize) -> &MetaRegex {
        self.try_regex(i)
            .as_ref()
            .expect("the pattern library's regexes were checked when it was loaded")
    }

    /// Regex `i` for anchored tries: the scanning build when there is
    /// one already, else one built without prefilters or a full DFA (see
    /// [`compile::anchored_regex`]).
    fn anchored_regex(&self, i: usize) -> &MetaRegex {
        if let Some(Ok(re)) = self.regexes[i].get() {
            return re;
        }
        self.anchored[i]
            .get_or_init(|| compile::anchored_regex(&self.regex_src[i]))
            .as_ref()
            .expect("the pattern library's regexes were checked when it was loaded")
    }

    /// The automaton of the regexes without prefix literals, built on
    /// first use.
    fn always<'a>(&self, automata: &'a Automata) -> Option<&'a hybrid::dfa::DFA> {
        automata
            .always
            .get_or_init(|| {
                let sources: Vec<&str> = automata
                    .gate
                    .always
                    .iter()
                    .map(|&i| self.regex_src[i].as_str())
                    .collect();
                compile::set_dfa(&sources, compile::SET_CACHE_CAPACITY)
            })
            .as_ref()
    }

    /// The automaton of the regexes that begin with a word boundary and
    /// of the literals that begin with a word byte, built on first use.
    fn starts<'a>(&self, automata: &'a Automata) -> Option<&'a Starts> {
        automata
            .starts
            .get_or_init(|| {
                let count = automata.gate.count;
                let literals = automata.walked_literals.iter().map(|&id| {
                    let literal = String::from_utf8_lossy(&automata.literals[id]);
                    (
                        count + id,
                        format!("(?i:(?-u:\\b){})", regex::escape(&literal)),
                    )
                });
                let patterns: Vec<(usize, String)> = (0..count)
                    .filter(|&i| automata.gate.bounded[i])
                    .map(|i| (i, self.regex_src[i].clone()))
                    .chain(literals)
                    .collect();
                Starts::build(&patterns)
            })
            .as_ref()
    }

    fn automata(&self) -> &Automata {
        self.automata
            .get_or_init(|| compile::automata(self))
            .as_ref()
            .expect("the pattern library's automata were checked when it was loaded")
    }

    /// The same matcher walking starts after `bytes` of text instead of
    /// [`WALK_AFTER_BYTES`].
    #[cfg(test)]
    fn walk_after(mut self, bytes: usize) -> Matcher {
        self.walk_after = bytes;
        self
    }

    /// The rules, indexed by [`Hit::rule`].
    pub fn rules(&self) -> &[Rule] {
        &self.set.rules
    }

    /// `builtin@<hash>` or `<dir>@<hash>`.
    pub fn origin(&self) -> &str {
        &self.set.origin
    }

    /// The pattern set this matcher was compiled from.
    pub fn pattern_set(&self) -> &PatternSet {
        &self.set
    }

    /// Index of a rule by id.
    pub fn rule_index(&self, id: &str) -> Option<usize> {
        self.set.rules.iter().position(|r| r.id == id)
    }

    /// The section kind named by a heading line (already stripped of
    /// numbering), if a section rule matches the whole line.
    pub fn heading(&self, line: &str) -> Option<SectionKind> {
        let line = line.trim();
        let (set, rules) = self.automata().headings.as_ref()?;
        // The first alternative, in library order, that matches.
        let first = set.matches(line).iter().next()?;
        self.set.rules[rules[first]].section
    }

    /// Builds the regexes `plan` runs that are not built yet, on as many
    /// cores as are free: a first document needs a hundred or more.
    fn build(&self, plan: &Planner) {
        let unbuilt: Vec<usize> = plan
            .runs
            .iter()
            .copied()
            .filter(|&i| {
                self.regexes[i].get().is_none()
                    && (plan.scan[i] || self.anchored[i].get().is_none())
            })
            .collect();
        if unbuilt.len() < 2 {
            return;
        }
        unbuilt.par_iter().for_each(|&i| {
            if plan.scan[i] {
                let _ = self.try_regex(i);
            } else {
                let _ = self.anchored_regex(i);
            }
        });
    }

    /// Every hit in `text`, sorted by start, then end, then rule; one hit
    /// per (rule, span). `text` is normalized (NFKC): the gate folds case
    /// on ASCII only, which is exact once NFKC has mapped the Kelvin sign
    /// and the long s, the only non-ASCII letters folding to ASCII ones.
    pub fn find_all(&self, text: &str) -> Vec<Hit> {
        let automata = self.automata();
        let mut hits = Vec::new();
        let mut guard = self.scratch.get();
        let scratch = &mut *guard;
        let walk = self.matched.fetch_add(text.len(), Ordering::Relaxed) >= self.walk_after;
        if walk && self.plan_by_walk(automata, text, scratch) {
            self.finish_walk(automata, text, &mut scratch.planner, &mut hits);
        } else {
            self.plan_by_gate(automata, text, scratch, &mut hits);
        }
        let planner = &mut scratch.planner;
        self.build(planner);
        let spans = &mut scratch.spans;
        for &i in &planner.runs {
            let rule = self.regex_rule[i];
            spans.clear();
            if planner.scan[i] {
                spans.extend(
                    self.regex(i)
                        .find_iter(text)
                        .filter(|m| !m.is_empty())
                        .map(|m| (m.start(), m.end())),
                );
            } else if !planner.starts[i].is_empty() {
                matches_at(|| self.anchored_regex(i), text, &planner.starts[i], spans);
            }
            hits.extend(spans.iter().map(|&(start, end)| Hit { start, end, rule }));
        }
        hits.sort_unstable();
        hits.dedup();
        hits
    }

    /// On a walked text: pushes the hits of the rules' literals (those the
    /// walk found, checked against the text, and the others from
    /// [`Automata::walk_scan`]), and keeps each regex that waits for a
    /// required literal from scanning a text without one.
    fn finish_walk(
        &self,
        automata: &Automata,
        text: &str,
        planner: &mut Planner,
        hits: &mut Vec<Hit>,
    ) {
        let count = automata.gate.count;
        for &id in &automata.walked_literals {
            let literal = &automata.literals[id];
            for c in &planner.starts[count + id] {
                let end = c.start + literal.len();
                if text
                    .as_bytes()
                    .get(c.start..end)
                    .is_some_and(|t| t.eq_ignore_ascii_case(literal))
                {
                    self.literal_hit(text, c.start, end, id, hits);
                }
            }
        }
        let unwalked = automata.unwalked_literals.len();
        for m in automata.walk_scan.find_overlapping_iter(text) {
            let id = m.pattern().as_usize();
            match id.checked_sub(unwalked) {
                None => self.literal_hit(
                    text,
                    m.start(),
                    m.end(),
                    automata.unwalked_literals[id],
                    hits,
                ),
                Some(k) => {
                    for &i in &automata.walk_requires[k] {
                        planner.present[i] = true;
                    }
                }
            }
        }
        for &i in &automata.walk_waits {
            if !planner.present[i] {
                planner.scan[i] = false;
            }
        }
    }

    /// Plans where each regex is looked for from one walk of
    /// [`Automata::starts`]: its regexes are tried where a match can
    /// start, the others scan the text. `false` when the automaton cannot
    /// be built or its walk gives up.
    fn plan_by_walk(&self, automata: &Automata, text: &str, scratch: &mut Scratch) -> bool {
        let Some(starts) = self.starts(automata) else {
            return false;
        };
        let planner = &mut scratch.planner;
        planner.reset(&automata.gate);
        let count = automata.gate.count;
        for &i in &automata.gate.unbounded {
            planner.scan[i] = true;
        }
        // The walked literals' starts follow the regexes'.
        let literals = automata.literals.len();
        planner.starts.resize_with(count + literals, Vec::new);
        planner.starts[count..].iter_mut().for_each(Vec::clear);
        let walker = scratch.walk.get_or_insert_with(|| starts.walker());
        let walked = starts.find(
            walker,
            text.as_bytes(),
            &mut planner.starts,
            &mut planner.runs,
        );
        // The literals' lists are not the regexes'.
        planner.runs.retain(|&i| i < count);
        planner.runs.extend(&automata.gate.unbounded);
        walked.is_ok()
    }

    /// Plans where each regex is looked for from the prefix literals' gate
    /// (see [`Gate`]), and pushes the rules' literal hits, from one pass of
    /// [`Automata::scan`].
    fn plan_by_gate(
        &self,
        automata: &Automata,
        text: &str,
        scratch: &mut Scratch,
        hits: &mut Vec<Hit>,
    ) {
        let gate = &automata.gate;
        let planner = &mut scratch.planner;
        planner.reset_for_gate(gate, self, text.len());
        let bytes = text.as_bytes();
        scratch.opening.clear();
        if let Some(ac) = &automata.scan {
            lowercase_into(&mut scratch.lower, text);
            for m in ac.find_overlapping_iter(&scratch.lower) {
                let (s, e) = (m.start(), m.end());
                let id = m.pattern().as_usize();
                let Some(literal) = id.checked_sub(automata.literals.len()) else {
                    self.literal_hit(text, s, e, id, hits);
                    continue;
                };
                for &i in &gate.requires[literal] {
                    planner.present[i] = true;
                }
                let at_boundary = is_ascii_word_boundary(bytes, s);
                if gate.opens_at(literal, at_boundary) {
                    scratch.opening.push((literal, s, at_boundary));
                }
            }
        }
        if let Some(set) = self.always(automata) {
            planner.scan_only_matching(gate, set, text, &mut scratch.always);
        }
        for &(literal, s, at_boundary) in &scratch.opening {
            planner.candidate(gate, literal, s, at_boundary);
        }
        planner.finish(gate);
    }

    /// Pushes the hit of rule literal `id` at `start..end` when it stands
    /// as whole words.
    fn literal_hit(&self, text: &str, start: usize, end: usize, id: usize, hits: &mut Vec<Hit>) {
        let bytes = text.as_bytes();
        let start_ok = !is_word_byte(bytes[start]) || is_word_boundary(bytes, start);
        let end_ok = !is_word_byte(bytes[end - 1]) || is_word_boundary(bytes, end);
        if start_ok && end_ok {
            hits.push(Hit {
                start,
                end,
                rule: self.literal_rule[id],
            });
        }
    }
}

/// `text` with its ASCII letters lowercased, into `out`.
fn lowercase_into(out: &mut Vec<u8>, text: &str) {
    out.clear();
    out.extend(text.bytes().map(|b| b.to_ascii_lowercase()));
}

/// `(?-u:\b)` at `i`: an ASCII word byte on one side only.
fn is_ascii_word_boundary(bytes: &[u8], i: usize) -> bool {
    let word = |j: Option<usize>| {
        j.and_then(|j| bytes.get(j))
            .is_some_and(|&b| starts::WORD[usize::from(b)])
    };
    word(i.checked_sub(1)) != word(Some(i))
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// Whether a literal boundary at `i` sits between a word character and a
/// non-word character (or the text edge). Only ASCII alphanumerics count as
/// word characters on the ASCII side; any non-ASCII byte is treated as a
/// word character so that a literal never splits a multi-byte letter.
/// Literals that begin or end with punctuation ("(s)-ketamine") are only
/// checked on their word-character edges.
fn is_word_boundary(bytes: &[u8], i: usize) -> bool {
    let before = i.checked_sub(1).map(|j| bytes[j]);
    let after = bytes.get(i).copied();
    match (before, after) {
        (Some(a), Some(b)) => is_word_byte(a) != is_word_byte(b),
        _ => true,
    }
}

/// The built-in matcher, compiled once per test binary.
#[cfg(test)]
pub(crate) fn test_matcher() -> &'static Matcher {
    static M: std::sync::LazyLock<Matcher> = std::sync::LazyLock::new(|| {
        let set = PatternSet::builtin().expect("built-in patterns load");
        compile::compile(set).expect("built-in patterns compile")
    });
    &M
}

#[cfg(test)]
mod tests {
    use super::compile::compile;
    use super::*;

    /// A pattern file of one rule of `category`, with `regexes` (the
    /// items of a TOML array) and one example it matches.
    fn one_rule(category: &str, regexes: &str, example: &str) -> String {
        format!(
            "[[rule]]\nid = \"a\"\ncategory = \"{category}\"\ndescription = \"d\"\nregexes = [{regexes}]\nmatch = ['{example}']\n"
        )
    }

    fn matcher(toml: &str) -> Matcher {
        compile(PatternSet::from_files("t", &[("t.toml".into(), toml.into())]).unwrap()).unwrap()
    }

    /// The matcher of `set` as a run builds it (lazily) before it walks
    /// the regexes' starts, and once it does.
    fn both_ways(set: PatternSet) -> [Matcher; 2] {
        [
            compile::compile_lazy(set.clone()).walk_after(usize::MAX),
            compile::compile_lazy(set).walk_after(0),
        ]
    }

    /// [`both_ways`] of one pattern file.
    fn matchers(toml: &str) -> [Matcher; 2] {
        both_ways(PatternSet::from_files("t", &[("t.toml".into(), toml.into())]).unwrap())
    }

    #[test]
    fn literals_are_whole_word_and_case_insensitive() {
        // Both before and once a run walks the starts, which finds the
        // literals that begin with a word byte; "(s)-ketamine" is found
        // by an automaton of its own.
        for m in matchers(
            "[[rule]]\nid = \"k\"\ncategory = \"name\"\ntopic = \"ketamine\"\ndescription = \"d\"\nliterals = ['ketamine', '(s)-ketamine']\nmatch = ['ketamine']\n",
        ) {
            let t = "Esketamine is not KETAMINE; ketamine-based, (S)-Ketamine, ketaminé.";
            let hits = m.find_all(t);
            let spans: Vec<&str> = hits.iter().map(|h| &t[h.start..h.end]).collect();
            assert_eq!(
                spans,
                vec!["KETAMINE", "ketamine", "(S)-Ketamine", "Ketamine"]
            );
        }
    }

    #[test]
    fn a_literal_written_in_capitals_matches_in_any_case() {
        for m in matchers(
            "[[rule]]\nid = \"r\"\ncategory = \"experimental\"\ndescription = \"d\"\nliterals = ['REMS-certified']\nmatch = ['REMS-certified']\n",
        ) {
            let t = "A REMS-certified site; a Rems-Certified one; rems-certified.";
            let spans: Vec<&str> = m.find_all(t).iter().map(|h| &t[h.start..h.end]).collect();
            assert_eq!(
                spans,
                vec!["REMS-certified", "Rems-Certified", "rems-certified"]
            );
        }
    }

    /// What one walk of `m`'s starts automaton finds in `text`, by regex.
    fn walked_starts(m: &Matcher, text: &str) -> Vec<Vec<Candidate>> {
        let starts = m.starts(m.automata()).unwrap();
        let mut found = vec![Vec::new(); m.automata().gate.count];
        let mut walker = starts.walker();
        starts
            .find(&mut walker, text.as_bytes(), &mut found, &mut Vec::new())
            .unwrap();
        found
    }

    #[test]
    fn a_walk_names_each_regex_where_its_matches_start_and_the_end_when_there_is_one() {
        let toml = &one_rule(
            "coverage",
            r#"'\bis\s+covered\b', '\bis\s+excluded\b', '\bis\s+covered(?:\s+when)?\b', 'is\s+\w+'"#,
            "is covered",
        );
        let m = matcher(toml);
        let starts = m.starts(m.automata()).unwrap();
        // The regex without a leading word boundary is not walked: it
        // scans the text.
        assert_eq!(starts.regexes(), [0, 1, 2]);
        let text = "It is covered when asked; this is excluded; is covered.";
        let found = walked_starts(&m, text);
        let at = |start: usize, len: usize| Candidate {
            start,
            end: start + len,
        };
        let first = text.find("is covered").unwrap();
        let last = text.rfind("is covered").unwrap();
        let excluded = text.find("is excluded").unwrap();
        // The third regex has two ends at the first "is covered": a try
        // tells which is its match's.
        let unknown = Candidate {
            start: first,
            end: UNKNOWN_END,
        };
        assert_eq!(
            found,
            [
                vec![at(first, 10), at(last, 10)],
                vec![at(excluded, 11)],
                vec![unknown, at(last, 10)],
                vec![]
            ]
        );
        assert_gate_is_exact_alone_and_padded(
            &matchers(toml),
            &[text, "is is is", "this\nis\ncovered"],
        );
    }

    #[test]
    fn a_walk_may_name_more_starts_than_the_regexes_have_and_the_tries_drop_them() {
        // The walk reads any character outside ASCII as any other: it
        // names "€" too. It keeps the case of letters: not "plan".
        let toml = "[[rule]]\nid = \"a\"\ncategory = \"coverage\"\ndescription = \"d\"\ncase_sensitive = true\nregexes = ['\\bPlan\\b', '\\bcost\\s+£\\d']\nmatch = ['Plan']\n";
        let m = matcher(toml);
        let text = "The Plan and the plan; cost £5, cost €5.";
        let found = walked_starts(&m, text);
        // The ends it sees past a character outside ASCII may not be the
        // regex's: a try finds out.
        let at = |s: &str, len: usize| Candidate {
            start: text.find(s).unwrap(),
            end: text.find(s).unwrap() + len,
        };
        assert_eq!(
            found,
            [vec![at("Plan", 4)], vec![at("cost £", 8), at("cost €", 9)]]
        );
        let hits: Vec<&str> = m
            .find_all(text)
            .iter()
            .map(|h| &text[h.start..h.end])
            .collect();
        assert_eq!(hits, ["Plan", "cost £5"]);
        assert_gate_is_exact_alone_and_padded(&matchers(toml), &[text]);
    }

    #[test]
    fn a_regex_without_prefix_literals_scans_only_a_text_it_matches() {
        let toml = &one_rule(
            "experimental",
            r#"'(?-u:\b)[A-Z][0-9]{4}(?-u:\b)', '(?-u:\b)[A-Z]{2}[0-9]{2}(?-u:\b)', 'covered'"#,
            "J1234",
        );
        let m = matcher(toml);
        let automata = m.automata();
        assert_eq!(automata.gate.always, vec![0, 1]);
        let text = "Code J1234 is covered.";
        let mut planner = Planner::default();
        planner.reset_for_gate(&automata.gate, &m, text.len());
        assert_eq!(planner.scan, vec![true, true, false]);
        let set = m.always(automata).unwrap();
        planner.scan_only_matching(&automata.gate, set, text, &mut None);
        assert_eq!(planner.scan, vec![true, false, false]);
        assert_gate_is_exact_alone_and_padded(
            &matchers(toml),
            &[text, "AB12 and J1234", "none here"],
        );
    }

    #[test]
    fn regexes_and_literals_merge_sorted() {
        let m = matcher(
            "[[rule]]\nid = \"a\"\ncategory = \"experimental\"\ndescription = \"d\"\nregexes = ['investigat\\w+']\nmatch = ['investigational']\n\
             [[rule]]\nid = \"b\"\ncategory = \"experimental\"\ndescription = \"d\"\nliterals = ['experimental']\nmatch = ['experimental']\n",
        );
        let t = "Investigational and experimental.";
        let hits = m.find_all(t);
        assert_eq!(hits.len(), 2);
        assert_eq!(m.rules()[hits[0].rule].id, "a");
        assert_eq!(m.rules()[hits[1].rule].id, "b");
    }

    #[test]
    fn overlapping_literals_all_reported() {
        let m = matcher(
            "[[rule]]\nid = \"a\"\ncategory = \"medical_necessity\"\ndescription = \"d\"\nliterals = ['medically necessary', 'not medically necessary']\nmatch = ['medically necessary']\n",
        );
        let t = "is not medically necessary";
        assert_eq!(m.find_all(t).len(), 2);
    }

    /// The literal hits of `text` from an automaton of the literals alone.
    fn literal_hits(m: &Matcher, text: &str) -> Vec<Hit> {
        let literals: Vec<&str> = m
            .rules()
            .iter()
            .filter(|r| r.category != crate::patterns::Category::Section)
            .flat_map(|r| r.literals.iter().map(String::as_str))
            .collect();
        let Some(ac) = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&literals)
            .ok()
            .filter(|_| !literals.is_empty())
        else {
            return Vec::new();
        };
        let bytes = text.as_bytes();
        ac.find_overlapping_iter(text)
            .filter(|x| {
                let (s, e) = (x.start(), x.end());
                (!is_word_byte(bytes[s]) || is_word_boundary(bytes, s))
                    && (!is_word_byte(bytes[e - 1]) || is_word_boundary(bytes, e))
            })
            .map(|x| Hit {
                start: x.start(),
                end: x.end(),
                rule: m.literal_rule[x.pattern().as_usize()],
            })
            .collect()
    }

    /// Asserts that `find_all` (one pass of one automaton for the literals
    /// and the gate) gives what a pass of the literals alone and a scan of
    /// the whole text with every regex give.
    fn assert_gate_is_exact(m: &Matcher, text: &str, what: &str) {
        let gated = m.find_all(text);
        let mut all: Vec<Hit> = literal_hits(m, text);
        for (i, &rule) in m.regex_rule.iter().enumerate() {
            all.extend(
                m.regex(i)
                    .find_iter(text)
                    .filter(|x| !x.is_empty())
                    .map(|x| Hit {
                        start: x.start(),
                        end: x.end(),
                        rule,
                    }),
            );
        }
        all.sort_unstable();
        all.dedup();
        assert_eq!(gated, all, "{what}");
    }

    /// [`assert_gate_is_exact`] on each text alone and padded, so that
    /// the few candidates of a long text are tried one by one.
    fn assert_gate_is_exact_alone_and_padded(ms: &[Matcher], texts: &[&str]) {
        let pad = "lorem ipsum dolor sit amet ".repeat(100);
        for m in ms {
            for text in texts {
                assert_gate_is_exact(m, text, text);
                assert_gate_is_exact(m, &format!("{pad}{text}{pad}"), text);
            }
        }
    }

    /// The project's own phrasings (`tests/data/phrasings`): each file's
    /// name and text.
    pub(super) fn phrasings() -> Vec<(String, String)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/phrasings");
        let mut texts = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "txt") {
                let raw = std::fs::read_to_string(&path).unwrap();
                texts.push((path.display().to_string(), raw));
            }
        }
        texts.sort();
        texts
    }

    #[test]
    fn the_gate_changes_no_hit_of_the_builtin_library() {
        let m = test_matcher();
        let both = both_ways(PatternSet::builtin().unwrap());
        let gate = &m.automata().gate;
        assert!(
            gate.always.len() * 2 < gate.count,
            "most regexes are gated ({} of {} always run)",
            gate.always.len(),
            gate.count
        );
        let mut all = Vec::new();
        for (name, raw) in phrasings() {
            let norm = crate::normalize::NormalizedText::from_pages(std::slice::from_ref(&raw));
            for m in [m].into_iter().chain(&both) {
                assert_gate_is_exact(m, norm.text(), &name);
            }
            all.push(raw);
        }
        assert!(all.len() > 100);
        // All of them as one long document: most regexes are then tried
        // candidate by candidate rather than scanned.
        let norm = crate::normalize::NormalizedText::from_pages(&all);
        for m in [m].into_iter().chain(&both) {
            assert_gate_is_exact(m, norm.text(), "the whole corpus");
        }
    }

    #[test]
    fn the_gate_is_exact_on_alternations_flags_and_overlaps() {
        let toml = "[[rule]]\nid = \"a\"\ncategory = \"experimental\"\ndescription = \"d\"\n\
             regexes = ['\\bfoo|bar', 'Ke(?-i:T)amine', 'is\\s+\\w+', '(?:ab)+c', 'x?yz']\nmatch = ['foo']\n";
        let m = matcher(toml);
        assert_gate_is_exact_alone_and_padded(
            &matchers(toml),
            &[
                "foo bar abar xbarx foobar",
                "KeTamine ketamine KETAMINE keTAMINE",
                "this is it; is  not; This is",
                "ababc abc ababab c abababc",
                "xyz yz xxyz xyzyz",
                "",
            ],
        );
        // A long text: the regexes with many candidates scan it instead.
        let long = "is a bar of foo ".repeat(500);
        for m in [m].iter().chain(&matchers(toml)) {
            assert_gate_is_exact(m, &long, "long");
        }
    }

    #[test]
    fn a_regex_runs_only_where_a_literal_it_requires_occurs() {
        let toml = &one_rule(
            "coverage",
            r#"'\b(?:is|are)\s+(?:\w+\s+)?covered\b', '(?:\d+|one)\s+(?:days|visits)', "\\w+n't\\b", 'ab(?:cd|ef)?gh'"#,
            "is covered",
        );
        let m = matcher(toml);
        let gate = &m.automata().gate;
        let required: Vec<&[u8]> = gate
            .literals
            .iter()
            .zip(&gate.requires)
            .filter(|(_, r)| !r.is_empty())
            .map(|(l, _)| l.as_slice())
            .collect();
        assert_eq!(
            required,
            vec![&b"covered"[..], b"days", b"n't", b"visits"],
            "the rarest part every match goes through, for the regexes that have one"
        );
        assert_eq!(gate.required, vec![true, true, true, false]);
        assert_gate_is_exact_alone_and_padded(
            &matchers(toml),
            &[
                "it is covered; they are not covered; is it?",
                "it is not, and it isn't",
                "3 visits or one day; 10 days",
                "abgh abcdgh abefgh abxgh",
                "no match at all",
            ],
        );
    }

    /// Every document of the dev set and of the real payer texts, read and
    /// normalized as a scan does.
    fn shared_corpus_texts() -> Vec<(String, String)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let opts = crate::extract::FileOptions::default();
        let mut out = Vec::new();
        for dir in ["../shared/devset/pdf", "../shared/realdev/pdf"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
                eprintln!("{dir} not found beside the repository; skipped");
                continue;
            };
            let mut files: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
            files.sort();
            for f in files {
                if let Ok(x) = crate::extract::extract_file(&f, &opts).1 {
                    let norm = crate::normalize::NormalizedText::from_pages(&x.pages);
                    out.push((f.display().to_string(), norm.text().to_string()));
                }
            }
        }
        out
    }

    #[test]
    fn the_gate_changes_no_hit_on_real_and_dev_documents() {
        let m = test_matcher();
        // Built as a run builds it: regexes not built yet are tried at
        // more candidates before a scan; and walking starts.
        let both = both_ways(PatternSet::builtin().unwrap());
        let texts = shared_corpus_texts();
        for (name, text) in &texts {
            assert_gate_is_exact(m, text, name);
            for other in &both {
                assert_eq!(other.find_all(text), m.find_all(text), "{name}");
            }
        }
    }

    #[test]
    fn the_gate_facts_worked_out_at_build_time_are_those_of_the_library() {
        let set = PatternSet::builtin().unwrap();
        let mut checked = 0;
        for rule in &set.rules {
            for r in &rule.regexes {
                let src = crate::textutil::ascii_classes(r);
                assert_eq!(
                    compile::precomputed(&src),
                    Some(super::facts::gate_facts(&src)),
                    "{}: {src}",
                    rule.id
                );
                checked += 1;
            }
        }
        assert!(checked > 400, "{checked} regexes");
        assert_eq!(compile::precomputed("(?-u:\\b)not a library regex"), None);
    }

    #[test]
    fn a_lazy_library_builds_only_what_a_text_needs_and_finds_the_same_hits() {
        let lazy = compile::compile_lazy(PatternSet::builtin().unwrap());
        let built = |m: &Matcher| {
            (m.regexes.iter().zip(&m.anchored))
                .filter(|(r, a)| r.get().is_some() || a.get().is_some())
                .count()
        };
        assert_eq!(built(&lazy), 0);
        assert!(lazy.automata.get().is_none());
        let text = "Esketamine nasal spray requires prior authorization.";
        assert_eq!(lazy.find_all(text), test_matcher().find_all(text));
        let n = built(&lazy);
        assert!(
            n > 0 && n * 4 < lazy.regexes.len(),
            "{n} of {} regexes built for one sentence",
            lazy.regexes.len()
        );
        assert!(lazy.compile_all().is_ok());
        assert_eq!(built(&lazy), lazy.regexes.len());
    }

    #[test]
    fn a_regex_too_large_to_build_is_reported_with_its_rule() {
        let set = PatternSet::from_files(
            "t",
            &[(
                "t.toml".into(),
                "[[rule]]\nid = \"big\"\ncategory = \"experimental\"\ndescription = \"d\"\nregexes = ['(?:\\p{L}{1000}){20}']\nmatch = ['x']\n".into(),
            )],
        )
        .unwrap();
        let e = compile::compile(set).unwrap_err();
        assert_eq!(e.rule.as_deref(), Some("big"));
        assert_eq!(e.line, Some(2));
        assert!(e.reason.contains("bad regex"), "{e}");
    }

    #[test]
    fn matcher_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Matcher>();
    }
}
