//! Times `analysis::lint_diagnostics` after one edit inside one form of a generated
//! 10,000-line file: `cargo run --release -p gene-syntax --example lint_latency`.

use std::time::Instant;

use gene_syntax::db::RootDatabase;
use salsa::Setter;

fn program(forms: usize, marker: usize) -> String {
    let mut text = String::new();
    for i in 0..forms {
        text.push_str(&format!(
            "# Helper {i}.\n(fn ^^async job{i} [ms]\n  (var x (ms + {}))\n  (await (gene/sleep_async x))\n  (println \"done\" x))\n\n",
            if i == marker { 1 } else { 0 }
        ));
    }
    text.push_str("(await (job1 5))\n");
    text
}

fn main() {
    let forms = 1666; // six lines each: ~10,000 lines
    let mut db = RootDatabase::new();
    let file = db.set_file("bench.gene".into(), program(forms, usize::MAX));
    let start = Instant::now();
    let n = gene_syntax::analysis::lint_diagnostics(&db, file).len();
    println!(
        "cold: {:?} ({n} diagnostics, {} bytes)",
        start.elapsed(),
        file.text(&db).len()
    );
    let mut times = Vec::new();
    for round in 0..40 {
        let text = program(forms, round * 37 % forms);
        let start = Instant::now();
        file.set_text(&mut db).to(text.into());
        let _ = gene_syntax::analysis::lint_diagnostics(&db, file).len();
        times.push(start.elapsed());
    }
    times.sort();
    println!(
        "edit -> lint diagnostics: p50 {:?}, p95 {:?}",
        times[times.len() / 2],
        times[times.len() * 95 / 100]
    );
    let mut times = Vec::new();
    for round in 0..40 {
        let text = program(forms, round * 37 % forms);
        let start = Instant::now();
        file.set_text(&mut db).to(text.into());
        let _ = gene_syntax::db::syntax_diagnostics(&db, file).len();
        times.push(start.elapsed());
    }
    times.sort();
    println!(
        "edit -> syntax diagnostics: p50 {:?}, p95 {:?}",
        times[times.len() / 2],
        times[times.len() * 95 / 100]
    );
}
