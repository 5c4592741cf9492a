//! The report's data model: documents, topics, findings, codes and the
//! summary, exactly as the JSON contract (`docs/REPORT_SCHEMA.md`) names
//! them.
//!
//! This module owns the *shape* of the output and the closed vocabularies
//! (status, stance, reason, criterion). It must not contain logic that
//! decides anything: classification lives in `classify`, serialization
//! policy (json/jsonl framing) in `report`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The contract version written into every report.
pub const SCHEMA_VERSION: &str = "1";

/// Why a document could (or could not) be analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Text was extracted and analysed.
    Ok,
    /// The file opened but contains no extractable text (e.g. a scan).
    NoText,
    /// The file is encrypted and could not be opened with the given password.
    Encrypted,
    /// The file is not a well-formed PDF (or not a PDF at all).
    Malformed,
    /// Extraction exceeded its time limit.
    Timeout,
    /// The extraction worker died (stack overflow, abort, signal).
    Crashed,
    /// The file or its decoded content exceeded a size limit.
    TooLarge,
    /// The file type is not supported.
    Unsupported,
}

impl Status {
    /// Every status, in contract order.
    pub const ALL: [Status; 8] = [
        Status::Ok,
        Status::NoText,
        Status::Encrypted,
        Status::Malformed,
        Status::Timeout,
        Status::Crashed,
        Status::TooLarge,
        Status::Unsupported,
    ];

    /// The contract's spelling of this status.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::NoText => "no_text",
            Status::Encrypted => "encrypted",
            Status::Malformed => "malformed",
            Status::Timeout => "timeout",
            Status::Crashed => "crashed",
            Status::TooLarge => "too_large",
            Status::Unsupported => "unsupported",
        }
    }
}

/// What a document says about a topic.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Stance {
    /// Covered without stated conditions.
    Covered,
    /// Covered / medically necessary when criteria are met.
    CoveredWithCriteria,
    /// Excluded, experimental, not medically necessary, unproven, denied.
    NotCovered,
    /// Covered for one named use and denied for another.
    Mixed,
    /// Absent, or mentioned without a coverage statement.
    #[default]
    NotAddressed,
}

impl Stance {
    /// Every stance, in contract order.
    pub const ALL: [Stance; 5] = [
        Stance::Covered,
        Stance::CoveredWithCriteria,
        Stance::NotCovered,
        Stance::Mixed,
        Stance::NotAddressed,
    ];

    /// The contract's spelling of this stance.
    pub fn as_str(self) -> &'static str {
        match self {
            Stance::Covered => "covered",
            Stance::CoveredWithCriteria => "covered_with_criteria",
            Stance::NotCovered => "not_covered",
            Stance::Mixed => "mixed",
            Stance::NotAddressed => "not_addressed",
        }
    }

    /// Parses the contract's spelling.
    pub fn parse(s: &str) -> Option<Stance> {
        Stance::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Why a topic is not covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Called experimental or investigational.
    ExperimentalInvestigational,
    /// Off-label use.
    OffLabel,
    /// Not medically necessary.
    NotMedicallyNecessary,
    /// Excluded by the plan / not a covered benefit.
    PlanExclusion,
    /// Unproven, insufficient evidence.
    Unproven,
}

impl Reason {
    /// Every reason, in contract order.
    pub const ALL: [Reason; 5] = [
        Reason::ExperimentalInvestigational,
        Reason::OffLabel,
        Reason::NotMedicallyNecessary,
        Reason::PlanExclusion,
        Reason::Unproven,
    ];

