//! The visible dev set (`../shared/devset/pdf`, beside the repository):
//! every document is read (status ok) and the report keeps the contract.
//! Skipped, with a message, when ../shared is not there.

use super::common::{devset_dir, pdf_count, run, stdout_json};
use super::schema::schema;

#[test]
fn every_devset_document_is_read_and_contract_shaped() {
    let Some(dir) = devset_dir() else {
        eprintln!("skipping: ../shared/devset/pdf not found beside the repository");
        return;
    };
    let pdfs = pdf_count(&dir);
    assert!(pdfs > 0, "no PDFs in {}", dir.display());
    let out = run(&["scan", dir.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = stdout_json(&out);
    let docs = r["documents"].as_array().unwrap();
    assert_eq!(docs.len(), pdfs, "every PDF appears once");
    let bad: Vec<String> = docs
        .iter()
        .filter(|d| d["status"] != "ok")
        .map(|d| format!("{}: {} ({})", d["path"], d["status"], d["error"]))
        .collect();
    assert!(bad.is_empty(), "not read:\n  {}", bad.join("\n  "));
    assert!(docs.iter().all(|d| d["pages"].as_u64() > Some(0)));
    let errs = schema().check_report(&r);
    assert!(
        errs.is_empty(),
        "contract violations:\n  {}",
        errs.join("\n  ")
    );
}
