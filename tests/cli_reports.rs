//! The reports for people, through the binary: the default format when
//! piped, HTML escaping, agreement of every format on stances, the
//! evidence packet, CSV formula neutralization, and `diff` (documents,
//! folders, reports, and the dev set's two Lakeshore versions).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/reports")
        .join(name)
}

fn policyscan() -> Command {
    let mut c = Command::cargo_bin("policyscan").unwrap();
    c.env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("POLICYSCAN_CONFIG")
        .env(
            "XDG_CONFIG_HOME",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("policyscan-reports-no-config"),
        );
    c
}

/// Runs policyscan with `args`, expecting exit `code`; returns stdout.
fn run(args: &[&str], code: i32) -> String {
    let out = policyscan().args(args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(code),
        "policyscan {args:?}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A folder with the report test documents (one of them unreadable).
fn corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in [
        "hostile_policy.txt",
        "denial_letter.txt",
        "covered_policy.txt",
        "broken.pdf",
    ] {
        std::fs::copy(data(f), dir.path().join(f)).unwrap();
    }
    dir
}

type Stances = BTreeMap<(String, String), String>;

fn from_json(text: &str) -> Stances {
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    let mut m = Stances::new();
    for d in v["documents"].as_array().unwrap() {
        if d["status"] != "ok" {
            continue;
        }
        for t in ["ketamine", "esketamine"] {
            m.insert(
                (d["path"].as_str().unwrap().to_string(), t.to_string()),
                d["topics"][t]["stance"].as_str().unwrap().to_string(),
            );
        }
    }
    m
}

fn from_csv(text: &str) -> Stances {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let h = r.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|x| x == name).unwrap();
    let (path, topic, stance, status) = (col("path"), col("topic"), col("stance"), col("status"));
    let mut m = Stances::new();
    for row in r.records() {
        let row = row.unwrap();
        if &row[status] != "ok" {
            continue;
        }
        m.insert(
            (row[path].to_string(), row[topic].to_string()),
            row[stance].to_string(),
        );
    }
    m
}

/// "Covered with criteria" -> "covered_with_criteria".
fn label_to_stance(label: &str) -> String {
    label.trim().to_lowercase().replace(' ', "_")
}

fn topic_of(label: &str) -> &'static str {
    if label.starts_with("Esketamine") {
        "esketamine"
    } else {
        "ketamine"
    }
}

fn from_markdown(text: &str) -> Stances {
    let mut m = Stances::new();
    let mut path = String::new();
    let mut ok = false;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("- **File:** `") {
            path = rest.trim_end_matches('`').to_string();
        }
        if line.starts_with("- **Pages:**") {
            ok = line.contains("**Status:** ok");
        }
        if let Some(rest) = line.strip_prefix("### ")
            && ok
            && (rest.starts_with("Ketamine:") || rest.starts_with("Esketamine (Spravato):"))
        {
            let (topic, label) = rest.split_once(": ").unwrap();
            m.insert(
                (path.clone(), topic_of(topic).to_string()),
                label_to_stance(label),
            );
        }
    }
    m
}

