//! `policyscan extract`: normalized text, pages separated by form feeds,
//! or the JSON form the contract describes.

use super::common::{by_name, json, run, stdout_json};

#[test]
fn extract_separates_pages_with_form_feeds() {
    let report = json(&["scan", "fixtures"]);
    for (name, doc) in by_name(&report) {
        let path = format!("fixtures/{name}");
        let out = run(&["extract", &path]);
        assert_eq!(out.status.code(), Some(0), "{path}");
        let text = String::from_utf8(out.stdout).expect("UTF-8");
        let pages = doc["pages"].as_u64().unwrap() as usize;
        assert_eq!(
            text.matches('\x0c').count(),
            pages,
            "{path}: one form feed per page"
        );
        // Every evidence sentence's matched text is on its cited page.
        let page_texts: Vec<&str> = text.split('\x0c').collect();
        for e in doc["findings"].as_array().unwrap() {
            let p = e["page"].as_u64().unwrap() as usize;
            let m = e["text"].as_str().unwrap();
            let mut flat: String = page_texts[p - 1]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let mut want = m.split_whitespace().collect::<Vec<_>>().join(" ");
            if e["category"] == "code" {
                // Code findings carry the canonical code (F33.2 for a printed F332).
                flat = flat.replace('.', "");
                want = want.replace('.', "");
            }
            assert!(flat.contains(&want), "{path}: {m:?} not on page {p}");
        }
    }
    // The hyphenated line end of fixture 01 is joined.
    let out = run(&[
        "extract",
        "fixtures/01_fernhollow_ketamine_infusion_policy.pdf",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("investigational"), "{text}");
    assert!(!text.contains("investi-"), "{text}");
}

#[test]
fn extract_json_has_the_documented_fields() {
    let out = run(&[
        "extract",
        "--format",
        "json",
        "fixtures/05_copperfield_denial_letter.pdf",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v = stdout_json(&out);
    let obj = v.as_object().unwrap();
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["error", "extractor", "pages", "path", "status"]);
    assert_eq!(v["status"], "ok");
    assert!(v["error"].is_null());
    let pages = v["pages"].as_array().unwrap();
    assert_eq!(pages.len(), 2);
    for (i, p) in pages.iter().enumerate() {
        assert_eq!(p["number"], i + 1);
        assert!(p["text"].is_string());
    }
    assert!(
        pages[1]["text"]
            .as_str()
            .unwrap()
            .contains("Right to Appeal")
    );

    let dir = super::common::temp_with(&[("fake.pdf", b"words".as_slice())]);
    let p = dir.path().join("fake.pdf");
    let out = run(&["extract", "--format", "json", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let v = stdout_json(&out);
    assert_eq!(v["status"], "malformed");
    assert!(v["error"].is_string());
}

/// A page that only draws, in a file without a font: the own layer has
/// read all there is, and no other backend is asked. The same file with
/// an object listed in use that is not there (it could have been a font)
/// still goes down the chain.
#[test]
fn a_pdf_without_a_text_layer_stops_the_chain_at_the_own_layer() {
    use super::harness::{doc_named, documents, pdf_of, policyscan};
    let content = "0 0 m 100 100 l S";
    let stream = format!(
        "<< /Length {} >>\nstream\n{content}\nendstream",
        content.len() + 1
    );
    let objects = [
        Some("<< /Type /Catalog /Pages 2 0 R >>"),
        Some("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
        Some("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>"),
        Some(stream.as_str()),
    ];
    let mut broken = objects.to_vec();
    broken.push(None);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("drawing.pdf"), pdf_of(&objects)).unwrap();
    std::fs::write(dir.path().join("drawing-lost.pdf"), pdf_of(&broken)).unwrap();
    let out = policyscan()
        .args(["scan", "--format", "jsonl"])
        .arg(dir.path())
        .output()
        .unwrap();
    let docs = documents(&out.stdout);
    let whole = doc_named(&docs, "drawing.pdf");
    assert_eq!(whole["status"], "no_text");
    assert_eq!(
        whole["warnings"],
        serde_json::json!(["policyscan-lopdf: no text"])
    );
    let lost = doc_named(&docs, "drawing-lost.pdf");
    assert_eq!(lost["status"], "no_text");
    let warnings = lost["warnings"].as_array().unwrap();
    assert_eq!(warnings[0], "policyscan-lopdf: no text");
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().starts_with("pdf-extract")),
        "{warnings:?}"
    );
}
