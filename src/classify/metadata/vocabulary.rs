//! The words of the metadata stage, loaded from `data/metadata.toml`: the
//! payer vocabulary (canonical names with their aliases), the names that
//! are never a payer (regulators, guideline vendors, manufacturers,
//! benefit-table phrases), self-reference verbs, organisation-name endings
//! and table column words.
//!
//! Owns: parsing and validating that file (unknown keys and kinds are
//! errors naming the file and line), and finding listed names in a line
//! by their words. Must not: decide which name is the document's payer
//! (that is `payer`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;

/// The built-in vocabulary file.
pub const FILE: &str = "data/metadata.toml";

const TEXT: &str = include_str!("../../../data/metadata.toml");

/// What kind of organisation a listed name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A commercial insurer or health plan.
    Commercial,
    /// A Blue Cross / Blue Shield plan.
    Blue,
    /// A Medicaid agency or a Medicaid plan.
    Medicaid,
    /// A Medicare administrative contractor.
    MedicareContractor,
    /// A pharmacy benefit manager.
    Pbm,
    /// A workers' compensation board.
    WorkersComp,
    /// A TRICARE contractor.
    Tricare,
    /// An employer's or a state employees' plan.
    Employer,
    /// A regulator (never a payer).
    Regulator,
    /// A clinical-guideline or utilization vendor (never a payer).
    GuidelineVendor,
    /// A manufacturer (never a payer).
    Manufacturer,
    /// A publisher or database (never a payer).
    Publisher,
    /// A benefit-table phrase shaped like a name (never a payer).
    Phrase,
}

impl Kind {
    /// Whether a name of this kind can be a document's payer.
    pub fn is_payer(self) -> bool {
        !matches!(
            self,
            Kind::Regulator
                | Kind::GuidelineVendor
                | Kind::Manufacturer
                | Kind::Publisher
                | Kind::Phrase
        )
    }
}

/// One listed name.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The canonical name.
    pub name: String,
    /// Its kind.
    pub kind: Kind,
}

/// A listed name found in a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameHit {
    /// Index into [`Vocabulary::entries`].
    pub entry: usize,
    /// Byte range of the stated form in the line.
    pub start: usize,
    /// End of the stated form.
    pub end: usize,
}

/// The validated vocabulary.
#[derive(Debug)]
pub struct Vocabulary {
    /// Every listed name.
    pub entries: Vec<Entry>,
    /// Verbs of a self-reference, lower case.
    pub self_reference: Vec<String>,
    /// "underwritten by" and the like, lower case.
    pub underwriter: Vec<String>,
    /// Organisation-name endings, as written.
    pub org_suffixes: Vec<String>,
    /// Table column words, lower case.
    pub column_words: BTreeSet<String>,
    /// Web-frame lines, lower case.
    pub frame_lines: BTreeSet<String>,
    /// Words any plan's name may hold, lower case.
    pub org_generic_words: BTreeSet<String>,
    /// Lower-case finite verbs of a sentence.
    pub sentence_verbs: BTreeSet<String>,
    /// Word keys of every name and alias.
    index: BTreeMap<Vec<String>, usize>,
    longest: usize,
}

