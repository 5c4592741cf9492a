//! Integration tests through the `policyscan` binary: one test binary,
//! one module per concern under `tests/cli/`.
//!
//! The tests run the binary Cargo built for this package, from the
//! repository root, on `fixtures/` (made by `scripts/make_fixtures.py`,
//! intended results in `fixtures/EXPECTED.json`), on small documents they
//! write into temporary folders, and on `../shared/devset/pdf` when it is
//! there.

mod cli {
    mod cache;
    mod common;
    mod completions;
    mod config_file;
    mod contract;
    mod corpora;
    mod corpus;
    mod criteria_values;
    mod devset;
    mod errors;
    mod explain;
    mod extract;
    mod fixtures;
    mod fuzz;
    mod harness;
    mod isolation;
    mod metadata;
    mod ocr;
    mod patterns;
    mod readme;
    mod resume;
    mod scan;
    mod schema;
    mod topics;
    mod usage;
}
