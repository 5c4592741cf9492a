//! The report contract as `docs/REPORT_SCHEMA.md` writes it down, read
//! from the document itself so the tests follow the doc.
//!
//! The doc's ```json blocks are examples in a relaxed JSON: `// comments`,
//! placeholders (`DOCUMENT`, `TOPIC`, `EVIDENCE`, `FINDING`), `[X, ...]`
//! for lists, `...` for "more fields" and `{...}` for "the object of that
//! name shown elsewhere". They are turned into plain JSON examples; a
//! comment `// or null` makes the field on its line nullable and a comment
//! `// a | b | c` lists its allowed values. The closed vocabularies
//! (`stance`, `reasons`, `criteria`) come from the TOPIC section's prose.
//!
//! A report is checked against the examples: every field shown must be
//! there with the JSON type shown, and every field the tool writes must be
//! shown (a new field without documentation is an error).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::{Map, Value};

use super::common::repo;

/// The contract, parsed.
pub struct Schema {
    /// The `--format json` example (whole report).
    pub report: Value,
    /// Examples by placeholder name: DOCUMENT, TOPIC, EVIDENCE, FINDING.
    defs: BTreeMap<String, Value>,
    /// JSONL line examples by their `type`.
    pub jsonl: BTreeMap<String, Value>,
    /// Allowed stances, in the doc's order.
    pub stances: Vec<String>,
    /// Allowed reasons, in the doc's order.
    pub reasons: Vec<String>,
    /// Allowed criteria, in the doc's order.
    pub criteria: Vec<String>,
}

/// The schema of `docs/REPORT_SCHEMA.md`, parsed once per test binary.
pub fn schema() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| {
        let path = repo().join("docs/REPORT_SCHEMA.md");
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        Schema::parse(&text)
    })
}

impl Schema {
    fn parse(doc: &str) -> Schema {
        let mut report = None;
        let mut defs = BTreeMap::new();
        let mut jsonl_spans = Vec::new();
        for (heading, body) in sections(doc) {
            let blocks = json_blocks(&body);
            let one = || {
                assert_eq!(
                    blocks.len(),
                    1,
                    "section {heading:?}: expected one ```json block"
                );
                to_json(&blocks[0], &heading)
            };
            if heading.contains("`--format json`") {
                report = Some(one());
            } else if heading == "DOCUMENT" {
                defs.insert("DOCUMENT".to_string(), one());
            } else if heading == "TOPIC" {
                defs.insert("TOPIC".to_string(), one());
            } else if heading == "CRITERION DETAIL" {
                defs.insert("DETAIL".to_string(), one());
            } else if heading.starts_with("EVIDENCE") {
                let v = one();
                defs.insert("EVIDENCE".to_string(), v.clone());
                defs.insert("FINDING".to_string(), v);
            } else if heading.contains("`--format jsonl`") {
                jsonl_spans = inline_code(&body)
                    .into_iter()
                    .filter(|s| s.starts_with("{\"type\""))
                    .collect();
            }
        }
        let report = report.expect("docs/REPORT_SCHEMA.md: no `--format json` example");
        for name in ["DOCUMENT", "TOPIC", "EVIDENCE", "DETAIL"] {
            assert!(
                defs.contains_key(name),
                "docs/REPORT_SCHEMA.md: no {name} example"
            );
        }
        let mut jsonl = BTreeMap::new();
        for span in &jsonl_spans {
            let mut v = to_json(span, "--format jsonl");
            let obj = v.as_object_mut().expect("a JSONL example is an object");
            let kind = obj["type"].as_str().expect("type is a string").to_string();
            // `{"type":"summary", ...}`: the rest is the report's field of that name.
            if obj.remove("$open").is_some() && !obj.contains_key("$spread") {
                assert!(
                    report.get(&kind).is_some(),
                    "JSONL example {span}: `...` but the report has no field {kind:?}"
                );
                obj.insert("$field".into(), Value::String(kind.clone()));
            }
            jsonl.insert(kind, v);
        }
        for kind in ["begin", "document", "summary"] {
            assert!(
                jsonl.contains_key(kind),
                "docs/REPORT_SCHEMA.md: no JSONL {kind:?} line"
            );
        }
        let topic_prose = sections(doc)
            .into_iter()
            .find(|(h, _)| h == "TOPIC")
            .map(|(_, b)| b)
            .unwrap_or_default();
        Schema {
            report,
            defs,
            jsonl,
            stances: vocabulary(&topic_prose, "stance"),
            reasons: vocabulary(&topic_prose, "reasons"),
            criteria: vocabulary(&topic_prose, "criteria"),
        }
    }

