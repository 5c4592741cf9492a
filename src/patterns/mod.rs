//! The pattern library: loading and validating `patterns/*.toml`.
//!
//! Owns: the file format (one file per category, `[[rule]]` tables with id,
//! description, patterns and examples), the embedded built-in files, the
//! `--patterns DIR` override, and every check that makes a pattern file
//! trustworthy before anything runs (unknown keys, duplicate ids, bad
//! regexes, unknown categories / reasons / criteria, missing examples).
//! Errors name the file, the line and the rule.
//!
//! Must not: scan text (that is `matcher`, which compiles a set) or
//! interpret hits (that is `classify`).

pub mod detail;
pub mod grammar;
pub mod lazy;
pub mod topic;

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::model::{Criterion, Reason, Topic};

pub use self::detail::DetailVocab;
pub use self::grammar::Grammar;
pub use self::topic::TopicDef;

/// The tags the classifier reads, per category: a rule with another tag
/// would be a silent no-op, so it is a load error.
const KNOWN_TAGS: &[(Category, &[&str])] = &[
    (
        Category::Context,
        &[
            "anesthesia",
            "approval_criteria",
            "catch_all",
            "class_emergency",
            "class_inpatient",
            "class_outpatient",
            "class_outpatient_office",
            "class_outpatient_other",
            "class_prescription_drugs",
            "clinical_trial",
            "cost_share",
            "criteria_reference",
            "formulary_doc",
            "history",
            "justification",
            "kind_benefit_summary",
            "kind_billing",
            "kind_notice",
            "kind_pa_form",
            "kind_policy",
            "kind_review",
            "label_use",
            "letter",
            "medsurg",
            "mhsud",
            "non_health",
            "out_of_network",
            "payer",
            "plan_scope",
            "policy_voice",
            "redirect",
            "regulator",
            "use_pain",
            "use_psychiatric",
        ],
    ),
    (
        Category::Limitation,
        &[
            "coinsurance",
            "concurrent_review",
            "copay",
            "day_limit",
            "deductible",
            "experimental_determination",
            "medical_necessity_criteria",
            "network_admission",
            "prior_authorization",
            "reimbursement_rates",
            "site_of_care",
            "step_therapy",
            "visit_limit",
        ],
    ),
    (Category::Code, &["CDT", "CPT", "HCPCS", "ICD-10-CM"]),
];

/// The built-in pattern files, embedded in the binary.
pub const BUILTIN: &[(&str, &str)] = &[
    ("codes.toml", include_str!("../../patterns/codes.toml")),
    ("grammar.toml", include_str!("../../patterns/grammar.toml")),
    ("context.toml", include_str!("../../patterns/context.toml")),
    (
        "coverage.toml",
        include_str!("../../patterns/coverage.toml"),
    ),
    (
        "criteria.toml",
        include_str!("../../patterns/criteria.toml"),
    ),
    (
        "criteria_detail.toml",
        include_str!("../../patterns/criteria_detail.toml"),
    ),
    (
        "esketamine.toml",
        include_str!("../../patterns/esketamine.toml"),
    ),
    (
        "exclusion.toml",
        include_str!("../../patterns/exclusion.toml"),
    ),
    (
        "experimental.toml",
        include_str!("../../patterns/experimental.toml"),
    ),
    (
        "ketamine.toml",
        include_str!("../../patterns/ketamine.toml"),
    ),
    (
        "medical_necessity.toml",
        include_str!("../../patterns/medical_necessity.toml"),
    ),
    (
        "negation.toml",
        include_str!("../../patterns/negation.toml"),
    ),
    (
        "off_label.toml",
        include_str!("../../patterns/off_label.toml"),
    ),
    ("parity.toml", include_str!("../../patterns/parity.toml")),
    (
        "parity_limits.toml",
        include_str!("../../patterns/parity_limits.toml"),
    ),
    (
        "sections.toml",
        include_str!("../../patterns/sections.toml"),
    ),
];

/// What kind of signal a rule gives the classifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Names a drug or treatment topic (the rule's `topic`; the older
    /// spellings `ketamine` / `esketamine` are read as `name`).
    #[serde(alias = "ketamine", alias = "esketamine")]
    Name,
    /// Experimental / investigational language.
    Experimental,
    /// Unproven / insufficient evidence language.
    Unproven,
    /// Off-label language.
    OffLabel,
    /// "medically necessary" (positive) or "not medically necessary".
    MedicalNecessity,
    /// Plan exclusions and "not covered".
    Exclusion,
    /// Positive coverage language ("is covered", "approved", "paid").
    Coverage,
    /// A coverage criterion (prior authorization, age, ...).
    Criteria,
    /// Mental-health parity language.
    Parity,
    /// A billing or diagnosis code.
    Code,
    /// A negation trigger (NegEx style).
    Negation,
    /// A phrase that looks like a negation but is not ("not only").
    PseudoNegation,
    /// A hedging / conditional trigger ("may be", "unless").
    Hedge,
    /// Ends the scope of a negation or hedge ("but", "however").
    Termination,
    /// A section heading.
    Section,
    /// Context that changes what a drug mention means (anesthesia,
    /// research, pointers to other policies, catch-alls, uses).
    Context,
    /// A treatment limitation for the parity lens (visit limits, prior
    /// authorization, step therapy...).
    Limitation,
}

