//! Compiling a validated [`PatternSet`] into a [`Matcher`].
//!
//! Owns: the split of rules into Aho-Corasick literals and a regex set,
//! and the prefix-literal gate facts of each regex.
//! Must not: validate file syntax (that is `patterns`), or scan documents
//! (the compiled [`Matcher`] does that).

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::{RegexBuilder, RegexSetBuilder};
use regex_automata::hybrid;
use regex_automata::meta::Regex as MetaRegex;
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::util::prefilter::Prefilter;
use regex_syntax::hir::Hir;

use super::facts::{GateFacts, gate_facts};
use super::starts::WORD;
use super::{Automata, Gate, Matcher};
use crate::patterns::{Category, PatternError, PatternSet, Rule};
use crate::textutil::ascii_classes;

const REGEX_SIZE_LIMIT: usize = 1 << 24;

/// Compiles a pattern set and builds everything now, so that a regex
/// that cannot be built is reported here, with its rule's file and line
/// (`patterns check`, a `--patterns` directory).
pub fn compile(set: PatternSet) -> Result<Matcher, PatternError> {
    let m = compile_lazy(set);
    m.compile_all()?;
    Ok(m)
}

/// Prepares a pattern set whose regexes and automata are built on first
/// use: the built-in library, whose every regex a unit test builds.
pub fn compile_lazy(set: PatternSet) -> Matcher {
    let mut literal_rule: Vec<usize> = Vec::new();
    let mut regex_src: Vec<String> = Vec::new();
    let mut regex_rule: Vec<usize> = Vec::new();
    for (ri, rule) in set.rules.iter().enumerate() {
        if rule.category == Category::Section {
            // Heading rules describe a whole line; they are matched against
            // candidate heading lines only, never scanned over the text.
            continue;
        }
        literal_rule.extend(rule.literals.iter().map(|_| ri));
        for r in &rule.regexes {
            regex_src.push(case_wrapped(&ascii_classes(r), rule.case_sensitive));
            regex_rule.push(ri);
        }
    }
    Matcher::from_parts(set, literal_rule, regex_src, regex_rule)
}

/// A rule regex with its case-insensitivity made part of its source.
fn case_wrapped(src: &str, case_sensitive: bool) -> String {
    if case_sensitive {
        src.to_string()
    } else {
        format!("(?i:{src})")
    }
}

/// Builds one scanning regex. Only whole matches are asked of it: with
/// no capture groups beyond the match itself it compiles in about 60% of
/// the time (measured over the built-in library) and searches as fast.
pub(super) fn regex(src: &str) -> Result<MetaRegex, String> {
    let config = MetaRegex::config()
        .nfa_size_limit(Some(REGEX_SIZE_LIMIT))
        .which_captures(WhichCaptures::Implicit);
    MetaRegex::builder()
        .configure(config)
        .build(src)
        .map_err(|e| format!("bad regex {src:?}: {e}"))
}

/// Builds one regex for anchored searches only: the same regex without
/// prefilters, which an anchored search never uses and which take most of
/// the time a build of a regex with many prefix literals takes, and
/// without a full DFA (the lazy one serves the short anchored tries; its
/// determinization cost more than it saved: measured in instructions on a
/// cold one-document run, the dev set and the payer documents).
pub(super) fn anchored_regex(src: &str) -> Result<MetaRegex, String> {
    let config = MetaRegex::config()
        .nfa_size_limit(Some(REGEX_SIZE_LIMIT))
        .which_captures(WhichCaptures::Implicit)
        .auto_prefilter(false)
        .dfa(false);
    MetaRegex::builder()
        .configure(config)
        .build(src)
        .map_err(|e| format!("bad regex {src:?}: {e}"))
}

/// The most a thread's cache of the always-set's automaton holds (or the
/// least the DFA needs, when that is more): the dev set used 0.37 MB,
/// against the crate's default of 2 MB.
pub(super) const SET_CACHE_CAPACITY: usize = 1 << 19;

/// One lazy DFA of several regexes that reports each of them that
/// matches (`MatchKind::All`), whose cache holds at most `cache_capacity`
/// bytes (or the least it needs): which of the regexes without prefix
/// literals match a text anywhere, in one pass ([`Automata::always`]), and
/// where the regexes that begin with a word boundary start
/// ([`Automata::starts`]). `None` when it cannot be built (a Unicode word
/// boundary, a regex too large): the regexes are then found another way.
pub(super) fn set_dfa(sources: &[&str], cache_capacity: usize) -> Option<hybrid::dfa::DFA> {
    if sources.is_empty() {
        return None;
    }
    set_dfa_builder(cache_capacity).build_many(sources).ok()
}