    /// Every way a `--format json` report departs from the contract.
    pub fn check_report(&self, report: &Value) -> Vec<String> {
        let mut errs = Vec::new();
        self.check(report, &self.report, "$", &mut errs);
        if report["schema_version"] != "1" {
            errs.push(format!(
                "$.schema_version: {} (expected \"1\")",
                report["schema_version"]
            ));
        }
        if let Some(docs) = report["documents"].as_array() {
            for (i, d) in docs.iter().enumerate() {
                self.check_semantics(d, &format!("$.documents[{i}]"), &mut errs);
            }
        }
        errs
    }

    /// Every way a report with topics added by `--topics` departs from the
    /// contract: each added topic is in every document and in
    /// `summary.stances`, shaped and ruled like `ketamine`, and the report
    /// without them is a report of the built-in topics.
    pub fn check_report_with_topics(&self, report: &Value, added: &[&str]) -> Vec<String> {
        let mut errs = Vec::new();
        let mut base = report.clone();
        let per_topic = &self.report["summary"]["stances"]["ketamine"];
        for id in added {
            let at = format!("$.summary.stances.{id}");
            match base["summary"]["stances"]
                .as_object_mut()
                .and_then(|m| m.remove(*id))
            {
                None => errs.push(format!("{at}: missing")),
                Some(v) => self.check(&v, per_topic, &at, &mut errs),
            }
            for (i, d) in base["documents"]
                .as_array_mut()
                .into_iter()
                .flatten()
                .enumerate()
            {
                let at = format!("$.documents[{i}]");
                let Some(t) = d["topics"].as_object_mut().and_then(|m| m.remove(*id)) else {
                    errs.push(format!("{at}.topics.{id}: missing"));
                    continue;
                };
                // Checked in the place of `ketamine`, with its rules.
                let mut probe = d.clone();
                probe["topics"]["ketamine"] = t;
                let mut found = Vec::new();
                self.check(
                    &probe["topics"]["ketamine"],
                    &self.defs["TOPIC"],
                    &format!("{at}.topics.ketamine"),
                    &mut found,
                );
                self.check_semantics(&probe, &at, &mut found);
                errs.extend(
                    found
                        .into_iter()
                        .filter(|e| e.contains(".topics.ketamine"))
                        .map(|e| e.replace(".topics.ketamine", &format!(".topics.{id}"))),
                );
            }
        }
        errs.extend(self.check_report(&base));
        errs
    }

    /// Every way one `--format jsonl` line departs from the contract.
    pub fn check_jsonl_line(&self, line: &Value) -> Vec<String> {
        let mut errs = Vec::new();
        let kind = line["type"].as_str().unwrap_or("");
        match self.jsonl.get(kind) {
            None => errs.push(format!("JSONL line of unknown type {:?}", line["type"])),
            Some(ex) => self.check(line, ex, kind, &mut errs),
        }
        if kind == "document" {
            self.check_semantics(line, "document", &mut errs);
        }
        errs
    }

