//! Criterion bench of normalization (NFKC, ligatures, soft hyphens,
//! hyphenated line ends, dashes and quotes, the page/line offset map) over
//! real extracted text; throughput is raw (extracted) bytes in.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use policyscan::normalize::NormalizedText;

#[path = "support/corpus.rs"]
mod corpus;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("normalize");
    for input in corpus::inputs() {
        g.throughput(Throughput::Bytes(input.bytes() as u64));
        g.bench_function(input.name, |b| {
            b.iter(|| {
                input
                    .docs
                    .iter()
                    .map(|pages| NormalizedText::from_pages(pages).text().len())
                    .sum::<usize>()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