/// A problem in the vocabulary file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {reason}")]
pub struct VocabularyError {
    /// The file.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDef {
    #[serde(default)]
    description: Option<String>,
    self_reference: Vec<String>,
    underwriter: Vec<String>,
    org_suffixes: Vec<String>,
    column_words: Vec<String>,
    frame_lines: Vec<String>,
    sentence_verbs: Vec<String>,
    org_generic_words: Vec<String>,
    #[serde(default)]
    payer: Vec<NameDef>,
    #[serde(default)]
    not_payer: Vec<NameDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NameDef {
    name: String,
    kind: Kind,
    #[serde(default)]
    aliases: Vec<String>,
}

/// The built-in vocabulary (validated by a unit test).
pub fn builtin() -> &'static Vocabulary {
    static V: LazyLock<Vocabulary> = LazyLock::new(|| {
        Vocabulary::parse(FILE, TEXT).unwrap_or_else(|e| panic!("built-in vocabulary: {e}"))
    });
    &V
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

impl Vocabulary {
    /// Parses and validates a vocabulary file.
    pub fn parse(file: &str, text: &str) -> Result<Vocabulary, VocabularyError> {
        let def: FileDef = toml::from_str(text).map_err(|e| VocabularyError {
            file: file.to_string(),
            line: e.span().map_or(1, |s| line_of(text, s.start)),
            reason: e.message().trim().to_string(),
        })?;
        let _ = def.description;
        let line_of_name = |name: &str| {
            text.find(&format!("\"{name}\""))
                .map_or(1, |o| line_of(text, o))
        };
        let mut entries = Vec::new();
        let mut index = BTreeMap::new();
        let defs = def.payer.into_iter().map(|d| (d, true));
        let defs = defs.chain(def.not_payer.into_iter().map(|d| (d, false)));
        for (d, listed_as_payer) in defs {
            // The line is looked up only for an error: finding it is a
            // scan of the file, per entry.
            let err = |reason: String| VocabularyError {
                file: file.to_string(),
                line: line_of_name(&d.name),
                reason,
            };
            if d.kind.is_payer() != listed_as_payer {
                return Err(err(format!(
                    "{:?}: kind {:?} belongs under [[{}]]",
                    d.name,
                    d.kind,
                    if d.kind.is_payer() {
                        "payer"
                    } else {
                        "not_payer"
                    }
                )));
            }
            let i = entries.len();
            for alias in std::iter::once(&d.name).chain(&d.aliases) {
                let k = key(alias);
                if k.is_empty() {
                    return Err(err(format!("{alias:?} has no words")));
                }
                if let Some(&j) = index.get(&k)
                    && j != i
                {
                    let other: &Entry = &entries[j];
                    return Err(VocabularyError {
                        file: file.to_string(),
                        line: line_of_name(alias),
                        reason: format!(
                            "{alias:?} is listed for both {:?} and {:?}",
                            other.name, d.name
                        ),
                    });
                }
                index.insert(k, i);
            }
            entries.push(Entry {
                name: d.name,
                kind: d.kind,
            });
        }
        let lower = |v: Vec<String>| v.into_iter().map(|s| s.to_lowercase()).collect();
        let longest = index.keys().map(Vec::len).max().unwrap_or(0);
        Ok(Vocabulary {
            entries,
            self_reference: lower(def.self_reference),
            underwriter: lower(def.underwriter),
            org_suffixes: def.org_suffixes,
            column_words: def
                .column_words
                .into_iter()
                .map(|s| s.to_lowercase())
                .collect(),
            frame_lines: def
                .frame_lines
                .into_iter()
                .map(|s| s.to_lowercase())
                .collect(),
            sentence_verbs: def.sentence_verbs.into_iter().collect(),
            org_generic_words: def
                .org_generic_words
                .into_iter()
                .map(|s| s.to_lowercase())
                .collect(),
            index,
            longest,
        })
    }

    /// The entry a whole name stands for, when it is listed.
    pub fn lookup(&self, name: &str) -> Option<usize> {
        self.index.get(&key(name)).copied()
    }

    /// Every listed name in `line`, leftmost-longest. A name in lower case
    /// counts only with `any_case` (a header written all in lower case);
    /// otherwise the stated form starts with a capital letter or a digit.
    pub fn find(&self, line: &str, any_case: bool) -> Vec<NameHit> {
        let toks = tokens(line);
        let mut out = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            let mut found = None;
            for n in (1..=self.longest.min(toks.len() - i)).rev() {
                let k: Vec<String> = toks[i..i + n].iter().map(|t| t.word.clone()).collect();
                if let Some(&e) = self.index.get(&k) {
                    found = Some((e, n));
                    break;
                }
            }
            match found {
                Some((e, n)) => {
                    let (start, end) = (toks[i].start, toks[i + n - 1].end);
                    let capital = line[start..]
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
                    if any_case || capital {
                        out.push(NameHit {
                            entry: e,
                            start,
                            end,
                        });
                    }
                    // Expanded tokens ("BCBS") share a span: skip them all.
                    let mut j = i + n;
                    while j < toks.len() && toks[j].start < end {
                        j += 1;
                    }
                    i = j;
                }
                None => i += 1,
            }
        }
        out
    }
}

/// A word of a name with its byte span in the line.
#[derive(Debug, Clone)]
struct Token {
    word: String,
    start: usize,
    end: usize,
}

static WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[\p{L}\p{N}]+|&").expect("word regex"));

const FILLER: &[&str] = &["and", "of", "the", "inc", "llc", "co", "corp"];

