//! The rewrite of a regex's `\b`, `\w`, `\s` and `\d` to their ASCII
//! forms. Needs only `std`: the build script includes this file too, so
//! that the facts it works out for the built-in library are those of the
//! regexes the matcher compiles.

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
