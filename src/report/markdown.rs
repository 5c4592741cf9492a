//! `--format markdown` (the whole report, for an issue tracker or a
//! letter) and `--format markdown --evidence` (an evidence packet for an
//! appeal: what the document is, with its sha256, and each deciding quote
//! with its page, ready to cite).
//!
//! Owns: Markdown syntax and escaping document text for it ([`escape`]:
//! no emphasis, links, raw HTML or block syntax can come from a document).
//! Must not: decide anything about documents.

use std::fmt::{self, Write as _};
use std::io::{self, Write};

use crate::model::{
    Document, Finding, Limitation, ParityResult, Report, Status, Topic, TopicResult,
};

use super::human::{
    criteria_text, distinct_evidence, evidence_pages, file_name, one_line, ordered_limitations,
    pages_text, quote, reasons_text, stance_label, topic_label, topic_summary, words,
};

/// Escapes inline text: Markdown punctuation that could start emphasis,
/// code, a link, raw HTML, a table cell or an entity gets a backslash, and
/// line breaks become spaces.
pub fn escape(s: &str) -> String {
    let s = one_line(s);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// [`escape`] for text that starts a line (after `> ` or `- `): also
/// neutralizes what would open a block there (heading, list, rule).
pub fn escape_block(s: &str) -> String {
    let mut out = escape(s);
    let first = out.chars().next();
    if matches!(first, Some('#' | '-' | '+' | '=')) {
        out.insert(0, '\\');
    } else if first.is_some_and(|c| c.is_ascii_digit()) {
        let digits = out.chars().take_while(char::is_ascii_digit).count();
        if matches!(out[digits..].chars().next(), Some('.' | ')')) {
            out.insert(digits, '\\');
        }
    }
    out
}

/// A code span that holds any text (a fence longer than any run of
/// backticks inside).
pub fn code(s: &str) -> String {
    let s = one_line(s);
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    if longest > 0 || s.starts_with(' ') || s.ends_with(' ') {
        format!("{fence} {s} {fence}")
    } else {
        format!("{fence}{s}{fence}")
    }
}

/// Renders the whole report.
pub fn render(report: &Report) -> String {
    let mut s = String::new();
    let _ = write_report(&mut s, report);
    tidy(s)
}

/// At most one blank line in a row (empty sections leave none behind).
fn tidy(s: String) -> String {
    let mut out = String::with_capacity(s.len());
    let mut newlines = 0;
    for c in s.chars() {
        if c == '\n' {
            newlines += 1;
            if newlines > 2 {
                continue;
            }
        } else {
            newlines = 0;
        }
        out.push(c);
    }
    out
}

/// [`render`] into a writer (for the scan sink).
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(render(report).as_bytes())
}

/// Renders an evidence packet for every document of the report.
pub fn render_evidence(report: &Report) -> String {
    let mut s = String::new();
    for (i, d) in report.documents.iter().enumerate() {
        if i > 0 {
            s.push_str("\n---\n\n");
        }
        let _ = write_packet(&mut s, report, d);
    }
    if report.documents.is_empty() {
        s.push_str("No documents.\n");
    }
    tidy(s)
}

/// [`render_evidence`] into a writer (for the scan sink).
pub fn write_evidence(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(render_evidence(report).as_bytes())
}

fn opt(v: Option<&str>) -> String {
    v.map(escape).unwrap_or_else(|| "—".to_string())
}