    /// Checks one document's values against the closed vocabularies and
    /// the rules the doc states in prose.
    fn check_semantics(&self, d: &Value, at: &str, errs: &mut Vec<String>) {
        let pages = d["pages"].as_u64().unwrap_or(0);
        for topic in ["ketamine", "esketamine"] {
            let t = &d["topics"][topic];
            let at = format!("{at}.topics.{topic}");
            let stance = t["stance"].as_str().unwrap_or("");
            if !self.stances.iter().any(|s| s == stance) {
                errs.push(format!(
                    "{at}.stance: {stance:?} is not one of {:?}",
                    self.stances
                ));
            }
            for (field, vocab, allowed_with) in [
                ("reasons", &self.reasons, ["not_covered", "mixed"]),
                (
                    "criteria",
                    &self.criteria,
                    ["covered_with_criteria", "mixed"],
                ),
            ] {
                let got: Vec<&str> = t[field]
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let mut idx = Vec::new();
                for g in &got {
                    match vocab.iter().position(|v| v == g) {
                        Some(i) => idx.push(i),
                        None => errs.push(format!("{at}.{field}: {g:?} is not one of {vocab:?}")),
                    }
                }
                if idx.windows(2).any(|w| w[0] >= w[1]) {
                    errs.push(format!(
                        "{at}.{field}: {got:?} not sorted in the doc's order without duplicates"
                    ));
                }
                if !got.is_empty() && !allowed_with.contains(&stance) {
                    errs.push(format!("{at}.{field}: {got:?} given with stance {stance}"));
                }
            }
            if stance != "not_addressed" && t["evidence"].as_array().is_none_or(Vec::is_empty) {
                errs.push(format!("{at}: stance {stance} without evidence"));
            }
        }
        let mut cited: Vec<(String, &Value)> = Vec::new();
        for topic in ["ketamine", "esketamine", "mental_health_parity"] {
            for (i, e) in d["topics"][topic]["evidence"]
                .as_array()
                .into_iter()
                .flatten()
                .enumerate()
            {
                cited.push((format!("{at}.topics.{topic}.evidence[{i}]"), e));
            }
        }
        let findings = d["findings"].as_array().cloned().unwrap_or_default();
        for (i, f) in findings.iter().enumerate() {
            cited.push((format!("{at}.findings[{i}]"), f));
        }
        for (where_, f) in &cited {
            let page = f["page"].as_u64().unwrap_or(0);
            if page < 1 || page > pages || f["line"].as_u64().unwrap_or(0) < 1 {
                errs.push(format!(
                    "{where_}: page {page} line {} outside the document's {pages} pages",
                    f["line"]
                ));
            }
            if f["start"].as_u64() > f["end"].as_u64() {
                errs.push(format!("{where_}: start after end"));
            }
        }
        let starts: Vec<u64> = findings
            .iter()
            .filter_map(|f| f["start"].as_u64())
            .collect();
        if starts.windows(2).any(|w| w[0] > w[1]) {
            errs.push(format!("{at}.findings: not in document order"));
        }
        let mut seen = std::collections::BTreeSet::new();
        for c in d["codes"].as_array().into_iter().flatten() {
            if !seen.insert(c["code"].to_string()) {
                errs.push(format!("{at}.codes: {} listed twice", c["code"]));
            }
            let page = c["page"].as_u64().unwrap_or(0);
            if page < 1 || page > pages {
                errs.push(format!(
                    "{at}.codes: {} on page {page} of {pages}",
                    c["code"]
                ));
            }
        }
    }

    fn check(&self, actual: &Value, example: &Value, at: &str, errs: &mut Vec<String>) {
        match example {
            Value::String(s) if s.starts_with('$') => {
                let def = self
                    .defs
                    .get(&s[1..])
                    .unwrap_or_else(|| panic!("docs/REPORT_SCHEMA.md: unknown placeholder {s}"));
                self.check(actual, def, at, errs);
            }
            Value::Object(ex) => self.check_object(actual, ex, at, errs),
            Value::Array(ex) => match actual.as_array() {
                None => errs.push(format!("{at}: expected an array, got {}", kind(actual))),
                Some(items) => {
                    if let Some(item) = ex.first() {
                        for (i, a) in items.iter().enumerate() {
                            self.check(a, item, &format!("{at}[{i}]"), errs);
                        }
                    }
                }
            },
            Value::String(_) if !actual.is_string() => {
                errs.push(format!("{at}: expected a string, got {}", kind(actual)));
            }
            Value::Number(n) if n.is_u64() && !actual.is_u64() => {
                errs.push(format!(
                    "{at}: expected a non-negative integer, got {actual}"
                ));
            }
            Value::Number(_) if !actual.is_number() => {
                errs.push(format!("{at}: expected a number, got {}", kind(actual)));
            }
            Value::Bool(_) if !actual.is_boolean() => {
                errs.push(format!("{at}: expected a boolean, got {}", kind(actual)));
            }
            Value::Null if !(actual.is_null() || actual.is_string()) => {
                errs.push(format!(
                    "{at}: expected null or a string, got {}",
                    kind(actual)
                ));
            }
            _ => {}
        }
    }

