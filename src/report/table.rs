//! `--format table` (the default when stdout is a terminal): a compact
//! table of the run for a person at a terminal: document, payer, the two
//! stances, key criteria or reasons, and failures, then totals.
//!
//! Owns: column layout within the terminal width, truncation, and colors
//! (only when stdout is a color terminal; `NO_COLOR`, `CLICOLOR=0` and
//! pipes turn them off, through `console`). Must not: decide anything
//! about documents, or be what scripts read (they get JSON).

use std::io::{self, Write};

use console::{Style, measure_text_width, pad_str, truncate_str};

use crate::model::{Criterion, Document, Reason, Report, Stance, Status, Topic};

use super::human::file_name;

/// How to draw the table.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Use ANSI colors.
    pub color: bool,
    /// Total width available, in columns.
    pub width: usize,
}

impl Options {
    /// Colors and width of the terminal on stdout (120 columns when the
    /// width is unknown).
    pub fn for_stdout() -> Options {
        let term = console::Term::stdout();
        Options {
            color: console::colors_enabled(),
            width: term
                .size_checked()
                .map_or(120, |(_, w)| usize::from(w))
                .max(60),
        }
    }
}

fn short_stance(s: Stance) -> &'static str {
    match s {
        Stance::Covered => "covered",
        Stance::CoveredWithCriteria => "with criteria",
        Stance::NotCovered => "not covered",
        Stance::Mixed => "mixed",
        Stance::NotAddressed => "—",
    }
}

fn stance_style(s: Stance) -> Style {
    match s {
        Stance::Covered => Style::new().green().bold(),
        Stance::CoveredWithCriteria => Style::new().cyan().bold(),
        Stance::NotCovered => Style::new().red().bold(),
        Stance::Mixed => Style::new().yellow().bold(),
        Stance::NotAddressed => Style::new().dim(),
    }
}

fn short_criterion(c: Criterion) -> &'static str {
    match c {
        Criterion::PriorAuthorization => "PA",
        Criterion::DiagnosisTrd => "TRD",
        Criterion::DiagnosisMddSuicidal => "MDD+SI",
        Criterion::TrialOfAntidepressants => "failed trials",
        Criterion::RemsCertifiedSetting => "REMS",
        Criterion::AgeLimit => "age",
        Criterion::ConcurrentOralAntidepressant => "+oral AD",
        Criterion::PrescriberSpecialty => "specialist",
        Criterion::QuantityLimit => "qty limit",
        Criterion::Reauthorization => "reauth",
        Criterion::Other => "other",
    }
}

fn short_reason(r: Reason) -> &'static str {
    match r {
        Reason::ExperimentalInvestigational => "experimental",
        Reason::OffLabel => "off-label",
        Reason::NotMedicallyNecessary => "not med. necessary",
        Reason::PlanExclusion => "excluded",
        Reason::Unproven => "unproven",
    }
}

/// The "key criteria / reasons" cell: per drug topic with criteria or
/// reasons, `K: PA, TRD; E: experimental` (an added topic by its id).
fn key_criteria(d: &Document) -> String {
    let mut parts = Vec::new();
    for (&topic, t) in &d.topics.drugs {
        // The built-in topics by their initial, an added one by its id.
        let letter = match topic {
            Topic::KETAMINE => "K".to_string(),
            Topic::ESKETAMINE => "E".to_string(),
            other => other.as_str().to_uppercase(),
        };
        let mut items: Vec<&str> = t.criteria.iter().map(|c| short_criterion(*c)).collect();
        items.extend(t.reasons.iter().map(|r| short_reason(*r)));
        if !items.is_empty() {
            parts.push(format!("{letter}: {}", items.join(", ")));
        }
    }
    parts.join("; ")
}

/// The "failures" cell: the status of a document that could not be
/// analysed (its reason is listed under the table) and warnings.
fn failures(d: &Document) -> String {
    let mut s = String::new();
    if d.status != Status::Ok {
        s.push_str(d.status.as_str());
    }
    if !d.warnings.is_empty() {
        if !s.is_empty() {
            s.push_str("; ");
        }
        let n = d.warnings.len();
        s.push_str(&format!("{n} warning{}", if n == 1 { "" } else { "s" }));
    }
    s
}

struct Cell {
    text: String,
    style: Style,
}

