//! The criteria-value vocabulary: the `[criteria_detail]` table of a
//! pattern file (`patterns/criteria_detail.toml` in the built-in library).
//!
//! Owns: parsing and validating the phrases the classifier reads criteria
//! values from (failed-trial counts, weeks, ages, scales, approval
//! periods, ...), the number words, and the words that make a list "all of"
//! or "one of". Regexes are compiled here once, case-insensitive; a regex
//! that reads a number, a phrase or a list must have a group named `v`.
//!
//! Must not: decide which sentences state criteria (classify does).

use std::collections::BTreeMap;

use super::lazy::LazyRegex;
use serde::Deserialize;

use super::PatternError;

/// The `[criteria_detail]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DetailDef {
    numbers: BTreeMap<String, u32>,
    all_of: String,
    one_of: String,
    item_and: String,
    item_or: String,
    kind: Vec<KindDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KindDef {
    kind: String,
    when: String,
    #[serde(default)]
    unless: Option<String>,
    #[serde(default)]
    per_clause: bool,
    value: Vec<ValueDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ValueDef {
    key: String,
    #[serde(rename = "type")]
    kind: ValueType,
    regex: String,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    stricter: Option<Stricter>,
}

/// Which way a number makes a criterion stricter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stricter {
    /// A higher number is stricter (more failed trials, a higher age).
    Higher,
    /// A lower number is stricter (a shorter approval).
    Lower,
}

/// What a value regex reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueType {
    /// `true` when the regex matches.
    Flag,
    /// Group `v`: digits or a number word.
    Number,
    /// Group `v` of the first match, lower case.
    Text,
    /// Group `v` of every match, in order, without repeats.
    List,
    /// Group `v` of every match as written (codes), without repeats.
    Codes,
}

/// One value of a criterion kind.
#[derive(Debug, Clone)]
pub struct ValueRule {
    /// The value's name in the report.
    pub key: String,
    /// What it reads.
    pub kind: ValueType,
    /// The compiled regex.
    pub regex: LazyRegex,
    /// How a person calls the value ("failed-trial count").
    pub label: String,
    /// Which way a number makes the criterion stricter, for numbers.
    pub stricter: Option<Stricter>,
}

/// One criterion kind: when a sentence states it, and its values.
#[derive(Debug, Clone)]
pub struct KindRule {
    /// The kind's name in the report.
    pub kind: String,
    /// The sentence (with its heading) states this criterion.
    pub when: LazyRegex,
    /// ... unless this matches the sentence (with its heading).
    pub unless: Option<LazyRegex>,
    /// Read clause by clause (split at '.' and ';'), so that two periods
    /// in one sentence ("initial ...; continued ...") stay apart.
    pub per_clause: bool,
    /// The values, in report order.
    pub values: Vec<ValueRule>,
}

/// The validated vocabulary.
#[derive(Debug, Clone)]
pub struct DetailVocab {
    /// Number words ("two" = 2).
    pub numbers: BTreeMap<String, u32>,
    /// A lead-in whose items must all be met.
    pub all_of: LazyRegex,
    /// A lead-in one of whose items is enough.
    pub one_of: LazyRegex,
    /// An item ending with "and" (the list is "all of").
    pub item_and: LazyRegex,
    /// An item ending with "or" (the list is "one of").
    pub item_or: LazyRegex,
    /// The criterion kinds, in report order.
    pub kinds: Vec<KindRule>,
}

impl DetailVocab {
    /// Every regex of the table, with what it is.
    pub fn regexes(&self) -> Vec<(String, &LazyRegex)> {
        let mut out: Vec<(String, &LazyRegex)> = vec![
            ("all_of".into(), &self.all_of),
            ("one_of".into(), &self.one_of),
            ("item_and".into(), &self.item_and),
            ("item_or".into(), &self.item_or),
        ];
        for k in &self.kinds {
            out.push((format!("{} when", k.kind), &k.when));
            if let Some(u) = &k.unless {
                out.push((format!("{} unless", k.kind), u));
            }
            for v in &k.values {
                out.push((format!("{}.{}", k.kind, v.key), &v.regex));
            }
        }
        out
    }

    /// Reads a number written in digits or as a word.
    pub fn number(&self, s: &str) -> Option<u32> {
        let s = s.trim();
        s.parse()
            .ok()
            .or_else(|| self.numbers.get(&s.to_ascii_lowercase()).copied())
    }

    pub(super) fn validate(
        file: &str,
        text: &str,
        d: DetailDef,
        regexes: super::Regexes,
    ) -> Result<DetailVocab, PatternError> {
        let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).map(|i| i + 1);
        let compile = |what: &str, re: &str| -> Result<LazyRegex, PatternError> {
            LazyRegex::loaded(re, true, regexes).map_err(|e| PatternError {
                file: file.to_string(),
                line: line_of(re),
                rule: None,
                reason: format!("criteria_detail {what}: {e}"),
            })
        };
        let mut kinds = Vec::with_capacity(d.kind.len());
        for k in d.kind {
            let mut values = Vec::with_capacity(k.value.len());
            for v in k.value {
                let what = format!("{}.{}", k.kind, v.key);
                let regex = compile(&what, &v.regex)?;
                if regexes == super::Regexes::Check
                    && v.kind != ValueType::Flag
                    && !regex.has_group("v")
                {
                    return Err(PatternError {
                        file: file.to_string(),
                        line: line_of(&v.regex),
                        rule: None,
                        reason: format!("criteria_detail {what}: the regex has no group named v"),
                    });
                }
                if v.stricter.is_some() && v.kind != ValueType::Number {
                    return Err(PatternError {
                        file: file.to_string(),
                        line: line_of(&v.regex),
                        rule: None,
                        reason: format!("criteria_detail {what}: stricter is for numbers only"),
                    });
                }
                values.push(ValueRule {
                    label: v
                        .label
                        .unwrap_or_else(|| format!("{} {}", k.kind, v.key).replace('_', " ")),
                    stricter: v.stricter,
                    key: v.key,
                    kind: v.kind,
                    regex,
                });
            }
            kinds.push(KindRule {
                when: compile(&format!("{} when", k.kind), &k.when)?,
                unless: k
                    .unless
                    .as_deref()
                    .map(|u| compile(&format!("{} unless", k.kind), u))
                    .transpose()?,
                kind: k.kind,
                per_clause: k.per_clause,
                values,
            });
        }
        Ok(DetailVocab {
            numbers: d.numbers,
            all_of: compile("all_of", &d.all_of)?,
            one_of: compile("one_of", &d.one_of)?,
            item_and: compile("item_and", &d.item_and)?,
            item_or: compile("item_or", &d.item_or)?,
            kinds,
        })
    }
}
