//! The fuzz targets' checks (`fuzz/checks.rs`) replayed on stable over the
//! committed seed corpus and every crash input fuzzing found
//! (`fuzz/regressions/TARGET/`), so a fixed bug stays fixed in CI without
//! nightly or cargo-fuzz.

#[path = "../../fuzz/checks.rs"]
mod checks;

use std::path::Path;

type Check = fn(&[u8]);

#[test]
fn fuzz_seeds_and_regressions_replay() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let targets: [(&str, Check); 4] = [
        ("pattern_file", checks::pattern_file),
        ("normalize", checks::normalize),
        ("matcher", checks::matcher),
        ("analyze", checks::analyze),
    ];
    let mut failures = Vec::new();
    let mut runs = 0;
    for (target, check) in targets {
        for kind in ["seeds", "regressions"] {
            let dir = root.join(kind).join(target);
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for e in entries {
                let p = e.unwrap().path();
                if p.file_name().is_some_and(|n| n == ".gitkeep") {
                    continue;
                }
                let data = std::fs::read(&p).unwrap();
                runs += 1;
                if let Err(panic) = std::panic::catch_unwind(|| check(&data)) {
                    let msg = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    failures.push(format!("{target}: {}: {msg}", p.display()));
                }
            }
        }
    }
    assert!(runs > 10, "seed corpus missing ({runs} inputs)");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
