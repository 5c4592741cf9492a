//! The sentence-structure vocabulary: the `[grammar]` table of a pattern
//! file (`patterns/grammar.toml` in the built-in library).
//!
//! Owns: parsing and validating the words the stance stage reads sentence
//! structure from (anaphora, subordinators, clause breaks, coordinators,
//! decision words, condition keys). Every field is
//! required, an unknown field is an error with its file and line, and the
//! regexes are compiled here once.
//!
//! Must not: find hits (rules do) or decide anything (classify does).

use super::lazy::LazyRegex;
use serde::Deserialize;

use super::PatternError;

/// The `[grammar]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct GrammarDef {
    anaphora: Vec<String>,
    demonstrative: String,
    subordinators: Vec<String>,
    clause_breaks: Vec<String>,
    coordinators: Vec<String>,
    contrasts: Vec<String>,
    object_words: Vec<String>,
    other_objects: Vec<String>,
    reversals: Vec<String>,
    upholdings: Vec<String>,
    exceptions: Vec<String>,
    condition_hedges: Vec<String>,
    negating_prefixes: Vec<String>,
    legend: String,
    abbreviations: Vec<String>,
    connectors: Vec<String>,
    code_table_words: Vec<String>,
    title_small_words: Vec<String>,
    code_context: String,
    other_codes: String,
    not_a_code_before: String,
    condition: Vec<ConditionDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConditionDef {
    key: String,
    regex: String,
}

/// The validated vocabulary.
#[derive(Debug, Clone)]
pub struct Grammar {
    /// Sentence openers that refer back to the drug in focus (lower case).
    pub anaphora: Vec<String>,
    /// A noun phrase pointing back to the drug ("these uses").
    pub demonstrative: LazyRegex,
    /// Words opening a subordinate clause (lower case).
    pub subordinators: Vec<String>,
    /// Words that end a clause besides ';' and '. ' (lower case, spaced).
    pub clause_breaks: Vec<String>,
    /// What stands between two coordinated drug names.
    pub coordinators: Vec<String>,
    /// Words between two drug names that break their coordination.
    pub contrasts: Vec<String>,
    /// Last words of a phrase that waits for its object.
    pub object_words: Vec<String>,
    /// Objects of a coverage verb that are not the drug in focus.
    pub other_objects: Vec<String>,
    /// Decision words that reverse a denial.
    pub reversals: Vec<String>,
    /// Decision words that uphold a denial.
    pub upholdings: Vec<String>,
    /// Exception words that lift a denial pointing at criteria.
    pub exceptions: Vec<String>,
    /// Hedge triggers that set a condition rather than a possibility.
    pub condition_hedges: Vec<String>,
    /// Prefixes that negate the word after them ("non-").
    pub negating_prefixes: Vec<String>,
    /// A remark-code legend line; group 1 is the code.
    pub legend: LazyRegex,
    /// Words a period does not end a sentence after (lower case).
    pub abbreviations: Vec<String>,
    /// Words that carry a sentence over a line end (lower case).
    pub connectors: Vec<String>,
    /// The words of a code table's header row (lower case).
    pub code_table_words: Vec<String>,
    /// Small words a title-case line leaves in lower case.
    pub title_small_words: Vec<String>,
    /// Words that make a nearby number a billing code.
    pub code_context: LazyRegex,
    /// Codes of other kinds ("zip code", "access code"): a code word
    /// inside one of them does not count.
    pub other_codes: LazyRegex,
    /// What before a number makes it an address, phone or ID number.
    pub not_a_code_before: LazyRegex,
    /// Condition keys and what names them, first match wins.
    pub conditions: Vec<(String, LazyRegex)>,
}

impl Grammar {
    /// Every regex of the table, with its field's name.
    pub fn regexes(&self) -> Vec<(&'static str, &LazyRegex)> {
        let mut out = vec![
            ("demonstrative", &self.demonstrative),
            ("legend", &self.legend),
            ("code_context", &self.code_context),
            ("other_codes", &self.other_codes),
            ("not_a_code_before", &self.not_a_code_before),
        ];
        out.extend(self.conditions.iter().map(|(_, re)| ("condition", re)));
        out
    }

