//! A regex widened to match wherever it does and perhaps elsewhere, over
//! few distinct bytes: each character outside ASCII as any such character
//! (any lead byte of UTF-8 followed by any continuation bytes). On a text
//! of ASCII it matches exactly where the regex does.
//!
//! The walk of the regexes' starts (`starts.rs`) needs only a superset of
//! their starts: a start it gives is confirmed by an anchored try of the
//! regex itself unless the walk saw one end from it, over ASCII. Widened,
//! the library's regexes split the 256 byte values into 92 classes rather
//! than 196, and the walk's automaton needs fewer states: over the dev set
//! its table takes 4.7 MB rather than 8.5 MB.
//!
//! ASCII is kept as it is. Reading letters in any case made no fewer
//! classes, and let a regex that asks for a capital (a name's first
//! letter) walk on through every word after a common one.

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

/// `src` widened; `None` when it does not parse.
pub(crate) fn widened(src: &str) -> Option<Hir> {
    let hir = regex_syntax::Parser::new().parse(src).ok()?;
    Some(widen(&hir))
}

/// `hir` widened.
fn widen(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Empty => Hir::empty(),
        HirKind::Look(look) => Hir::look(*look),
        HirKind::Literal(lit) => literal(&lit.0),
        HirKind::Class(Class::Bytes(class)) => {
            bytes(class.iter().flat_map(|r| r.start()..=r.end()))
        }
        HirKind::Class(Class::Unicode(class)) => {
            let ascii = class
                .iter()
                .filter(|r| r.start().is_ascii())
                .flat_map(|r| (r.start() as u8)..=(r.end().min('\x7f') as u8));
            let ascii = bytes(ascii);
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
            sub: Box::new(widen(&r.sub)),
        }),
        HirKind::Capture(c) => widen(&c.sub),
        HirKind::Concat(parts) => Hir::concat(parts.iter().map(widen).collect()),
        HirKind::Alternation(branches) => Hir::alternation(branches.iter().map(widen).collect()),
    }
}

/// A literal, widened: each of its characters outside ASCII any such
/// character.
fn literal(lit: &[u8]) -> Hir {
    let mut parts = Vec::with_capacity(lit.len());
    let mut in_char = false;
    for &b in lit {
        match b {
            0x80..=0xBF if in_char => {}
            0xC0..=0xFF => {
                parts.push(any_non_ascii_char());
                in_char = true;
            }
            _ => {
                parts.push(Hir::literal([b]));
                in_char = false;
            }
        }
    }
    Hir::concat(parts)
}

/// The class of `set`, with each byte outside ASCII widened to every lead
/// or every continuation byte.
fn bytes(set: impl IntoIterator<Item = u8>) -> Hir {
    let class = ClassBytes::new(set.into_iter().map(|b| match b {
        0x80..=0xBF => continuation(),
        0xC0..=0xFF => lead(),
        _ => ClassBytesRange::new(b, b),
    }));
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

    use regex_automata::{Anchored, Input, meta::Regex};

    fn widened_regex(src: &str) -> Regex {
        Regex::builder()
            .configure(Regex::config().utf8_empty(false))
            .build_from_hir(&widened(src).unwrap())
            .unwrap()
    }

    /// Where an anchored search of `re` from `at` ends, if it matches.
    fn end_from(re: &Regex, text: &str, at: usize) -> Option<usize> {
        let input = Input::new(text).range(at..).anchored(Anchored::Yes);
        re.search(&input).map(|m| m.end())
    }

    #[test]
    fn a_widened_regex_matches_wherever_the_regex_does() {
        for (src, texts) in [
            ("Plan", &["Plan"][..]),
            ("(?i)plan", &["PLAN", "plan"]),
            ("(?i)kéta", &["KÉTA", "kéta", "Kéta"]),
            ("[^.;]{0,3}x", &["ééé x", "a;x"]),
            ("a[’']s", &["a’s", "a's"]),
            ("(?-u:\\w)+ ≥ 2", &["dose ≥ 2"]),
        ] {
            let plain = Regex::new(src).unwrap();
            let wide = widened_regex(src);
            for text in texts {
                for m in plain.find_iter(text) {
                    assert!(
                        end_from(&wide, text, m.start()).is_some(),
                        "{src} at {} of {text}",
                        m.start()
                    );
                }
            }
        }
    }

    #[test]
    fn on_a_text_of_ascii_a_widened_regex_matches_exactly_where_the_regex_does() {
        let text = "The Plan covers it; the plan, PLAN B: cost $5 (x2) and Ketamine-IV.";
        for src in [
            "Plan",
            "(?i)plan\\b",
            "[A-Z][a-z]+",
            "(?i:[a-z]+) [0-9]",
            "\\w+[^.;]{0,3}x",
            "(?-u:\\w)+ \\$\\d",
            "(?i)ketamine-?\\w*",
        ] {
            let plain = Regex::new(src).unwrap();
            let wide = widened_regex(src);
            for at in 0..=text.len() {
                assert_eq!(
                    end_from(&wide, text, at),
                    end_from(&plain, text, at),
                    "{src} at {at}"
                );
            }
        }
    }

    #[test]
    fn a_widened_regex_reads_any_character_outside_ascii_as_any_other() {
        assert!(!widened_regex("^Plan$").is_match("pLAN"));
        assert!(widened_regex("^a’b$").is_match("a€b"));
        assert!(widened_regex("^[é]$").is_match("ü"));
        assert!(!widened_regex("^[é]$").is_match("u"));
    }
}
