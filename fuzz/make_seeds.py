#!/usr/bin/env python3
"""Writes the seed inputs of the PDF fuzz targets (content, font, pdf,
page_images) into fuzz/seeds/: small hand-made content streams, font
parts and one-page documents covering the operators, font kinds and image
codecs the targets read. Run from anywhere: python3 fuzz/make_seeds.py"""
import os
import zlib

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds")


def write(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("latin-1")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def pdf(objects):
    """A PDF from object bodies (bytes); object 1 is the catalog."""
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def stream(dict_body, data):
    return b"<< " + dict_body + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def page_pdf(content, resources=b"/Font << /F1 5 0 R >>", extra=()):
    """Catalog 1, pages 2, page 3, content 4, Helvetica 5, then `extra`."""
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << "
            + resources
            + b" >> /Contents 4 0 R >>",
            stream(b"/Filter /FlateDecode", zlib.compress(content)),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
            *extra,
        ]
    )


CONTENT = {
    "text": b"BT /F1 12 Tf 14 TL 72 700 Td (The plan covers infusions.) Tj T* "
    b"[(Ke) 20 (ta) -250 (mine)] TJ (next) ' 1 2 (last) \" ET",
    "matrix": b"q 1 0 0 1 10 10 cm BT /F1 9 Tf 2 Tc 1 Tw 90 Tz 3 Ts 1 0 0 -1 72 600 Tm "
    b"(flipped \\(escaped\\) \\101\\n) Tj ET Q",
    "inline_image": b"q 8 0 0 8 72 72 cm BI /W 4 /H 2 /CS /G /BPC 8 ID \x00\x40\x80\xff\x00\x40\x80\xff EI Q "
    b"BT /F1 10 Tf 72 50 Td <48656c6c6f> Tj ET",
    "objects": b"/Tag << /MCID 0 /A [1 2.5 -3 (s) <414243> /N true false null] >> BDC "
    b"BT /F1 10 Tf 72 700 Td (marked) Tj ET EMC % comment\n"
    b"q 0.5 g 0 0 100 100 re f /Im0 Do /Fm1 Do Q",
    "forms": b"q q q Q Q Q BT ET BT /F2 0 Tf (zero size) Tj 3 Tr (invisible) Tj ET d0 d1 sh",
}

# Font parts: dictionary body, shown bytes, then up to three streams.
TOUNICODE = (
    b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap "
    b"/CMapName /Fuzz-UCS def 1 begincodespacerange <0000> <FFFF> endcodespacerange "
    b"2 beginbfchar <0001> <004B> <0002> <0065> endbfchar "
    b"1 beginbfrange <0003> <0005> <0074> endbfrange "
    b"1 beginbfrange <0010> <0011> [<0061> <006D006D>] endbfrange "
    b"endcmap CMapName currentdict /CMap defineresource pop end end"
)
FONTS = {
    "type1_differences": [
        b"/Type /Font /Subtype /Type1 /BaseFont /Times-Roman "
        b"/Encoding << /BaseEncoding /MacRomanEncoding /Differences [65 /K /e /t /a /fi /uni00E9 /g123] >>",
        b"ABCDEFG\xe9",
    ],
    "type0_tounicode": [
        b"/Type /Font /Subtype /Type0 /BaseFont /Fuzz /Encoding /Identity-H "
        b"/ToUnicode 6 0 R /DescendantFonts [8 0 R]",
        b"\x00\x01\x00\x02\x00\x03\x00\x04\x00\x05\x00\x10\x00\x11",
        TOUNICODE,
        b"",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Fuzz /CIDSystemInfo "
        b"<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 500 "
        b"/W [1 [600 500] 3 5 400] >>",
    ],
    "type0_embedded_cmap": [
        b"/Type /Font /Subtype /Type0 /BaseFont /Fuzz /Encoding 6 0 R /DescendantFonts [7 0 R]",
        b"\x81\x40\x20\x41",
        b"<< /Type /CMap /CMapName /Fuzz-H /CIDSystemInfo << /Registry (Adobe) /Ordering (Japan1) /Supplement 2 >> >>"
        b"begincmap 2 begincodespacerange <00> <80> <8140> <9FFC> endcodespacerange "
        b"1 begincidrange <20> <7E> 1 endcidrange 1 begincidrange <8140> <817E> 633 endcidrange endcmap",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /Fuzz /CIDSystemInfo "
        b"<< /Registry (Adobe) /Ordering (Japan1) /Supplement 2 >> >>",
    ],
    "truetype_widths": [
        b"/Type /Font /Subtype /TrueType /BaseFont /Arial,Bold /FirstChar 32 /LastChar 40 "
        b"/Widths [250 333 408 500 500 833 778 180 333] /FontDescriptor 6 0 R /Encoding /WinAnsiEncoding",
        b" !\"#$%&'(",
        b"<< /Type /FontDescriptor >>",
    ],
    "type1_builtin": [
        b"/Type /Font /Subtype /Type1 /BaseFont /Fuzz /FontDescriptor << /FontFile 6 0 R /Flags 4 >>",
        b"\x01\x02\x03",
        b"%!PS-AdobeFont-1.0: Fuzz\n/Encoding 256 array 0 1 255 {1 index exch /.notdef put} for\n"
        b"dup 1 /K put dup 2 /e put dup 3 /t put readonly def\ncurrentfile eexec\n",
    ],
    "type3": [
        b"/Type /Font /Subtype /Type3 /FontBBox [0 0 1000 1000] /FontMatrix [0.001 0 0 0.001 0 0] "
        b"/CharProcs << /a 6 0 R >> /Encoding << /Differences [97 /a] >> /FirstChar 97 /LastChar 97 /Widths [1000]",
        b"aaa",
        b"1000 0 d0 0 0 1000 1000 re f",
    ],
    "flate_tounicode": [
        b"/Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R",
        b"\x01\x02",
        b"<< /Filter /FlateDecode >>" + zlib.compress(TOUNICODE),
    ],
}