    /// The contract's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::ExperimentalInvestigational => "experimental_investigational",
            Reason::OffLabel => "off_label",
            Reason::NotMedicallyNecessary => "not_medically_necessary",
            Reason::PlanExclusion => "plan_exclusion",
            Reason::Unproven => "unproven",
        }
    }

    /// Parses the contract's spelling.
    pub fn parse(s: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// A condition attached to coverage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Criterion {
    /// Prior authorization / precertification required.
    PriorAuthorization,
    /// Diagnosis of treatment-resistant depression.
    DiagnosisTrd,
    /// Major depressive disorder with suicidal ideation or behavior.
    DiagnosisMddSuicidal,
    /// Failed trials of antidepressants.
    TrialOfAntidepressants,
    /// REMS-certified treatment setting.
    RemsCertifiedSetting,
    /// Minimum or maximum age.
    AgeLimit,
    /// Used together with an oral antidepressant.
    ConcurrentOralAntidepressant,
    /// Prescribed by (or in consultation with) a named specialty.
    PrescriberSpecialty,
    /// Dose, unit or treatment-count limits.
    QuantityLimit,
    /// Approval period and renewal.
    Reauthorization,
    /// Any other stated condition (site of care, monitoring, ...).
    Other,
}

impl Criterion {
    /// Every criterion, in contract order.
    pub const ALL: [Criterion; 11] = [
        Criterion::PriorAuthorization,
        Criterion::DiagnosisTrd,
        Criterion::DiagnosisMddSuicidal,
        Criterion::TrialOfAntidepressants,
        Criterion::RemsCertifiedSetting,
        Criterion::AgeLimit,
        Criterion::ConcurrentOralAntidepressant,
        Criterion::PrescriberSpecialty,
        Criterion::QuantityLimit,
        Criterion::Reauthorization,
        Criterion::Other,
    ];

    /// The contract's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Criterion::PriorAuthorization => "prior_authorization",
            Criterion::DiagnosisTrd => "diagnosis_trd",
            Criterion::DiagnosisMddSuicidal => "diagnosis_mdd_suicidal",
            Criterion::TrialOfAntidepressants => "trial_of_antidepressants",
            Criterion::RemsCertifiedSetting => "rems_certified_setting",
            Criterion::AgeLimit => "age_limit",
            Criterion::ConcurrentOralAntidepressant => "concurrent_oral_antidepressant",
            Criterion::PrescriberSpecialty => "prescriber_specialty",
            Criterion::QuantityLimit => "quantity_limit",
            Criterion::Reauthorization => "reauthorization",
            Criterion::Other => "other",
        }
    }

    /// Parses the contract's spelling.
    pub fn parse(s: &str) -> Option<Criterion> {
        Criterion::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// A topic a document is judged on: a drug or treatment topic defined by a
/// topic pattern file (`topics.<id>`), or the parity lens.
///
/// A topic is its id, interned for the life of the process. Topics order
/// the built-in ones first (ketamine, esketamine), then added topics by id,
/// then `mental_health_parity`, so every list and map of topics has one
/// order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Topic(&'static str);

/// Ids interned so far (a process sees a handful of topics).
static INTERNED: std::sync::Mutex<std::collections::BTreeSet<&'static str>> =
    std::sync::Mutex::new(std::collections::BTreeSet::new());

/// The drug topics registered for this run beyond the built-in ones, with
/// their display names.
static REGISTERED: std::sync::RwLock<BTreeMap<Topic, &'static str>> =
    std::sync::RwLock::new(BTreeMap::new());

impl Topic {
    /// Racemic ketamine (IV, IM, oral, troche, compounded intranasal).
    pub const KETAMINE: Topic = Topic("ketamine");
    /// Esketamine / Spravato.
    pub const ESKETAMINE: Topic = Topic("esketamine");
    /// Mental-health parity language.
    pub const MENTAL_HEALTH_PARITY: Topic = Topic("mental_health_parity");

    /// The built-in drug topics, always reported.
    pub const BUILTIN: [Topic; 2] = [Topic::KETAMINE, Topic::ESKETAMINE];

    /// The topic with this id (interned on first sight).
    pub fn named(id: &str) -> Topic {
        for t in [
            Topic::KETAMINE,
            Topic::ESKETAMINE,
            Topic::MENTAL_HEALTH_PARITY,
        ] {
            if t.0 == id {
                return t;
            }
        }
        let mut set = INTERNED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = set.get(id) {
            return Topic(s);
        }
        let s: &'static str = Box::leak(id.to_string().into_boxed_str());
        set.insert(s);
        Topic(s)
    }

    /// Whether an id is a valid topic id: lowercase ASCII letters, digits
    /// and `_`, starting with a letter.
    pub fn valid_id(id: &str) -> bool {
        id.starts_with(|c: char| c.is_ascii_lowercase())
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    }

    /// The contract's spelling (the key under `topics`).
    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// Whether this is a drug (stance-carrying) topic.
    pub fn is_drug(self) -> bool {
        self != Topic::MENTAL_HEALTH_PARITY
    }

    /// Whether this is one of the built-in topics.
    pub fn is_builtin(self) -> bool {
        Topic::BUILTIN.contains(&self) || self == Topic::MENTAL_HEALTH_PARITY
    }

    /// Registers a drug topic for this run (from `--topics` or a report
    /// read back), with its display name.
    pub fn register(self, name: &str) {
        if !self.is_drug() {
            return;
        }
        let mut map = REGISTERED.write().unwrap_or_else(|e| e.into_inner());
        let name: &'static str = match map.get(&self) {
            Some(n) if *n == name => return,
            _ => Box::leak(name.to_string().into_boxed_str()),
        };
        map.insert(self, name);
    }

    /// The drug topics of this run, in topic order: the built-in ones and
    /// every registered one.
    pub fn drugs() -> Vec<Topic> {
        let map = REGISTERED.read().unwrap_or_else(|e| e.into_inner());
        let mut out: Vec<Topic> = Topic::BUILTIN.to_vec();
        out.extend(map.keys().copied().filter(|t| !t.is_builtin()));
        out.sort();
        out
    }

    /// The display name registered for a topic, if any.
    pub fn registered_name(self) -> Option<&'static str> {
        let map = REGISTERED.read().unwrap_or_else(|e| e.into_inner());
        map.get(&self).copied()
    }

    fn rank(self) -> (u8, &'static str) {
        match self {
            Topic::KETAMINE => (0, ""),
            Topic::ESKETAMINE => (1, ""),
            Topic::MENTAL_HEALTH_PARITY => (3, ""),
            Topic(s) => (2, s),
        }
    }
}

