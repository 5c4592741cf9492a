//! The runner behind `policyscan patterns test`: every rule's own
//! `match` / `no_match` examples, run against the rule alone on the text
//! the matcher sees in a document, and every topic's examples, classified
//! as a one-page document by the whole library.
//!
//! Owns: compiling each rule on its own, preparing an example as a
//! document's text is prepared (normalized, then flattened as classify
//! does), and collecting every failure, not just the first. Must not:
//! validate pattern files (that is `patterns`) or compile sets (that is
//! `matcher::compile`).

use std::fmt;

use crate::matcher::compile::compile;
use crate::model::Stance;
use crate::patterns::{Category, PatternError, PatternSet};

/// A rule example that did not behave as documented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleFailure {
    /// The rule's file.
    pub file: String,
    /// The rule's line.
    pub line: usize,
    /// The rule id.
    pub rule: String,
    /// `true` for a `match` example that did not match, `false` for a
    /// `no_match` example that matched.
    pub expected_match: bool,
    /// The example text.
    pub example: String,
}

impl fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.expected_match {
            "does not match its `match` example"
        } else {
            "matches its `no_match` example"
        };
        write!(
            f,
            "{}:{}: rule {} {what}: {:?}",
            self.file, self.line, self.rule, self.example
        )
    }
}

/// A topic example that did not get its stance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicFailure {
    /// The topic's file.
    pub file: String,
    /// The line of its `[topic]` table.
    pub line: usize,
    /// The topic id.
    pub topic: String,
    /// The stance the example states.
    pub expected: Stance,
    /// The stance it got.
    pub got: Stance,
    /// The example text.
    pub example: String,
}

impl fmt::Display for TopicFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: topic {} example is {}, not {}: {:?}",
            self.file,
            self.line,
            self.topic,
            self.got.as_str(),
            self.expected.as_str(),
            self.example
        )
    }
}

/// Classifies every topic's examples, each as a one-page document, with
/// the whole library, and returns the number run and every failure.
pub fn test_topic_examples(set: &PatternSet) -> Result<(usize, Vec<TopicFailure>), PatternError> {
    let matcher = compile(set.clone())?;
    let mut failures = Vec::new();
    let mut run = 0;
    for def in &set.topics {
        for e in &def.examples {
            run += 1;
            let norm = crate::normalize::NormalizedText::from_pages(&[e.text.as_str()]);
            let a = crate::classify::analyze(&norm, &matcher);
            let got = a
                .topics
                .drug(def.topic)
                .map_or(Stance::NotAddressed, |r| r.stance);
            if got != e.stance {
                failures.push(TopicFailure {
                    file: def.file.clone(),
                    line: def.line,
                    topic: def.topic.as_str().to_string(),
                    expected: e.stance,
                    got,
                    example: e.text.clone(),
                });
            }
        }
    }
    Ok((run, failures))
}

/// Runs every rule's `match` / `no_match` examples against the rule alone
/// and returns every failure (not just the first).
pub fn test_examples(set: &PatternSet) -> Result<(usize, Vec<ExampleFailure>), PatternError> {
    let mut failures = Vec::new();
    let mut run = 0;
    for rule in &set.rules {
        let single = compile(PatternSet {
            rules: vec![rule.clone()],
            topics: set.topics.clone(),
            origin: set.origin.clone(),
            grammar: set.grammar.clone(),
            detail: set.detail.clone(),
        })?;
        let cases = rule
            .examples_match
            .iter()
            .map(|e| (true, e))
            .chain(rule.examples_no_match.iter().map(|e| (false, e)));
        for (expected, example) in cases {
            run += 1;
            let norm = crate::normalize::NormalizedText::from_pages(&[example.as_str()]);
            let matched = if rule.category == Category::Section {
                single.heading(example).is_some()
            } else {
                let flat = crate::classify::flatten(norm.text());
                !single.find_all(&flat).is_empty()
            };
            if matched != expected {
                failures.push(ExampleFailure {
                    file: rule.file.clone(),
                    line: rule.line,
                    rule: rule.id.clone(),
                    expected_match: expected,
                    example: example.clone(),
                });
            }
        }
    }
    Ok((run, failures))
}