impl Category {
    /// The category's name as written in the pattern files and the report.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Name => "name",
            Category::Experimental => "experimental",
            Category::Unproven => "unproven",
            Category::OffLabel => "off_label",
            Category::MedicalNecessity => "medical_necessity",
            Category::Exclusion => "exclusion",
            Category::Coverage => "coverage",
            Category::Criteria => "criteria",
            Category::Parity => "parity",
            Category::Code => "code",
            Category::Negation => "negation",
            Category::PseudoNegation => "pseudo_negation",
            Category::Hedge => "hedge",
            Category::Termination => "termination",
            Category::Section => "section",
            Category::Context => "context",
            Category::Limitation => "limitation",
        }
    }

    /// Whether the category says something about coverage (a denial term,
    /// medical necessity, an exclusion or positive coverage language).
    pub fn is_coverage(self) -> bool {
        matches!(
            self,
            Category::Experimental
                | Category::Unproven
                | Category::OffLabel
                | Category::MedicalNecessity
                | Category::Exclusion
                | Category::Coverage
        )
    }

    /// Whether hits of this category are listed in a document's `findings`
    /// (cues such as negation triggers and headings are used by the
    /// classifier and shown by `explain`, but are not findings).
    pub fn is_reported(self) -> bool {
        !matches!(
            self,
            Category::Negation
                | Category::PseudoNegation
                | Category::Hedge
                | Category::Termination
                | Category::Section
                | Category::Context
                | Category::Limitation
        )
    }
}

/// Direction of a negation trigger relative to what it negates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The trigger precedes the negated term ("not experimental").
    #[default]
    Forward,
    /// The trigger follows the negated term ("experimental ... is ruled out").
    Backward,
}

/// Kinds of document sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    /// No heading seen yet.
    #[default]
    Unknown,
    /// Policy / coverage statement.
    Policy,
    /// Coverage criteria.
    Criteria,
    /// Exclusions and limitations.
    Exclusions,
    /// Background, description, overview.
    Background,
    /// Rationale, clinical evidence, literature review.
    Rationale,
    /// References and citations.
    References,
    /// Coding information, code tables.
    Coding,
    /// Definitions.
    Definitions,
    /// Policy history / revision log.
    History,
    /// Appeal rights and other member notices.
    Notices,
}

impl SectionKind {
    /// The name used in reports and `explain`.
    pub fn as_str(self) -> &'static str {
        match self {
            SectionKind::Unknown => "unknown",
            SectionKind::Policy => "policy",
            SectionKind::Criteria => "criteria",
            SectionKind::Exclusions => "exclusions",
            SectionKind::Background => "background",
            SectionKind::Rationale => "rationale",
            SectionKind::References => "references",
            SectionKind::Coding => "coding",
            SectionKind::Definitions => "definitions",
            SectionKind::History => "history",
            SectionKind::Notices => "notices",
        }
    }

    /// Whether statements in this section describe rather than decide
    /// coverage.
    pub fn is_informative(self) -> bool {
        matches!(
            self,
            SectionKind::Background
                | SectionKind::Rationale
                | SectionKind::References
                | SectionKind::Coding
                | SectionKind::Definitions
                | SectionKind::History
                | SectionKind::Notices
        )
    }
}

/// One validated rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Unique id, e.g. `coverage.experimental`.
    pub id: String,
    /// What the rule's hits mean for the classifier.
    pub category: Category,
    /// One-line description.
    pub description: String,
    /// Why the rule exists (printed by `patterns list --verbose` and `explain`).
    pub why: Option<String>,
    /// The drug topic the rule names, for drug-name rules.
    pub topic: Option<Topic>,
    /// The reason this rule gives for non-coverage.
    pub reason: Option<Reason>,
    /// The criterion this rule detects.
    pub criterion: Option<Criterion>,
    /// Section kind, for section-heading rules.
    pub section: Option<SectionKind>,
    /// Direction, for negation rules.
    pub direction: Direction,
    /// Free label for context rules (e.g. `anesthesia`, `research`).
    pub tag: Option<String>,
    /// Whether the rule itself states a negative ("not medically necessary").
    pub negative: bool,
    /// Whole-word literals (ASCII case-insensitive).
    pub literals: Vec<String>,
    /// Regular expressions (case-insensitive unless `case_sensitive`).
    pub regexes: Vec<String>,
    /// Whether the regexes are case-sensitive.
    pub case_sensitive: bool,
    /// Examples the rule must match.
    pub examples_match: Vec<String>,
    /// Examples the rule must not match.
    pub examples_no_match: Vec<String>,
    /// The file the rule came from.
    pub file: String,
    /// 1-based line of the rule's `id` in its file.
    pub line: usize,
}

impl Rule {
    /// The category as the report names it: a name rule's topic id, else
    /// the category.
    pub fn category_name(&self) -> &'static str {
        match (self.category, self.topic) {
            (Category::Name, Some(t)) => t.as_str(),
            (c, _) => c.as_str(),
        }
    }
}

/// A validated set of rules and where it came from.
#[derive(Debug, Clone)]
pub struct PatternSet {
    /// All rules, in file order then rule order.
    pub rules: Vec<Rule>,
    /// The drug and treatment topics, in topic order.
    pub topics: Vec<TopicDef>,
    /// `builtin@<hash>` or `<dir>@<hash>`.
    pub origin: String,
    /// The sentence-structure vocabulary.
    pub grammar: Grammar,
    /// The criteria-value vocabulary.
    pub detail: DetailVocab,
}

