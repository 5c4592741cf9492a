//! Text helpers shared by the stages: policyscan's own regexes with ASCII
//! classes and boundaries, like the rules'.
//!
//! Owns: the rewrite of `\b`, `\w`, `\s`, `\d` to their ASCII forms,
//! used by the pattern compiler and by classify's built-in regexes. Must
//! not: depend on any other module of the crate.

mod classes;

pub use classes::ascii_classes;

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