impl PartialOrd for Topic {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Topic {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.rank().cmp(&other.rank())
    }
}

impl Serialize for Topic {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for Topic {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        if !Topic::valid_id(&s) {
            return Err(serde::de::Error::custom(format!("not a topic id: {s:?}")));
        }
        Ok(Topic::named(&s))
    }
}

/// One rule hit, located in the document.
///
/// Used both for `findings` (every reportable hit) and for `evidence` (the
/// hits that decided a topic).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule id from `patterns/`.
    pub rule: String,
    /// The rule's category.
    pub category: String,
    /// The topic this hit was attributed to, if any.
    pub topic: Option<Topic>,
    /// 1-based page number.
    pub page: u32,
    /// 1-based line number within the page's extracted text.
    pub line: u32,
    /// Byte offset of the match start in the normalized document text.
    pub start: usize,
    /// Byte offset of the match end in the normalized document text.
    pub end: usize,
    /// The matched text.
    pub text: String,
    /// The sentence that contains the match.
    pub sentence: String,
    /// Whether a negation trigger scopes over the match.
    pub negated: bool,
    /// Whether a hedging trigger scopes over the match.
    pub hedged: bool,
    /// The document section kind the match sits in (additive field).
    pub section: String,
    /// Whether the text came from OCR (additive field).
    #[serde(default)]
    pub ocr: bool,
}

