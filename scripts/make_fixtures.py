#!/usr/bin/env python3
"""Write policyscan's sample documents into fixtures/.

Every document is original prose about fictional payers, written for
policyscan's tests and for the first scan a new user runs
(`policyscan scan fixtures`). The PDFs are written by hand-rolled PDF syntax
(standard library only): one Helvetica Type1 base font with
WinAnsiEncoding, US Letter pages, text wrapped with Helvetica's metrics,
a running header and footer on multi-page documents, optional FlateDecode
content streams, and an xref table with exact byte offsets.

The output is deterministic (no clock, no randomness: the same bytes on
every run) and the script is idempotent (a file is rewritten only when its
bytes would change). fixtures/EXPECTED.json is written by hand and is never
touched here.

Usage:
    scripts/make_fixtures.py              write fixtures/ next to scripts/
    scripts/make_fixtures.py --out DIR    write somewhere else
    scripts/make_fixtures.py --check      exit 1 if fixtures/ is out of date
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import zlib

# ---------------------------------------------------------------------------
# Helvetica metrics (advance widths in 1/1000 em) for the WinAnsi characters
# the documents use. Text is wrapped with these so lines fit the page.

_WIDTHS = {
    " ": 278, "!": 278, '"': 355, "#": 556, "$": 556, "%": 889, "&": 667,
    "'": 191, "(": 333, ")": 333, "*": 389, "+": 584, ",": 278, "-": 333,
    ".": 278, "/": 278, ":": 278, ";": 278, "<": 584, "=": 584, ">": 584,
    "?": 556, "@": 1015, "[": 278, "\\": 278, "]": 278, "^": 469, "_": 556,
    "`": 333, "{": 334, "|": 260, "}": 334, "~": 584,
    "A": 667, "B": 667, "C": 722, "D": 722, "E": 667, "F": 611, "G": 778,
    "H": 722, "I": 278, "J": 500, "K": 667, "L": 556, "M": 833, "N": 722,
    "O": 778, "P": 667, "Q": 778, "R": 722, "S": 667, "T": 611, "U": 722,
    "V": 667, "W": 944, "X": 667, "Y": 667, "Z": 611,
    "a": 556, "b": 556, "c": 500, "d": 556, "e": 556, "f": 278, "g": 556,
    "h": 556, "i": 222, "j": 222, "k": 500, "l": 222, "m": 833, "n": 556,
    "o": 556, "p": 556, "q": 556, "r": 333, "s": 500, "t": 278, "u": 556,
    "v": 500, "w": 722, "x": 500, "y": 500, "z": 500,
    "\u2013": 556,  # en dash
    "\u2014": 1000,  # em dash
    "\u2022": 350,  # bullet
    "\u2019": 222,  # right single quote
    "\u00a7": 556,  # section sign
    "\u00b7": 278,  # middle dot
}
_WIDTHS.update({d: 556 for d in "0123456789"})

PAGE_W, PAGE_H = 612, 792
MARGIN_L, MARGIN_R = 72, 72
BODY_TOP, BODY_BOTTOM = 724, 72
HEADER_Y, FOOTER_Y = 756, 40
BODY_SIZE, BODY_LEAD = 10, 13


def width(text: str, size: float) -> float:
    """Width of `text` set in Helvetica at `size` points."""
    try:
        return sum(_WIDTHS[c] for c in text) * size / 1000.0
    except KeyError as e:
        raise SystemExit(f"make_fixtures: no Helvetica width for {e.args[0]!r}")


# Words split across lines by `wrap` (a document that asks for one checks it).
HYPHENATED: list[str] = []


def wrap(text: str, size: float, max_w: float) -> list[str]:
    """Greedy word wrap. A soft hyphen (U+00AD) marks where a word may be
    split across two lines; the split is taken only when the whole word
    does not fit, and the line then ends with a visible hyphen."""
    lines: list[str] = []
    cur = ""
    for word in text.split():
        glue = " " if cur else ""
        whole = word.replace("\u00ad", "")
        if not cur or width(cur + glue + whole, size) <= max_w:
            cur += glue + whole
            continue
        parts = word.split("\u00ad")
        split = None
        for k in range(len(parts) - 1, 0, -1):
            head = "".join(parts[:k]) + "-"
            if width(cur + glue + head, size) <= max_w:
                split = ("".join(parts[:k]), "".join(parts[k:]))
                break
        if split:
            HYPHENATED.append(split[0] + "-" + split[1])
            lines.append(cur + glue + split[0] + "-")
            cur = split[1]
        else:
            lines.append(cur)
            cur = whole
    if cur:
        lines.append(cur)
    return lines


def pdf_string(text: str) -> bytes:
    """A PDF literal string in WinAnsiEncoding (cp1252 is its superset)."""
    raw = text.encode("cp1252")
    out = bytearray(b"(")
    for b in raw:
        if b in (0x28, 0x29, 0x5C):  # ( ) backslash
            out += b"\\" + bytes([b])
        elif b < 0x20 or b > 0x7E:
            out += b"\\%03o" % b
        else:
            out.append(b)
    out += b")"
    return bytes(out)


# ---------------------------------------------------------------------------
# Layout: a document is a list of blocks, flowed onto pages.
#
#   ("title", text)            15 pt
#   ("meta", text)             9 pt line(s) under the title
#   ("h", text)                12 pt heading
#   ("p", text)                wrapped paragraph
#   ("li", text)               bullet item, hanging indent
#   ("table", [x...], rows)    rows of cells at column offsets; the last
#                              cell of a row wraps within its column
#   ("gap",)                   half a line of space
#   ("break",)                 new page


class Line:
    __slots__ = ("x", "size", "text")

    def __init__(self, x: float, size: float, text: str):
        self.x, self.size, self.text = x, size, text


def layout(blocks: list[tuple]) -> list[list[tuple[float, list[Line]]]]:
    """Returns pages; a page is a list of (y, [Line...]) rows."""
    pages: list[list[tuple[float, list[Line]]]] = [[]]
    y = BODY_TOP
    body_w = PAGE_W - MARGIN_L - MARGIN_R

    def emit(row: list[Line], lead: float) -> None:
        nonlocal y
        if y - lead < BODY_BOTTOM:
            pages.append([])
            y = BODY_TOP
        y -= lead
        pages[-1].append((y, row))

    def space(pts: float) -> None:
        nonlocal y
        if pages[-1]:
            y -= pts

    for block in blocks:
        kind = block[0]
        if kind == "title":
            for t in wrap(block[1], 15, body_w):
                emit([Line(MARGIN_L, 15, t)], 19)
            space(4)
        elif kind == "meta":
            for t in wrap(block[1], 9, body_w):
                emit([Line(MARGIN_L, 9, t)], 12)
        elif kind == "h":
            space(9)
            if y - 16 - 2 * BODY_LEAD < BODY_BOTTOM:  # keep a heading with its text
                pages.append([])
                y = BODY_TOP
            for t in wrap(block[1], 12, body_w):
                emit([Line(MARGIN_L, 12, t)], 16)
            space(2)
        elif kind == "p":
            for t in wrap(block[1], BODY_SIZE, body_w):
                emit([Line(MARGIN_L, BODY_SIZE, t)], BODY_LEAD)
            space(5)
        elif kind == "li":
            indent = 14
            for i, t in enumerate(wrap(block[1], BODY_SIZE, body_w - indent)):
                row = [Line(MARGIN_L + indent, BODY_SIZE, t)]
                if i == 0:
                    row.insert(0, Line(MARGIN_L + 4, BODY_SIZE, "\u2022"))
                emit(row, BODY_LEAD)
            space(2)
        elif kind == "table":
            cols, rows = block[1], block[2]
            for cells in rows:
                last_x = MARGIN_L + cols[len(cells) - 1]
                tail = wrap(cells[-1], 9, PAGE_W - MARGIN_R - last_x)
                first = [Line(MARGIN_L + cols[i], 9, c) for i, c in enumerate(cells[:-1])]
                emit(first + [Line(last_x, 9, tail[0])], 12)
                for t in tail[1:]:
                    emit([Line(last_x, 9, t)], 12)
                space(2)
            space(5)
        elif kind == "gap":
            space(BODY_LEAD / 2)
        elif kind == "break":
            pages.append([])
            y = BODY_TOP
        else:
            raise SystemExit(f"make_fixtures: unknown block {kind!r}")
    return [p for p in pages if p]


def content_stream(rows: list[tuple[float, list[Line]]], header, footer) -> bytes:
    """The page's drawing operators: one positioned text run per line."""
    out = [b"BT"]
    font = None

    def show(x: float, y: float, size: float, text: str) -> None:
        nonlocal font
        if font != size:
            out.append(b"/F1 %s Tf" % _num(size))
            font = size
        out.append(b"1 0 0 1 %s %s Tm %s Tj" % (_num(x), _num(y), pdf_string(text)))

    if header:
        left, right = header
        show(MARGIN_L, HEADER_Y, 8, left)
        show(PAGE_W - MARGIN_R - width(right, 8), HEADER_Y, 8, right)
    for y, line_row in rows:
        for ln in line_row:
            show(ln.x, y, ln.size, ln.text)
    if footer:
        left, right = footer
        show(MARGIN_L, FOOTER_Y, 8, left)
        show(PAGE_W - MARGIN_R - width(right, 8), FOOTER_Y, 8, right)
    out.append(b"ET")
    return b"\n".join(out) + b"\n"