    fn check_object(
        &self,
        actual: &Value,
        ex: &Map<String, Value>,
        at: &str,
        errs: &mut Vec<String>,
    ) {
        let Some(obj) = actual.as_object() else {
            errs.push(format!("{at}: expected an object, got {}", kind(actual)));
            return;
        };
        // Resolve `...DOCUMENT` / `...` (the report field of that name).
        let mut fields: Vec<(Field, Value)> = Vec::new();
        let mut open = false;
        for (k, v) in ex {
            match k.as_str() {
                "$open" => open = true,
                "$spread" => {
                    let name = v.as_str().expect("spread names a placeholder");
                    for (k2, v2) in self.defs[name].as_object().expect("an object example") {
                        fields.push((Field::parse(k2), v2.clone()));
                    }
                }
                "$field" => {
                    let name = v.as_str().expect("a field name");
                    for (k2, v2) in self.report[name].as_object().expect("an object example") {
                        fields.push((Field::parse(k2), v2.clone()));
                    }
                }
                _ => fields.push((Field::parse(k), v.clone())),
            }
        }
        for (f, sub) in &fields {
            let here = format!("{at}.{}", f.name);
            let Some(a) = obj.get(&f.name) else {
                errs.push(format!("{here}: missing"));
                continue;
            };
            if a.is_null() && (f.nullable || sub.is_null()) {
                continue;
            }
            if f.any_keys {
                // `// any keys`: an object of named values.
                match a.as_object() {
                    None => errs.push(format!("{here}: expected an object, got {}", kind(a))),
                    Some(m) => {
                        for (k, v) in m {
                            let ok = v.is_boolean()
                                || v.is_u64()
                                || v.is_string()
                                || v.as_array().is_some_and(|l| {
                                    !l.is_empty() && l.iter().all(Value::is_string)
                                });
                            if !ok {
                                errs.push(format!(
                                    "{here}.{k}: expected a boolean, a non-negative integer, a string or a list of strings, got {v}"
                                ));
                            }
                        }
                    }
                }
                continue;
            }
            if sub.as_str() == Some("$same") {
                // `{...}`: the object of that name in the report example.
                let def = self.report.get(&f.name).unwrap_or_else(|| {
                    panic!(
                        "docs/REPORT_SCHEMA.md: {{...}} for unknown field {}",
                        f.name
                    )
                });
                self.check(a, def, &here, errs);
                continue;
            }
            self.check(a, sub, &here, errs);
            if let (Some(values), Some(s)) = (&f.values, a.as_str())
                && !values.iter().any(|v| v == s)
            {
                errs.push(format!("{here}: {s:?} is not one of {values:?}"));
            }
        }
        if !open {
            for k in obj.keys() {
                if !fields.iter().any(|(f, _)| &f.name == k) {
                    errs.push(format!(
                        "{at}.{k}: written by the tool but not in docs/REPORT_SCHEMA.md"
                    ));
                }
            }
        }
    }
}

/// A field of an example, with its annotations (encoded into the key while
/// reading the comments: `name#null`, `name#enum=a,b`).
struct Field {
    name: String,
    nullable: bool,
    any_keys: bool,
    values: Option<Vec<String>>,
}

impl Field {
    fn parse(key: &str) -> Field {
        let mut parts = key.split('#');
        let name = parts.next().unwrap_or("").to_string();
        let mut f = Field {
            name,
            nullable: false,
            any_keys: false,
            values: None,
        };
        for p in parts {
            if p == "null" {
                f.nullable = true;
            } else if p == "any" {
                f.any_keys = true;
            } else if let Some(list) = p.strip_prefix("enum=") {
                f.values = Some(list.split(',').map(str::to_string).collect());
            }
        }
        f
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `## heading` sections: (heading text, body).
fn sections(doc: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in doc.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            out.push((h.trim().to_string(), String::new()));
        } else if let Some((_, body)) = out.last_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    out
}

fn json_blocks(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in body.lines() {
        match (&mut cur, line.trim()) {
            (None, "```json") => cur = Some(String::new()),
            (Some(_), "```") => out.extend(cur.take()),
            (Some(b), _) => {
                b.push_str(line);
                b.push('\n');
            }
            (None, _) => {}
        }
    }
    out
}

/// The `inline code` spans of a text (single backticks).
fn inline_code(body: &str) -> Vec<String> {
    body.split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, s)| s.to_string())
        .collect()
}

/// The backticked words of the bullet `- \`key\` ...` (up to the next
/// top-level bullet), without the key itself, in order of appearance.
fn vocabulary(prose: &str, key: &str) -> Vec<String> {
    let start = format!("- `{key}`");
    let mut text = String::new();
    let mut inside = false;
    for line in prose.lines() {
        if line.starts_with(&start) {
            inside = true;
        } else if inside && (line.starts_with("- ") || line.trim().is_empty()) {
            break;
        }
        if inside {
            text.push_str(line);
            text.push('\n');
        }
    }
    let mut words: Vec<String> = Vec::new();
    for w in inline_code(&text) {
        let is_word = !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase() || c == '_');
        if is_word && w != key && !words.contains(&w) {
            words.push(w);
        }
    }
    assert!(
        words.len() >= 2,
        "docs/REPORT_SCHEMA.md: no vocabulary for `{key}`"
    );
    words
}