/// The decision for one drug topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TopicResult {
    /// The stance.
    pub stance: Stance,
    /// Reasons for `not_covered` / `mixed`, sorted.
    pub reasons: Vec<Reason>,
    /// Criteria for `covered_with_criteria` / `mixed`, sorted.
    pub criteria: Vec<Criterion>,
    /// The sentences that decided the stance.
    pub evidence: Vec<Finding>,
    /// The stance in the coverage vocabulary of coverage-requirements
    /// discovery: `covered`, `not-covered` or `conditional`; `None` when the
    /// topic is not addressed (additive field).
    #[serde(default)]
    pub coverage: Option<Coverage>,
    /// Whether prior authorization is needed: `Some(true)` when a criterion
    /// requires it, `Some(false)` when the document says it is not needed,
    /// `None` when the document does not say (additive field).
    #[serde(default)]
    pub pa_needed: Option<bool>,
    /// Each criterion the document states, with its values, for
    /// `covered_with_criteria` / `mixed`; "all of" / "one of" lists are
    /// groups (additive field).
    #[serde(default)]
    pub criteria_detail: Vec<CriterionDetail>,
}

/// A stance in the vocabulary of coverage-requirements discovery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Coverage {
    /// Covered without stated conditions.
    #[serde(rename = "covered")]
    Covered,
    /// Not covered.
    #[serde(rename = "not-covered")]
    NotCovered,
    /// Covered when conditions are met (or for some uses only).
    #[serde(rename = "conditional")]
    Conditional,
}

impl Coverage {
    /// The coverage a stance states (`None` for `not_addressed`).
    pub fn of(stance: Stance) -> Option<Coverage> {
        match stance {
            Stance::Covered => Some(Coverage::Covered),
            Stance::CoveredWithCriteria | Stance::Mixed => Some(Coverage::Conditional),
            Stance::NotCovered => Some(Coverage::NotCovered),
            Stance::NotAddressed => None,
        }
    }

    /// The report's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Coverage::Covered => "covered",
            Coverage::NotCovered => "not-covered",
            Coverage::Conditional => "conditional",
        }
    }
}

/// One value of a stated criterion: a flag, a number, a phrase or a list.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DetailValue {
    /// Stated (`true`).
    Flag(bool),
    /// A count, a number of weeks or months, an age, a score.
    Number(u32),
    /// A phrase as the document words it (lower case).
    Text(String),
    /// Several phrases or codes, in order of first mention.
    List(Vec<String>),
}

impl DetailValue {
    /// The value as a table cell shows it (lists joined with "; ").
    pub fn display(&self) -> String {
        match self {
            DetailValue::Flag(b) => if *b { "yes" } else { "no" }.to_string(),
            DetailValue::Number(n) => n.to_string(),
            DetailValue::Text(t) => t.clone(),
            DetailValue::List(l) => l.join("; "),
        }
    }
}

/// How the items of a group of criteria combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupOp {
    /// Every item must be met.
    AllOf,
    /// One item is enough.
    OneOf,
}

impl GroupOp {
    /// The report's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            GroupOp::AllOf => "all_of",
            GroupOp::OneOf => "one_of",
        }
    }
}

/// One stated criterion with its values, or a group of criteria.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriterionDetail {
    /// The criterion's kind (`failed_trials`, `age`, ...) from the pattern
    /// library's criteria vocabulary, or `group`.
    pub kind: String,
    /// The values stated, by name (empty for a group).
    pub values: BTreeMap<String, DetailValue>,
    /// For a group: how its items combine, when the document says.
    pub op: Option<GroupOp>,
    /// For a group: its items, in document order.
    pub items: Vec<CriterionDetail>,
    /// 1-based page.
    pub page: u32,
    /// 1-based line on the page.
    pub line: u32,
    /// The sentence (for a group, the list's lead-in).
    pub quote: String,
}

impl CriterionDetail {
    /// The kind of a group.
    pub const GROUP: &'static str = "group";

    /// This entry and every entry under it, depth first.
    pub fn flatten(&self) -> Vec<&CriterionDetail> {
        let mut out = vec![self];
        for i in &self.items {
            out.extend(i.flatten());
        }
        out
    }
}

