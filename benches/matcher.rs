//! Criterion bench of the matcher (`Matcher::find_all`: the Aho-Corasick
//! pass over the literals, then every rule regex) with the built-in pattern
//! library, over normalized real text; throughput is normalized bytes
//! scanned, on one core.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

#[path = "support/corpus.rs"]
mod corpus;

fn bench(c: &mut Criterion) {
    let matcher = policyscan::load_matcher(None, None).expect("built-in patterns compile");
    let mut g = c.benchmark_group("matcher");
    for input in corpus::inputs() {
        let (texts, bytes) = input.normalized();
        g.throughput(Throughput::Bytes(bytes as u64));
        g.bench_function(input.name, |b| {
            b.iter(|| {
                texts
                    .iter()
                    .map(|t| matcher.find_all(t.text()).len())
                    .sum::<usize>()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
