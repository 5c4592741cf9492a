//! A regex widened to match wherever it does and perhaps elsewhere, over
//! few distinct bytes: ASCII letters without regard to case, and each
//! character outside ASCII as any such character (any lead byte of UTF-8
//! followed by any continuation bytes).
//!
//! The walk of the regexes' starts (`starts.rs`) needs only a superset of
//! their starts, since each start it gives is confirmed by an anchored try
//! of the regex itself. Widened, the library's regexes split the 256 byte
//! values into 92 classes rather than 196, and the walk's automaton needs
//! fewer states: over the dev set its table takes 4.8 MB rather than
//! 8.5 MB.

use regex_syntax::hir::{Class, ClassBytes, ClassBytesRange, Hir, HirKind, Repetition};

/// The bytes that begin a character outside ASCII in UTF-8 (and the bytes
/// that never occur in it, which nothing matches anyway).
fn lead() -> ClassBytesRange {
    ClassBytesRange::new(0xC0, 0xFF)
}
/// The bytes that continue a character outside ASCII.
fn continuation() -> ClassBytesRange {
    ClassBytesRange::new(0x80, 0xBF)
}

/// A regex widened.
pub(crate) struct Widened {
    pub(crate) hir: Hir,
    /// Whether it matches a text of ASCII only where the regex does: on
    /// such a text, only the case of letters can tell them apart.
    pub(crate) exact_on_ascii: bool,
}

/// `src` widened; `None` when it does not parse.
pub(crate) fn widened(src: &str) -> Option<Widened> {
    let hir = regex_syntax::Parser::new().parse(src).ok()?;
    let mut exact_on_ascii = true;
    let hir = widen(&hir, &mut exact_on_ascii);
    Some(Widened {
        hir,
        exact_on_ascii,
    })
}

/// `hir` widened; `exact` is cleared when it then matches an ASCII
/// letter in a case it did not.
fn widen(hir: &Hir, exact: &mut bool) -> Hir {
    match hir.kind() {
        HirKind::Empty => Hir::empty(),
        HirKind::Look(look) => Hir::look(*look),
        HirKind::Literal(lit) => literal(&lit.0, exact),
        HirKind::Class(Class::Bytes(class)) => {
            bytes(class.iter().flat_map(|r| r.start()..=r.end()), exact)
        }
        HirKind::Class(Class::Unicode(class)) => {
            let ascii = class
                .iter()
                .filter(|r| r.start().is_ascii())
                .flat_map(|r| (r.start() as u8)..=(r.end().min('\x7f') as u8));
            let ascii = bytes(ascii, exact);
            if class.iter().any(|r| !r.end().is_ascii()) {
                Hir::alternation(vec![ascii, any_non_ascii_char()])
            } else {
                ascii
            }
        }
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            min: r.min,
            max: r.max,
            greedy: r.greedy,
            sub: Box::new(widen(&r.sub, exact)),
        }),
        HirKind::Capture(c) => widen(&c.sub, exact),
        HirKind::Concat(parts) => Hir::concat(parts.iter().map(|p| widen(p, exact)).collect()),
        HirKind::Alternation(branches) => {
            Hir::alternation(branches.iter().map(|b| widen(b, exact)).collect())
        }
    }
}

/// A literal, widened: its ASCII letters in both cases, and each of its
/// characters outside ASCII any such character.
fn literal(lit: &[u8], exact: &mut bool) -> Hir {
    let mut parts = Vec::with_capacity(lit.len());
    let mut in_char = false;
    for &b in lit {
        match b {
            0x80..=0xBF if in_char => {}
            0xC0..=0xFF => {
                parts.push(any_non_ascii_char());
                in_char = true;
            }
            _ if b.is_ascii() && !b.is_ascii_alphabetic() => {
                parts.push(Hir::literal([b]));
                in_char = false;
            }
            _ => {
                parts.push(bytes([b], exact));
                in_char = false;
            }
        }
    }
    Hir::concat(parts)
}

/// The class of `set`, with each ASCII letter in both cases and each byte
/// outside ASCII widened to every lead or every continuation byte.
fn bytes(set: impl IntoIterator<Item = u8>, exact: &mut bool) -> Hir {
    let mut class = ClassBytes::new(set.into_iter().map(|b| match b {
        0x80..=0xBF => continuation(),
        0xC0..=0xFF => lead(),
        _ => ClassBytesRange::new(b, b),
    }));
    // Folding case changes only ASCII letters.
    let unfolded = class.clone();
    class.case_fold_simple();
    *exact &= class == unfolded;
    Hir::class(Class::Bytes(class))
}

/// Any one character outside ASCII, and some byte strings that are none.
fn any_non_ascii_char() -> Hir {
    Hir::concat(vec![
        Hir::class(Class::Bytes(ClassBytes::new([lead()]))),
        Hir::repetition(Repetition {
            min: 0,
            max: None,
            greedy: true,
            sub: Box::new(Hir::class(Class::Bytes(ClassBytes::new([continuation()])))),
        }),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    use regex_automata::meta::Regex;

    fn widened_regex(src: &str) -> Regex {
        Regex::builder()
            .configure(Regex::config().utf8_empty(false))
            .build_from_hir(&widened(src).unwrap().hir)
            .unwrap()
    }

    #[test]
    fn a_widened_regex_matches_wherever_the_regex_does() {
        for (src, texts) in [
            ("Plan", &["Plan", "plan", "PLAN"][..]),
            ("(?i)kéta", &["KÉTA", "kéta", "Kéta"]),
            ("[^.;]{0,3}x", &["ééé x", "a;x"]),
            ("a[’']s", &["a’s", "a's"]),
            ("(?-u:\\w)+ ≥ 2", &["dose ≥ 2"]),
        ] {
            let plain = Regex::new(src).unwrap();
            let wide = widened_regex(src);
            for text in texts {
                for m in plain.find_iter(text) {
                    let input = regex_automata::Input::new(text)
                        .range(m.start()..)
                        .anchored(regex_automata::Anchored::Yes);
                    assert!(wide.is_match(input), "{src} at {} of {text}", m.start());
                }
            }
        }
    }

    #[test]
    fn a_regex_that_tells_the_case_of_a_letter_is_not_exact_on_ascii_widened() {
        for (src, exact) in [
            ("(?i)plan", true),
            ("(?i:[a-z]+) [0-9]", true),
            ("(?-u:\\w)+ ≥ [^.;]", true),
            ("Plan", false),
            ("(?i:plan) [A-Z]", false),
            ("[a-z]", false),
        ] {
            assert_eq!(widened(src).unwrap().exact_on_ascii, exact, "{src}");
        }
    }

    #[test]
    fn a_widened_regex_reads_letters_in_any_case_and_any_character_outside_ascii() {
        assert!(widened_regex("^Plan$").is_match("pLAN"));
        assert!(widened_regex("^a’b$").is_match("a€b"));
        assert!(widened_regex("^[é]$").is_match("ü"));
        assert!(!widened_regex("^[é]$").is_match("u"));
    }
}