    /// The condition a use names, as a key; `None` for a generic use.
    pub fn condition_key(&self, text: &str) -> Option<&str> {
        let t = text.to_lowercase();
        self.conditions
            .iter()
            .find(|(_, re)| re.is_match(&t))
            .map(|(k, _)| k.as_str())
    }

    /// Validates a parsed table of `file` (its text is used for line
    /// numbers).
    pub(super) fn validate(
        file: &str,
        text: &str,
        def: GrammarDef,
        regexes: super::Regexes,
    ) -> Result<Grammar, PatternError> {
        let err = |field: &str, reason: String| PatternError {
            file: file.to_string(),
            line: line_of_field(text, field),
            rule: None,
            reason: format!("grammar.{field}: {reason}"),
        };
        let words = |field: &str, v: Vec<String>| -> Result<Vec<String>, PatternError> {
            if v.is_empty() {
                return Err(err(field, "must list at least one entry".into()));
            }
            if let Some(w) = v.iter().find(|w| w.trim().is_empty()) {
                return Err(err(field, format!("empty entry {w:?}")));
            }
            Ok(v.into_iter().map(|w| w.to_lowercase()).collect())
        };
        let regex = |field: &str, src: &str| {
            LazyRegex::loaded(src, false, regexes)
                .map_err(|e| err(field, format!("bad regex {src:?}: {e}")))
        };
        // Regexes run over whole documents get ASCII classes, like the
        // rules' (see `textutil`).
        let ascii = |field: &str, src: &str| {
            LazyRegex::loaded(&crate::textutil::ascii_classes(src), false, regexes)
                .map_err(|e| err(field, format!("bad regex {src:?}: {e}")))
        };
        let mut conditions = Vec::with_capacity(def.condition.len());
        for c in def.condition {
            if c.key.trim().is_empty() {
                return Err(err("condition", "a condition needs a key".into()));
            }
            conditions.push((c.key, regex("condition", &c.regex)?));
        }
        Ok(Grammar {
            anaphora: words("anaphora", def.anaphora)?,
            demonstrative: regex("demonstrative", &def.demonstrative)?,
            subordinators: words("subordinators", def.subordinators)?,
            clause_breaks: words("clause_breaks", def.clause_breaks)?,
            coordinators: words("coordinators", def.coordinators)?,
            contrasts: words("contrasts", def.contrasts)?,
            object_words: words("object_words", def.object_words)?,
            other_objects: words("other_objects", def.other_objects)?,
            reversals: words("reversals", def.reversals)?,
            upholdings: words("upholdings", def.upholdings)?,
            exceptions: words("exceptions", def.exceptions)?,
            condition_hedges: words("condition_hedges", def.condition_hedges)?,
            negating_prefixes: words("negating_prefixes", def.negating_prefixes)?,
            legend: regex("legend", &def.legend)?,
            abbreviations: words("abbreviations", def.abbreviations)?,
            connectors: words("connectors", def.connectors)?,
            code_table_words: words("code_table_words", def.code_table_words)?,
            title_small_words: words("title_small_words", def.title_small_words)?,
            code_context: ascii("code_context", &def.code_context)?,
            other_codes: ascii("other_codes", &def.other_codes)?,
            not_a_code_before: ascii("not_a_code_before", &def.not_a_code_before)?,
            conditions,
        })
    }
}

/// The line where a field of the grammar table is set, when found.
fn line_of_field(text: &str, field: &str) -> Option<usize> {
    let header = if field == "condition" {
        "[[grammar.condition]]".to_string()
    } else {
        format!("{field} =")
    };
    text.lines()
        .position(|l| l.trim_start().starts_with(&header))
        .map(|i| i + 1)
}
