//! Compiling a validated [`PatternSet`] into a [`Matcher`], and running
//! every rule's own examples.
//!
//! Owns: the split of rules into Aho-Corasick literals and a regex set,
//! and the example runner behind `policyscan patterns test`.
//! Must not: validate file syntax (that is `patterns`), or scan documents
//! (the compiled [`Matcher`] does that).

use std::fmt;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::{Regex, RegexBuilder};
use regex_automata::meta::Regex as MetaRegex;

use crate::matcher::Gate;

use super::{Category, PatternError, PatternSet, Rule};
use crate::matcher::Matcher;

const REGEX_SIZE_LIMIT: usize = 1 << 24;

/// Rewrites `\b`, `\B`, `\w`, `\s` and `\d` to their ASCII forms (the
/// negated classes stay Unicode: in ASCII form they could match invalid
/// UTF-8).
/// Unicode word boundaries force the regex engines off their DFAs on
/// non-ASCII text, and Unicode classes blow up the DFA states of a large
/// set (measured: the PikeVM then took over 80% of a scan); ASCII classes
/// are right for the English policy vocabulary the rules name.
pub(crate) fn ascii_classes(src: &str) -> String {
    let mut out = String::with_capacity(src.len() + 16);
    let mut chars = src.chars().peekable();
    // Inside a bracketed class, escapes stay as written: a group cannot
    // appear there.
    let mut class_depth = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e @ ('b' | 'B' | 'w' | 's' | 'd')) if class_depth == 0 => {
                    out.push_str("(?-u:\\");
                    out.push(e);
                    out.push(')');
                }
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            },
            '[' => {
                class_depth += 1;
                out.push(c);
                // A leading `]` (or `^]`) is a literal, not the end.
                if chars.peek() == Some(&'^') {
                    out.push(chars.next().unwrap_or('^'));
                }
                if chars.peek() == Some(&']') {
                    out.push(chars.next().unwrap_or(']'));
                }
            }
            ']' if class_depth > 0 => {
                class_depth -= 1;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Compiles one of policyscan's own (non-rule) regexes with ASCII classes
/// and boundaries, for the same reason as the rules.
pub(crate) fn ascii_regex(src: &str) -> regex::Regex {
    regex::Regex::new(&ascii_classes(src)).expect("built-in regex is valid")
}

/// Compiles a pattern set once; the result is shared by every worker.
pub fn compile(set: PatternSet) -> Result<Matcher, PatternError> {
    let mut literals: Vec<String> = Vec::new();
    let mut literal_rule: Vec<usize> = Vec::new();
    let mut regex_src: Vec<String> = Vec::new();
    // The same regexes without their case-insensitivity wrapper: their
    // prefix literals, folded to lowercase, are the gate's.
    let mut gate_src: Vec<String> = Vec::new();
    let mut regex_rule: Vec<usize> = Vec::new();
    let mut headings: Vec<(Regex, usize)> = Vec::new();
    for (ri, rule) in set.rules.iter().enumerate() {
        if rule.category == Category::Section {
            // Heading rules describe a whole line; they are matched against
            // candidate heading lines only, never scanned over the text.
            let alternatives = rule
                .regexes
                .iter()
                .cloned()
                .chain(rule.literals.iter().map(|l| regex::escape(l)));
            for src in alternatives {
                let anchored = format!("^(?:{})$", ascii_classes(&src));
                let re = RegexBuilder::new(&anchored)
                    .case_insensitive(!rule.case_sensitive)
                    .size_limit(REGEX_SIZE_LIMIT)
                    .build()
                    .map_err(|e| PatternError {
                        file: rule.file.clone(),
                        line: Some(rule.line),
                        rule: Some(rule.id.clone()),
                        reason: format!("bad regex {src:?}: {e}"),
                    })?;
                headings.push((re, ri));
            }
            continue;
        }
        for l in &rule.literals {
            literals.push(l.clone());
            literal_rule.push(ri);
        }
        for r in &rule.regexes {
            let r = ascii_classes(r);
            let src = if rule.case_sensitive {
                r.clone()
            } else {
                format!("(?i:{r})")
            };
            regex_src.push(src);
            gate_src.push(r);
            regex_rule.push(ri);
        }
    }
    let rule_err = |ri: usize, reason: String| {
        let rule: &Rule = &set.rules[ri];
        PatternError {
            file: rule.file.clone(),
            line: Some(rule.line),
            rule: Some(rule.id.clone()),
            reason,
        }
    };
    let literals_ac = literal_automaton(&literals).map_err(|e| PatternError {
        file: "<literals>".into(),
        line: None,
        rule: None,
        reason: format!("cannot build the literal automaton: {e}"),
    })?;
    let mut regexes = Vec::with_capacity(regex_src.len());
    for (i, src) in regex_src.iter().enumerate() {
        let re = MetaRegex::builder()
            .configure(MetaRegex::config().nfa_size_limit(Some(REGEX_SIZE_LIMIT)))
            .build(src)
            .map_err(|e| rule_err(regex_rule[i], format!("bad regex {src:?}: {e}")))?;
        regexes.push(re);
    }
    let gate = Gate::build(&gate_src).map_err(|reason| PatternError {
        file: "<regexes>".into(),
        line: None,
        rule: None,
        reason,
    })?;
    Ok(Matcher::from_parts(
        set,
        literals_ac,
        literal_rule,
        regexes,
        regex_rule,
        headings,
        gate,
    ))
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

/// What the gate knows of a regex: the prefix literals every match starts
/// with (ASCII, lowercased: the gate matches them without regard to case;
/// `None` when it has no usable finite set), and whether every match
/// starts at an ASCII word boundary.
fn gate_facts(src: &str) -> (Option<Vec<Vec<u8>>>, bool) {
    let Ok(hir) = regex_syntax::Parser::new().parse(src) else {
        return (None, false);
    };
    let bounded = hir
        .properties()
        .look_set_prefix()
        .contains(regex_syntax::hir::Look::WordAscii);
    let seq = regex_syntax::hir::literal::Extractor::new().extract(&hir);
    let Some(lits) = seq.literals() else {
        return (None, bounded);
    };
    let mut out: Vec<Vec<u8>> = Vec::with_capacity(lits.len());
    for l in lits {
        let b = l.as_bytes();
        if b.len() < MIN_GATE_LITERAL || !b.is_ascii() {
            return (None, bounded);
        }
        out.push(b.to_ascii_lowercase());
    }
    out.sort();
    out.dedup();
    ((!out.is_empty()).then_some(out), bounded)
}

impl Gate {
    /// Gates every regex (given without its case-insensitivity wrapper)
    /// that has a finite set of prefix literals; the others scan the whole
    /// text. Case is folded on ASCII only, which is exact on normalized
    /// text: NFKC has already mapped the non-ASCII letters that fold to
    /// ASCII ones (the Kelvin sign, the long s) onto them.
    fn build(regex_src: &[String]) -> Result<Gate, String> {
        let mut by_literal: std::collections::BTreeMap<Vec<u8>, Vec<usize>> =
            std::collections::BTreeMap::new();
        let mut always = Vec::new();
        let mut bounded = Vec::with_capacity(regex_src.len());
        for (i, src) in regex_src.iter().enumerate() {
            let (literals, at_boundary) = gate_facts(src);
            bounded.push(at_boundary);
            match literals {
                Some(lits) => {
                    for l in lits {
                        by_literal.entry(l).or_default().push(i);
                    }
                }
                None => always.push(i),
            }
        }
        let (literals, regexes): (Vec<Vec<u8>>, Vec<Vec<usize>>) = by_literal.into_iter().unzip();
        let automaton = literal_automaton(&literals)
            .map_err(|e| format!("cannot build the regex prefilter: {e}"))?;
        Ok(Gate {
            automaton,
            regexes,
            always,
            bounded,
            count: regex_src.len(),
        })
    }
}

/// A rule example that did not behave as documented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleFailure {
    /// The rule's file.
    pub file: String,
    /// The rule's line.
    pub line: usize,
    /// The rule id.
    pub rule: String,
    /// `true` for a `match` example that did not match, `false` for a
    /// `no_match` example that matched.
    pub expected_match: bool,
    /// The example text.
    pub example: String,
}

impl fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.expected_match {
            "does not match its `match` example"
        } else {
            "matches its `no_match` example"
        };
        write!(
            f,
            "{}:{}: rule {} {what}: {:?}",
            self.file, self.line, self.rule, self.example
        )
    }
}

