//! What the matcher's gate knows of a regex, from its syntax alone: the
//! prefix literals every match starts with, whether every match starts
//! at an ASCII word boundary, and the literals every match contains.
//!
//! Owns: those facts. Needs only `regex_syntax` and `std`: the build
//! script includes this file too, to work out the facts of the built-in
//! library once, at build time (a cold run would otherwise parse every
//! regex of the library again to build its gate).
//! Must not: depend on any other module of the crate.

use regex_syntax::hir::{Hir, HirKind};

/// Shortest prefix literal worth gating a regex on: single letters occur
/// everywhere.
const MIN_GATE_LITERAL: usize = 2;

/// Shortest required literal worth looking for: shorter ones are in
/// nearly every text.
const MIN_REQUIRED_LITERAL: usize = 3;

/// What the gate knows of a regex (given without its case-insensitivity
/// wrapper).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateFacts {
    /// The prefix literals every match starts with (ASCII, lowercased:
    /// the gate matches them without regard to case); `None` when it has
    /// no usable finite set.
    pub prefixes: Option<Vec<Vec<u8>>>,
    /// Whether every match starts at an ASCII word boundary.
    pub bounded: bool,
    /// Literals one of which every match contains, when the regex has a
    /// set rarer than its prefixes (ASCII, lowercased).
    pub required: Option<Vec<Vec<u8>>>,
}

/// The facts of one regex, from its syntax.
pub fn gate_facts(src: &str) -> GateFacts {
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
