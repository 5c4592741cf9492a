//! Compiling a validated [`PatternSet`] into a [`Matcher`].
//!
//! Owns: the split of rules into Aho-Corasick literals and a regex set,
//! and the prefix-literal gate facts of each regex.
//! Must not: validate file syntax (that is `patterns`), or scan documents
//! (the compiled [`Matcher`] does that).

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::{RegexBuilder, RegexSetBuilder};
use regex_automata::meta::Regex as MetaRegex;
use regex_automata::nfa::thompson::WhichCaptures;
use regex_syntax::hir::{Hir, HirKind};

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
    // One automaton for both: a text is scanned once.
    let literal_count = literals.len();
    let all: Vec<&[u8]> = literals
        .iter()
        .map(|l| l.as_bytes())
        .chain(gate.literals.iter().map(Vec::as_slice))
        .collect();
    let scan = literal_automaton(&all).map_err(|e| PatternError {
        file: "<literals>".into(),
        line: None,
        rule: None,
        reason: format!("cannot build the literal automaton: {e}"),
    })?;
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
        literal_count,
        gate,
        headings,
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

/// An ASCII-case-insensitive automaton reporting every (overlapping)
/// occurrence of `literals`; `None` for no literals.
fn literal_automaton<P: AsRef<[u8]>>(
    literals: &[P],
) -> Result<Option<AhoCorasick>, aho_corasick::BuildError> {
    if literals.is_empty() {
        return Ok(None);
    }
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .build(literals)
        .map(Some)
}

/// Shortest prefix literal worth gating a regex on: single letters occur
/// everywhere.
const MIN_GATE_LITERAL: usize = 2;

/// Shortest required literal worth looking for: shorter ones are in
/// nearly every text.
const MIN_REQUIRED_LITERAL: usize = 3;

/// What the gate knows of a regex (given without its case-insensitivity
/// wrapper).
struct GateFacts {
    /// The prefix literals every match starts with (ASCII, lowercased:
    /// the gate matches them without regard to case); `None` when it has
    /// no usable finite set.
    prefixes: Option<Vec<Vec<u8>>>,
    /// Whether every match starts at an ASCII word boundary.
    bounded: bool,
    /// Literals one of which every match contains, when the regex has a
    /// set rarer than its prefixes (ASCII, lowercased).
    required: Option<Vec<Vec<u8>>>,
}

fn gate_facts(src: &str) -> GateFacts {
    let Ok(hir) = regex_syntax::Parser::new().parse(src) else {
        return GateFacts {
            prefixes: None,
            bounded: false,
            required: None,
        };
    };
    let bounded = hir
        .properties()
        .look_set_prefix()
        .contains(regex_syntax::hir::Look::WordAscii);
    let prefixes = literal_set(&hir, MIN_GATE_LITERAL);
    let required = required_literals(&hir)
        .filter(|r| rarity(Some(r)) > rarity(prefixes.as_ref()) && rarity(Some(r)).0 > 0);
    // Short prefixes occur everywhere: a regex with required literals is
    // better scanned where those occur than tried at each short prefix.
    let prefixes =
        prefixes.filter(|p| required.is_none() || rarity(Some(p)).0 >= MIN_REQUIRED_LITERAL);
    GateFacts {
        prefixes,
        bounded,
        required,
    }
}

/// The finite set of literals every match of `hir` starts with, each at
/// least `min` bytes of ASCII, lowercased; `None` otherwise.
fn literal_set(hir: &Hir, min: usize) -> Option<Vec<Vec<u8>>> {
    let seq = regex_syntax::hir::literal::Extractor::new().extract(hir);
    let lits = seq.literals()?;
    let mut out: Vec<Vec<u8>> = Vec::with_capacity(lits.len());
    for l in lits {
        let b = l.as_bytes();
        if b.len() < min || !b.is_ascii() {
            return None;
        }
        out.push(b.to_ascii_lowercase());
    }
    out.sort();
    out.dedup();
    (!out.is_empty()).then_some(out)
}

/// How rare a literal set's occurrences are likely to be: the length of
/// its shortest literal, then fewer literals first. No set is the least
/// rare.
fn rarity(set: Option<&Vec<Vec<u8>>>) -> (usize, std::cmp::Reverse<usize>) {
    match set {
        Some(s) => (
            s.iter().map(Vec::len).min().unwrap_or(0),
            std::cmp::Reverse(s.len()),
        ),
        None => (0, std::cmp::Reverse(usize::MAX)),
    }
}

/// The rarest set of literals one of which every match of `hir`
/// contains: the prefixes of `hir` itself or of any part every match goes
/// through (an element of a concatenation, a repetition of at least one,
/// each branch of an alternation).
fn required_literals(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    let mut best = literal_set(hir, MIN_REQUIRED_LITERAL);
    let mut consider = |candidate: Option<Vec<Vec<u8>>>| {
        if rarity(candidate.as_ref()) > rarity(best.as_ref()) {
            best = candidate;
        }
    };
    match hir.kind() {
        HirKind::Concat(parts) => parts.iter().for_each(|p| consider(required_literals(p))),
        HirKind::Capture(c) => consider(required_literals(&c.sub)),
        HirKind::Repetition(r) if r.min >= 1 => consider(required_literals(&r.sub)),
        HirKind::Alternation(branches) => {
            let union: Option<Vec<Vec<u8>>> = branches
                .iter()
                .map(required_literals)
                .collect::<Option<Vec<_>>>()
                .map(|sets| {
                    let mut all: Vec<Vec<u8>> = sets.into_iter().flatten().collect();
                    all.sort();
                    all.dedup();
                    all
                });
            consider(union);
        }
        _ => {}
    }
    best
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
            let facts = gate_facts(src);
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
        Gate {
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