/// A problem in a pattern file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PatternError {
    /// The file.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// The rule id, when known.
    pub rule: Option<String>,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(rule) = &self.rule {
            write!(f, ": rule {rule}")?;
        }
        write!(f, ": {}", self.reason)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDef {
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    rule: Vec<RuleDef>,
    #[serde(default)]
    grammar: Option<grammar::GrammarDef>,
    #[serde(default)]
    criteria_detail: Option<detail::DetailDef>,
    #[serde(default)]
    topic: Option<topic::TopicTable>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleDef {
    id: toml::Spanned<String>,
    category: Category,
    description: String,
    #[serde(default)]
    why: Option<String>,
    #[serde(default)]
    topic: Option<String>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    criterion: Option<String>,
    #[serde(default)]
    section: Option<SectionKind>,
    #[serde(default)]
    direction: Option<Direction>,
    #[serde(default)]
    tag: Option<String>,
    #[serde(default)]
    negative: bool,
    #[serde(default)]
    literals: Vec<String>,
    #[serde(default)]
    regexes: Vec<String>,
    #[serde(default)]
    case_sensitive: bool,
    #[serde(default, rename = "match")]
    examples_match: Vec<String>,
    #[serde(default)]
    no_match: Vec<String>,
}

impl PatternSet {
    /// Compiles the regexes of the `[grammar]` and `[criteria_detail]`
    /// tables now (they are otherwise compiled when a text first needs
    /// them), reporting the first that cannot be, such as one over the
    /// size limit.
    pub fn compile_vocabulary(&self) -> Result<(), PatternError> {
        let grammar = self
            .grammar
            .regexes()
            .into_iter()
            .map(|(what, re)| (format!("[grammar] {what}"), re));
        let detail = self
            .detail
            .regexes()
            .into_iter()
            .map(|(what, re)| (format!("[criteria_detail] {what}"), re));
        for (what, re) in grammar.chain(detail) {
            re.try_get().map_err(|e| PatternError {
                file: self.origin.clone(),
                line: None,
                rule: None,
                reason: format!("{what}: {e}"),
            })?;
        }
        Ok(())
    }

    /// The built-in library.
    pub fn builtin() -> Result<PatternSet, PatternError> {
        let files: Vec<(String, String)> = BUILTIN
            .iter()
            .map(|(n, t)| ((*n).to_string(), (*t).to_string()))
            .collect();
        Self::load_files("builtin", &files, Regexes::Trusted)
    }

    /// Every `*.toml` file of a directory, replacing the built-in library
    /// (a directory without a `[grammar]` table keeps the built-in one),
    /// and the topic files of its `topics/` folder, if it has one.
    pub fn from_dir(dir: &Path) -> Result<PatternSet, PatternError> {
        let files = read_toml_dir(dir)?;
        let set = Self::from_files(&dir.display().to_string(), &files)?;
        let topics = dir.join("topics");
        if topics.is_dir() {
            set.with_topics(&topics)
        } else {
            Ok(set)
        }
    }

    /// Parses and validates a set of (file name, contents).
    pub fn from_files(label: &str, files: &[(String, String)]) -> Result<PatternSet, PatternError> {
        Self::load_files(label, files, Regexes::Check)
    }

    fn load_files(
        label: &str,
        files: &[(String, String)],
        regexes: Regexes,
    ) -> Result<PatternSet, PatternError> {
        let mut rules = Vec::new();
        let mut topics: Vec<TopicDef> = Vec::new();
        let mut ids = BTreeSet::new();
        let mut hasher = Sha256::new();
        let mut grammar: Option<(String, Grammar)> = None;
        let mut detail: Option<(String, DetailVocab)> = None;
        for (name, text) in files {
            hash_file(&mut hasher, name, text);
            let parts = parse_file(name, text, regexes)?;
            if let Some(d) = parts.detail {
                if let Some((first, _)) = &detail {
                    return Err(PatternError {
                        file: name.clone(),
                        line: text
                            .lines()
                            .position(|l| l.trim() == "[criteria_detail]")
                            .map(|i| i + 1),
                        rule: None,
                        reason: format!(
                            "a second [criteria_detail] table (the first is in {first})"
                        ),
                    });
                }
                detail = Some((name.clone(), d));
            }
            if let Some(g) = parts.grammar {
                if let Some((first, _)) = &grammar {
                    return Err(PatternError {
                        file: name.clone(),
                        line: text
                            .lines()
                            .position(|l| l.trim() == "[grammar]")
                            .map(|i| i + 1),
                        rule: None,
                        reason: format!("a second [grammar] table (the first is in {first})"),
                    });
                }
                grammar = Some((name.clone(), g));
            }
            if let Some(t) = parts.topic {
                if let Some(first) = topics.iter().find(|d| d.topic == t.topic) {
                    return Err(PatternError {
                        file: name.clone(),
                        line: Some(t.line),
                        rule: None,
                        reason: format!(
                            "[topic] {:?} is defined twice (the first is in {})",
                            t.topic.as_str(),
                            first.file
                        ),
                    });
                }
                topics.push(t);
            }
            add_rules(&mut rules, &mut ids, name, parts.rules)?;
        }
        let grammar = match grammar {
            Some((_, g)) => g,
            None => builtin_grammar()?,
        };
        let detail = match detail {
            Some((_, d)) => d,
            None => builtin_detail()?,
        };
        // A library without the built-in topics' tables keeps their
        // definitions when its name rules name them (without references
        // to topics it does not have).
        let defined: BTreeSet<Topic> = topics.iter().map(|d| d.topic).collect();
        let kept: Vec<Topic> = Topic::BUILTIN
            .into_iter()
            .filter(|t| !defined.contains(t))
            .filter(|&t| {
                rules
                    .iter()
                    .any(|r: &Rule| r.category == Category::Name && r.topic == Some(t))
            })
            .collect();
        for &t in &kept {
            let mut def = builtin_topic(t)?;
            def.not_confused_with
                .retain(|o| defined.contains(o) || kept.contains(o));
            topics.push(def);
        }
        let digest = hasher.finalize();
        let hash: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
        let set = PatternSet {
            rules,
            topics,
            origin: format!("{label}@{hash}"),
            grammar,
            detail,
        };
        set.checked()
    }

    /// This library with the topic files of a directory (every `*.toml`
    /// file there has a `[topic]` table): a topic with a new id is added,
    /// one with the id of a topic already defined replaces it (its
    /// table and every rule of its file and its names).
    pub fn with_topics(mut self, dir: &Path) -> Result<PatternSet, PatternError> {
        let files = read_toml_dir(dir)?;
        let mut hasher = Sha256::new();
        for (name, text) in &files {
            hash_file(&mut hasher, name, text);
            let parts = parse_file(name, text, Regexes::Check)?;
            let Some(def) = parts.topic else {
                return Err(PatternError {
                    file: name.clone(),
                    line: None,
                    rule: None,
                    reason: "a topic file needs a [topic] table".into(),
                });
            };
            let extra = if parts.grammar.is_some() {
                Some("[grammar]")
            } else if parts.detail.is_some() {
                Some("[criteria_detail]")
            } else {
                None
            };
            if let Some(table) = extra {
                return Err(PatternError {
                    file: name.clone(),
                    line: None,
                    rule: None,
                    reason: format!("a topic file cannot hold a {table} table"),
                });
            }
            if let Some(old) = self.topics.iter().position(|d| d.topic == def.topic) {
                let old = self.topics.remove(old);
                self.rules.retain(|r| {
                    r.file != old.file
                        && !(r.category == Category::Name && r.topic == Some(old.topic))
                });
            }
            self.topics.push(def);
            let mut ids: BTreeSet<String> = self.rules.iter().map(|r| r.id.clone()).collect();
            add_rules(&mut self.rules, &mut ids, name, parts.rules)?;
        }
        let digest = hasher.finalize();
        let hash: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
        self.origin = format!("{}+{}@{hash}", self.origin, dir.display());
        self.checked()
    }

    /// The definition of a topic.
    pub fn topic_def(&self, topic: Topic) -> Option<&TopicDef> {
        self.topics.iter().find(|d| d.topic == topic)
    }

    /// Registers this library's topics for the run (reports list every
    /// registered topic, and `--fail-on` / `explain --topic` accept them).
    pub fn register_topics(&self) {
        for d in &self.topics {
            d.topic.register(&d.name);
        }
    }

    /// The checks that need the whole library: every topic has names,
    /// every name rule names a defined topic, and what a topic table
    /// refers to exists.
    fn checked(mut self) -> Result<PatternSet, PatternError> {
        self.topics.sort_by_key(|d| d.topic);
        for r in &self.rules {
            if r.category != Category::Name {
                continue;
            }
            let t = r.topic.expect("a name rule has a topic");
            if self.topic_def(t).is_none() {
                return Err(PatternError {
                    file: r.file.clone(),
                    line: Some(r.line),
                    rule: Some(r.id.clone()),
                    reason: format!("topic {:?} has no [topic] table in the library", t.as_str()),
                });
            }
        }
        // The context tags the classifier knows and those the library's
        // rules declare.
        let known = KNOWN_TAGS
            .iter()
            .filter(|(c, _)| *c == Category::Context)
            .flat_map(|(_, t)| t.iter().copied());
        let tags: BTreeSet<&str> = self
            .rules
            .iter()
            .filter(|r| r.category == Category::Context)
            .filter_map(|r| r.tag.as_deref())
            .chain(known)
            .collect();
        for d in &self.topics {
            let err = |reason: String| PatternError {
                file: d.file.clone(),
                line: Some(d.line),
                rule: None,
                reason: format!("[topic] {reason}"),
            };
            let named = self
                .rules
                .iter()
                .any(|r| r.category == Category::Name && r.topic == Some(d.topic));
            if !named {
                return Err(err(format!(
                    "topic {:?} has no names (give `names = [...]` or a rule with category = \"name\")",
                    d.topic.as_str()
                )));
            }
            if let Some(t) = d
                .not_confused_with
                .iter()
                .find(|t| self.topic_def(**t).is_none())
            {
                return Err(err(format!(
                    "not_confused_with: {:?} is not a topic of the library",
                    t.as_str()
                )));
            }
            if let Some(tag) = d.tags().find(|t| !tags.contains(t)) {
                return Err(err(format!(
                    "out_of_scope: {tag:?} is not a context tag (the classifier's, or one a context rule of the topic's file declares)"
                )));
            }
            if let Some(k) = d
                .approved_uses
                .iter()
                .find(|k| !self.grammar.conditions.iter().any(|(c, _)| c == *k))
            {
                return Err(err(format!(
                    "approved_uses: {k:?} is not a condition key of grammar.condition"
                )));
            }
        }
        Ok(self)
    }
}

fn hash_file(hasher: &mut Sha256, name: &str, text: &str) {
    hasher.update(name.rsplit('/').next().unwrap_or(name).as_bytes());
    hasher.update([0]);
    hasher.update(text.as_bytes());
    hasher.update([0]);
}

/// Adds a file's rules, refusing an id already used.
fn add_rules(
    rules: &mut Vec<Rule>,
    ids: &mut BTreeSet<String>,
    name: &str,
    new: Vec<Rule>,
) -> Result<(), PatternError> {
    for rule in new {
        if !ids.insert(rule.id.clone()) {
            return Err(PatternError {
                file: name.to_string(),
                line: Some(rule.line),
                rule: Some(rule.id),
                reason: "duplicate rule id (ids must be unique across all files)".into(),
            });
        }
        rules.push(rule);
    }
    Ok(())
}

/// Every `*.toml` file of a directory, sorted by path, with its text.
fn read_toml_dir(dir: &Path) -> Result<Vec<(String, String)>, PatternError> {
    let err = |reason: String| PatternError {
        file: dir.display().to_string(),
        line: None,
        rule: None,
        reason,
    };
    let entries = std::fs::read_dir(dir).map_err(|e| err(format!("cannot read directory: {e}")))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(err("no *.toml pattern files in this directory".into()));
    }
    let mut files = Vec::with_capacity(paths.len());
    for p in paths {
        let text = std::fs::read_to_string(&p).map_err(|e| PatternError {
            file: p.display().to_string(),
            line: None,
            rule: None,
            reason: format!("cannot read: {e}"),
        })?;
        files.push((p.display().to_string(), text));
    }
    Ok(files)
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The built-in `[grammar]` table.
fn builtin_grammar() -> Result<Grammar, PatternError> {
    builtin_table("grammar.toml", "[grammar]", |p| p.grammar)
}

/// The built-in `[criteria_detail]` table.
fn builtin_detail() -> Result<DetailVocab, PatternError> {
    builtin_table("criteria_detail.toml", "[criteria_detail]", |p| p.detail)
}

/// A table of one built-in file, for a folder library without its own.
fn builtin_table<T>(
    file: &str,
    table: &str,
    pick: impl FnOnce(FileParts) -> Option<T>,
) -> Result<T, PatternError> {
    let (name, text) = BUILTIN
        .iter()
        .find(|(n, _)| *n == file)
        .unwrap_or_else(|| panic!("the built-in library has {file}"));
    pick(parse_file(name, text, Regexes::Trusted)?).ok_or_else(|| PatternError {
        file: (*name).to_string(),
        line: None,
        rule: None,
        reason: format!("no {table} table"),
    })
}

/// The `[topic]` table of a built-in topic, for a folder library without
/// it.
fn builtin_topic(t: Topic) -> Result<TopicDef, PatternError> {
    let file = format!("{}.toml", t.as_str());
    builtin_table(&file, "[topic]", |p| p.topic)
}

/// The parts of one pattern file.
struct FileParts {
    rules: Vec<Rule>,
    grammar: Option<Grammar>,
    detail: Option<DetailVocab>,
    topic: Option<TopicDef>,
}

/// Whether the regexes of a file (its rules' and its vocabulary tables')
/// are checked when it is loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Regexes {
    /// Parse each regex, and report a bad one with its file and line.
    Check,
    /// The built-in library's: a unit test compiles every one of them,
    /// and a run compiles them when a text needs them.
    Trusted,
}

