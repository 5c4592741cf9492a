//! `fixtures/` is made by `scripts/make_fixtures.py`: the committed files
//! are exactly its output, it writes the same bytes every run, and its PDFs
//! are well-formed (header, objects at the offsets the xref table gives,
//! startxref pointing at the table, the Helvetica / WinAnsi font).

use std::path::Path;
use std::process::Command;

use super::common::{expected, repo};

fn python() -> Option<&'static str> {
    ["python3", "python"].into_iter().find(|p| {
        Command::new(p)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

fn make_fixtures(out: &Path) -> String {
    let Some(py) = python() else {
        panic!("python3 not found");
    };
    let o = Command::new(py)
        .arg(repo().join("scripts/make_fixtures.py"))
        .arg("--out")
        .arg(out)
        .output()
        .expect("run make_fixtures.py");
    assert!(
        o.status.success(),
        "make_fixtures.py failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn files_of(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

#[test]
fn committed_fixtures_are_the_scripts_output_and_runs_are_identical() {
    if python().is_none() {
        eprintln!("skipping: python3 is not installed");
        return;
    }
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    make_fixtures(a.path());
    make_fixtures(b.path());
    // Idempotent: a second run over its own output rewrites nothing.
    let again = make_fixtures(a.path());
    assert!(
        again.trim().is_empty(),
        "second run rewrote files:\n{again}"
    );

    let made = files_of(a.path());
    assert!(made.len() >= 6, "too few fixtures: {made:?}");
    assert_eq!(made, files_of(b.path()));
    let fixtures = repo().join("fixtures");
    let mut committed = files_of(&fixtures);
    committed.retain(|n| n != "EXPECTED.json");
    assert_eq!(
        committed, made,
        "fixtures/ must hold exactly the script's output (plus EXPECTED.json)"
    );
    for name in &made {
        let x = std::fs::read(a.path().join(name)).unwrap();
        assert_eq!(
            x,
            std::fs::read(b.path().join(name)).unwrap(),
            "{name}: not deterministic"
        );
        assert!(
            x == std::fs::read(fixtures.join(name)).unwrap(),
            "fixtures/{name} differs from what scripts/make_fixtures.py writes; rerun it and commit"
        );
    }
}

#[test]
fn expected_json_covers_every_fixture_and_the_required_cases() {
    let exp = expected();
    let mut names: Vec<&String> = exp.keys().collect();
    names.sort();
    let mut on_disk = files_of(&repo().join("fixtures"));
    on_disk.retain(|n| n != "EXPECTED.json");
    assert_eq!(names, on_disk.iter().collect::<Vec<_>>());
    let has = |ext: &str| on_disk.iter().any(|n| n.ends_with(ext));
    assert!(has(".pdf") && has(".txt") && has(".md"));
    // The sample covers each stance a new user should see.
    for stance in [
        "covered",
        "covered_with_criteria",
        "not_covered",
        "not_addressed",
    ] {
        assert!(
            exp.values().any(|d| ["ketamine", "esketamine"]
                .iter()
                .any(|t| d[t]["stance"] == stance)),
            "no fixture intends {stance}"
        );
    }
    assert!(exp.values().any(|d| d["mental_health_parity"] == true));
    let all_codes: Vec<&str> = exp
        .values()
        .flat_map(|d| {
            d["codes"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|c| c.as_str())
        })
        .collect();
    for code in [
        "S0013", "J0013", "G2082", "G2083", "J3490", "96365", "96368", "F33.2",
    ] {
        assert!(all_codes.contains(&code), "no fixture states {code}");
    }
}

/// Finds `needle` in `hay` at or after `from`.
fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

#[test]
fn fixture_pdfs_are_well_formed() {
    let dir = repo().join("fixtures");
    let exp = expected();
    let mut pdfs = 0;
    for name in files_of(&dir).iter().filter(|n| n.ends_with(".pdf")) {
        pdfs += 1;
        let data = std::fs::read(dir.join(name)).unwrap();
        assert!(data.starts_with(b"%PDF-1."), "{name}: header");
        assert!(data.ends_with(b"%%EOF\n"), "{name}: trailer");
        let sx = find(&data, b"startxref\n", 0).expect("startxref");
        let digits: String = data[sx + 10..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .map(|&b| b as char)
            .collect();
        let xref: usize = digits.parse().expect("startxref offset");
        assert!(
            data[xref..].starts_with(b"xref\n0 "),
            "{name}: startxref does not point at xref"
        );
        let header_end = find(&data, b"\n", xref + 5).unwrap() + 1;
        let count: usize = std::str::from_utf8(&data[xref + 7..header_end - 1])
            .unwrap()
            .parse()
            .unwrap();
        for n in 1..count {
            let entry = &data[header_end + 20 * n..header_end + 20 * n + 20];
            assert!(entry.ends_with(b" n \n"), "{name}: xref entry {n}");
            let off: usize = std::str::from_utf8(&entry[..10]).unwrap().parse().unwrap();
            assert!(
                data[off..].starts_with(format!("{n} 0 obj\n").as_bytes()),
                "{name}: xref offset of object {n} is wrong"
            );
        }
        assert!(
            find(&data, b"/BaseFont /Helvetica", 0).is_some(),
            "{name}: font"
        );
        assert!(
            find(&data, b"/Encoding /WinAnsiEncoding", 0).is_some(),
            "{name}: encoding"
        );
        let pages = exp[name.as_str()]["pages"].as_u64().unwrap() as usize;
        let count_str = format!("/Count {pages} ");
        assert!(
            find(&data, count_str.as_bytes(), 0).is_some(),
            "{name}: /Count {pages}"
        );
    }
    assert!(
        pdfs >= 6,
        "expected at least six fixture PDFs, found {pdfs}"
    );
}