/// Relaxed JSON example -> JSON, with comments turned into key annotations.
fn to_json(block: &str, what: &str) -> Value {
    let mut code = String::new();
    for line in block.lines() {
        let (c, comment) = split_comment(line);
        code.push_str(&annotate(c, comment));
        code.push('\n');
    }
    let json = placeholders(&code);
    serde_json::from_str(&json).unwrap_or_else(|e| {
        panic!("docs/REPORT_SCHEMA.md ({what}): example is not JSON after reading: {e}\n{json}")
    })
}

/// Splits a line at a `//` outside strings.
fn split_comment(line: &str) -> (&str, Option<&str>) {
    let mut in_str = false;
    let mut escaped = false;
    let b = line.as_bytes();
    for i in 0..b.len() {
        let c = b[i];
        if in_str {
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'"' {
                in_str = false;
            }
        } else if c == b'"' {
            in_str = true;
        } else if c == b'/' && b.get(i + 1) == Some(&b'/') {
            return (&line[..i], Some(line[i + 2..].trim()));
        }
    }
    (line, None)
}

/// Applies a comment's annotation to the last key of its line.
fn annotate(code: &str, comment: Option<&str>) -> String {
    let Some(comment) = comment else {
        return code.to_string();
    };
    let mut tags = String::new();
    if comment.contains("or null") {
        tags.push_str("#null");
    }
    if comment == "any keys" {
        tags.push_str("#any");
    }
    // `// a | b | c, or null`: the values, and null.
    let listed = comment.trim_end_matches(", or null");
    let listed = listed.rsplit_once(": ").map_or(listed, |(_, l)| l);
    let parts: Vec<&str> = listed.split('|').map(str::trim).collect();
    let is_list = parts.len() >= 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
        });
    if is_list {
        tags.push_str("#enum=");
        tags.push_str(&parts.join(","));
    }
    if tags.is_empty() {
        return code.to_string();
    }
    // Before the closing quote of the line's last `"key":`.
    match code.rfind("\":") {
        Some(at) => format!("{}{}{}", &code[..at], tags, &code[at..]),
        None => code.to_string(),
    }
}

/// Placeholders to JSON: `DOCUMENT` -> "$DOCUMENT", `...NAME` -> a spread,
/// `{...}` -> "$same", `, ...}` -> an open object, `, ...]` -> nothing.
fn placeholders(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    let mut out = String::with_capacity(code.len());
    let mut i = 0;
    let mut in_str = false;
    let rest_is = |i: usize, s: &str| chars[i..].iter().collect::<String>().starts_with(s);
    let next_non_space = |mut j: usize| {
        while j < chars.len() && chars[j].is_whitespace() {
            j += 1;
        }
        j
    };
    while i < chars.len() {
        let c = chars[i];
        if in_str {
            out.push(c);
            if c == '\\' && i + 1 < chars.len() {
                out.push(chars[i + 1]);
                i += 1;
            } else if c == '"' {
                in_str = false;
            }
            i += 1;
            continue;
        }
        if c == '"' {
            in_str = true;
            out.push(c);
            i += 1;
        } else if c == '{' && rest_is(next_non_space(i + 1), "...") && {
            let j = next_non_space(next_non_space(i + 1) + 3);
            chars.get(j) == Some(&'}')
        } {
            out.push_str("\"$same\"");
            i = next_non_space(next_non_space(i + 1) + 3) + 1;
        } else if rest_is(i, "...") {
            let mut j = i + 3;
            let mut name = String::new();
            while j < chars.len() && (chars[j].is_ascii_uppercase() || chars[j] == '_') {
                name.push(chars[j]);
                j += 1;
            }
            let after = next_non_space(j);
            if !name.is_empty() {
                out.push_str(&format!("\"$spread\": \"{name}\""));
            } else if chars.get(after) == Some(&'}') {
                out.push_str("\"$open\": true");
            } else {
                // `[X, ...]`: drop the element and its comma.
                let trimmed = out.trim_end().trim_end_matches(',').len();
                out.truncate(trimmed);
            }
            i = j;
        } else if c.is_ascii_uppercase() {
            let mut j = i;
            let mut name = String::new();
            while j < chars.len() && (chars[j].is_ascii_uppercase() || chars[j] == '_') {
                name.push(chars[j]);
                j += 1;
            }
            out.push_str(&format!("\"${name}\""));
            i = j;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}