/// The words of a name as compared: lower case, fillers dropped,
/// "BlueCross" as "blue cross", "BCBS" as "blue cross blue shield".
fn tokens(s: &str) -> Vec<Token> {
    let mut out = Vec::new();
    for m in WORD.find_iter(s) {
        let w = m.as_str().to_lowercase();
        let push = |out: &mut Vec<Token>, w: &str| {
            out.push(Token {
                word: w.to_string(),
                start: m.start(),
                end: m.end(),
            });
        };
        match w.as_str() {
            "&" => {}
            w if FILLER.contains(&w) => {}
            "bluecross" => ["blue", "cross"].iter().for_each(|w| push(&mut out, w)),
            "blueshield" => ["blue", "shield"].iter().for_each(|w| push(&mut out, w)),
            "bcbs" => ["blue", "cross", "blue", "shield"]
                .iter()
                .for_each(|w| push(&mut out, w)),
            // "Children's" and "Employees'": the possessive is not a word.
            "s" if s[..m.start()].ends_with(['\'', '’']) => {}
            w => push(&mut out, w),
        }
    }
    out
}

/// The comparison key of a name.
pub fn key(s: &str) -> Vec<String> {
    tokens(s).into_iter().map(|t| t.word).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_vocabulary_is_valid() {
        let v = Vocabulary::parse(FILE, TEXT).expect("valid");
        assert!(v.entries.len() > 50);
    }

    #[test]
    fn aliases_map_to_one_canonical_name() {
        let v = builtin();
        let name = |s: &str| v.lookup(s).map(|i| v.entries[i].name.as_str());
        assert_eq!(name("UHC"), Some("UnitedHealthcare"));
        assert_eq!(name("United HealthCare"), Some("UnitedHealthcare"));
        assert_eq!(
            name("BCBSND"),
            Some("Blue Cross Blue Shield of North Dakota")
        );
        assert_eq!(
            name("BlueCross BlueShield of North Dakota"),
            Some("Blue Cross Blue Shield of North Dakota")
        );
        assert_eq!(
            name("Blue Cross & Blue Shield of North Dakota"),
            Some("Blue Cross Blue Shield of North Dakota")
        );
        assert_eq!(name("Nowhere Mutual"), None);
    }

    #[test]
    fn longest_name_wins_and_regulators_are_not_payers() {
        let v = builtin();
        let line = "Contact the Department of Managed Health Care for help.";
        let hits = v.find(line, false);
        assert_eq!(hits.len(), 1);
        let e = &v.entries[hits[0].entry];
        assert!(!e.kind.is_payer());
        assert_eq!(
            &line[hits[0].start..hits[0].end],
            "Department of Managed Health Care"
        );
    }

    #[test]
    fn lower_case_names_only_in_lower_case_headers() {
        let v = builtin();
        assert!(v.find("the cigna plan", false).is_empty());
        assert_eq!(v.find("bcbsnd policy page", true).len(), 1);
    }

    #[test]
    fn bad_files_name_the_line() {
        let base = "self_reference = []\nunderwriter = []\norg_suffixes = []\ncolumn_words = []\nframe_lines = []\nsentence_verbs = []\norg_generic_words = []\n";
        let e = Vocabulary::parse(
            "v.toml",
            &format!("{base}[[payer]]\nname = \"A\"\nkind = \"commercial\"\nbogus = 1\n"),
        )
        .unwrap_err();
        assert_eq!(e.line, 11, "{e}");
        assert!(e.reason.contains("bogus"), "{e}");
        let e = Vocabulary::parse(
            "v.toml",
            &format!("{base}[[payer]]\nname = \"A\"\nkind = \"insurer\"\n"),
        )
        .unwrap_err();
        assert_eq!(e.line, 10, "{e}");
        let e = Vocabulary::parse(
            "v.toml",
            &format!("{base}[[payer]]\nname = \"A\"\nkind = \"regulator\"\n"),
        )
        .unwrap_err();
        assert!(e.reason.contains("not_payer"), "{e}");
        let e = Vocabulary::parse(
            "v.toml",
            &format!("{base}[[payer]]\nname = \"A\"\nkind = \"commercial\"\n[[payer]]\nname = \"B\"\nkind = \"commercial\"\naliases = [\"a\"]\n"),
        )
        .unwrap_err();
        assert!(e.reason.contains("both"), "{e}");
    }
}