fn unescape_html(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn from_html(text: &str) -> Stances {
    let path_re = regex::Regex::new(r#"<div class="path mono">([^<]*)</div>"#).unwrap();
    let topic_re = regex::Regex::new(
        r#"<article class="topic"><h3><span>([^<]*)</span><span class="badge st-([a-z_]+)">"#,
    )
    .unwrap();
    let mut m = Stances::new();
    for section in text.split("<section class=\"card doc\"").skip(1) {
        let path = unescape_html(&path_re.captures(section).unwrap()[1]);
        for c in topic_re.captures_iter(section) {
            m.insert(
                (path.clone(), topic_of(&c[1]).to_string()),
                c[2].to_string(),
            );
        }
    }
    m
}

/// The table shows file names and short stance words.
fn from_table(text: &str, json: &Stances) -> usize {
    let mut checked = 0;
    for ((path, topic), stance) in json {
        let name = Path::new(path).file_name().unwrap().to_str().unwrap();
        let line = text
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} not in table:\n{text}"));
        let short = match stance.as_str() {
            "covered" => "covered",
            "covered_with_criteria" => "with criteria",
            "not_covered" => "not covered",
            "mixed" => "mixed",
            _ => "—",
        };
        let ketamine_first = topic == "ketamine";
        let cells: Vec<&str> = line
            .split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        // document, payer, ketamine, esketamine, ...
        let cell = cells[if ketamine_first { 2 } else { 3 }];
        assert_eq!(cell, short, "{name} {topic} in table line {line:?}");
        checked += 1;
    }
    checked
}

#[test]
fn piped_scan_defaults_to_json_and_draws_no_progress() {
    let out = policyscan()
        .arg("scan")
        .arg(data("hostile_policy.txt"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema_version"], "1");
    // stderr is a pipe here: no progress bar.
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn table_can_be_forced_and_has_no_colors_when_piped() {
    let text = run(
        &[
            "scan",
            "--format",
            "table",
            data("hostile_policy.txt").to_str().unwrap(),
        ],
        0,
    );
    assert!(text.starts_with("DOCUMENT"), "{text}");
    assert!(text.contains("hostile_policy.txt"));
    assert!(!text.contains('\u{1b}'), "{text:?}");
}

/// Runs policyscan with `args` and extra environment `env`; returns
/// stdout, which must come with exit 0.
fn run_env(args: &[&str], env: &[(&str, &str)]) -> String {
    let mut c = policyscan();
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.args(args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "policyscan {args:?}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn color_flag_beside_no_color_and_clicolor() {
    let doc = data("hostile_policy.txt");
    let doc = doc.to_str().unwrap();
    let colored = |text: &str| text.contains("\u{1b}[");
    let table = |color: &str, env: &[(&str, &str)]| {
        let mut args = vec!["scan", "--format", "table", doc];
        if !color.is_empty() {
            args.push(color);
        }
        run_env(&args, env)
    };
    // Piped: auto means none, always means colors even under NO_COLOR.
    assert!(!colored(&table("", &[])));
    assert!(!colored(&table("--color=auto", &[])));
    assert!(colored(&table("--color=always", &[])));
    assert!(colored(&table("--color=always", &[("NO_COLOR", "1")])));
    // CLICOLOR_FORCE forces them for auto, not against --color never.
    assert!(colored(&table("", &[("CLICOLOR_FORCE", "1")])));
    assert!(!colored(&table("", &[("CLICOLOR_FORCE", "0")])));
    assert!(!colored(&table(
        "--color=never",
        &[("CLICOLOR_FORCE", "1")]
    )));
    // The colored table is the plain one with escapes added.
    let plain = table("--color=never", &[]);
    let escapes = regex::Regex::new("\u{1b}\\[[0-9;]*m").unwrap();
    assert_eq!(
        escapes.replace_all(&table("--color=always", &[]), ""),
        plain
    );
    // Before the default subcommand, and for diff too.
    assert!(colored(&run_env(
        &["--color", "always", "--format", "table", doc],
        &[]
    )));
    let diff = |color: &str| {
        run_env(
            &[
                "diff",
                color,
                doc,
                data("covered_policy.txt").to_str().unwrap(),
            ],
            &[],
        )
    };
    assert!(colored(&diff("--color=always")));
    assert!(!colored(&diff("--color=never")));
    let bad = policyscan()
        .args(["scan", "--color", "sometimes", doc])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn html_renders_document_markup_as_text() {
    let html = run(
        &[
            "scan",
            "--format",
            "html",
            data("hostile_policy.txt").to_str().unwrap(),
        ],
        0,
    );
    let lower = html.to_ascii_lowercase();
    assert!(
        !lower.contains("<script"),
        "a <script> tag reached the page"
    );
    assert!(!lower.contains("<img"), "an <img> tag reached the page");
    assert!(
        !lower.contains("<b>"),
        "markup from the title reached the page"
    );
    assert!(html.contains("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;"));
    assert!(html.contains("&lt;img src=x onerror=&quot;document.title=&#39;pwned&#39;&quot;&gt;"));
    // Self-contained: no tag loads anything or carries an event handler,
    // and a policy forbids scripts even if an escape were missed.
    let tags = regex::Regex::new(r"<[^>]*>").unwrap();
    for t in tags.find_iter(&lower) {
        let t = t.as_str();
        for bad in [
            "src=", "onerror", "onload", "http:", "https:", "<link", "<iframe", "<object",
        ] {
            assert!(!t.contains(bad), "tag {t:?} has {bad:?}");
        }
    }
    for bad in ["@import", "url("] {
        assert!(!lower.contains(bad), "found {bad:?}");
    }
    assert!(html.contains("Content-Security-Policy"));
    assert!(html.contains("default-src 'none'"));
}

#[test]
fn every_format_agrees_on_stances() {
    let dir = corpus();
    let p = dir.path().to_str().unwrap();
    let fmt = |f: &str| run(&["scan", "-q", "--format", f, p], 0);
    let json = from_json(&fmt("json"));
    assert_eq!(json.len(), 6, "three readable documents x two topics");
    let stances: Vec<&String> = json.values().collect();
    assert!(stances.iter().any(|s| *s == "not_covered"));
    assert!(stances.iter().any(|s| *s == "covered_with_criteria"));
    assert_eq!(from_csv(&fmt("csv")), json, "csv");
    assert_eq!(from_markdown(&fmt("markdown")), json, "markdown");
    assert_eq!(from_html(&fmt("html")), json, "html");
    assert_eq!(from_table(&fmt("table"), &json), 6, "table");
}

#[test]
fn failed_documents_appear_in_every_format() {
    let dir = corpus();
    let p = dir.path().to_str().unwrap();
    for f in ["table", "html", "markdown", "csv"] {
        let text = run(&["scan", "-q", "--format", f, p], 0);
        assert!(text.contains("broken.pdf"), "{f}");
        assert!(text.contains("malformed"), "{f}");
    }
}

#[test]
fn csv_neutralizes_formula_cells() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(data("denial_letter.txt"), dir.path().join("=1+2.txt")).unwrap();
    let out = policyscan()
        .current_dir(dir.path())
        .args(["scan", "--format", "csv", "=1+2.txt"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    for row in r.records() {
        let row = row.unwrap();
        assert_eq!(&row[0], "'=1+2.txt");
        for cell in row.iter() {
            assert!(!cell.starts_with(['=', '+', '-', '@']), "{cell:?}");
        }
    }
}

#[test]
fn evidence_packet_cites_the_document() {
    let file = data("hostile_policy.txt");
    let f = file.to_str().unwrap();
    let json: serde_json::Value = serde_json::from_str(&run(&["scan", f], 0)).unwrap();
    let sha = json["documents"][0]["sha256"].as_str().unwrap().to_string();
    let md = run(&["scan", "--format", "markdown", "--evidence", f], 0);
    assert!(md.starts_with("# Evidence packet: "), "{md}");
    assert!(md.contains(&format!("| SHA-256 | `{sha}` |")), "{md}");
    assert!(md.contains("| Payer | Marlowe Health Plan |"), "{md}");
    assert!(md.contains("| Effective date | 2025-03-01 |"), "{md}");
    assert!(md.contains("- Ketamine: not covered"), "{md}");
    let quotes: Vec<&str> = md.lines().filter(|l| l.starts_with("> ")).collect();
    assert!(!quotes.is_empty());
    for q in quotes {
        assert!(q.ends_with(", p. 1)"), "{q}");
        assert!(q.contains("Marlowe Health Plan"), "{q}");
        // Every '<' from the document is escaped.
        assert!(!q.replace("\\<", "").contains('<'), "{q}");
    }
}

#[test]
fn evidence_alone_means_markdown_and_conflicts_with_other_formats() {
    let md = run(
        &[
            "scan",
            "--evidence",
            data("covered_policy.txt").to_str().unwrap(),
        ],
        0,
    );
    assert!(md.starts_with("# Evidence packet: "), "{md}");
}

#[test]
fn evidence_needs_markdown() {
    let out = policyscan()
        .args(["scan", "--format", "html", "--evidence"])
        .arg(data("hostile_policy.txt"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--format markdown"));
}

#[test]
fn diff_two_documents_two_reports_and_two_folders() {
    let old = data("excluded_policy.txt");
    let new = data("covered_policy.txt");
    let (o, n) = (old.to_str().unwrap(), new.to_str().unwrap());

    // Two documents.
    let human = run(&["diff", o, n], 0);
    assert!(
        human.contains("Ketamine: not covered → covered with criteria   STANCE CHANGED"),
        "{human}"
    );
    assert!(human.contains("- reason: plan exclusion"), "{human}");
    assert!(
        human.contains("+ criterion: prior authorization"),
        "{human}"
    );
    assert!(human.contains("old evidence:") && human.contains("new evidence:"));
    run(&["diff", "--fail-on-change", o, n], 1);
    run(&["diff", "--fail-on-change", o, o], 0);

    // Two JSON reports give the same comparison.
    let dir = tempfile::tempdir().unwrap();
    let ro = dir.path().join("old.json");
    let rn = dir.path().join("new.jsonl");
    std::fs::write(&ro, run(&["scan", o], 0)).unwrap();
    std::fs::write(&rn, run(&["scan", "--format", "jsonl", n], 0)).unwrap();
    let from_reports: serde_json::Value = serde_json::from_str(&run(
        &[
            "diff",
            "--format",
            "json",
            ro.to_str().unwrap(),
            rn.to_str().unwrap(),
        ],
        0,
    ))
    .unwrap();
    let from_docs: serde_json::Value =
        serde_json::from_str(&run(&["diff", "--format", "json", o, n], 0)).unwrap();
    assert_eq!(
        from_reports["documents"][0]["topics"],
        from_docs["documents"][0]["topics"]
    );
    assert_eq!(from_docs["summary"]["stance_changes"], 1);

    // Two folders, matched by file name.
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    std::fs::copy(&old, a.join("policy.txt")).unwrap();
    std::fs::copy(&new, b.join("policy.txt")).unwrap();
    std::fs::copy(data("denial_letter.txt"), a.join("letter.txt")).unwrap();
    std::fs::copy(data("denial_letter.txt"), b.join("letter.txt")).unwrap();
    std::fs::copy(data("denial_letter.txt"), a.join("gone.txt")).unwrap();
    std::fs::copy(data("hostile_policy.txt"), b.join("added.txt")).unwrap();
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let v: serde_json::Value =
        serde_json::from_str(&run(&["diff", "--format", "json", a, b], 0)).unwrap();
    assert_eq!(v["summary"]["compared"], 2);
    assert_eq!(v["summary"]["changed"], 1);
    assert_eq!(v["summary"]["stance_changes"], 1);
    assert_eq!(v["added"][0]["key"], "added.txt");
    assert_eq!(v["removed"][0]["key"], "gone.txt");
    let human = run(&["diff", a, b], 0);
    assert!(human.contains("added: added.txt"), "{human}");
    assert!(human.contains("removed: gone.txt"), "{human}");
    assert!(human.contains("unchanged: 1 document"), "{human}");
    run(&["diff", "--fail-on-change", a, b], 1);
}

#[test]
fn diff_reports_a_missing_side_as_a_usage_error() {
    let out = policyscan()
        .args(["diff", "no/such/old.pdf"])
        .arg(data("covered_policy.txt"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// The dev set's two versions of the Lakeshore policy: ketamine goes from
/// not covered to covered with criteria. Skipped without ../shared.
#[test]
fn diff_devset_lakeshore_2024_to_2025() {
    let dev = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/devset/pdf");
    let old = dev.join("05_lakeshore_ketamine_policy_v2024.pdf");
    let new = dev.join("06_lakeshore_ketamine_policy_v2025.pdf");
    if !old.is_file() || !new.is_file() {
        eprintln!("skipped: {} not found", dev.display());
        return;
    }
    let (o, n) = (old.to_str().unwrap(), new.to_str().unwrap());
    let human = run(&["diff", "--fail-on-change", o, n], 1);
    assert!(
        human.contains("Ketamine: not covered → covered with criteria   STANCE CHANGED"),
        "{human}"
    );
    assert!(
        human.contains("effective date: 2024-02-01 → 2025-02-01"),
        "{human}"
    );
    assert!(
        human.contains("+ criterion: prior authorization"),
        "{human}"
    );
    let v: serde_json::Value =
        serde_json::from_str(&run(&["diff", "--format", "json", o, n], 0)).unwrap();
    let k = &v["documents"][0]["topics"]["ketamine"];
    assert_eq!(k["old_stance"], "not_covered");
    assert_eq!(k["new_stance"], "covered_with_criteria");
    assert!(!k["old_evidence"].as_array().unwrap().is_empty());
    assert!(!k["new_evidence"].as_array().unwrap().is_empty());
    assert_eq!(
        v["documents"][0]["topics"]["esketamine"]["stance_changed"],
        false
    );
}
