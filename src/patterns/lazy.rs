//! A regex of a vocabulary table: its syntax is checked when the file is
//! loaded, and it is compiled the first time a text needs it, so a run
//! served from the cache compiles none.

use std::ops::Deref;
use std::sync::OnceLock;

use regex::{Regex, RegexBuilder};
use regex_syntax::hir::{Hir, HirKind};

/// A regex checked for syntax, compiled on first use.
#[derive(Debug, Clone)]
pub struct LazyRegex {
    src: String,
    case_insensitive: bool,
    built: OnceLock<Regex>,
}

impl LazyRegex {
    /// Checks the syntax of `src`; the error is the parser's.
    pub fn new(src: &str, case_insensitive: bool) -> Result<LazyRegex, String> {
        Self::parse(src, case_insensitive)?;
        Ok(LazyRegex {
            src: src.to_string(),
            case_insensitive,
            built: OnceLock::new(),
        })
    }

    /// Checks the syntax of `src` when `regexes` asks for it (the
    /// built-in library's are compiled by a unit test instead).
    pub(super) fn loaded(
        src: &str,
        case_insensitive: bool,
        regexes: super::Regexes,
    ) -> Result<LazyRegex, String> {
        match regexes {
            super::Regexes::Check => Self::new(src, case_insensitive),
            super::Regexes::Trusted => Ok(LazyRegex {
                src: src.to_string(),
                case_insensitive,
                built: OnceLock::new(),
            }),
        }
    }

    fn parse(src: &str, case_insensitive: bool) -> Result<Hir, String> {
        regex_syntax::ParserBuilder::new()
            .case_insensitive(case_insensitive)
            .build()
            .parse(src)
            .map_err(|e| e.to_string())
    }

    /// Whether the regex has a capture group of this name.
    pub fn has_group(&self, name: &str) -> bool {
        fn walk(h: &Hir, name: &str) -> bool {
            match h.kind() {
                HirKind::Capture(c) => c.name.as_deref() == Some(name) || walk(&c.sub, name),
                HirKind::Repetition(r) => walk(&r.sub, name),
                HirKind::Concat(hs) | HirKind::Alternation(hs) => hs.iter().any(|h| walk(h, name)),
                _ => false,
            }
        }
        Self::parse(&self.src, self.case_insensitive).is_ok_and(|h| walk(&h, name))
    }

    /// Compiles it now (once); the error is the compiler's, such as a
    /// regex over the size limit.
    pub fn try_get(&self) -> Result<&Regex, String> {
        if let Some(re) = self.built.get() {
            return Ok(re);
        }
        let re = RegexBuilder::new(&self.src)
            .case_insensitive(self.case_insensitive)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(self.built.get_or_init(|| re))
    }
}

impl Deref for LazyRegex {
    type Target = Regex;

    fn deref(&self) -> &Regex {
        self.try_get()
            .expect("a vocabulary regex compiles (checked by `PatternSet::compile_vocabulary`)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_at_once_compiled_on_use() {
        assert!(LazyRegex::new("(unclosed", false).is_err());
        let re = LazyRegex::new(r"at least (?P<v>\d+)", true).unwrap();
        assert!(re.built.get().is_none());
        assert!(re.has_group("v"));
        assert!(!re.has_group("w"));
        assert!(re.is_match("AT LEAST 2"));
        assert!(re.built.get().is_some());
        let big = LazyRegex::new(r"(?:\p{L}{1000}){20}", false).unwrap();
        assert!(big.try_get().is_err(), "over the size limit");
    }
}
