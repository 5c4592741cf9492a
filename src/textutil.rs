//! Text helpers shared by the stages: policyscan's own regexes with ASCII
//! classes and boundaries, like the rules'.
//!
//! Owns: the rewrite of `\b`, `\w`, `\s`, `\d` to their ASCII forms,
//! used by the pattern compiler and by classify's built-in regexes. Must
//! not: depend on any other module of the crate.

/// Rewrites `\b`, `\B`, `\w`, `\s` and `\d` to their ASCII forms (the
/// negated classes stay Unicode: in ASCII form they could match invalid
/// UTF-8).
/// Unicode word boundaries force the regex engines off their DFAs on
/// non-ASCII text, and Unicode classes blow up the DFA states of a large
/// set (measured: the PikeVM then took over 80% of a scan); ASCII classes
/// are right for the English policy vocabulary the rules name.
pub fn ascii_classes(src: &str) -> String {
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
pub fn ascii_regex(src: &str) -> regex::Regex {
    regex::Regex::new(&ascii_classes(src)).expect("built-in regex is valid")
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