/// Runs every rule's `match` / `no_match` examples against the rule alone
/// and returns every failure (not just the first).
pub fn test_examples(set: &PatternSet) -> Result<(usize, Vec<ExampleFailure>), PatternError> {
    let mut failures = Vec::new();
    let mut run = 0;
    for rule in &set.rules {
        let single = compile(PatternSet {
            rules: vec![rule.clone()],
            origin: set.origin.clone(),
            grammar: set.grammar.clone(),
        })?;
        let cases = rule
            .examples_match
            .iter()
            .map(|e| (true, e))
            .chain(rule.examples_no_match.iter().map(|e| (false, e)));
        for (expected, example) in cases {
            run += 1;
            let norm = crate::normalize::NormalizedText::from_pages(&[example.as_str()]);
            let matched = if rule.category == Category::Section {
                single.heading(example).is_some()
            } else {
                let flat = crate::classify::flatten(norm.text());
                !single.find_all(&flat).is_empty()
            };
            if matched != expected {
                failures.push(ExampleFailure {
                    file: rule.file.clone(),
                    line: rule.line,
                    rule: rule.id.clone(),
                    expected_match: expected,
                    example: example.clone(),
                });
            }
        }
    }
    Ok((run, failures))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_and_boundaries_become_ascii() {
        assert_eq!(
            ascii_classes(r"\bnot\s+\Bx\\b\d"),
            r"(?-u:\b)not(?-u:\s)+(?-u:\B)x\\b(?-u:\d)"
        );
    }

    #[test]
    fn escapes_inside_brackets_are_left_alone() {
        assert_eq!(ascii_classes(r"a[\s-]*b\s"), r"a[\s-]*b(?-u:\s)");
        assert_eq!(ascii_classes(r"[]\w][^\d]\w"), r"[]\w][^\d](?-u:\w)");
        assert_eq!(ascii_classes(r"[a-z[\s]]\s"), r"[a-z[\s]](?-u:\s)");
    }
}
