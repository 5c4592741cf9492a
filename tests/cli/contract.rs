//! The JSON contract of `docs/REPORT_SCHEMA.md`, field by field, for
//! `--format json` and `--format jsonl`, on the fixtures plus an
//! unreadable file (so failed documents are checked too).

use serde_json::Value;

use super::common::{run, stdout_json, temp_with};
use super::schema::schema;

fn with_broken_file() -> (tempfile::TempDir, String) {
    let dir = temp_with(&[("broken.pdf", b"%PDF-1.4\ngarbage".as_slice())]);
    let p = dir.path().join("broken.pdf").to_string_lossy().into_owned();
    (dir, p)
}

#[test]
fn json_report_has_every_field_of_the_contract() {
    let (_dir, broken) = with_broken_file();
    let out = run(&["scan", "fixtures", &broken]);
    assert_eq!(out.status.code(), Some(0));
    let r = stdout_json(&out);
    let docs = r["documents"].as_array().unwrap();
    assert!(
        docs.iter().any(|d| d["status"] != "ok"),
        "a failed document is included"
    );
    let errs = schema().check_report(&r);
    assert!(
        errs.is_empty(),
        "contract violations:\n  {}",
        errs.join("\n  ")
    );
}

#[test]
fn jsonl_streams_begin_documents_summary() {
    let (_dir, broken) = with_broken_file();
    let out = run(&["scan", "--format", "jsonl", "fixtures", &broken]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.ends_with('\n'));
    let lines: Vec<Value> = text
        .lines()
        .map(|l| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("not one JSON object per line ({e}): {l}"))
        })
        .collect();
    let kinds: Vec<&str> = lines.iter().map(|l| l["type"].as_str().unwrap()).collect();
    assert_eq!(kinds.first(), Some(&"begin"));
    assert_eq!(kinds.last(), Some(&"summary"));
    assert!(kinds[1..kinds.len() - 1].iter().all(|k| *k == "document"));
    let mut errs = Vec::new();
    for l in &lines {
        errs.extend(schema().check_jsonl_line(l));
    }
    assert!(
        errs.is_empty(),
        "contract violations:\n  {}",
        errs.join("\n  ")
    );
    assert_eq!(lines[0]["schema_version"], "1");

    // The same documents and summary as --format json, in finishing order.
    let json = stdout_json(&run(&["scan", "fixtures", &broken]));
    let mut streamed: Vec<Value> = lines[1..lines.len() - 1]
        .iter()
        .map(|l| {
            let mut d = l.clone();
            d.as_object_mut().unwrap().remove("type");
            d
        })
        .collect();
    streamed.sort_by(|a, b| a["path"].as_str().cmp(&b["path"].as_str()));
    assert_eq!(Value::Array(streamed), json["documents"]);
    let mut summary = lines.last().unwrap().clone();
    summary.as_object_mut().unwrap().remove("type");
    assert_eq!(summary, json["summary"]);
    assert_eq!(lines[0]["tool"], json["tool"]);
}

#[test]
fn the_contract_check_catches_departures() {
    // The checker itself must fail on a report that breaks the contract.
    let mut r = stdout_json(&run(&["scan", "fixtures"]));
    assert!(schema().check_report(&r).is_empty());
    let d = r["documents"][0].as_object_mut().unwrap();
    d.remove("sha256");
    d.insert("undocumented".into(), Value::Bool(true));
    d.insert("pages".into(), Value::String("2".into()));
    d.insert("status".into(), Value::String("fine".into()));
    r["documents"][1]["topics"]["ketamine"]["stance"] = Value::String("maybe".into());
    r["documents"][1]["topics"]["esketamine"]["criteria"] =
        serde_json::json!(["reauthorization", "prior_authorization"]);
    r["documents"][2]["codes"] =
        serde_json::json!([{"code": "S0013", "system": "HCPCS", "page": 1}]);
    r["documents"][1]["topics"]["ketamine"]["coverage"] = Value::String("maybe".into());
    r["documents"][1]["topics"]["ketamine"]["criteria_detail"] = serde_json::json!([{
        "kind": "group", "values": {}, "op": "some_of", "page": 1, "line": 1, "quote": "x",
        "items": [{"kind": "age", "values": {"min": {"years": 18}}, "op": null, "items": [],
                   "page": 1, "line": 2, "quote": "y"}]
    }]);
    r["summary"]["stances"]["ketamine"]
        .as_object_mut()
        .unwrap()
        .remove("mixed");
    let errs = schema().check_report(&r).join("\n");
    for want in [
        "documents[0].sha256: missing",
        "documents[0].undocumented: written by the tool but not in docs/REPORT_SCHEMA.md",
        "documents[0].pages: expected a non-negative integer",
        "documents[0].status: \"fine\" is not one of",
        "documents[1].topics.ketamine.stance: \"maybe\" is not one of",
        "documents[1].topics.esketamine.criteria: [\"reauthorization\", \"prior_authorization\"] not sorted",
        "documents[2].codes[0].line: missing",
        "documents[1].topics.ketamine.coverage: \"maybe\" is not one of",
        "documents[1].topics.ketamine.criteria_detail[0].op: \"some_of\" is not one of",
        "documents[1].topics.ketamine.criteria_detail[0].items[0].values.min: expected a boolean",
        "summary.stances.ketamine.mixed: missing",
    ] {
        assert!(
            errs.contains(want),
            "checker did not report {want:?}:\n{errs}"
        );
    }
}

#[test]
fn the_contract_doc_has_the_shared_vocabulary_and_additive_fields() {
    let s = schema();
    assert_eq!(
        s.stances,
        [
            "covered",
            "covered_with_criteria",
            "not_covered",
            "mixed",
            "not_addressed"
        ]
    );
    assert_eq!(s.reasons.len(), 5);
    assert_eq!(s.criteria.len(), 11);
    // The shared contract's fields are all in the project's copy, when
    // ../shared is beside the repository.
    let shared = super::common::repo().join("../shared/REPORT_SCHEMA.md");
    let Ok(text) = std::fs::read_to_string(&shared) else {
        eprintln!("skipping the comparison with ../shared/REPORT_SCHEMA.md: not found");
        return;
    };
    let ours =
        std::fs::read_to_string(super::common::repo().join("docs/REPORT_SCHEMA.md")).unwrap();
    let field = regex::Regex::new(r#""([a-z_0-9]+)"\s*:"#).unwrap();
    for c in field.captures_iter(&text) {
        let f = &c[0];
        assert!(
            ours.contains(f),
            "docs/REPORT_SCHEMA.md lacks the shared field {f}"
        );
    }
    for w in ["`covered`", "`unproven`", "`other`", "schema_version"] {
        assert!(text.contains(w) && ours.contains(w));
    }
}