def gray_image(w, h, dict_extra=b"", data=None, filt=True):
    raw = data if data is not None else bytes((x * 255 // max(w - 1, 1)) for _ in range(h) for x in range(w))
    if filt:
        return stream(
            b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8 /Filter /FlateDecode " % (w, h) + dict_extra,
            zlib.compress(raw),
        )
    return stream(
        b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 " % (w, h) + dict_extra,
        raw,
    )


def image_pdf(images, content):
    names = b" ".join(b"/Im%d %d 0 R" % (i, 6 + i) for i in range(len(images)))
    return page_pdf(content, b"/Font << /F1 5 0 R >> /XObject << " + names + b" >>", images)


PDFS = {
    "text_page": page_pdf(CONTENT["text"]),
    "two_pages": pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 /MediaBox [0 0 300 300] /Rotate 90 >>",
            b"<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 5 0 R >> >> /Contents [4 0 R 7 0 R] >>",
            stream(b"", b"BT /F1 10 Tf 20 200 Td (first page) Tj"),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>",
            b"<< /Type /Page /Parent 2 0 R /CropBox [10 10 200 200] /Resources << /Font << /F1 5 0 R >> >> "
            b"/Contents 7 0 R /Annots [8 0 R] >>",
            stream(b"", b" ET BT /F1 10 Tf 20 100 Td (second) Tj ET"),
            b"<< /Type /Annot /Subtype /FreeText /Rect [0 0 100 20] /Contents (note) /AP << /N 9 0 R >> >>",
            stream(b"/Type /XObject /Subtype /Form /BBox [0 0 100 20] /Resources << /Font << /F1 5 0 R >> >>",
                   b"BT /F1 8 Tf 2 5 Td (annotation) Tj ET"),
        ]
    ),
}

IMAGES = {
    "gray_flate": image_pdf([gray_image(16, 8)], b"q 400 0 0 200 100 300 cm /Im0 Do Q"),
    "gray_raw_with_text": image_pdf(
        [gray_image(8, 8, filt=False)],
        b"q 200 0 0 200 100 300 cm /Im0 Do Q BT /F1 10 Tf 72 72 Td <01> Tj ET",
    ),
    "smask": image_pdf(
        [gray_image(8, 4, b"/SMask 7 0 R"), gray_image(8, 4)],
        b"q 300 0 0 150 100 300 cm /Im0 Do Q",
    ),
    "indexed_1bit": image_pdf(
        [
            stream(
                b"/Type /XObject /Subtype /Image /Width 16 /Height 2 /BitsPerComponent 1 "
                b"/ColorSpace [/Indexed /DeviceRGB 1 <000000FFFFFF>] /Decode [1 0]",
                b"\xf0\x0f\xaa\x55",
            )
        ],
        b"q 0 200 -400 0 500 300 cm /Im0 Do Q",
    ),
    "image_mask": image_pdf(
        [stream(b"/Type /XObject /Subtype /Image /Width 8 /Height 2 /ImageMask true", b"\x0f\xf0")],
        b"q 0 0 1 rg 200 0 0 50 100 300 cm /Im0 Do Q",
    ),
    "ccitt_declared": image_pdf(
        [
            stream(
                b"/Type /XObject /Subtype /Image /Width 16 /Height 2 /BitsPerComponent 1 "
                b"/ColorSpace /DeviceGray /Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns 16 /Rows 2 >>",
                b"\x26\xa0\x00\x10\x01",
            )
        ],
        b"q 300 0 0 40 100 300 cm /Im0 Do Q",
    ),
    "jpx_declared": image_pdf(
        [
            stream(
                b"/Type /XObject /Subtype /Image /Width 4 /Height 4 /Filter /JPXDecode",
                b"\x00\x00\x00\x0cjP  \r\n\x87\n\x00\x00\x00\x14ftypjp2 \x00\x00\x00\x00jp2 ",
            )
        ],
        b"q 100 0 0 100 100 300 cm /Im0 Do Q",
    ),
    "jbig2_declared": image_pdf(
        [
            stream(
                b"/Type /XObject /Subtype /Image /Width 8 /Height 8 /BitsPerComponent 1 /Filter /JBIG2Decode",
                b"\x00\x00\x00\x00\x30\x00\x01\x00\x00\x00\x13\x00\x00\x00\x08\x00\x00\x00\x08"
                b"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
            )
        ],
        b"q 100 0 0 100 100 300 cm /Im0 Do Q",
    ),
    "inline_image": page_pdf(CONTENT["inline_image"]),
    "form_with_image": page_pdf(
        b"q 1 0 0 1 50 50 cm /Fm0 Do Q",
        b"/XObject << /Fm0 6 0 R >>",
        [
            stream(
                b"/Type /XObject /Subtype /Form /BBox [0 0 500 500] /Matrix [1 0 0 1 0 0] "
                b"/Resources << /XObject << /Im0 7 0 R >> >>",
                b"q 400 0 0 300 0 0 cm /Im0 Do Q",
            ),
            gray_image(12, 9),
        ],
    ),
}


def main():
    for name, data in CONTENT.items():
        write("content", name, data)
    for name, parts in FONTS.items():
        shown = parts[1].hex().upper().encode()
        write("font", name, b"\x00".join([parts[0], shown, *parts[2:]]))
    for name, data in PDFS.items():
        write("pdf", name, data)
    for name, data in IMAGES.items():
        write("page_images", name, data)
        write("pdf", "image_" + name, data)


if __name__ == "__main__":
    main()