/// [`set_dfa`] of regexes given as syntax, which may match bytes that are
/// not UTF-8 (`widen.rs`).
pub(super) fn set_dfa_of(hirs: &[Hir], cache_capacity: usize) -> Option<hybrid::dfa::DFA> {
    if hirs.is_empty() {
        return None;
    }
    let nfa = thompson::Compiler::new()
        .configure(nfa_config().utf8(false))
        .build_many_from_hir(hirs)
        .ok()?;
    set_dfa_builder(cache_capacity).build_from_nfa(nfa).ok()
}

fn nfa_config() -> thompson::Config {
    thompson::Config::new()
        .nfa_size_limit(Some(REGEX_SIZE_LIMIT))
        .which_captures(WhichCaptures::None)
}

fn set_dfa_builder(cache_capacity: usize) -> hybrid::dfa::Builder {
    let mut builder = hybrid::dfa::Builder::new();
    builder
        .configure(
            hybrid::dfa::DFA::config()
                .match_kind(regex_automata::MatchKind::All)
                .cache_capacity(cache_capacity)
                .skip_cache_capacity_check(true),
        )
        .thompson(nfa_config());
    builder
}

/// Builds the literal automaton, the regexes' gate and the heading set.
pub(super) fn automata(m: &Matcher) -> Result<Automata, PatternError> {
    let set = m.pattern_set();
    let mut literals: Vec<&str> = Vec::new();
    // The regexes without their case-insensitivity wrapper: their prefix
    // literals, folded to lowercase, are the gate's.
    let mut gate_src: Vec<String> = Vec::new();
    let mut heading_src: Vec<String> = Vec::new();
    let mut heading_rule: Vec<usize> = Vec::new();
    for (ri, rule) in set.rules.iter().enumerate() {
        if rule.category == Category::Section {
            let alternatives = rule
                .regexes
                .iter()
                .cloned()
                .chain(rule.literals.iter().map(|l| regex::escape(l)));
            for src in alternatives {
                let anchored = format!("^(?:{})$", ascii_classes(&src));
                heading_src.push(case_wrapped(&anchored, rule.case_sensitive));
                heading_rule.push(ri);
            }
            continue;
        }
        literals.extend(rule.literals.iter().map(String::as_str));
        gate_src.extend(rule.regexes.iter().map(|r| ascii_classes(r)));
    }
    let gate = Gate::build(&gate_src);
    // One automaton for both, so that a text the gate plans for is
    // scanned once.
    let literal_count = literals.len();
    let all: Vec<Vec<u8>> = literals
        .iter()
        .map(|l| l.as_bytes().to_ascii_lowercase())
        .chain(gate.literals.iter().cloned())
        .collect();
    let literal_error = |e: aho_corasick::BuildError| PatternError {
        file: "<literals>".into(),
        line: None,
        rule: None,
        reason: format!("cannot build the literal automaton: {e}"),
    };
    let scan = literal_automaton(&all).map_err(literal_error)?;
    // For a walked text: the rules' literals the walk cannot find (those
    // that begin with no word byte, so not at a word boundary), then the
    // literals required by the regexes the walk cannot find and whose scan
    // has no fast prefilter, which scan the text only when one of theirs
    // occurs.
    let (walked, unwalked): (Vec<usize>, Vec<usize>) =
        (0..literal_count).partition(|&id| all[id].first().is_some_and(|&b| WORD[usize::from(b)]));
    let unfiltered: Vec<bool> = (0..gate.count)
        .map(|i| !gate.bounded[i] && !has_fast_prefilter(&m.regex_src[i]))
        .collect();
    let (required, walk_requires): (Vec<Vec<u8>>, Vec<Vec<usize>>) = gate
        .literals
        .iter()
        .zip(&gate.requires)
        .filter_map(|(l, by)| {
            let by: Vec<usize> = by.iter().copied().filter(|&i| unfiltered[i]).collect();
            (!by.is_empty()).then(|| (l.clone(), by))
        })
        .unzip();
    let walk_waits: Vec<usize> = (0..gate.count)
        .filter(|&i| unfiltered[i] && gate.required[i])
        .collect();
    let walk_scan_literals: Vec<Vec<u8>> = unwalked.iter().map(|&id| all[id].clone()).collect();
    let walk_scan = AhoCorasickBuilder::new()
        .match_kind(MatchKind::Standard)
        .ascii_case_insensitive(true)
        .build([walk_scan_literals, required].concat())
        .map_err(literal_error)?;
    let headings = if heading_src.is_empty() {
        None
    } else {
        let built = RegexSetBuilder::new(&heading_src)
            .size_limit(REGEX_SIZE_LIMIT)
            .build();
        match built {
            Ok(re) => Some((re, heading_rule)),
            Err(e) => return Err(heading_error(set, &heading_src, &heading_rule, e)),
        }
    };
    Ok(Automata {
        scan,
        gate,
        always: OnceLock::new(),
        literals: all[..literal_count].to_vec(),
        walked_literals: walked,
        walk_scan,
        unwalked_literals: unwalked,
        walk_requires,
        walk_waits,
        starts: OnceLock::new(),
        headings,
    })
}