fn write_report(s: &mut String, r: &Report) -> fmt::Result {
    let sm = &r.summary;
    writeln!(s, "# Ketamine and esketamine coverage report\n")?;
    writeln!(
        s,
        "{} document{} · {} page{} · {} analysed · {} failed · {} {} (patterns {})\n",
        sm.documents,
        if sm.documents == 1 { "" } else { "s" },
        sm.pages,
        if sm.pages == 1 { "" } else { "s" },
        sm.ok,
        sm.failed,
        escape(&r.tool.name),
        escape(&r.tool.version),
        escape(&r.tool.patterns)
    )?;
    if r.documents.is_empty() {
        writeln!(s, "No documents.")?;
        return Ok(());
    }
    writeln!(
        s,
        "| Document | Payer | Policy | Effective | Ketamine | Esketamine | Parity |"
    )?;
    writeln!(s, "|---|---|---|---|---|---|---|")?;
    for d in &r.documents {
        write!(
            s,
            "| {} | {} | {} | {} |",
            escape(file_name(&d.path)),
            opt(d.metadata.payer.as_deref()),
            opt(d.metadata.policy_number.as_deref()),
            opt(d.metadata.effective_date.as_deref())
        )?;
        if d.status != Status::Ok {
            writeln!(s, " **{}** | | |", d.status.as_str())?;
            continue;
        }
        for topic in Topic::drugs() {
            if let Some(t) = d.topics.drug(topic) {
                write!(s, " {} |", stance_label(t.stance))?;
            }
        }
        let p = &d.topics.mental_health_parity;
        writeln!(s, " {} |", if p.mentioned { "mentioned" } else { "—" })?;
    }
    for (i, d) in r.documents.iter().enumerate() {
        writeln!(s)?;
        write_document(s, i, d)?;
    }
    Ok(())
}

fn write_document(s: &mut String, i: usize, d: &Document) -> fmt::Result {
    let heading = d
        .metadata
        .title
        .as_deref()
        .unwrap_or_else(|| file_name(&d.path));
    writeln!(s, "## {}. {}\n", i + 1, escape(heading))?;
    writeln!(s, "- **File:** {}", code(&d.path))?;
    let m = &d.metadata;
    for (k, v) in [
        ("Payer", &m.payer),
        ("Policy number", &m.policy_number),
        ("Effective date", &m.effective_date),
        ("Last reviewed", &m.last_reviewed),
    ] {
        if let Some(v) = v {
            writeln!(s, "- **{k}:** {}", escape(v))?;
        }
    }
    write!(
        s,
        "- **Pages:** {} · **Status:** {}",
        d.pages,
        d.status.as_str()
    )?;
    if !d.sha256.is_empty() {
        write!(s, " · **SHA-256:** {}", code(&d.sha256))?;
    }
    writeln!(s)?;
    if d.status != Status::Ok {
        writeln!(
            s,
            "\n**Not analysed ({}):** {}",
            d.status.as_str(),
            escape(d.error.as_deref().unwrap_or(""))
        )?;
    }
    if !d.warnings.is_empty() {
        writeln!(s, "\n**Warnings:**\n")?;
        for w in &d.warnings {
            writeln!(s, "- {}", escape_block(w))?;
        }
    }
    if d.status != Status::Ok {
        return Ok(());
    }
    for topic in Topic::drugs() {
        if let Some(t) = d.topics.drug(topic) {
            write_topic(s, topic, t)?;
        }
    }
    write_parity(s, &d.topics.mental_health_parity)?;
    if !d.codes.is_empty() {
        writeln!(s, "\n### Codes\n")?;
        let codes: Vec<String> = d
            .codes
            .iter()
            .map(|c| format!("{} ({}, p. {})", code(&c.code), escape(&c.system), c.page))
            .collect();
        writeln!(s, "{}", codes.join(" · "))?;
    }
    Ok(())
}

fn write_topic(s: &mut String, topic: Topic, t: &TopicResult) -> fmt::Result {
    writeln!(
        s,
        "\n### {}: {}\n",
        topic_label(topic),
        stance_label(t.stance)
    )?;
    if !t.reasons.is_empty() {
        writeln!(s, "Reasons: {}\n", reasons_text(&t.reasons))?;
    }
    if !t.criteria.is_empty() {
        writeln!(s, "Criteria: {}\n", criteria_text(&t.criteria))?;
    }
    let ev = distinct_evidence(&t.evidence);
    if ev.is_empty() {
        writeln!(s, "No coverage statement found.")?;
    }
    write_quotes(s, &ev, "")
}