fn cell(text: impl Into<String>) -> Cell {
    Cell {
        text: super::human::one_line(&text.into()),
        style: Style::new(),
    }
}

/// Column widths that fit `width`: each column gets its natural width up
/// to a cap; when they do not fit, the columns in `order` shrink to their
/// `soft` width one after the other, then the widest shrinks to its `min`.
fn layout(natural: &[usize], soft: &[usize], min: &[usize], width: usize) -> Vec<usize> {
    let gaps = 2 * (natural.len().saturating_sub(1));
    let mut w: Vec<usize> = natural.to_vec();
    let total = |w: &[usize]| w.iter().sum::<usize>() + gaps;
    // Payer, then document, then criteria give way first.
    for i in [1, 0, 4] {
        let over = total(&w).saturating_sub(width);
        let can = w[i].saturating_sub(soft[i].max(min[i]));
        w[i] -= over.min(can);
    }
    while total(&w) > width {
        let Some((i, _)) = w
            .iter()
            .enumerate()
            .filter(|(i, x)| **x > min[*i])
            .max_by_key(|(i, x)| (**x - min[*i], usize::MAX - *i))
        else {
            break;
        };
        w[i] -= 1;
    }
    w
}

/// `text` cut to `width` columns by replacing its middle with "…".
fn truncate_middle(text: &str, width: usize) -> String {
    if measure_text_width(text) <= width || width < 5 {
        return truncate_str(text, width, "…").into_owned();
    }
    let chars: Vec<char> = text.chars().collect();
    let keep = width - 1;
    let tail = keep / 2;
    let mut head = keep - tail;
    loop {
        let s: String = chars[..head]
            .iter()
            .chain(std::iter::once(&'…'))
            .chain(&chars[chars.len() - tail..])
            .collect();
        if measure_text_width(&s) <= width || head == 0 {
            return s;
        }
        head -= 1;
    }
}

