//! `--format html`: one self-contained HTML file for people.
//!
//! Owns: the page (inline CSS, no JavaScript, no external resources: a
//! Content-Security-Policy forbids scripts and network loads even if an
//! escape were missed), a summary table linking to one section per
//! document, stance badges, evidence quotes with page and line, parity
//! limitations side by side, codes, warnings and failures.
//!
//! Every string that comes from a document or a path goes through
//! [`escape`]; the only unescaped text written is this file's own markup.
//! Must not: decide anything about documents.

use std::fmt::{self, Write as _};
use std::io::{self, Write};

use crate::model::{Document, Finding, ParityResult, Report, Stance, Status, Topic, TopicResult};

use super::human::{
    criterion_label, distinct_evidence, file_name, ordered_limitations, quote, reason_label,
    stance_label, topic_label, words,
};

/// Text escaped for HTML element content and quoted attribute values.
pub struct Escaped<'a>(pub &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut last = 0;
        for (i, c) in self.0.char_indices() {
            let rep = match c {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => continue,
            };
            f.write_str(&self.0[last..i])?;
            f.write_str(rep)?;
            last = i + c.len_utf8();
        }
        f.write_str(&self.0[last..])
    }
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> Escaped<'_> {
    Escaped(s)
}

const CSS: &str = r#"
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#f6f8fa;--card:#fff;
--green:#1a7f37;--green-bg:#dafbe1;--blue:#0b5cad;--blue-bg:#ddf4ff;--red:#b42318;--red-bg:#ffebe9;
--amber:#8a5300;--amber-bg:#fff1c2;--gray:#59636e;--gray-bg:#eef1f4}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main,header.top,footer{max-width:1180px;margin:0 auto;padding:0 24px}
header.top{padding-top:28px;padding-bottom:8px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:20px;margin:0 0 6px}
h3{font-size:16px;margin:0}
a{color:var(--blue)}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12.5px}
.muted{color:var(--muted)}
.totals{display:flex;flex-wrap:wrap;gap:8px 24px;margin:12px 0 4px}
.totals div{font-size:13px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:18px 20px;margin:18px 0}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:7px 10px;border-bottom:1px solid var(--line)}
th{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);font-weight:600;background:var(--bg)}
tr:last-child td{border-bottom:0}
table.overview td{font-size:14px}
table.overview td.doc{overflow-wrap:anywhere;min-width:220px}
table.overview td.nowrap{white-space:nowrap}
.scroll{overflow-x:auto}
table.overview .sub{font-size:12px;color:var(--muted)}
.badge{display:inline-block;padding:1px 9px;border-radius:999px;font-size:12.5px;font-weight:600;white-space:nowrap;border:1px solid transparent}
.st-covered{color:var(--green);background:var(--green-bg);border-color:#aceebb}
.st-covered_with_criteria{color:var(--blue);background:var(--blue-bg);border-color:#b6e3ff}
.st-not_covered{color:var(--red);background:var(--red-bg);border-color:#ffcecb}
.st-mixed{color:var(--amber);background:var(--amber-bg);border-color:#f5d77a}
.st-not_addressed{color:var(--gray);background:var(--gray-bg);border-color:var(--line)}
.st-failed{color:#fff;background:var(--red)}
.st-yes{color:var(--blue);background:var(--blue-bg)}
.st-no{color:var(--gray);background:var(--gray-bg)}
.chip{display:inline-block;margin:2px 4px 2px 0;padding:0 8px;border-radius:6px;background:var(--gray-bg);font-size:12.5px}
.doc-head{display:flex;justify-content:space-between;gap:16px;align-items:baseline;border-bottom:1px solid var(--line);padding-bottom:10px;margin-bottom:12px}
.doc-head .path{font-size:13px;color:var(--muted);word-break:break-all}
.back{font-size:13px;white-space:nowrap}
dl.meta{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:6px 18px;margin:0 0 14px}
dl.meta div{min-width:0}
dl.meta dt{font-size:11.5px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
dl.meta dd{margin:0;font-size:14px;overflow-wrap:anywhere}
.topics{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:14px;margin-bottom:14px;align-items:start}
.topic{border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.topic h3{display:flex;justify-content:space-between;gap:10px;align-items:center;margin-bottom:6px}
.row{margin:4px 0;font-size:13.5px}
.row .k{color:var(--muted);margin-right:4px}
ol.evidence{list-style:none;margin:8px 0 0;padding:0}
ol.evidence li{margin:8px 0}
blockquote{margin:0;padding:6px 12px;border-left:3px solid var(--line);background:var(--bg);border-radius:0 6px 6px 0;overflow-wrap:anywhere}
ol.evidence .cite{font-size:12px;color:var(--muted);margin:2px 0 0 15px}
mark{background:#fff3a3;padding:0 1px;border-radius:2px}
section.block{margin-top:16px}
section.block h3{margin-bottom:8px}
table.lim td{font-size:13.5px}
table.lim td.side{width:36%}
table.lim tr.asym td{background:#fffbeb}
table.lim .where{display:block;font-size:12px;color:var(--muted)}
.none{color:var(--muted);font-style:italic}
.alert{border:1px solid #ffcecb;background:var(--red-bg);color:#6e1410;border-radius:8px;padding:10px 14px;margin:0 0 12px}
.warn{border:1px solid #f5d77a;background:var(--amber-bg);color:#4d2d00;border-radius:8px;padding:10px 14px;margin:0 0 12px}
.warn ul{margin:4px 0 0;padding-left:20px}
details{margin-top:8px}
summary{cursor:pointer;color:var(--blue);font-size:13.5px}
footer{color:var(--muted);font-size:12px;padding-bottom:30px}
@media print{body{background:#fff}.card{break-inside:avoid-page;border-color:#bbb}.back{display:none}a{color:inherit;text-decoration:none}}
"#;

/// Renders the whole report as one HTML page.
pub fn render(report: &Report) -> String {
    let mut s = String::with_capacity(64 * 1024);
    let _ = write_page(&mut s, report);
    s
}

/// [`render`] into a writer (for the scan sink).
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(render(report).as_bytes())
}

/// Escaped text with line-break opportunities after `_`, `-` and `.`
/// (long file names wrap at word boundaries, not mid-word).
fn breakable(s: &str) -> String {
    let mut out = String::new();
    let mut last = 0;
    for (i, c) in s.char_indices() {
        if matches!(c, '_' | '-' | '.') {
            let end = i + c.len_utf8();
            let _ = write!(out, "{}<wbr>", escape(&s[last..end]));
            last = end;
        }
    }
    let _ = write!(out, "{}", escape(&s[last..]));
    out
}

fn anchor(i: usize) -> String {
    format!("doc-{}", i + 1)
}

fn write_page(s: &mut String, r: &Report) -> fmt::Result {
    let n = r.documents.len();
    s.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    s.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">\n",
    );
    s.push_str("<meta name=\"referrer\" content=\"no-referrer\">\n");
    s.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    writeln!(
        s,
        "<title>policyscan report: {n} document{}</title>",
        plural(n)
    )?;
    writeln!(s, "<style>{CSS}</style>\n</head>\n<body>")?;
    s.push_str(
        "<header class=\"top\" id=\"top\">\n<h1>Ketamine &amp; esketamine coverage report</h1>\n",
    );
    let sm = &r.summary;
    writeln!(
        s,
        "<div class=\"muted\">{} document{} · {} page{} · {} analysed · {} failed · {} {} · patterns {}</div>",
        sm.documents,
        plural(sm.documents as usize),
        sm.pages,
        plural(sm.pages as usize),
        sm.ok,
        sm.failed,
        escape(&r.tool.name),
        escape(&r.tool.version),
        escape(&r.tool.patterns)
    )?;
    s.push_str("<div class=\"totals\">\n");
    for topic in Topic::drugs() {
        write!(s, "<div><strong>{}</strong> ", escape(topic_label(topic)))?;
        let per = sm.stances.get(topic.as_str());
        let mut any = false;
        for st in Stance::ALL {
            let c = per.and_then(|p| p.get(st.as_str())).copied().unwrap_or(0);
            if c > 0 {
                any = true;
                write!(
                    s,
                    " <span class=\"badge st-{}\">{} {c}</span>",
                    st.as_str(),
                    stance_label(st)
                )?;
            }
        }
        if !any {
            s.push_str(" <span class=\"none\">no analysed documents</span>");
        }
        s.push_str("</div>\n");
    }
    s.push_str("</div>\n</header>\n<main>\n");
    write_overview(s, r)?;
    for (i, d) in r.documents.iter().enumerate() {
        write_document(s, i, d)?;
    }
    s.push_str("</main>\n<footer>");
    write!(
        s,
        "Generated by {} {}. Stances, reasons and criteria are policyscan's reading of each document's own text; \
         quotes are the document's words with their page and line.",
        escape(&r.tool.name),
        escape(&r.tool.version)
    )?;
    s.push_str("</footer>\n</body>\n</html>\n");
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn badge(s: &mut String, stance: Stance) -> fmt::Result {
    write!(
        s,
        "<span class=\"badge st-{}\">{}</span>",
        stance.as_str(),
        stance_label(stance)
    )
}

fn write_overview(s: &mut String, r: &Report) -> fmt::Result {
    s.push_str("<section class=\"card\">\n<h2>Summary</h2>\n");
    if r.documents.is_empty() {
        s.push_str("<p class=\"none\">No documents.</p>\n</section>\n");
        return Ok(());
    }
    s.push_str(
        "<div class=\"scroll\"><table class=\"overview\">\n<thead><tr><th>Document</th><th>Payer</th><th>Policy</th>\
         <th>Effective</th><th>Ketamine</th><th>Esketamine</th><th>Parity</th></tr></thead>\n<tbody>\n",
    );
    for (i, d) in r.documents.iter().enumerate() {
        write!(
            s,
            "<tr><td class=\"doc\"><a href=\"#{}\">{}</a>",
            anchor(i),
            breakable(file_name(&d.path))
        )?;
        if let Some(t) = &d.metadata.title {
            write!(s, "<div class=\"sub\">{}</div>", escape(t))?;
        }
        s.push_str("</td>");
        for (v, class) in [
            (&d.metadata.payer, ""),
            (&d.metadata.policy_number, " class=\"nowrap\""),
            (&d.metadata.effective_date, " class=\"nowrap\""),
        ] {
            match v {
                Some(v) => write!(s, "<td{class}>{}</td>", escape(v))?,
                None => s.push_str("<td class=\"none\">—</td>"),
            }
        }
        if d.status != Status::Ok {
            writeln!(
                s,
                "<td colspan=\"3\"><span class=\"badge st-failed\">{}</span> <span class=\"sub\">{}</span></td></tr>",
                escape(d.status.as_str()),
                escape(d.error.as_deref().unwrap_or(""))
            )?;
            continue;
        }
        for topic in Topic::drugs() {
            s.push_str("<td>");
            if let Some(t) = d.topics.drug(topic) {
                badge(s, t.stance)?;
            }
            s.push_str("</td>");
        }
        let p = &d.topics.mental_health_parity;
        let asym = p.limitations.iter().filter(|l| l.asymmetric).count();
        s.push_str("<td>");
        if p.mentioned {
            s.push_str("<span class=\"badge st-yes\">mentioned</span>");
        } else if asym == 0 {
            s.push_str("<span class=\"none\">—</span>");
        }
        if asym > 0 {
            write!(
                s,
                "<div class=\"sub\">{asym} limitation{} stated only or more strictly for MH/SUD</div>",
                plural(asym)
            )?;
        }
        s.push_str("</td></tr>\n");
    }
    s.push_str("</tbody>\n</table></div>\n</section>\n");
    Ok(())
}

fn write_document(s: &mut String, i: usize, d: &Document) -> fmt::Result {
    writeln!(s, "<section class=\"card doc\" id=\"{}\">", anchor(i))?;
    let heading = d
        .metadata
        .title
        .as_deref()
        .unwrap_or_else(|| file_name(&d.path));
    writeln!(
        s,
        "<div class=\"doc-head\"><div><h2>{}</h2><div class=\"path mono\">{}</div></div>\
         <a class=\"back\" href=\"#top\">↑ summary</a></div>",
        escape(heading),
        escape(&d.path)
    )?;
    s.push_str("<dl class=\"meta\">");
    let pages = d.pages.to_string();
    let fields: [(&str, Option<&str>); 7] = [
        ("Payer", d.metadata.payer.as_deref()),
        ("Policy number", d.metadata.policy_number.as_deref()),
        ("Effective date", d.metadata.effective_date.as_deref()),
        ("Last reviewed", d.metadata.last_reviewed.as_deref()),
        ("Pages", Some(&pages)),
        ("Extractor", d.extractor.as_deref()),
        ("Status", Some(d.status.as_str())),
    ];
    for (k, v) in fields {
        match v {
            Some(v) => write!(s, "<div><dt>{k}</dt><dd>{}</dd></div>", escape(v))?,
            None => write!(
                s,
                "<div><dt>{k}</dt><dd class=\"none\">not stated</dd></div>"
            )?,
        }
    }
    if !d.sha256.is_empty() {
        write!(
            s,
            "<div style=\"grid-column:1/-1\"><dt>SHA-256</dt><dd class=\"mono\">{}</dd></div>",
            escape(&d.sha256)
        )?;
    }
    s.push_str("</dl>\n");
    if d.status != Status::Ok {
        writeln!(
            s,
            "<div class=\"alert\"><strong>Not analysed: {}.</strong> {}</div>",
            escape(d.status.as_str()),
            escape(d.error.as_deref().unwrap_or(""))
        )?;
    }
    if !d.warnings.is_empty() {
        s.push_str("<div class=\"warn\"><strong>Warnings</strong><ul>");
        for w in &d.warnings {
            write!(s, "<li>{}</li>", escape(w))?;
        }
        s.push_str("</ul></div>\n");
    }
    if d.status == Status::Ok {
        s.push_str("<div class=\"topics\">\n");
        for topic in Topic::drugs() {
            if let Some(t) = d.topics.drug(topic) {
                write_topic(s, topic, t)?;
            }
        }
        s.push_str("</div>\n");
        write_parity(s, &d.topics.mental_health_parity)?;
        write_codes(s, d)?;
    }
    s.push_str("</section>\n");
    Ok(())
}

fn write_topic(s: &mut String, topic: Topic, t: &TopicResult) -> fmt::Result {
    write!(
        s,
        "<article class=\"topic\"><h3><span>{}</span>",
        escape(topic_label(topic))
    )?;
    badge(s, t.stance)?;
    s.push_str("</h3>\n");
    if !t.reasons.is_empty() {
        s.push_str("<div class=\"row\"><span class=\"k\">Reasons:</span>");
        for r in &t.reasons {
            write!(s, "<span class=\"chip\">{}</span>", reason_label(*r))?;
        }
        s.push_str("</div>\n");
    }
    if !t.criteria.is_empty() {
        s.push_str("<div class=\"row\"><span class=\"k\">Criteria:</span>");
        for c in &t.criteria {
            write!(s, "<span class=\"chip\">{}</span>", criterion_label(*c))?;
        }
        s.push_str("</div>\n");
    }
    let ev = distinct_evidence(&t.evidence);
    if ev.is_empty() {
        s.push_str("<div class=\"row none\">No coverage statement found.</div>\n");
    } else {
        let shown = if ev.len() > SHOWN_QUOTES + 1 {
            SHOWN_QUOTES
        } else {
            ev.len()
        };
        write_evidence(s, &ev[..shown])?;
        if shown < ev.len() {
            write!(
                s,
                "<details><summary>{} more quote{}</summary>",
                ev.len() - shown,
                plural(ev.len() - shown)
            )?;
            write_evidence(s, &ev[shown..])?;
            s.push_str("</details>\n");
        }
    }
    s.push_str("</article>\n");
    Ok(())
}

/// Quotes shown per topic before the rest fold away under "N more".
const SHOWN_QUOTES: usize = 4;

fn write_evidence(s: &mut String, ev: &[&Finding]) -> fmt::Result {
    s.push_str("<ol class=\"evidence\">\n");
    for f in ev {
        s.push_str("<li>");
        write_quote(s, f)?;
        writeln!(
            s,
            "<div class=\"cite\">p. {}, line {} · {} · <span class=\"mono\">{}</span></div></li>",
            f.page,
            f.line,
            escape(&words(&f.section)),
            escape(&f.rule)
        )?;
    }
    s.push_str("</ol>\n");
    Ok(())
}

/// The sentence as a blockquote, the matched words marked.
fn write_quote(s: &mut String, f: &Finding) -> fmt::Result {
    let q = quote(f);
    let needle = super::human::one_line(&f.text);
    s.push_str("<blockquote>");
    match (!needle.is_empty()).then(|| q.find(&needle)).flatten() {
        Some(at) => write!(
            s,
            "{}<mark>{}</mark>{}",
            escape(&q[..at]),
            escape(&needle),
            escape(&q[at + needle.len()..])
        )?,
        None => write!(s, "{}", escape(&q))?,
    }
    s.push_str("</blockquote>");
    Ok(())
}

fn write_side(s: &mut String, f: Option<&Finding>) -> fmt::Result {
    match f {
        Some(f) => write!(
            s,
            "<td class=\"side\">{}<span class=\"where\">p. {}, line {}</span></td>",
            escape(&quote(f)),
            f.page,
            f.line
        ),
        None => {
            s.push_str("<td class=\"side none\">not stated</td>");
            Ok(())
        }
    }
}

fn write_parity(s: &mut String, p: &ParityResult) -> fmt::Result {
    s.push_str("<section class=\"block\"><h3>Mental-health parity ");
    if p.mentioned {
        s.push_str("<span class=\"badge st-yes\">mentioned</span>");
    } else {
        s.push_str("<span class=\"badge st-no\">not mentioned</span>");
    }
    s.push_str("</h3>\n");
    let ev = distinct_evidence(&p.evidence);
    if !ev.is_empty() {
        s.push_str("<ol class=\"evidence\">\n");
        for f in ev {
            s.push_str("<li>");
            write_quote(s, f)?;
            writeln!(
                s,
                "<div class=\"cite\">p. {}, line {}</div></li>",
                f.page, f.line
            )?;
        }
        s.push_str("</ol>\n");
    }
    if p.limitations.is_empty() {
        s.push_str("<p class=\"none\">No treatment limitations compared.</p>\n");
    } else {
        s.push_str(
            "<table class=\"lim\" style=\"margin-top:10px\">\n<thead><tr><th>Limitation</th>\
             <th>MH/SUD benefits</th><th>Medical/surgical benefits</th><th>Note</th></tr></thead>\n<tbody>\n",
        );
        for l in ordered_limitations(&p.limitations) {
            write!(
                s,
                "<tr{}><td><strong>{}</strong><span class=\"where\">{}</span></td>",
                if l.asymmetric { " class=\"asym\"" } else { "" },
                escape(&words(&l.kind)),
                escape(&words(&l.class))
            )?;
            write_side(s, l.mh_sud.as_ref())?;
            write_side(s, l.med_surg.as_ref())?;
            writeln!(s, "<td>{}</td></tr>", escape(&l.note))?;
        }
        s.push_str("</tbody>\n</table>\n");
    }
    s.push_str("</section>\n");
    Ok(())
}

fn write_codes(s: &mut String, d: &Document) -> fmt::Result {
    s.push_str("<section class=\"block\"><h3>Codes</h3>\n");
    if d.codes.is_empty() {
        s.push_str("<p class=\"none\">No billing or diagnosis codes stated.</p></section>\n");
        return Ok(());
    }
    s.push_str("<div>");
    for c in &d.codes {
        write!(
            s,
            "<span class=\"chip\" title=\"p. {}, line {}\"><span class=\"mono\">{}</span> {} · p. {}</span>",
            c.page,
            c.line,
            escape(&c.code),
            escape(&c.system),
            c.page
        )?;
    }
    s.push_str("</div></section>\n");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>").to_string(),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(escape("plain é").to_string(), "plain é");
        assert_eq!(breakable("a_<b>.pdf"), "a_<wbr>&lt;b&gt;.<wbr>pdf");
    }

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(render(&super::super::sample::report()));
    }

    #[test]
    fn sample_has_no_markup_from_documents() {
        let html = render(&super::super::sample::report());
        assert!(!html.to_ascii_lowercase().contains("<script"));
        assert!(!html.contains("<img"));
        assert!(html.contains("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;"));
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    }
}
