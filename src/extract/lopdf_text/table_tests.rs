//! Tables found in PDFs built here with lopdf: ruled, banded by shading,
//! unruled (stream), continued on the next page, and running text that
//! must stay text.

use std::fmt::Write as _;

use lopdf::{Document, Object, Stream, dictionary};

use super::tables::{Kind, Table};
use super::*;

/// A PDF with one page per content stream, Helvetica as /F1.
fn pdf_pages(contents: &[String]) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let resources_id = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
    let mut kids: Vec<Object> = Vec::new();
    for c in contents {
        let content_id = doc.add_object(Stream::new(dictionary! {}, c.as_bytes().to_vec()));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
            "Resources" => resources_id,
            "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        });
        kids.push(page_id.into());
    }
    crate::extract::finish_test_pdf(doc, pages_id, kids)
}

fn extract(contents: &[String]) -> Detailed {
    LopdfText::default()
        .extract_detailed(&pdf_pages(contents), &ExtractOptions::default())
        .expect("extracts")
}

/// Draws `text` at (x, y) in 10-point Helvetica.
fn show(c: &mut String, x: f32, y: f32, text: &str) {
    let _ = writeln!(c, "BT /F1 10 Tf {x} {y} Td ({text}) Tj ET");
}

/// Column left edges of the test tables.
const COLS: [f32; 4] = [72.0, 200.0, 330.0, 540.0];

/// Rows of cells, each cell a list of lines; row `r` starts at
/// `top - r * height`, lines 12 points apart.
fn cells(c: &mut String, rows: &[&[&[&str]]], top: f32, height: f32) {
    for (r, row) in rows.iter().enumerate() {
        for (k, cell) in row.iter().enumerate() {
            for (l, line) in cell.iter().enumerate() {
                let y = top - r as f32 * height - 14.0 - 12.0 * l as f32;
                show(c, COLS[k] + 4.0, y, line);
            }
        }
    }
}

/// Rulings around and between the rows and columns.
fn grid(c: &mut String, nrows: usize, top: f32, height: f32) {
    let bottom = top - nrows as f32 * height;
    for r in 0..=nrows {
        let y = top - r as f32 * height;
        let _ = writeln!(c, "{} {y} m {} {y} l S", COLS[0], COLS[3]);
    }
    for x in COLS {
        let _ = writeln!(c, "{x} {top} m {x} {bottom} l S");
    }
}

const HEADER: &[&[&str]] = &[&["Drug"], &["Code"], &["Coverage"]];
const BODY: &[&[&[&str]]] = &[
    &[
        &["Ketamine infusion"],
        &["96365"],
        &["Not covered,", "investigational"],
    ],
    &[&["Esketamine"], &["S0013"], &["Prior authorization"]],
    &[&["Electroconvulsive"], &["90870"], &["Covered"]],
];

fn strings(t: &Table) -> Vec<Vec<&str>> {
    t.rows
        .iter()
        .map(|r| r.iter().map(String::as_str).collect())
        .collect()
}

fn expected_body() -> Vec<Vec<&'static str>> {
    vec![
        vec!["Ketamine infusion", "96365", "Not covered, investigational"],
        vec!["Esketamine", "S0013", "Prior authorization"],
        vec!["Electroconvulsive", "90870", "Covered"],
    ]
}