/// Mental-health parity language found in a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ParityResult {
    /// Whether the document refers to mental-health parity.
    pub mentioned: bool,
    /// The sentences that mention it.
    pub evidence: Vec<Finding>,
    /// Treatment limitations, MH/SUD side by side with medical/surgical
    /// (additive field).
    #[serde(default)]
    pub limitations: Vec<Limitation>,
}

/// One type of treatment limitation and the benefits the document states
/// it for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limitation {
    /// The limitation type (`visit_limit`, `prior_authorization`, ...).
    #[serde(rename = "type")]
    pub kind: String,
    /// `quantitative` or `non_quantitative`.
    pub class: String,
    /// Where the document states it for mental-health / substance-use
    /// benefits.
    pub mh_sud: Option<Finding>,
    /// Where the document states it for medical / surgical benefits.
    pub med_surg: Option<Finding>,
    /// Stated for MH/SUD only, or more strictly for MH/SUD.
    pub asymmetric: bool,
    /// A factual description of the comparison ("stated for MH/SUD only").
    pub note: String,
    /// The benefit classification the comparison was made in
    /// (`inpatient`, `outpatient_office`, `outpatient_other`, `outpatient`,
    /// `emergency`, `prescription_drugs`), or null when the sides shown are
    /// not stated in one named classification (additive field).
    #[serde(default)]
    pub classification: Option<String>,
}

/// The per-topic results of a document: one result per drug topic (the
/// built-in ones always, and those registered for the run), and the parity
/// lens.
///
/// Serialized as one object: the drug topics in topic order, then
/// `mental_health_parity`.
#[derive(Debug, Clone, PartialEq)]
pub struct Topics {
    /// Drug topics, by topic.
    pub drugs: BTreeMap<Topic, TopicResult>,
    /// Mental-health parity.
    pub mental_health_parity: ParityResult,
}

impl Default for Topics {
    fn default() -> Self {
        Topics {
            drugs: Topic::drugs()
                .into_iter()
                .map(|t| (t, TopicResult::default()))
                .collect(),
            mental_health_parity: ParityResult::default(),
        }
    }
}

impl Topics {
    /// The result for a drug topic.
    pub fn drug(&self, topic: Topic) -> Option<&TopicResult> {
        self.drugs.get(&topic)
    }

    /// The result for a drug topic, for writing.
    pub fn drug_mut(&mut self, topic: Topic) -> Option<&mut TopicResult> {
        self.drugs.get_mut(&topic)
    }
}

impl Serialize for Topics {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.drugs.len() + 1))?;
        for (t, r) in &self.drugs {
            m.serialize_entry(t.as_str(), r)?;
        }
        m.serialize_entry("mental_health_parity", &self.mental_health_parity)?;
        m.end()
    }
}

impl<'de> Deserialize<'de> for Topics {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Topics;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of topic results")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Topics, A::Error> {
                let mut drugs = BTreeMap::new();
                let mut parity = None;
                while let Some(key) = a.next_key::<Topic>()? {
                    if key == Topic::MENTAL_HEALTH_PARITY {
                        parity = Some(a.next_value::<ParityResult>()?);
                    } else {
                        drugs.insert(key, a.next_value::<TopicResult>()?);
                    }
                }
                for t in Topic::BUILTIN {
                    if !drugs.contains_key(&t) {
                        return Err(serde::de::Error::missing_field(t.as_str()));
                    }
                }
                for t in drugs.keys() {
                    if !t.is_builtin() {
                        t.register(t.as_str());
                    }
                }
                Ok(Topics {
                    drugs,
                    mental_health_parity: parity
                        .ok_or_else(|| serde::de::Error::missing_field("mental_health_parity"))?,
                })
            }
        }
        d.deserialize_map(V)
    }
}