def _num(v: float) -> bytes:
    s = ("%.2f" % v).rstrip("0").rstrip(".")
    return s.encode("ascii")


def build_pdf(doc: dict) -> bytes:
    """Serializes a document: catalog, pages, one font, info, page objects
    and content streams, then an xref table with exact offsets."""
    before = len(HYPHENATED)
    pages = layout(doc["blocks"])
    if doc.get("hyphenated") and len(HYPHENATED) == before:
        raise SystemExit(f"make_fixtures: {doc['file']}: no word hyphenated across lines")
    n = len(pages)
    multi = n > 1
    objs: list[bytes] = []  # object i+1 is objs[i]
    objs.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join("%d 0 R" % (5 + 2 * i) for i in range(n))
    objs.append(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids.encode(), n))
    objs.append(
        b"<< /Type /Font /Subtype /Type1 /Name /F1 /BaseFont /Helvetica"
        b" /Encoding /WinAnsiEncoding >>"
    )
    objs.append(
        b"<< /Title %s /Author %s /Producer (policyscan scripts/make_fixtures.py) >>"
        % (pdf_string(doc["title"]), pdf_string(doc["payer"]))
    )
    for i, rows in enumerate(pages):
        header = (doc["payer"] + "  \u00b7  " + doc["number"], doc["short"]) if multi else None
        footer = (doc["footer"], "Page %d of %d" % (i + 1, n)) if multi else None
        stream = content_stream(rows, header, footer)
        objs.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d]"
            b" /Resources << /Font << /F1 3 0 R >> /ProcSet [/PDF /Text] >>"
            b" /Contents %d 0 R >>" % (PAGE_W, PAGE_H, 6 + 2 * i)
        )
        if doc.get("flate"):
            data = zlib.compress(stream, 9)
            objs.append(
                b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream"
                % (len(data), data)
            )
        else:
            objs.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for num, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (num, body)
    xref_at = len(out)
    out += b"xref\n0 %d\n" % (len(objs) + 1)
    out += b"0000000000 65535 f \n"
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    file_id = hashlib.md5(bytes(out)).hexdigest().encode()
    out += (
        b"trailer\n<< /Size %d /Root 1 0 R /Info 4 0 R /ID [<%s> <%s>] >>\n"
        % (len(objs) + 1, file_id, file_id)
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


# ---------------------------------------------------------------------------
# The documents. Payers, people, numbers and addresses are fictional.

FERNHOLLOW = {
    "file": "01_fernhollow_ketamine_infusion_policy.pdf",
    "payer": "Fernhollow Health Alliance",
    "number": "Medical Policy MED-4410",
    "short": "Ketamine Infusion Therapy",
    "footer": "Effective 02/01/2025",
    "title": "Ketamine Infusion Therapy for Psychiatric Conditions",
    "flate": True,
    # The deciding sentence splits "investi-gational" across two lines.
    "hyphenated": True,
    "blocks": [
        ("title", "Ketamine Infusion Therapy for Psychiatric Conditions"),
        ("meta", "Fernhollow Health Alliance Medical Policy MED-4410"),
        ("meta", "Effective date: 02/01/2025    Last reviewed: 01/15/2025"),
        ("h", "Policy"),
        ("p", "Fernhollow Health Alliance considers intravenous, intramuscular, oral and "
              "compounded intranasal ketamine, whether given alone or together with psychotherapy "
              "sessions, to be experimental and investi\u00adgational for the "
              "treatment of depression, bipolar disorder, post-traumatic stress disorder, "
              "obsessive-compulsive disorder, anxiety disorders and substance use disorders. "
              "Claims for ketamine given for these conditions, and for the infusion services "
              "billed with it, will be denied."),
        ("p", "This policy does not apply to ketamine given as an anesthetic agent during surgery "
              "or for procedural sedation; those uses are reimbursed under the anesthesia "
              "payment rules."),
        ("p", "Esketamine nasal spray is a different product and is outside the scope of this "
              "document; see Pharmacy Policy RX-2207 for its requirements."),
        ("h", "Background"),
        ("p", "Ketamine is an N-methyl-D-aspartate (NMDA) receptor antagonist that the FDA "
              "approved decades ago for the induction and maintenance of general anesthesia. "
              "Interest in psychiatric use grew after small studies described a fall in "
              "depressive symptoms within hours of a single sub-anesthetic infusion. "
              "Clinics now offer a series of six infusions over two to three weeks, often "
              "followed by maintenance infusions at intervals set by the clinic."),
        ("p", "The questions that matter for coverage are how long a response lasts, which "
              "patients benefit, what dose and schedule should be used, and whether repeated "
              "exposure over months is safe. Dissociation, raised blood pressure, bladder "
              "toxicity and misuse are the harms most often discussed."),
        ("h", "Rationale"),
        ("p", "The published trials of racemic ketamine for mood disorders are small, most "
              "enrolled fewer than one hundred participants, and most followed participants "
              "for four weeks or less. Protocols differ from study to study in dose, infusion "
              "rate, number of sessions and concurrent treatment, so the results cannot be "
              "pooled with confidence. No product containing racemic ketamine carries an FDA "
              "approved indication for a psychiatric condition."),
        ("p", "Until studies of adequate size and duration show durable benefit and acceptable "
              "long-term safety, the plan will keep its current position and will review it "
              "again within twelve months."),
        ("h", "Coding Information"),
        ("p", "The codes below are listed for reference only. Listing a code does not mean "
              "that the service is a covered benefit."),
        ("table", [0, 62], [
            ["Code", "Description"],
            ["J3490", "Unclassified drugs (report ketamine hydrochloride with its NDC)"],
            ["96365", "Intravenous infusion, for therapy, prophylaxis or diagnosis; initial, up to 1 hour"],
            ["96366", "Intravenous infusion; each additional hour"],
            ["96367", "Intravenous infusion; additional sequential infusion of a new drug, up to 1 hour"],
            ["96368", "Intravenous infusion; concurrent infusion"],
        ]),
        ("p", "ICD-10-CM codes that apply when ketamine is billed for a psychiatric diagnosis "
              "include F33.2 (major depressive disorder, recurrent, severe without psychotic "
              "features) and F43.10 (post-traumatic stress disorder, unspecified). Infusion "
              "codes 96365\u201396368 are denied when billed with ketamine for these diagnoses."),
        ("h", "References"),
        ("p", "1. Arden L, Moss K. Serial ketamine infusions in refractory depression: an open "
              "pilot series. Fictional Journal of Mood Studies. 2021;7:44-51."),
        ("p", "2. Okafor D, Lindqvist E. Durability of response after sub-anesthetic ketamine. "
              "Fictional Review of Psychopharmacology. 2023;12:101-109."),
        ("h", "Policy History"),
        ("p", "01/15/2025: Annual review. Position unchanged. 11/01/2023: New policy."),
    ],
}

KESTREL = {
    "file": "02_kestrel_spravato_prior_authorization.pdf",
    "payer": "Kestrel Point Health Plan",
    "number": "Pharmacy Policy RX-2207",
    "short": "Spravato (esketamine) nasal spray",
    "footer": "Prior authorization criteria",
    "title": "Spravato (esketamine) Nasal Spray - Prior Authorization Criteria",
    "flate": False,
    "blocks": [
        ("title", "Spravato (esketamine) Nasal Spray \u2013 Prior Authorization Criteria"),
        ("meta", "Kestrel Point Health Plan Pharmacy Policy RX-2207"),
        ("meta", "Effective date: 03/01/2025"),
        ("h", "Coverage Statement"),
        ("p", "Spravato (esketamine) nasal spray is covered under the medical benefit when "
              "prior authorization is approved and all of the following criteria are met."),
        ("h", "Criteria for Initial Approval"),
        ("li", "The member is 18 years of age or older."),
        ("li", "The member has a diagnosis of treatment-resistant depression, meaning major "
               "depressive disorder that has not improved with standard treatment during the "
               "current episode."),
        ("li", "The member has had an inadequate response to at least two different oral "
               "antidepressants, each taken at an adequate dose for at least six weeks in the "
               "current episode."),
        ("li", "Spravato will be used in combination with an oral antidepressant."),
        ("li", "Spravato will be given in a health care setting certified in the Spravato REMS "
               "program, where the member is observed by staff after each dose."),
        ("h", "Approval Duration"),
        ("p", "Initial approval is granted for six months. Reauthorization requires chart notes "
              "that show a clinical response, such as a lower score on a standard depression "
              "rating scale."),
        ("h", "Background"),
        ("p", "Esketamine is the S-enantiomer of ketamine. It is supplied as a single-use nasal "
              "spray device that delivers 28 mg, and it reaches the patient only through "
              "certified health care settings because of the risks of sedation, dissociation "
              "and misuse."),
        ("h", "Coding"),
        ("table", [0, 62], [
            ["S0013", "Esketamine, nasal spray, 1 mg"],
            ["G2082", "Office or other outpatient visit for a patient who self-administers "
                      "esketamine, up to 56 mg, including 2 hours of post-administration "
                      "observation"],
            ["G2083", "Office or other outpatient visit for a patient who self-administers "
                      "esketamine, greater than 56 mg, including 2 hours of "
                      "post-administration observation"],
            ["F32.2", "Major depressive disorder, single episode, severe without psychotic features"],
            ["F33.2", "Major depressive disorder, recurrent, severe without psychotic features"],
        ]),
    ],
}

AMBERFIELD = {
    "file": "03_amberfield_summary_of_benefits.pdf",
    "payer": "Amberfield Benefit Trust",
    "number": "Summary of Benefits",
    "short": "Gold 1500",
    "footer": "Plan year 2025",
    "title": "Summary of Benefits - Gold 1500 Plan",
    "flate": True,
    "blocks": [
        ("title", "Amberfield Benefit Trust \u2013 Summary of Benefits, Gold 1500 Plan"),
        ("meta", "Plan year 2025. This summary lists what the plan pays for common services. "
                 "The plan document controls if anything here differs from it."),
        ("h", "Behavioral Health Services"),
        ("table", [0, 190], [
            ["Service", "What you pay"],
            ["Outpatient therapy visit", "$25 copay per visit"],
            ["Inpatient psychiatric stay", "20% coinsurance after the deductible"],
            ["Ketamine infusion therapy", "Ketamine infusion therapy for depression is covered. "
                                          "You pay 20% coinsurance after the deductible."],
            ["Residential treatment", "20% coinsurance after the deductible"],
        ]),
        ("h", "Your Rights Under Federal Law"),
        ("p", "Mental health and substance use disorder benefits under this plan are provided at "
              "parity with medical and surgical benefits, as the Mental Health Parity and "
              "Addiction Equity Act requires. Copays, coinsurance and visit limits for these "
              "services are no more restrictive than those for medical and surgical care."),
        ("h", "Questions"),
        ("p", "Call Member Services at 1-888-555-0147, Monday through Friday, 8 a.m. to 6 p.m."),
    ],
}

SALTMARSH = {
    "file": "04_saltmarsh_anesthesia_drug_codes.pdf",
    "payer": "Saltmarsh Mutual",
    "number": "Reimbursement Policy RP-118",
    "short": "Anesthesia drugs",
    "footer": "Reimbursement policy",
    "title": "Drugs Billed With Anesthesia Services",
    "flate": False,
    "blocks": [
        ("title", "Drugs Billed With Anesthesia Services"),
        ("meta", "Saltmarsh Mutual Reimbursement Policy RP-118    Effective date: 04/01/2025"),
        ("h", "Purpose"),
        ("p", "This policy explains how providers report the drugs used to induce and maintain "
              "anesthesia and sedation. The anesthesia base units already account for routine "
              "agents, so these drugs are reported for tracking and are not paid separately."),
        ("h", "Drug Codes"),
        ("table", [0, 62], [
            ["Code", "Drug"],
            ["J2250", "Injection, midazolam hydrochloride, per 1 mg"],
            ["J2704", "Injection, propofol, 10 mg"],
            ["J3490", "Unclassified drugs; use for ketamine hydrochloride given for induction of "
                      "anesthesia, and report the NDC"],
            ["J3010", "Injection, fentanyl citrate, 0.1 mg"],
        ]),
        ("h", "Anesthesia Codes"),
        ("p", "Report the anesthesia service with the code for the procedure, for example "
              "00104 (anesthesia for electroconvulsive therapy) or 00731 (anesthesia for upper "
              "gastrointestinal endoscopic procedures)."),
    ],
}

COPPERFIELD = {
    "file": "05_copperfield_denial_letter.pdf",
    "payer": "Copperfield Mutual",
    "number": "Utilization Management",
    "short": "Notice of adverse benefit determination",
    "footer": "Reference UM-25-031877",
    "title": "Notice of Adverse Benefit Determination",
    "flate": True,
    "blocks": [
        ("meta", "Copperfield Mutual  \u00b7  Utilization Management  \u00b7  PO Box 4410, "
                 "Millbrook, OR 97999"),
        ("gap",),
        ("meta", "March 3, 2025"),
        ("meta", "Jordan Avery, Member ID XQ4471920"),
        ("meta", "Reference number UM-25-031877"),
        ("title", "Notice of Adverse Benefit Determination"),
        ("p", "Dear Jordan Avery:"),
        ("p", "We reviewed the request from Dr. Priya Natarajan for a series of six intravenous "
              "ketamine infusions (CPT 96365 and 96366, HCPCS J3490) to treat major depressive "
              "disorder, recurrent, severe (diagnosis code F332)."),
        ("h", "Our Decision"),
        ("p", "The request is denied. Intravenous ketamine is considered investigational for "
              "the treatment of depression under Medical Policy MED-4410, because its "
              "long-term safety and effectiveness have not been established. Your plan "
              "excludes services that are experimental or investigational."),
        ("p", "This decision was made by a board-certified psychiatrist who was not involved in "
              "any earlier decision about this request."),
        ("break",),
        ("h", "Your Right to Appeal"),
        ("p", "You or your provider may ask us to review this decision within 180 days of the "
              "date of this letter. Send a written appeal to the address above or call "
              "1-800-555-0193 (TTY 711). You may send letters, records or other information "
              "that support the request. If your health could be seriously harmed by waiting, "
              "you may ask for an expedited appeal, and we will decide within 72 hours."),
        ("p", "You may also ask for the policy and any other information we used to make this "
              "decision, free of charge."),
    ],
}

LARKSPUR = {
    "file": "06_larkspur_ketamine_policy_update.pdf",
    "payer": "Larkspur Valley Health Plan",
    "number": "Medical Policy BH-031",
    "short": "Intravenous ketamine for TRD",
    "footer": "Effective 07/01/2025",
    "title": "Intravenous Ketamine for Treatment-Resistant Depression",
    "flate": False,
    "blocks": [
        ("title", "Intravenous Ketamine for Treatment-Resistant Depression"),
        ("meta", "Larkspur Valley Health Plan Medical Policy BH-031"),
        ("meta", "Effective date: 07/01/2025    Last reviewed: 05/20/2025"),
        ("h", "Policy"),
        ("p", "Intravenous ketamine is not considered experimental or investigational when it "
              "is used to treat treatment-resistant depression in adults. Larkspur Valley "
              "Health Plan considers a course of intravenous ketamine infusions medically "
              "necessary when all of the following criteria are met:"),
        ("li", "prior authorization is obtained before the first infusion;"),
        ("li", "the member is 18 years of age or older;"),
        ("li", "the member has a diagnosis of treatment-resistant major depressive disorder;"),
        ("li", "the member has failed at least two antidepressants from different classes, each "
               "given at an adequate dose for an adequate length of time;"),
        ("li", "the infusions are given in a facility where the member is monitored for at least "
               "two hours after each infusion;"),
        ("li", "no more than 6 infusions are given in the first 3 weeks of treatment."),
        ("h", "Limitations"),
        ("p", "Ketamine given by any route other than intravenous infusion, including "
              "compounded nasal sprays and oral troches, is not covered."),
        ("h", "Mental Health Parity"),
        ("p", "The criteria above were reviewed for compliance with mental health parity "
              "requirements and are comparable to the criteria the plan applies to infusion "
              "therapies for medical conditions."),
        ("h", "Coding"),
        ("table", [0, 62], [
            ["Code", "Description"],
            ["J3490", "Unclassified drugs (ketamine hydrochloride)"],
            ["96365", "Intravenous infusion, initial, up to 1 hour"],
            ["96366", "Intravenous infusion, each additional hour"],
            ["F33.2", "Major depressive disorder, recurrent, severe without psychotic features"],
        ]),
    ],
}

# A two-page Explanation of Benefits as plain text: form feed = new page.
OSPREY_EOB = {
    "file": "07_osprey_eob_spravato.txt",
    "text": """\
OSPREY VALLEY HEALTH PLAN
Explanation of Benefits
THIS IS NOT A BILL

Member: Casey Morgan             Member ID: OVH-20931-04
Statement date: 04/22/2025       Claim number: 25-118-004417
Provider: Harmon Street Psychiatry (in network)

Claim summary: Spravato (esketamine) treatment on 04/07/2025. Your claim was
paid under your medical benefit.

Line 1   Service date 04/07/2025
         Procedure code S0013, esketamine nasal spray, 1 mg, 84 units
         Billed $1,020.00   Plan paid $890.00   You owe $0.00   Status: Paid
Line 2   Service date 04/07/2025
         Procedure code G2083, observation visit for esketamine, higher dose
         Billed $420.00     Plan paid $280.00   You owe $30.00  Status: Paid

Diagnosis code on the claim: F332

Total you owe the provider: $30.00 (your specialist copay).
\f\
OSPREY VALLEY HEALTH PLAN - Explanation of Benefits - page 2

Questions about this statement?
Call Member Services at 1-877-555-0161 or write to PO Box 2290, Riverton, WA 98999.

If you disagree with how this claim was processed, you may file an appeal
within 180 days of the statement date.
""",
}

QUILLWATER_MD = {
    "file": "08_quillwater_behavioral_health_update.md",
    "text": """\
# Quillwater Health Cooperative: 2025 Behavioral Health Benefit Update

Issued 01/06/2025 to members of all Quillwater Health Cooperative plans.

## Esketamine (Spravato)

Spravato (esketamine) nasal spray is covered with prior authorization when all
of the following criteria are met:

- the member is 18 years of age or older;
- the member has treatment-resistant depression;
- the member has had an inadequate response to two or more antidepressants;
- each dose is given and observed at a REMS-certified treatment center.

## Ketamine infusions

Ketamine infusions for depression, anxiety or chronic pain are excluded from
coverage under all Quillwater plans. This exclusion applies whether the
infusions are billed by a clinic, a hospital outpatient department or a
physician office.

## Billing codes

- HCPCS J0013: esketamine, nasal spray, 1 mg
- HCPCS G2082: office visit for self-administered esketamine, with observation
- CPT 96365: intravenous infusion, first hour

## Parity

Quillwater applies the same prior authorization standards to mental health
and substance use disorder services as to medical and surgical services, in
line with the Mental Health Parity and Addiction Equity Act (MHPAEA).
""",
}

PDFS = [FERNHOLLOW, KESTREL, AMBERFIELD, SALTMARSH, COPPERFIELD, LARKSPUR]
TEXTS = [OSPREY_EOB, QUILLWATER_MD]


def outputs() -> dict[str, bytes]:
    """File name -> bytes, for every fixture this script owns."""
    files = {d["file"]: build_pdf(d) for d in PDFS}
    for t in TEXTS:
        files[t["file"]] = t["text"].encode("utf-8")
    return files


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(here, "..", "fixtures"),
                    help="output directory (default: fixtures/ beside scripts/)")
    ap.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 if any file in --out differs")
    args = ap.parse_args()
    out = os.path.normpath(args.out)
    stale = []
    for name, data in sorted(outputs().items()):
        path = os.path.join(out, name)
        try:
            with open(path, "rb") as f:
                same = f.read() == data
        except FileNotFoundError:
            same = False
        if same:
            continue
        if args.check:
            stale.append(name)
            continue
        os.makedirs(out, exist_ok=True)
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        print(f"wrote {path} ({len(data)} bytes)")
    if stale:
        print(f"make_fixtures: out of date in {out}: {', '.join(stale)}", file=sys.stderr)
        print("run scripts/make_fixtures.py and commit the result", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
