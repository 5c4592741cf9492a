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
    let targets: [(&str, Check); 8] = [
        ("pattern_file", checks::pattern_file),
        ("normalize", checks::normalize),
        ("matcher", checks::matcher),
        ("analyze", checks::analyze),
        ("content", checks::content),
        ("font", checks::font),
        ("pdf", checks::pdf),
        ("page_images", checks::page_images),
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

/// A stable, dependency-free mutation loop over the seed corpus, for
/// machines without nightly/cargo-fuzz:
/// `POLICYSCAN_FUZZ_SECS=60 cargo test --test cli fuzz_smoke -- --ignored --nocapture`.
/// Inputs that panic are written to `fuzz/artifacts/smoke/`.
#[test]
#[ignore]
fn fuzz_smoke_random_mutations() {
    let secs: u64 = std::env::var("POLICYSCAN_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let all: [(&str, Check); 8] = [
        ("pattern_file", checks::pattern_file),
        ("normalize", checks::normalize),
        ("matcher", checks::matcher),
        ("analyze", checks::analyze),
        ("content", checks::content),
        ("font", checks::font),
        ("pdf", checks::pdf),
        ("page_images", checks::page_images),
    ];
    // POLICYSCAN_FUZZ_TARGETS=content,font picks some.
    let only = std::env::var("POLICYSCAN_FUZZ_TARGETS").unwrap_or_default();
    let targets: Vec<(&str, Check)> = all
        .into_iter()
        .filter(|(t, _)| only.is_empty() || only.split(',').any(|o| o == *t))
        .collect();
    const TOKENS: &[&str] = &[
        "\u{c}",
        "\n",
        "-\n",
        "\u{ad}",
        "\u{fb01}",
        "é",
        "°",
        "😀",
        "ketamine",
        "esketamine",
        "Spravato",
        " not ",
        "experimental",
        "investigational",
        "CPT ",
        "J3490",
        "F33.2",
        "96365-96368",
        "[[rule]]\n",
        "id = \"a.b\"\n",
        "regexes = ['(",
        "literals = [\"",
        "category = \"experimental\"\n",
        "description = \"d\"\n",
        "\"]\n",
        "'\\b'",
        "\r\n",
        "\u{200b}",
        "\u{2010}",
        "\u{fffd}",
        "\0",
        " Tj ",
        " TJ ",
        " Tf ",
        " cm ",
        " Do ",
        " BI /W 9 /H 9 ID ",
        " EI ",
        "<<",
        ">>",
        " 0 R ",
        "/Width 99999 ",
        "/Filter /FlateDecode ",
        "/ToUnicode ",
        "beginbfrange ",
        "<0000> <FFFF> ",
        "endstream",
        "[",
        "]",
    ];
    let mut rng: u64 = 0x9e37_79b9_7f4a_7c15 ^ u64::from(std::process::id());
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let per_target = std::time::Duration::from_secs(secs) / targets.len().max(1) as u32;
    let mut failures = Vec::new();
    for (target, check) in targets {
        let seeds: Vec<Vec<u8>> = std::fs::read_dir(root.join("seeds").join(target))
            .unwrap()
            .map(|e| std::fs::read(e.unwrap().path()).unwrap())
            .collect();
        let start = std::time::Instant::now();
        let mut runs = 0u64;
        while start.elapsed() < per_target {
            let mut data = seeds[(next() as usize) % seeds.len()].clone();
            for _ in 0..1 + next() % 8 {
                let at = if data.is_empty() {
                    0
                } else {
                    (next() as usize) % (data.len() + 1)
                };
                match next() % 4 {
                    0 if at < data.len() => data[at] = next() as u8,
                    1 => {
                        let t = TOKENS[(next() as usize) % TOKENS.len()].as_bytes();
                        data.splice(at..at, t.iter().copied());
                    }
                    2 if at < data.len() => {
                        let end = (at + (next() as usize) % 64).min(data.len());
                        data.drain(at..end);
                    }
                    _ => {
                        let other = &seeds[(next() as usize) % seeds.len()];
                        let from = (next() as usize) % (other.len() + 1);
                        let end = (from + (next() as usize) % 256).min(other.len());
                        data.splice(at..at, other[from..end].iter().copied());
                    }
                }
            }
            runs += 1;
            if std::panic::catch_unwind(|| check(&data)).is_err() {
                let dir = root.join("artifacts/smoke").join(target);
                std::fs::create_dir_all(&dir).unwrap();
                let p = dir.join(format!("crash-{runs}"));
                std::fs::write(&p, &data).unwrap();
                failures.push(p.display().to_string());
            }
        }
        eprintln!("{target}: {runs} inputs in {per_target:?}");
    }
    assert!(
        failures.is_empty(),
        "crashing inputs:\n{}",
        failures.join("\n")
    );
}
