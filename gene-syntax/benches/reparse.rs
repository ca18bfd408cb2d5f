//! Edit -> reparse -> syntax diagnostics through the database, on a 10,000-line file: the text
//! is set with one edit inside one form (as the language server does on a keystroke), then the
//! diagnostics of the whole file are asked for.
//!
//! Run with `cargo bench -p gene-syntax --bench reparse`.

// The allocator the `gene` and `gene-lsp` binaries use, so that this measures what users run.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod corpus;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use gene_syntax::db::{self, RootDatabase, SourceFile};
use salsa::Setter;

fn edit_reparse_diagnostics(c: &mut Criterion) {
    let text = corpus::generate_lines(10_000);
    assert!(text.lines().count() >= 10_000);
    // Type into a form near the middle: each iteration inserts a new name there, so the edited
    // form's text is new every time and its parse cannot come from a memo.
    let middle = text.len() / 2;
    let at = middle + text[middle..].find("(var ").expect("a var form") + 5;
    let edited = |n: u64| format!("{}v{n} {}", &text[..at], &text[at..]);

    let mut db = RootDatabase::default();
    let file = SourceFile::new(&db, "bench.gene".into(), edited(0).into());
    assert!(db::syntax_diagnostics(&db, file).is_empty());
    let mut n = 0u64;
    c.bench_function("edit_reparse_diagnostics_10k_lines", |b| {
        b.iter_batched(
            || {
                n += 1;
                edited(n)
            },
            |new_text| {
                file.set_text(&mut db).to(new_text.into());
                db::syntax_diagnostics(&db, file).len()
            },
            BatchSize::SmallInput,
        )
    });
}

criterion_group!(benches, edit_reparse_diagnostics);
criterion_main!(benches);