/// The rules of one file, and its `[grammar]`, `[criteria_detail]` and
/// `[topic]` tables if it has them.
fn parse_file(name: &str, text: &str, regexes: Regexes) -> Result<FileParts, PatternError> {
    let def: FileDef = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start));
        // Name the rule whose table holds the error, when there is one.
        let rule = line.and_then(|l| rule_id_before_line(text, l));
        PatternError {
            file: name.to_string(),
            line,
            rule,
            reason: e.message().trim().to_string(),
        }
    })?;
    let _ = def.description;
    let topic = def
        .topic
        .map(|t| topic::validate(name, text, t))
        .transpose()?;
    let mut out = Vec::with_capacity(def.rule.len() + 1);
    if let Some(t) = topic.as_ref().filter(|t| !t.names.is_empty()) {
        out.push(Rule {
            id: format!("{}.names", t.topic.as_str()),
            category: Category::Name,
            description: format!("Names of {} given in the [topic] table.", t.name),
            why: None,
            topic: Some(t.topic),
            reason: None,
            criterion: None,
            section: None,
            direction: Direction::default(),
            tag: None,
            negative: false,
            literals: t.names.clone(),
            regexes: Vec::new(),
            case_sensitive: false,
            examples_match: t.names.clone(),
            examples_no_match: Vec::new(),
            file: t.file.clone(),
            line: t.line,
        });
    }
    // Offsets of line starts, to turn each rule's id span into its line.
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let extra_tags: Vec<&str> = topic.iter().flat_map(|t| t.tags()).collect();
    for r in def.rule {
        let line = line_starts.partition_point(|&s| s <= r.id.span().start);
        out.push(validate(
            name,
            line,
            r,
            topic.as_ref().map(|t| t.topic),
            &extra_tags,
            regexes,
        )?);
    }
    let grammar = def
        .grammar
        .map(|g| Grammar::validate(name, text, g, regexes))
        .transpose()?;
    let detail = def
        .criteria_detail
        .map(|d| DetailVocab::validate(name, text, d, regexes))
        .transpose()?;
    Ok(FileParts {
        rules: out,
        grammar,
        detail,
        topic,
    })
}