fn with_header(body: Vec<Vec<&'static str>>) -> Vec<Vec<&'static str>> {
    let mut rows = vec![vec!["Drug", "Code", "Coverage"]];
    rows.extend(body);
    rows
}

fn ruled_page(rows: &[&[&[&str]]]) -> String {
    let mut c = String::from("0.5 w\n");
    grid(&mut c, rows.len(), 700.0, 30.0);
    cells(&mut c, rows, 700.0, 30.0);
    c
}

#[test]
fn ruled_table_rows_and_cells() {
    let rows: Vec<&[&[&str]]> = std::iter::once(HEADER)
        .chain(BODY.iter().copied())
        .collect();
    let d = extract(&[format!("{}\n", ruled_page(&rows))]);
    assert_eq!(d.tables.len(), 1, "{:?}", d.tables);
    let t = &d.tables[0];
    assert_eq!(t.kind, Kind::Ruled);
    assert!(t.header);
    assert!(!t.continues);
    assert_eq!(strings(t), with_header(expected_body()));
    assert_eq!(
        d.extracted.pages[0],
        "Drug | Code | Coverage\n\
         Ketamine infusion | 96365 | Not covered, investigational\n\
         Esketamine | S0013 | Prior authorization\n\
         Electroconvulsive | 90870 | Covered\n"
    );
}

#[test]
fn missing_vertical_ruling_makes_a_cell_span() {
    let mut c = String::from("0.5 w\n");
    // Three rows; the middle row has no ruling between columns 2 and 3.
    let (top, h) = (700.0f32, 30.0f32);
    for r in 0..=3 {
        let y = top - r as f32 * h;
        let _ = writeln!(c, "{} {y} m {} {y} l S", COLS[0], COLS[3]);
    }
    for (k, x) in COLS.iter().enumerate() {
        if k == 2 {
            let _ = writeln!(c, "{x} {top} m {x} {} l S", top - h);
            let _ = writeln!(c, "{x} {} m {x} {} l S", top - 2.0 * h, top - 3.0 * h);
        } else {
            let _ = writeln!(c, "{x} {top} m {x} {} l S", top - 3.0 * h);
        }
    }
    cells(
        &mut c,
        &[
            &[&["Ketamine"], &["96365"], &["Not covered"]],
            &[
                &["Esketamine"],
                &["Covered with prior authorization and REMS"],
            ],
            &[&["Electroconvulsive"], &["90870"], &["Covered"]],
        ],
        top,
        h,
    );
    let d = extract(&[c]);
    assert_eq!(d.tables.len(), 1, "{:?}", d.tables);
    assert_eq!(
        strings(&d.tables[0])[1],
        vec![
            "Esketamine",
            "Covered with prior authorization and REMS",
            ""
        ]
    );
    assert!(
        d.extracted.pages[0].contains("\nEsketamine | Covered with prior authorization and REMS\n"),
        "{}",
        d.extracted.pages[0]
    );
}

#[test]
fn shaded_rows_without_rulings() {
    let rows: Vec<&[&[&str]]> = std::iter::once(HEADER)
        .chain(BODY.iter().copied())
        .collect();
    let mut c = String::new();
    // White page background, then grey bands behind the header and the
    // second body row; no lines at all.
    c.push_str("1 g 0 0 612 792 re f\n");
    for r in [0usize, 2] {
        let y = 700.0 - (r + 1) as f32 * 30.0;
        let _ = writeln!(c, "0.85 g {} {y} {} 30 re f", COLS[0], COLS[3] - COLS[0]);
    }
    c.push_str("0 g\n");
    cells(&mut c, &rows, 700.0, 30.0);
    let d = extract(&[c]);
    assert_eq!(d.tables.len(), 1, "{:?}", d.tables);
    let t = &d.tables[0];
    assert_eq!(t.kind, Kind::Banded);
    assert!(t.header);
    assert_eq!(strings(t), with_header(expected_body()));
}

#[test]
fn unruled_table_from_shared_gutters() {
    let mut c = String::new();
    let rows: &[[&str; 3]] = &[
        ["Drug", "Code", "Coverage"],
        ["Ketamine", "96365", "Not covered"],
        ["Esketamine", "S0013", "Prior authorization"],
        ["Electroconvulsive", "90870", "Covered"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (k, cell) in row.iter().enumerate() {
            show(&mut c, COLS[k], 700.0 - 14.0 * r as f32, cell);
        }
    }
    show(&mut c, 72.0, 600.0, "Codes are billed once per session.");
    let d = extract(&[c]);
    assert_eq!(d.tables.len(), 1, "{:?}", d.tables);
    let t = &d.tables[0];
    assert_eq!(t.kind, Kind::Stream);
    assert_eq!(
        strings(t),
        rows.iter().map(|r| r.to_vec()).collect::<Vec<_>>()
    );
    assert_eq!(
        d.extracted.pages[0],
        "Drug | Code | Coverage\n\
         Ketamine | 96365 | Not covered\n\
         Esketamine | S0013 | Prior authorization\n\
         Electroconvulsive | 90870 | Covered\n\
         \n\
         Codes are billed once per session.\n"
    );
}

#[test]
fn header_repeated_on_the_next_page() {
    let first: Vec<&[&[&str]]> = vec![HEADER, BODY[0], BODY[1]];
    let second: Vec<&[&[&str]]> = vec![HEADER, BODY[2]];
    let third: Vec<&[&[&str]]> = vec![BODY[0], BODY[2]];
    let d = extract(&[ruled_page(&first), ruled_page(&second), ruled_page(&third)]);
    assert_eq!(d.tables.len(), 3, "{:?}", d.tables);
    let pages: Vec<(usize, bool, bool)> = d
        .tables
        .iter()
        .map(|t| (t.page, t.header, t.continues))
        .collect();
    // Page 2 repeats the header; page 3 goes on without one.
    assert_eq!(
        pages,
        vec![(1, true, false), (2, true, true), (3, false, true)]
    );
    let body = expected_body();
    assert_eq!(
        strings(&d.tables[1]),
        vec![vec!["Drug", "Code", "Coverage"], body[2].clone()]
    );
    assert_eq!(
        strings(&d.tables[2]),
        vec![body[0].clone(), body[2].clone()]
    );
}

#[test]
fn running_text_is_not_a_table() {
    let mut c = String::new();
    // A framed paragraph, a two-column page body and a hanging-indent
    // list: none of them is a table.
    let _ = writeln!(c, "0.5 w 60 640 492 80 re S");
    let para = [
        "Ketamine infusions are considered investigational for the",
        "treatment of depression because the evidence in the published",
        "literature is insufficient to show improved health outcomes.",
        "Esketamine nasal spray is covered with prior authorization.",
    ];
    for (l, line) in para.iter().enumerate() {
        show(&mut c, 72.0, 705.0 - 14.0 * l as f32, line);
    }
    for l in 0..8 {
        let y = 600.0 - 14.0 * l as f32;
        show(
            &mut c,
            72.0,
            y,
            "the plan covers services that are medically",
        );
        show(
            &mut c,
            320.0,
            y,
            "necessary when the member meets the criteria",
        );
    }
    for (l, (n, line)) in [
        ("1.", "The member is 18 years of age or older and"),
        ("", "has a diagnosis of treatment-resistant depression."),
        ("2.", "The member has tried two antidepressants of"),
        ("", "different classes at adequate doses."),
        ("3.", "The drug is given in a certified setting."),
    ]
    .iter()
    .enumerate()
    {
        let y = 440.0 - 14.0 * l as f32;
        if !n.is_empty() {
            show(&mut c, 72.0, y, n);
        }
        show(&mut c, 96.0, y, line);
    }
    let d = extract(&[c]);
    assert!(d.tables.is_empty(), "{:?}", d.tables);
    assert!(!d.extracted.pages[0].contains(" | "));
}

#[test]
fn cell_lines_join_hyphenated_words() {
    let rows: Vec<&[&[&str]]> = vec![
        HEADER,
        &[&["Esketamine"], &["S0013"], &["Prior author-", "ization"]],
        &[
            &["Ketamine"],
            &["96365"],
            &["For treatment-", "resistant depression"],
        ],
    ];
    let d = extract(&[ruled_page(&rows)]);
    assert_eq!(d.tables.len(), 1, "{:?}", d.tables);
    let cells: Vec<&str> = d.tables[0].rows.iter().map(|r| r[2].as_str()).collect();
    assert_eq!(
        cells,
        vec![
            "Coverage",
            "Prior authorization",
            "For treatment-resistant depression"
        ]
    );
}

#[test]
fn table_on_a_page_drawn_rotated() {
    let rows: Vec<&[&[&str]]> = std::iter::once(HEADER)
        .chain(BODY.iter().copied())
        .collect();
    // The whole page turned a quarter (landscape content on a portrait
    // page): text runs up the page and the rulings turn with it.
    let d = extract(&[format!("q 0 1 -1 0 792 0 cm\n{}Q\n", ruled_page(&rows))]);
    assert_eq!(d.tables.len(), 1, "{:?}", d.tables);
    assert_eq!(d.tables[0].kind, Kind::Ruled);
    assert_eq!(strings(&d.tables[0]), with_header(expected_body()));
    assert!(
        d.extracted.pages[0].contains("\nEsketamine | S0013 | Prior authorization\n"),
        "{}",
        d.extracted.pages[0]
    );
}

/// Draws a column list at `x`: entries 12 points apart, 16 before a
/// heading (marked '#'); an entry marked '>' is a wrapped line, indented.
fn list_column(c: &mut String, x: f32, entries: &[&str]) {
    let mut y = 700.0;
    for (k, e) in entries.iter().enumerate() {
        if k > 0 {
            y -= if e.starts_with('#') { 16.0 } else { 12.0 };
        }
        match (e.strip_prefix('>'), e.strip_prefix('#')) {
            (Some(rest), _) => show(c, x + 10.0, y, rest),
            (_, Some(rest)) => show(c, x, y, rest),
            _ => show(c, x, y, e),
        }
    }
}

#[test]
fn column_lists_read_a_column_at_a_time() {
    // Three lists side by side, each under headings of its own: the
    // headings shift each column's lines, so no line of one column keeps
    // to the lines of the next.
    let mut c = String::new();
    list_column(
        &mut c,
        72.0,
        &[
            "#ANALGESICS",
            "celecoxib",
            "ibuprofen",
            "naproxen",
            "#ANTIDEPRESSANTS",
            "bupropion",
            "esketamine nasal",
            ">spray",
            "sertraline",
            "TRINTELLIX",
            "venlafaxine",
        ],
    );
    list_column(
        &mut c,
        250.0,
        &[
            "lithium",
            "lamotrigine",
            "#ANTIPSYCHOTICS",
            "aripiprazole",
            "clozapine",
            "olanzapine",
            "#HYPNOTICS",
            "zolpidem",
            "ramelteon",
            "doxepin",
            "BELSOMRA",
        ],
    );
    list_column(
        &mut c,
        430.0,
        &[
            "amlodipine",
            "atenolol",
            "carvedilol",
            "digoxin",
            "nadolol",
            "#DIURETICS",
            "furosemide",
            "torsemide",
            "potassium chloride",
            ">liquid",
            "metolazone",
        ],
    );
    let d = extract(&[c]);
    assert!(d.tables.is_empty(), "{:?}", d.tables);
    assert_eq!(
        d.extracted.pages[0],
        "ANALGESICS\ncelecoxib\nibuprofen\nnaproxen\n\nANTIDEPRESSANTS\nbupropion\n\
         esketamine nasal spray\nsertraline\nTRINTELLIX\nvenlafaxine\n\n\
         lithium\nlamotrigine\n\nANTIPSYCHOTICS\naripiprazole\nclozapine\nolanzapine\n\n\
         HYPNOTICS\nzolpidem\nramelteon\ndoxepin\nBELSOMRA\n\n\
         amlodipine\natenolol\ncarvedilol\ndigoxin\nnadolol\n\nDIURETICS\nfurosemide\n\
         torsemide\npotassium chloride liquid\nmetolazone\n"
    );
}

#[test]
fn a_table_beside_a_table_reads_each_row_by_row() {
    // Two tables of two columns side by side whose rows do not line up
    // (the left one's cells wrap): each is a table of its own.
    let mut c = String::new();
    let left: &[(&str, &[&str])] = &[
        ("Drug", &["Preferred"]),
        ("Brand A", &["generic a, generic b,", "generic c"]),
        ("Brand B", &["generic d"]),
        (
            "Brand C",
            &["generic e, generic f,", "generic g, generic h"],
        ),
        ("Brand D", &["generic i"]),
        ("Brand E", &["generic j"]),
    ];
    let right: &[(&str, &[&str])] = &[
        ("Drug", &["Preferred"]),
        ("Brand F", &["generic k"]),
        ("Brand G", &["generic l"]),
        ("Brand H", &["generic m"]),
        ("Brand I", &["generic n"]),
        ("Brand J", &["generic o"]),
        ("Brand K", &["generic p"]),
    ];
    for (x, rows, pitch) in [(72.0, left, 13.0), (330.0, right, 17.0)] {
        let mut y = 700.0;
        for (label, lines) in rows {
            show(&mut c, x, y, label);
            for line in lines.iter() {
                show(&mut c, x + 110.0, y, line);
                y -= pitch;
            }
        }
    }
    let d = extract(&[c]);
    let got: Vec<Vec<Vec<&str>>> = d.tables.iter().map(strings).collect();
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(
        got[0][1],
        vec!["Brand A", "generic a, generic b, generic c"]
    );
    assert_eq!(got[1][1], vec!["Brand F", "generic k"]);
    assert!(d.tables.iter().all(|t| t.header), "{:?}", d.tables);
}

#[test]
fn cells_holding_paragraphs_keep_their_table() {
    // Each cell holds paragraphs with a little space between them, at
    // other places in each column, so the columns' lines drift; no column
    // has headings of its own, so this is still a table.
    let mut c = String::new();
    let columns: [&[&str]; 3] = [
        &[
            "Office visits:",
            "consultations",
            "second opinions",
            "",
            "home visits",
            "clinic visits",
            "",
            "Inpatient visits:",
            "during a stay",
        ],
        &[
            "Preferred: $30 per",
            "visit, no deductible",
            "",
            "Participating: 35%",
            "of the allowance",
            "after the deductible",
            "Preferred: 15% of the",
            "allowance",
        ],
        &[
            "Preferred: $35 per",
            "visit",
            "Participating: you",
            "pay all charges",
            "",
            "Note: a specialist",
            "costs $50 per visit",
            "Preferred: nothing",
        ],
    ];
    for (k, lines) in columns.iter().enumerate() {
        let mut y = 700.0;
        for line in lines.iter() {
            if line.is_empty() {
                y -= 4.0;
                continue;
            }
            show(&mut c, COLS[k], y, line);
            y -= 12.0;
        }
    }
    let d = extract(&[c]);
    assert_eq!(d.tables.len(), 1, "{:?}", d.tables);
    assert_eq!(d.tables[0].columns.len(), 4, "{:?}", d.tables);
}
