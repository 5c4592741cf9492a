//! Topic definitions: the `[topic]` table of a topic pattern file.
//!
//! A drug or treatment topic is data: its id (the key under `topics` in a
//! report), its display name, its names and brands, the topics its names
//! must not be confused with, the context cues that set a mention aside
//! (anesthetic use, diagnostic use), its approved uses and examples of
//! whole statements with the stance they must get. The built-in ketamine
//! and esketamine topics are such files; `--topics DIR` adds or replaces
//! topics.
//!
//! Must not: decide stances (that is `classify::stance`, which reads these
//! definitions).

use serde::Deserialize;

use super::PatternError;
use crate::model::{Stance, Topic};

/// One validated topic.
#[derive(Debug, Clone)]
pub struct TopicDef {
    /// The topic.
    pub topic: Topic,
    /// Display name ("Esketamine (Spravato)").
    pub name: String,
    /// One-line description.
    pub description: Option<String>,
    /// Names, synonyms and brands given in the table (matched as whole
    /// words, like a rule's literals).
    pub names: Vec<String>,
    /// Topics whose names may contain this topic's names: where a mention
    /// of this topic overlaps one of theirs, it is theirs.
    pub not_confused_with: Vec<Topic>,
    /// Context cues that set a mention aside in their sentence.
    pub out_of_scope: Vec<OutOfScope>,
    /// Condition keys (`grammar.condition`) of the topic's approved uses:
    /// a denial beyond them limits the coverage rather than making it
    /// mixed.
    pub approved_uses: Vec<String>,
    /// Statements with the stance they must get (`patterns test`).
    pub examples: Vec<TopicExample>,
    /// The file.
    pub file: String,
    /// 1-based line of the `[topic]` table.
    pub line: usize,
}

/// A context tag that sets a mention aside, unless an in-scope use is named
/// in the same sentence.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutOfScope {
    /// The context tag (e.g. `anesthesia`).
    pub tag: String,
    /// In-scope use tags that keep the mention (e.g. `use_psychiatric`).
    #[serde(default)]
    pub unless: Vec<String>,
    /// What `explain` says of a mention set aside by this cue.
    pub note: String,
}

/// A statement and the stance it must get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicExample {
    /// The statement.
    pub text: String,
    /// The stance.
    pub stance: Stance,
}

impl TopicDef {
    /// The out-of-scope cue that sets a mention aside in a sentence with
    /// these tags, if any.
    pub fn sets_aside(&self, has_tag: impl Fn(&str) -> bool) -> Option<&OutOfScope> {
        self.out_of_scope
            .iter()
            .find(|o| has_tag(&o.tag) && !o.unless.iter().any(|u| has_tag(u)))
    }

    /// The note for a mention set aside in a sentence with these tags: the
    /// first out-of-scope cue present.
    pub fn set_aside_note(&self, has_tag: impl Fn(&str) -> bool) -> Option<&str> {
        self.out_of_scope
            .iter()
            .find(|o| has_tag(&o.tag))
            .map(|o| o.note.as_str())
    }

    /// Whether a condition key is one of the approved uses.
    pub fn is_approved_use(&self, key: &str) -> bool {
        self.approved_uses.iter().any(|k| k == key)
    }

    /// Every tag the table names (out-of-scope cues and in-scope uses).
    pub fn tags(&self) -> impl Iterator<Item = &str> {
        self.out_of_scope.iter().flat_map(|o| {
            std::iter::once(o.tag.as_str()).chain(o.unless.iter().map(String::as_str))
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TopicTable {
    id: String,
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    names: Vec<String>,
    #[serde(default)]
    brands: Vec<String>,
    #[serde(default)]
    not_confused_with: Vec<String>,
    #[serde(default)]
    out_of_scope: Vec<OutOfScope>,
    #[serde(default)]
    approved_uses: Vec<String>,
    #[serde(default)]
    example: Vec<ExampleDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExampleDef {
    text: String,
    stance: String,
}

/// The 1-based line of a file's `[topic]` header (1 when absent).
pub(super) fn table_line(text: &str) -> usize {
    text.lines()
        .position(|l| l.trim() == "[topic]")
        .map_or(1, |i| i + 1)
}

/// Validates a parsed `[topic]` table of `file`.
pub(super) fn validate(file: &str, text: &str, t: TopicTable) -> Result<TopicDef, PatternError> {
    let line = table_line(text);
    let err = |reason: String| PatternError {
        file: file.to_string(),
        line: Some(line),
        rule: None,
        reason: format!("[topic] {reason}"),
    };
    if !Topic::valid_id(&t.id) || t.id == Topic::MENTAL_HEALTH_PARITY.as_str() {
        return Err(err(format!(
            "id {:?} must be lowercase ASCII letters, digits and '_', starting with a letter (and not mental_health_parity)",
            t.id
        )));
    }
    if t.name.trim().is_empty() {
        return Err(err("name is empty".into()));
    }
    let names: Vec<String> = t.names.into_iter().chain(t.brands).collect();
    if let Some(n) = names.iter().find(|n| n.trim().is_empty()) {
        return Err(err(format!("empty name {n:?}")));
    }
    let mut not_confused_with = Vec::new();
    for id in &t.not_confused_with {
        if !Topic::valid_id(id) {
            return Err(err(format!("not_confused_with: {id:?} is not a topic id")));
        }
        not_confused_with.push(Topic::named(id));
    }
    let mut examples = Vec::new();
    for e in t.example {
        let stance = Stance::parse(&e.stance).ok_or_else(|| {
            err(format!(
                "example stance {:?} is not one of: {}",
                e.stance,
                Stance::ALL.map(Stance::as_str).join(", ")
            ))
        })?;
        if e.text.trim().is_empty() {
            return Err(err("an example has no text".into()));
        }
        examples.push(TopicExample {
            text: e.text,
            stance,
        });
    }
    Ok(TopicDef {
        topic: Topic::named(&t.id),
        name: t.name.trim().to_string(),
        description: t.description.map(|d| d.trim().to_string()),
        names,
        not_confused_with,
        out_of_scope: t.out_of_scope,
        approved_uses: t.approved_uses,
        examples,
        file: file.rsplit('/').next().unwrap_or(file).to_string(),
        line,
    })
}