/// Each finding as `> quote (p. N)`, separated by blank lines, the citation
/// `cite` appended after the page.
fn write_quotes(s: &mut String, ev: &[&Finding], cite: &str) -> fmt::Result {
    for (i, f) in ev.iter().enumerate() {
        if i > 0 {
            writeln!(s)?;
        }
        writeln!(s, "> {} ({cite}p. {})", escape_block(&quote(f)), f.page)?;
    }
    Ok(())
}

fn side(f: Option<&Finding>) -> String {
    match f {
        Some(f) => format!("{} (p. {})", escape(&quote(f)), f.page),
        None => "*not stated*".to_string(),
    }
}

fn write_parity(s: &mut String, p: &ParityResult) -> fmt::Result {
    writeln!(
        s,
        "\n### Mental-health parity: {}\n",
        if p.mentioned {
            "mentioned"
        } else {
            "not mentioned"
        }
    )?;
    let ev = distinct_evidence(&p.evidence);
    write_quotes(s, &ev, "")?;
    if !p.limitations.is_empty() {
        if !ev.is_empty() {
            writeln!(s)?;
        }
        write_limitations(s, ordered_limitations(&p.limitations), |l| {
            format!(
                "{}{} ({})",
                if l.asymmetric { "⚠ " } else { "" },
                escape(&words(&l.kind)),
                escape(&words(&l.class))
            )
        })?;
    }
    Ok(())
}

/// The side-by-side table of parity limitations, one row each, the first
/// cell written by `name`.
fn write_limitations<'a>(
    s: &mut String,
    limitations: impl IntoIterator<Item = &'a Limitation>,
    name: impl Fn(&Limitation) -> String,
) -> fmt::Result {
    writeln!(
        s,
        "| Limitation | MH/SUD benefits | Medical/surgical benefits | Note |"
    )?;
    writeln!(s, "|---|---|---|---|")?;
    for l in limitations {
        writeln!(
            s,
            "| {} | {} | {} | {} |",
            name(l),
            side(l.mh_sud.as_ref()),
            side(l.med_surg.as_ref()),
            escape(&l.note)
        )?;
    }
    Ok(())
}

/// How to cite the document after a quote: payer, policy number (or the
/// title, or the file name), effective date (those it states).
fn citation(d: &Document) -> String {
    let m = &d.metadata;
    let mut parts = Vec::new();
    if let Some(p) = &m.payer {
        parts.push(escape(p));
    }
    match (&m.policy_number, &m.title) {
        (Some(n), _) => parts.push(format!("policy {}", escape(n))),
        (None, Some(t)) => parts.push(format!("*{}*", escape(t))),
        (None, None) => parts.push(escape(file_name(&d.path))),
    }
    if let Some(e) = &m.effective_date {
        parts.push(format!("effective {}", escape(e)));
    }
    parts.join(", ")
}