/// Document metadata stated by the document itself (never guessed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Metadata {
    /// The document's title.
    pub title: Option<String>,
    /// The insurer or plan that issued it, as the document states it.
    pub payer: Option<String>,
    /// The payer's canonical name from the payer vocabulary, when it is
    /// listed there (additive field).
    #[serde(default)]
    pub payer_canonical: Option<String>,
    /// The policy number.
    pub policy_number: Option<String>,
    /// The effective date, ISO 8601 when it could be parsed.
    pub effective_date: Option<String>,
    /// The last review date, ISO 8601 when it could be parsed.
    pub last_reviewed: Option<String>,
    /// Where each stated value was read, in field order (additive field).
    #[serde(default)]
    pub sources: Vec<MetadataSource>,
}

/// Where one metadata value was read: the page and line, and the kind of
/// place (the cue) that states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetadataSource {
    /// Which field.
    pub field: MetadataField,
    /// 1-based page.
    pub page: u32,
    /// 1-based line on that page.
    pub line: u32,
    /// The kind of place that states it.
    pub cue: MetadataCue,
}

/// A metadata field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetadataField {
    /// `title`.
    Title,
    /// `payer` (and `payer_canonical`).
    Payer,
    /// `policy_number`.
    PolicyNumber,
    /// `effective_date`.
    EffectiveDate,
    /// `last_reviewed`.
    LastReviewed,
}

impl MetadataField {
    /// The field's name in the report.
    pub fn as_str(self) -> &'static str {
        match self {
            MetadataField::Title => "title",
            MetadataField::Payer => "payer",
            MetadataField::PolicyNumber => "policy_number",
            MetadataField::EffectiveDate => "effective_date",
            MetadataField::LastReviewed => "last_reviewed",
        }
    }
}

/// The kind of place a metadata value was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetadataCue {
    /// A line repeated at the top or bottom of the pages.
    RunningHeader,
    /// The first lines of page one (title block, letterhead).
    TitleBlock,
    /// The document speaking of itself ("<Payer> considers ...").
    SelfReference,
    /// "underwritten by <Payer>", "insured by <Payer>".
    Underwriter,
    /// The issuer line of a Summary of Benefits and Coverage.
    IssuerLine,
    /// A copyright line.
    Copyright,
    /// A labelled field ("Policy Number: ...", "Effective Date: ...").
    Label,
    /// The heading of a Summary of Benefits and Coverage.
    SbcHeading,
    /// The first line of the title block that names the document.
    TitleLine,
}

impl MetadataCue {
    /// The cue's name in the report.
    pub fn as_str(self) -> &'static str {
        match self {
            MetadataCue::RunningHeader => "running_header",
            MetadataCue::TitleBlock => "title_block",
            MetadataCue::SelfReference => "self_reference",
            MetadataCue::Underwriter => "underwriter",
            MetadataCue::IssuerLine => "issuer_line",
            MetadataCue::Copyright => "copyright",
            MetadataCue::Label => "label",
            MetadataCue::SbcHeading => "sbc_heading",
            MetadataCue::TitleLine => "title_line",
        }
    }
}

/// A billing or diagnosis code stated in the document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeRef {
    /// The canonical code (ICD-10 with its dot).
    pub code: String,
    /// `CPT`, `HCPCS`, `CDT` or `ICD-10-CM`.
    pub system: String,
    /// 1-based page of the first occurrence.
    pub page: u32,
    /// 1-based line of the first occurrence.
    pub line: u32,
}

/// One analysed input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// The path as given or walked.
    pub path: String,
    /// Hex sha256 of the file bytes (empty when the file could not be read).
    pub sha256: String,
    /// Whether the document could be analysed.
    pub status: Status,
    /// Human-readable reason when `status` is not `ok`.
    pub error: Option<String>,
    /// Which extractor produced the text.
    pub extractor: Option<String>,
    /// Number of pages.
    pub pages: u32,
    /// Stated metadata.
    pub metadata: Metadata,
    /// Per-topic decisions.
    pub topics: Topics,
    /// Every reportable rule hit, in document order.
    pub findings: Vec<Finding>,
    /// Codes, once each, in order of first occurrence.
    pub codes: Vec<CodeRef>,
    /// Non-fatal problems met while reading the document (additive field).
    #[serde(default)]
    pub warnings: Vec<String>,
    /// Pages whose text came from OCR, with its confidence (additive field).
    #[serde(default)]
    pub ocr_pages: Vec<OcrPage>,
}

