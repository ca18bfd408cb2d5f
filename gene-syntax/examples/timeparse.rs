//! Times one phase of parsing on the generated benchmark corpus (for profiling with perf):
//! `timeparse lex|whole|chunked|forms|db [iterations]`.
#[path = "../benches/corpus/mod.rs"]
mod corpus;

fn main() {
    let phase = std::env::args().nth(1).unwrap_or_else(|| "whole".into());
    let n: u32 = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let text = corpus::generate(1 << 20);
    let mb = text.len() as f64 / 1e6;
    let parsed = gene_syntax::parse_text(&text);
    // Each result is dropped after the clock stops: this times building, not freeing. The
    // fastest run is reported, as the least disturbed by other work on the machine.
    let mut best = std::time::Duration::MAX;
    for _ in 0..n {
        let t = std::time::Instant::now();
        let result: Box<dyn std::any::Any> = match phase.as_str() {
            "lex" => Box::new(gene_syntax::lexer::tokenize(&text)),
            "whole" => Box::new(gene_syntax::parse_whole(&text)),
            "chunked" => Box::new(gene_syntax::parse_text(&text)),
            "forms" => Box::new(parsed.forms()),
            "db" => {
                let db = gene_syntax::db::RootDatabase::default();
                let file = gene_syntax::db::SourceFile::new(&db, "t.gene".into(), text.clone());
                let _ = gene_syntax::db::parse(&db, file);
                let _ = gene_syntax::db::syntax_diagnostics(&db, file);
                Box::new(db)
            }
            _ => Box::new(()),
        };
        best = best.min(t.elapsed());
        drop(result);
    }
    let d = best;
    println!("{phase} {d:?} {:.1} MB/s", mb / d.as_secs_f64());
}
