//! Criterion bench of the own text layer's content-stream interpreter:
//! lexing, text operators, glyph placement and layout of synthetic pages.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use policyscan::extract::lopdf_text::interpret_content;

/// A page of `lines` lines, TeX-like: TJ arrays with kerning and word gaps.
fn tex_like_page(lines: usize) -> Vec<u8> {
    let mut c = Vec::new();
    c.extend_from_slice(b"BT /F1 10 Tf 12 TL 72 740 Td ");
    for i in 0..lines {
        c.extend_from_slice(
            b"[(K)20(etamine)-333(and)-333(esk)10(etamine)-333(are)-333(co)15(v)15(ered)-333(when)-333(criteria)-333(are)-333(met.)] TJ T* ",
        );
        if i % 20 == 19 {
            c.extend_from_slice(b"ET BT /F1 10 Tf 12 TL 320 740 Td ");
        }
    }
    c.extend_from_slice(b"ET");
    c
}

/// A page of Word-like output: one Tj per word, positioned with Td.
fn word_like_page(lines: usize) -> Vec<u8> {
    let mut c = Vec::new();
    for i in 0..lines {
        let y = 740.0 - (i % 60) as f64 * 12.0;
        c.extend_from_slice(format!("BT /F1 11 Tf 1 0 0 1 72 {y} Tm ").as_bytes());
        for w in [
            "Prior",
            "authorization",
            "is",
            "required",
            "for",
            "Spravato.",
        ] {
            c.extend_from_slice(format!("({w}) Tj 5 0 Td ").as_bytes());
        }
        c.extend_from_slice(b"ET\n");
    }
    c
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("interpreter");
    for (name, data) in [
        ("tex_like_60_lines", tex_like_page(60)),
        ("word_like_60_lines", word_like_page(60)),
    ] {
        g.throughput(Throughput::Bytes(data.len() as u64));
        g.bench_function(name, |b| b.iter(|| interpret_content(&data)));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