/// A page read with OCR (`--ocr`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OcrPage {
    /// 1-based page number.
    pub page: u32,
    /// Mean word confidence of the OCR engine, 0-100 (0 without words).
    pub confidence: u8,
    /// Words read.
    pub words: u32,
}

impl Document {
    /// A document that could not be analysed.
    pub fn failed(path: String, sha256: String, status: Status, error: String) -> Document {
        Document {
            path,
            sha256,
            status,
            error: Some(error),
            extractor: None,
            pages: 0,
            metadata: Metadata::default(),
            topics: Topics::default(),
            findings: Vec::new(),
            codes: Vec::new(),
            warnings: Vec::new(),
            ocr_pages: Vec::new(),
        }
    }

    /// Sets `ocr` on every finding and evidence quote from a page in
    /// `ocr_pages` (the classifier does not know where text came from).
    pub fn mark_ocr_findings(&mut self) {
        if self.ocr_pages.is_empty() {
            return;
        }
        let pages: Vec<u32> = self.ocr_pages.iter().map(|p| p.page).collect();
        let mark = |f: &mut Finding| f.ocr = pages.contains(&f.page);
        self.findings.iter_mut().for_each(mark);
        let t = &mut self.topics;
        for r in t.drugs.values_mut() {
            r.evidence.iter_mut().for_each(mark);
        }
        let parity = &mut t.mental_health_parity;
        parity.evidence.iter_mut().for_each(mark);
        for l in &mut parity.limitations {
            l.mh_sud
                .iter_mut()
                .chain(l.med_surg.iter_mut())
                .for_each(mark);
        }
    }
}

/// Identifies the tool and the pattern library that produced a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolInfo {
    /// Always `policyscan`.
    pub name: String,
    /// The crate version.
    pub version: String,
    /// `builtin@<hash>` or `<dir>@<hash>`.
    pub patterns: String,
}

/// Totals over a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Summary {
    /// Number of documents.
    pub documents: u64,
    /// Documents with status ok.
    pub ok: u64,
    /// Documents with any other status.
    pub failed: u64,
    /// Pages over all documents.
    pub pages: u64,
    /// Per drug topic, per stance, the number of ok documents.
    pub stances: BTreeMap<String, BTreeMap<String, u64>>,
}

impl Summary {
    /// Adds one document to the totals.
    pub fn add(&mut self, doc: &Document) {
        self.documents += 1;
        self.pages += u64::from(doc.pages);
        if doc.status == Status::Ok {
            self.ok += 1;
            for (topic, t) in &doc.topics.drugs {
                *self
                    .stances
                    .entry(topic.as_str().to_string())
                    .or_default()
                    .entry(t.stance.as_str().to_string())
                    .or_default() += 1;
            }
        } else {
            self.failed += 1;
        }
    }

    /// Zero totals, with every drug topic and stance present (so scripts
    /// can index them without checking).
    pub fn empty() -> Summary {
        let mut s = Summary::default();
        for topic in Topic::drugs() {
            let per = s.stances.entry(topic.as_str().to_string()).or_default();
            for stance in Stance::ALL {
                per.insert(stance.as_str().to_string(), 0);
            }
        }
        s
    }

    /// Totals over a list of documents.
    pub fn of<'a>(docs: impl IntoIterator<Item = &'a Document>) -> Summary {
        let mut s = Summary::empty();
        for d in docs {
            s.add(d);
        }
        s
    }
}

/// A whole report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: String,
    /// Tool identification.
    pub tool: ToolInfo,
    /// Documents sorted by path.
    pub documents: Vec<Document>,
    /// Totals.
    pub summary: Summary,
}