fn rule_id_before_line(text: &str, line: usize) -> Option<String> {
    let re = regex::Regex::new(r#"^\s*id\s*=\s*["']([^"']+)["']"#).ok()?;
    text.lines()
        .take(line)
        .filter_map(|l| re.captures(l).map(|c| c[1].to_string()))
        .last()
}

fn validate(
    file: &str,
    line: usize,
    r: RuleDef,
    file_topic: Option<Topic>,
    extra_tags: &[&str],
    regexes: Regexes,
) -> Result<Rule, PatternError> {
    let id = r.id.into_inner();
    let err = |reason: String| PatternError {
        file: file.to_string(),
        line: Some(line),
        rule: Some(id.clone()),
        reason,
    };
    let id_ok = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if !id_ok {
        return Err(err(
            "id must be non-empty lowercase ASCII letters, digits, '.', '_' or '-'".into(),
        ));
    }
    if r.description.trim().is_empty() {
        return Err(err("description is empty".into()));
    }
    if r.literals.is_empty() && r.regexes.is_empty() {
        return Err(err("rule has no `literals` and no `regexes`".into()));
    }
    if let Some(l) = r.literals.iter().find(|l| l.trim().is_empty()) {
        return Err(err(format!("empty literal {l:?}")));
    }
    // The syntax is checked here (but for the built-in library's); the
    // matcher compiles a regex when a text first needs it
    // (`Matcher::compile_all` compiles them all).
    for re in r.regexes.iter().filter(|_| regexes == Regexes::Check) {
        let parsed = regex_syntax::ParserBuilder::new()
            .case_insensitive(!r.case_sensitive)
            .build()
            .parse(re);
        if let Err(e) = parsed {
            return Err(err(format!("bad regex {re:?}: {e}")));
        }
    }
    if r.examples_match.is_empty() {
        return Err(err(
            "rule has no `match` examples (every rule documents itself)".into(),
        ));
    }
    let topic = match &r.topic {
        None => file_topic.filter(|_| r.category == Category::Name),
        Some(t) if Topic::valid_id(t) => Some(Topic::named(t)),
        Some(t) => return Err(err(format!("unknown topic {t:?}"))),
    };
    if r.category == Category::Name && topic == Some(Topic::MENTAL_HEALTH_PARITY) {
        return Err(err("mental_health_parity is not a drug topic".into()));
    }
    if r.category == Category::Name && topic.is_none() {
        return Err(err(
            "a `name` rule needs `topic = \"...\"` (or a [topic] table in its file)".into(),
        ));
    }
    let reason = match &r.reason {
        None => None,
        Some(t) => Some(Reason::parse(t).ok_or_else(|| {
            err(format!(
                "unknown reason {t:?} (expected one of: {})",
                Reason::ALL.map(Reason::as_str).join(", ")
            ))
        })?),
    };
    let criterion = match &r.criterion {
        None => None,
        Some(t) => Some(Criterion::parse(t).ok_or_else(|| {
            err(format!(
                "unknown criterion {t:?} (expected one of: {})",
                Criterion::ALL.map(Criterion::as_str).join(", ")
            ))
        })?),
    };
    if r.category == Category::Criteria && criterion.is_none() {
        return Err(err("a `criteria` rule needs `criterion = \"...\"`".into()));
    }
    if r.category == Category::Section && r.section.is_none() {
        return Err(err("a `section` rule needs `section = \"...\"`".into()));
    }
    if matches!(r.category, Category::Context | Category::Limitation) && r.tag.is_none() {
        return Err(err(format!(
            "a `{}` rule needs `tag = \"...\"`",
            r.category.as_str()
        )));
    }
    if let Some(tag) = &r.tag {
        let known = KNOWN_TAGS
            .iter()
            .find(|(c, _)| *c == r.category)
            .map_or(&[][..], |(_, t)| *t);
        let declared = r.category == Category::Context && extra_tags.contains(&tag.as_str());
        if !known.contains(&tag.as_str()) && !declared {
            return Err(err(if known.is_empty() {
                format!(
                    "a `{}` rule takes no tag (got {tag:?})",
                    r.category.as_str()
                )
            } else {
                format!(
                    "unknown tag {tag:?} for a `{}` rule (expected one of: {})",
                    r.category.as_str(),
                    known.join(", ")
                )
            }));
        }
    }
    Ok(Rule {
        id: id.clone(),
        category: r.category,
        description: r.description.trim().to_string(),
        why: r.why.map(|w| w.trim().to_string()),
        topic,
        reason,
        criterion,
        section: r.section,
        direction: r.direction.unwrap_or_default(),
        tag: r.tag,
        negative: r.negative,
        literals: r.literals,
        regexes: r.regexes,
        case_sensitive: r.case_sensitive,
        examples_match: r.examples_match,
        examples_no_match: r.no_match,
        file: file.rsplit('/').next().unwrap_or(file).to_string(),
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<PatternSet, PatternError> {
        PatternSet::from_files("test", &[("t.toml".into(), text.into())])
    }

    #[test]
    fn the_builtin_library_passes_the_regex_checks_it_is_trusted_with() {
        // Loaded as the built-in library, its regexes are not parsed (a
        // run compiles them as texts need them; the matcher's tests
        // compile them all); loaded as any folder is, every check passes.
        let files: Vec<(String, String)> = BUILTIN
            .iter()
            .map(|(n, t)| ((*n).to_string(), (*t).to_string()))
            .collect();
        let checked = PatternSet::from_files("builtin", &files).expect("the checks pass");
        let trusted = PatternSet::builtin().unwrap();
        let ids = |s: &PatternSet| s.rules.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&checked), ids(&trusted));
        assert_eq!(checked.origin, trusted.origin);
    }

    #[test]
    fn builtin_loads() {
        let set = PatternSet::builtin().expect("builtin patterns are valid");
        assert!(set.rules.len() > 20);
        assert!(set.origin.starts_with("builtin@"));
    }

    #[test]
    fn bad_regex_names_file_rule_and_line() {
        let e = load(
            "[[rule]]\nid = \"a.b\"\ncategory = \"experimental\"\ndescription = \"d\"\nregexes = ['(']\nmatch = ['x']\n",
        )
        .unwrap_err();
        assert_eq!(e.file, "t.toml");
        assert_eq!(e.rule.as_deref(), Some("a.b"));
        assert_eq!(e.line, Some(2));
        assert!(e.reason.contains("bad regex"), "{e}");
    }

    #[test]
    fn unknown_key_is_an_error_with_line() {
        let e = load("[[rule]]\nid = \"a.b\"\ncategory = \"experimental\"\ndescription = \"d\"\nliterals = ['x']\nmatch = ['x']\nbogus = 1\n").unwrap_err();
        assert_eq!(e.line, Some(7), "{e}");
        assert_eq!(e.rule.as_deref(), Some("a.b"));
        assert!(e.reason.contains("bogus"), "{e}");
    }

    #[test]
    fn unknown_category_and_duplicate_id() {
        let e = load("[[rule]]\nid = \"a\"\ncategory = \"nope\"\ndescription = \"d\"\nliterals = ['x']\nmatch = ['x']\n").unwrap_err();
        assert!(e.reason.contains("nope"), "{e}");
        let e = load("[[rule]]\nid = \"a\"\ncategory = \"parity\"\ndescription = \"d\"\nliterals = ['x']\nmatch = ['x']\n[[rule]]\nid = \"a\"\ncategory = \"parity\"\ndescription = \"d\"\nliterals = ['y']\nmatch = ['y']\n").unwrap_err();
        assert!(e.reason.contains("duplicate"), "{e}");
        // The line of the second id, the one to rename.
        assert_eq!(e.line, Some(8));
    }

    #[test]
    fn criteria_rule_needs_criterion_and_examples() {
        let e = load("[[rule]]\nid = \"a\"\ncategory = \"criteria\"\ndescription = \"d\"\nliterals = ['x']\nmatch = ['x']\n").unwrap_err();
        assert!(e.reason.contains("criterion"), "{e}");
        let e = load(
            "[[rule]]\nid = \"a\"\ncategory = \"parity\"\ndescription = \"d\"\nliterals = ['x']\n",
        )
        .unwrap_err();
        assert!(e.reason.contains("match"), "{e}");
    }

    /// The built-in grammar file with one line replaced.
    fn grammar_with(from: &str, to: &str) -> String {
        let (_, text) = BUILTIN.iter().find(|(n, _)| *n == "grammar.toml").unwrap();
        assert!(text.contains(from), "{from:?} not in grammar.toml");
        text.replacen(from, to, 1)
    }

    #[test]
    fn a_directory_without_grammar_keeps_the_builtin_one() {
        let set = load("[[rule]]\nid = \"a\"\ncategory = \"parity\"\ndescription = \"d\"\nliterals = ['x']\nmatch = ['x']\n").unwrap();
        assert_eq!(set.grammar.condition_key("Depression"), Some("depression"));
        assert_eq!(set.grammar.condition_key("psychiatric"), None);
    }

    #[test]
    fn an_unknown_grammar_field_is_an_error_with_its_line() {
        let text = grammar_with("upholdings = [", "bogus = 1\nupholdings = [");
        let line = text.lines().position(|l| l.starts_with("bogus")).unwrap() + 1;
        let e = load(&text).unwrap_err();
        assert_eq!(e.line, Some(line), "{e}");
        assert!(e.reason.contains("bogus"), "{e}");
    }

    #[test]
    fn a_missing_or_empty_grammar_field_is_an_error() {
        let e = load(&grammar_with("reversals = [", "reversed = [")).unwrap_err();
        assert!(
            e.reason.contains("reversed") || e.reason.contains("reversals"),
            "{e}"
        );
        let text = grammar_with(r#"upholdings = ["upheld"]"#, "upholdings = []");
        let e = load(&text).unwrap_err();
        assert!(e.reason.contains("grammar.upholdings"), "{e}");
        let line = text
            .lines()
            .position(|l| l.starts_with("upholdings"))
            .unwrap()
            + 1;
        assert_eq!(e.line, Some(line), "{e}");
    }

    /// A topic file: a `[topic]` table with `extra` lines, and a name.
    fn topic_file(extra: &str) -> String {
        format!("[topic]\nid = \"tms\"\nname = \"TMS\"\n{extra}")
    }

    #[test]
    fn a_topic_table_defines_a_topic_with_its_names() {
        let set = load(&topic_file(
            "names = [\"transcranial magnetic stimulation\", \"tms\"]\nbrands = [\"NeuroStar\"]\n",
        ))
        .unwrap();
        let def = set
            .topic_def(Topic::named("tms"))
            .expect("the topic is defined");
        assert_eq!(def.name, "TMS");
        assert_eq!((def.file.as_str(), def.line), ("t.toml", 1));
        let rule = set.rules.iter().find(|r| r.id == "tms.names").unwrap();
        assert_eq!(rule.category, Category::Name);
        assert_eq!(rule.category_name(), "tms");
        assert_eq!(rule.literals.len(), 3);
        let ids: Vec<&str> = set.topics.iter().map(|d| d.topic.as_str()).collect();
        assert_eq!(ids, ["tms"]);
        // A library that names a built-in topic without its table keeps the
        // built-in definition.
        let set = load("[[rule]]\nid = \"k\"\ncategory = \"ketamine\"\ntopic = \"ketamine\"\ndescription = \"d\"\nliterals = ['ketamine']\nmatch = ['ketamine']\n").unwrap();
        let def = set
            .topic_def(Topic::KETAMINE)
            .expect("the built-in definition");
        assert_eq!(def.out_of_scope[0].tag, "anesthesia");
    }

    #[test]
    fn a_topic_without_names_is_an_error_at_its_table() {
        let e = load(&format!("# a topic\n\n{}", topic_file(""))).unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("t.toml", Some(3)), "{e}");
        assert!(e.reason.contains("has no names"), "{e}");
    }

    #[test]
    fn an_unknown_topic_field_is_an_error_with_its_line() {
        let e = load(&topic_file("names = [\"tms\"]\nsynonym = \"x\"\n")).unwrap_err();
        assert_eq!(e.line, Some(5), "{e}");
        assert!(e.reason.contains("synonym"), "{e}");
    }

    #[test]
    fn what_a_topic_table_refers_to_must_exist() {
        let e = load(&topic_file(
            "names = [\"tms\"]\nnot_confused_with = [\"ect\"]\n",
        ))
        .unwrap_err();
        assert!(e.reason.contains("\"ect\" is not a topic"), "{e}");
        let e = load(&topic_file(
            "names = [\"tms\"]\napproved_uses = [\"sadness\"]\n",
        ))
        .unwrap_err();
        assert!(e.reason.contains("sadness"), "{e}");
        let e = load(&topic_file(
            "names = [\"tms\"]\n[[topic.out_of_scope]]\ntag = \"mapping\"\nnote = \"n\"\n",
        ))
        .unwrap_err();
        assert!(e.reason.contains("\"mapping\""), "{e}");
        let e = load(&topic_file(
            "names = [\"tms\"]\n[[topic.example]]\ntext = \"x\"\nstance = \"maybe\"\n",
        ))
        .unwrap_err();
        assert!(e.reason.contains("maybe"), "{e}");
    }

    #[test]
    fn a_topic_file_may_declare_the_context_tags_it_uses() {
        let text = topic_file(
            "names = [\"tms\"]\n[[topic.out_of_scope]]\ntag = \"mapping\"\nnote = \"brain mapping\"\n\n[[rule]]\nid = \"tms.mapping\"\ncategory = \"context\"\ntag = \"mapping\"\ndescription = \"d\"\nliterals = [\"cortical mapping\"]\nmatch = [\"cortical mapping\"]\n",
        );
        let set = load(&text).unwrap();
        assert!(set.rules.iter().any(|r| r.id == "tms.mapping"));
        // Elsewhere the tag is unknown.
        let other = text.replace("[topic]", "[other]");
        assert!(load(&other).is_err());
    }

    #[test]
    fn a_name_rule_needs_a_defined_topic() {
        let e = load("[[rule]]\nid = \"a\"\ncategory = \"name\"\ndescription = \"d\"\nliterals = ['x']\nmatch = ['x']\n").unwrap_err();
        assert!(e.reason.contains("needs `topic"), "{e}");
        let e = load("[[rule]]\nid = \"a\"\ncategory = \"name\"\ntopic = \"tms\"\ndescription = \"d\"\nliterals = ['x']\nmatch = ['x']\n").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        assert!(e.reason.contains("no [topic] table"), "{e}");
    }

    #[test]
    fn topics_replace_a_topic_of_the_same_id_with_its_rules() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("ketamine.toml"),
            "[topic]\nid = \"ketamine\"\nname = \"Ketamine (any)\"\nnames = [\"ketamine\"]\n",
        )
        .unwrap();
        let set = PatternSet::builtin()
            .unwrap()
            .with_topics(dir.path())
            .unwrap();
        let def = set.topic_def(Topic::KETAMINE).unwrap();
        assert_eq!(def.name, "Ketamine (any)");
        assert!(def.out_of_scope.is_empty());
        let names: Vec<&str> = set
            .rules
            .iter()
            .filter(|r| r.topic == Some(Topic::KETAMINE))
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(names, ["ketamine.names"]);
        assert!(set.origin.starts_with("builtin@"), "{}", set.origin);
        assert!(set.origin.contains('+'), "{}", set.origin);
        // A file without a [topic] table is not a topic file.
        std::fs::write(dir.path().join("x.toml"), "description = \"x\"\n").unwrap();
        let e = PatternSet::builtin()
            .unwrap()
            .with_topics(dir.path())
            .unwrap_err();
        assert!(e.reason.contains("[topic] table"), "{e}");
    }

    #[test]
    fn a_second_grammar_table_is_an_error() {
        let (_, text) = BUILTIN.iter().find(|(n, _)| *n == "grammar.toml").unwrap();
        let files = [
            ("a.toml".to_string(), (*text).to_string()),
            ("b.toml".to_string(), (*text).to_string()),
        ];
        let e = PatternSet::from_files("test", &files).unwrap_err();
        assert_eq!(e.file, "b.toml");
        assert!(e.reason.contains("second [grammar]"), "{e}");
    }

    #[test]
    fn an_unknown_tag_is_an_error_not_a_silent_no_op() {
        let e = load("[[rule]]\nid = \"a\"\ncategory = \"context\"\ntag = \"anaesthesia\"\ndescription = \"d\"\nliterals = ['x']\nmatch = ['x']\n").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        assert!(e.reason.contains("unknown tag \"anaesthesia\""), "{e}");
        let e = load("[[rule]]\nid = \"a\"\ncategory = \"parity\"\ntag = \"x\"\ndescription = \"d\"\nliterals = ['x']\nmatch = ['x']\n").unwrap_err();
        assert!(e.reason.contains("takes no tag"), "{e}");
    }
}