fn write_packet(s: &mut String, r: &Report, d: &Document) -> fmt::Result {
    let m = &d.metadata;
    let name = m.title.as_deref().unwrap_or_else(|| file_name(&d.path));
    writeln!(s, "# Evidence packet: {}\n", escape(name))?;
    writeln!(s, "| | |\n|---|---|")?;
    writeln!(s, "| File | {} |", code(&d.path))?;
    writeln!(
        s,
        "| SHA-256 | {} |",
        if d.sha256.is_empty() {
            "—".to_string()
        } else {
            code(&d.sha256)
        }
    )?;
    writeln!(s, "| Title | {} |", opt(m.title.as_deref()))?;
    writeln!(s, "| Payer | {} |", opt(m.payer.as_deref()))?;
    writeln!(s, "| Policy number | {} |", opt(m.policy_number.as_deref()))?;
    writeln!(
        s,
        "| Effective date | {} |",
        opt(m.effective_date.as_deref())
    )?;
    writeln!(s, "| Last reviewed | {} |", opt(m.last_reviewed.as_deref()))?;
    writeln!(s, "| Pages | {} |", d.pages)?;
    writeln!(
        s,
        "\nAnalysed with {} {} (patterns {}). Quotes are the document's own words as extracted; \
         page numbers are the PDF's pages. Verify each quote against the document before citing it.\n",
        escape(&r.tool.name),
        escape(&r.tool.version),
        escape(&r.tool.patterns)
    )?;
    if d.status != Status::Ok {
        writeln!(
            s,
            "**The document could not be analysed ({}):** {}",
            d.status.as_str(),
            escape(d.error.as_deref().unwrap_or(""))
        )?;
        return Ok(());
    }
    writeln!(s, "## Summary\n")?;
    for topic in Topic::drugs() {
        writeln!(s, "- {}", escape_block(&topic_summary(topic, d)))?;
    }
    let p = &d.topics.mental_health_parity;
    let asym = p.limitations.iter().filter(|l| l.asymmetric).count();
    let mut line = if p.mentioned {
        let pages = pages_text(&evidence_pages(&p.evidence));
        if pages.is_empty() {
            "Mental-health parity: mentioned".to_string()
        } else {
            format!("Mental-health parity: mentioned ({pages})")
        }
    } else {
        "Mental-health parity: not mentioned".to_string()
    };
    if asym > 0 {
        line.push_str(&format!(
            "; {asym} treatment limitation{} stated only or more strictly for MH/SUD benefits",
            if asym == 1 { "" } else { "s" }
        ));
    }
    writeln!(s, "- {}.", escape_block(&line))?;
    let cite = format!("{}, ", citation(d));
    for topic in Topic::drugs() {
        let Some(t) = d.topics.drug(topic) else {
            continue;
        };
        let ev = distinct_evidence(&t.evidence);
        if ev.is_empty() {
            continue;
        }
        writeln!(
            s,
            "\n## {}: {}\n",
            topic_label(topic),
            stance_label(t.stance)
        )?;
        write_quotes(s, &ev, &cite)?;
    }
    let ev = distinct_evidence(&p.evidence);
    if !ev.is_empty() || asym > 0 {
        writeln!(s, "\n## Mental-health parity\n")?;
        write_quotes(s, &ev, &cite)?;
        let asymmetric: Vec<_> = p.limitations.iter().filter(|l| l.asymmetric).collect();
        if !asymmetric.is_empty() {
            if !ev.is_empty() {
                writeln!(s)?;
            }
            write_limitations(s, asymmetric, |l| escape(&words(&l.kind)))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_inline_and_block_syntax() {
        assert_eq!(escape("a *b* _c_ [d](e)"), "a \\*b\\* \\_c\\_ \\[d\\](e)");
        assert_eq!(escape("<script>x</script>"), "\\<script\\>x\\</script\\>");
        assert_eq!(escape_block("# not a heading"), "\\# not a heading");
        assert_eq!(escape_block("- item"), "\\- item");
        assert_eq!(escape_block("12. item"), "12\\. item");
        assert_eq!(escape_block("12 items"), "12 items");
        assert_eq!(escape("version 0.1.0"), "version 0.1.0");
        assert_eq!(escape("1. inline"), "1. inline");
        assert_eq!(escape("a | b\nc"), "a \\| b c");
    }

    #[test]
    fn code_spans_hold_backticks() {
        assert_eq!(code("a.pdf"), "`a.pdf`");
        assert_eq!(code("a`b.pdf"), "`` a`b.pdf ``");
    }

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(render(&super::super::sample::report()));
    }

    #[test]
    fn evidence_snapshot() {
        let mut r = super::super::sample::report();
        r.documents.retain(|d| d.path.starts_with("policies/"));
        insta::assert_snapshot!(render_evidence(&r));
    }
}