/// Renders the table (with a totals line and a hint), `opts.color`
/// deciding whether ANSI colors are used.
pub fn render(report: &Report, opts: Options) -> String {
    let topic_heads: Vec<String> = Topic::drugs()
        .into_iter()
        .map(|t| t.as_str().to_uppercase())
        .collect();
    let header: Vec<&str> = ["DOCUMENT", "PAYER"]
        .into_iter()
        .chain(topic_heads.iter().map(String::as_str))
        .chain(["KEY CRITERIA / REASONS", "FAILURES"])
        .collect();
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    for d in &report.documents {
        let mut row = vec![
            cell(file_name(&d.path)),
            cell(d.metadata.payer.clone().unwrap_or_else(|| "—".into())),
        ];
        for topic in Topic::drugs() {
            let t = d.topics.drug(topic);
            row.push(match (d.status, t) {
                (Status::Ok, Some(t)) => Cell {
                    text: short_stance(t.stance).to_string(),
                    style: stance_style(t.stance),
                },
                _ => cell(""),
            });
        }
        row.push(cell(key_criteria(d)));
        let f = failures(d);
        let fail_style = if d.status != Status::Ok {
            Style::new().red()
        } else {
            Style::new().yellow()
        };
        row.push(Cell {
            text: super::human::one_line(&f),
            style: fail_style,
        });
        rows.push(row);
    }
    let natural: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|r| measure_text_width(&r[c].text))
                .chain([header[c].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let caps = [40, 32, 13, 13, 56, 24];
    let natural: Vec<usize> = natural.iter().zip(caps).map(|(n, c)| (*n).min(c)).collect();
    let soft = [24, 18, 13, 13, 30, 10];
    let min = [12, 8, 13, 13, 12, 8];
    let min: Vec<usize> = min
        .iter()
        .zip(&natural)
        .map(|(m, n)| (*m).min(*n))
        .collect();
    let widths = layout(&natural, &soft, &min, opts.width);

    let mut out = String::new();
    let paint = |s: &str, style: &Style| -> String {
        if opts.color && !s.is_empty() {
            style.apply_to(s).force_styling(true).to_string()
        } else {
            s.to_string()
        }
    };
    let last = header.len() - 1;
    let mut line = String::new();
    for (c, h) in header.iter().enumerate() {
        let h = truncate_str(h, widths[c], "…");
        let text = pad_str(
            &h,
            if c == last { 0 } else { widths[c] },
            console::Alignment::Left,
            None,
        );
        line.push_str(&paint(&text, &Style::new().bold().underlined()));
        if c != last {
            line.push_str("  ");
        }
    }
    out.push_str(line.trim_end());
    out.push('\n');
    for row in &rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            // File names keep their end (versions and years live there).
            let t = if c == 0 {
                std::borrow::Cow::Owned(truncate_middle(&cell.text, widths[c]))
            } else {
                truncate_str(&cell.text, widths[c], "…")
            };
            let padded = if c == last {
                t.to_string()
            } else {
                pad_str(&t, widths[c], console::Alignment::Left, None).into_owned()
            };
            // Pad first, then paint only the text, so colors never shift columns.
            let (text, pad) = padded.split_at(t.len());
            line.push_str(&paint(text, &cell.style));
            line.push_str(pad);
            if c != last {
                line.push_str("  ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let failed: Vec<&Document> = report
        .documents
        .iter()
        .filter(|d| d.status != Status::Ok)
        .collect();
    if !failed.is_empty() {
        out.push('\n');
        for d in failed {
            let line = format!(
                "{}: {}: {}",
                d.path,
                d.status.as_str(),
                d.error.as_deref().unwrap_or("")
            );
            out.push_str(&paint(&super::human::one_line(&line), &Style::new().red()));
            out.push('\n');
        }
    }
    out.push('\n');
    out.push_str(&totals(report, &paint));
    out
}

fn totals(report: &Report, paint: &dyn Fn(&str, &Style) -> String) -> String {
    let sm = &report.summary;
    let mut s = format!(
        "{} document{}, {} analysed",
        sm.documents,
        if sm.documents == 1 { "" } else { "s" },
        sm.ok
    );
    if sm.failed > 0 {
        s.push_str(", ");
        s.push_str(&paint(
            &format!("{} failed", sm.failed),
            &Style::new().red(),
        ));
    }
    s.push('\n');
    for topic in Topic::drugs() {
        let per = sm.stances.get(topic.as_str());
        let counts: Vec<String> = Stance::ALL
            .iter()
            .filter_map(|st| {
                let n = per.and_then(|p| p.get(st.as_str())).copied().unwrap_or(0);
                (n > 0).then(|| {
                    let label = match st {
                        Stance::NotAddressed => "not addressed",
                        other => short_stance(*other),
                    };
                    format!("{n} {}", paint(label, &stance_style(*st)))
                })
            })
            .collect();
        if !counts.is_empty() {
            s.push_str(&format!(
                "{:<11} {}\n",
                format!("{}:", topic.as_str()),
                counts.join(", ")
            ));
        }
    }
    s.push_str(&paint(
        "evidence and page citations: --format html | markdown | json; why a stance: policyscan explain FILE --topic ketamine\n",
        &Style::new().dim(),
    ));
    s
}

/// Writes the table for stdout (terminal colors and width).
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(render(report, Options::for_stdout()).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_plain() {
        let r = super::super::sample::report();
        insta::assert_snapshot!(render(
            &r,
            Options {
                color: false,
                width: 120
            }
        ));
    }

    #[test]
    fn file_names_keep_their_end() {
        assert_eq!(truncate_middle("policy_v2024.pdf", 40), "policy_v2024.pdf");
        assert_eq!(
            truncate_middle("05_lakeshore_policy_v2024.pdf", 15),
            "05_lake…024.pdf"
        );
        assert_eq!(
            measure_text_width(&truncate_middle("a".repeat(50).as_str(), 12)),
            12
        );
    }

    #[test]
    fn narrow_terminal_truncates_and_fits() {
        let r = super::super::sample::report();
        let text = render(
            &r,
            Options {
                color: false,
                width: 80,
            },
        );
        for line in text.lines().take(1 + r.documents.len()) {
            assert!(measure_text_width(line) <= 80, "{line}");
        }
        assert!(text.contains('…'));
    }

    #[test]
    fn colors_do_not_change_the_text() {
        let r = super::super::sample::report();
        let opts = Options {
            color: true,
            width: 120,
        };
        let colored = render(&r, opts);
        assert!(colored.contains("\u{1b}["));
        let plain = render(
            &r,
            Options {
                color: false,
                ..opts
            },
        );
        assert_eq!(console::strip_ansi_codes(&colored), plain);
    }
}
