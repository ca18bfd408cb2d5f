//! Parse throughput on a generated ~1 MB Gene file: lexing alone, text to tree (`parse_text`,
//! chunked as the database does, and `parse_whole`), and the database path (a fresh database:
//! chunking, interning, per-chunk parses and the assembled tree and diagnostics).
//!
//! `parse_text` and the database lex and parse the two halves of a big file on two threads when
//! the machine has two cores or more (this one has two, shared with other work); the
//! `_one_thread` variants measure the same work on one thread, and `parse_whole` is one thread.
//!
//! Run with `cargo bench -p gene-syntax --bench parse`; criterion prints the throughput.

// The allocator the `gene` and `gene-lsp` binaries use, so that this measures what users run.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod corpus;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gene_syntax::db::{self, RootDatabase, SourceFile};

fn parse_throughput(c: &mut Criterion) {
    let text = corpus::generate(1 << 20);
    assert!(
        gene_syntax::parse_text(&text).errors().is_empty(),
        "the corpus is valid Gene"
    );
    let mut group = c.benchmark_group("parse_1mb");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.sample_size(20);
    // Results are dropped outside the timed part: these time building, not freeing.
    group.bench_function("lex", |b| {
        b.iter_with_large_drop(|| gene_syntax::lexer::tokenize(&text))
    });
    group.bench_function("parse_text", |b| {
        b.iter_with_large_drop(|| gene_syntax::parse_text(&text))
    });
    group.bench_function("parse_text_one_thread", |b| {
        b.iter_with_large_drop(|| gene_syntax::parser::parse_chunked_from(&text, usize::MAX))
    });
    group.bench_function("parse_whole", |b| {
        b.iter_with_large_drop(|| gene_syntax::parse_whole(&text))
    });
    for (name, parallel_from) in [
        ("database", gene_syntax::parser::PARALLEL_FROM),
        ("database_one_thread", usize::MAX),
    ] {
        group.bench_function(name, |b| {
            b.iter_with_large_drop(|| {
                let db = RootDatabase::with_parallel_parse_from(parallel_from);
                let file = SourceFile::new(&db, "bench.gene".into(), text.clone().into());
                let _ = db::parse(&db, file);
                let _ = db::syntax_diagnostics(&db, file);
                db
            })
        });
    }
    group.bench_function("lower", |b| {
        let parse = gene_syntax::parse_text(&text);
        b.iter_with_large_drop(|| parse.forms())
    });
    group.finish();
}

criterion_group!(benches, parse_throughput);
criterion_main!(benches);