/// Whether a scan with regex `src` skips to where its matches can start
/// (say, a rare byte every match starts with) rather than reading every
/// byte of the text.
fn has_fast_prefilter(src: &str) -> bool {
    regex_syntax::Parser::new().parse(src).is_ok_and(|hir| {
        Prefilter::from_hir_prefix(regex_automata::MatchKind::LeftmostFirst, &hir)
            .is_some_and(|p| p.is_fast())
    })
}

/// The heading alternative that made the heading set fail to build,
/// named with its rule.
fn heading_error(
    set: &PatternSet,
    sources: &[String],
    rules: &[usize],
    set_error: regex::Error,
) -> PatternError {
    let culprit = sources.iter().zip(rules).find_map(|(src, &ri)| {
        RegexBuilder::new(src)
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
            .err()
            .map(|e| (ri, format!("bad regex {src:?}: {e}")))
    });
    match culprit {
        Some((ri, reason)) => {
            let rule: &Rule = &set.rules[ri];
            PatternError {
                file: rule.file.clone(),
                line: Some(rule.line),
                rule: Some(rule.id.clone()),
                reason,
            }
        }
        None => PatternError {
            file: "<headings>".into(),
            line: None,
            rule: None,
            reason: format!("cannot build the heading set: {set_error}"),
        },
    }
}

/// An automaton reporting every (overlapping) occurrence of `literals`
/// (lowercased ASCII) in a text whose ASCII letters are lowercased: case
/// is folded on ASCII only, as `ascii_case_insensitive` would, and the
/// automaton, which holds one case, is cheaper to build and to run (a
/// third less to build, a tenth less to run on the dev set); `None` for no
/// literals.
fn literal_automaton<P: AsRef<[u8]>>(
    literals: &[P],
) -> Result<Option<AhoCorasick>, aho_corasick::BuildError> {
    if literals.is_empty() {
        return Ok(None);
    }
    AhoCorasickBuilder::new()
        .match_kind(MatchKind::Standard)
        .build(literals)
        .map(Some)
}

/// The gate facts of the built-in library's regexes, worked out with
/// [`gate_facts`] by the build script: `FACTS` holds `(source, prefixes,
/// bounded, required)`, sorted by source.
mod builtin {
    include!(concat!(env!("OUT_DIR"), "/gate_facts.rs"));
}

/// The facts of a regex of the built-in library, as the build script
/// worked them out; `None` for any other regex.
pub(super) fn precomputed(src: &str) -> Option<GateFacts> {
    let i = builtin::FACTS.binary_search_by(|e| e.0.cmp(src)).ok()?;
    let (_, prefixes, bounded, required) = builtin::FACTS[i];
    let owned = |set: Option<&[&[u8]]>| set.map(|s| s.iter().map(|l| l.to_vec()).collect());
    Some(GateFacts {
        prefixes: owned(prefixes),
        bounded,
        required: owned(required),
    })
}

impl Gate {
    /// Gates every regex (given without its case-insensitivity wrapper)
    /// that has a finite set of prefix literals; the others scan the whole
    /// text. A regex with a set of required literals rarer than its
    /// prefixes runs only in a text where one of them occurs. Case is
    /// folded on ASCII only, which is exact on normalized text: NFKC has
    /// already mapped the non-ASCII letters that fold to ASCII ones (the
    /// Kelvin sign, the long s) onto them.
    fn build(regex_src: &[String]) -> Gate {
        #[derive(Default)]
        struct Uses {
            opens: Vec<usize>,
            required_by: Vec<usize>,
        }
        let mut by_literal: std::collections::BTreeMap<Vec<u8>, Uses> =
            std::collections::BTreeMap::new();
        let mut always = Vec::new();
        let mut bounded = Vec::with_capacity(regex_src.len());
        let mut required = Vec::with_capacity(regex_src.len());
        for (i, src) in regex_src.iter().enumerate() {
            let facts = precomputed(src).unwrap_or_else(|| gate_facts(src));
            bounded.push(facts.bounded);
            match facts.prefixes {
                Some(lits) => {
                    for l in lits {
                        by_literal.entry(l).or_default().opens.push(i);
                    }
                }
                None => always.push(i),
            }
            required.push(facts.required.is_some());
            for l in facts.required.into_iter().flatten() {
                by_literal.entry(l).or_default().required_by.push(i);
            }
        }
        let mut literals = Vec::with_capacity(by_literal.len());
        let mut regexes = Vec::with_capacity(by_literal.len());
        let mut requires = Vec::with_capacity(by_literal.len());
        for (l, uses) in by_literal {
            literals.push(l);
            regexes.push(uses.opens);
            requires.push(uses.required_by);
        }
        let unbounded = (0..regex_src.len()).filter(|&i| !bounded[i]).collect();
        Gate {
            unbounded,
            literals,
            regexes,
            requires,
            required,
            always,
            bounded,
            count: regex_src.len(),
        }
    }
}
