//! Times the phases of parsing on the generated benchmark corpus, for profiling (perf,
//! callgrind) and for quick comparisons on a busy machine:
//! `timeparse lex|split|whole|chunked|chunked1|db-chunks|db|db1|forms|all [iterations]`
//! (`chunked1` and `db1`: `chunked` and `db` on one thread, where a big file's halves are
//! otherwise lexed and parsed on two).
//!
//! Prints the fastest run (the least disturbed by other work on the machine) and the mean. Each
//! result is dropped after the clock stops: this times building, not freeing. On a busy machine, compare
//! instruction counts instead: `valgrind --tool=callgrind --toggle-collect=timeparse::run_phase`.

// The allocator of the `gene` and `gene-lsp` binaries, as in the benchmarks.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../benches/corpus/mod.rs"]
mod corpus;

use std::time::{Duration, Instant};

const PHASES: &[&str] = &[
    "lex",
    "split",
    "whole",
    "chunked",
    "chunked1",
    "db-chunks",
    "db",
    "db1",
    "forms",
];

fn main() {
    let phase = std::env::args().nth(1).unwrap_or_else(|| "whole".into());
    let n: u32 = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let text = corpus::generate(1 << 20);
    let phases: Vec<&str> = match phase.as_str() {
        "all" => PHASES.to_vec(),
        p => vec![p],
    };
    for phase in phases {
        time_phase(phase, &text, n);
    }
}

fn time_phase(phase: &str, text: &str, n: u32) {
    let mb = text.len() as f64 / 1e6;
    let parsed = match phase {
        "forms" => gene_syntax::parse_text(text),
        _ => gene_syntax::parse_text(""),
    };
    let mut best = Duration::MAX;
    let mut total = Duration::ZERO;
    for _ in 0..n {
        let start = Instant::now();
        let result = run_phase(phase, text, &parsed);
        let elapsed = start.elapsed();
        best = best.min(elapsed);
        total += elapsed;
        drop(result);
    }
    let mean = total / n.max(1);
    let rate = |d: Duration| mb / d.as_secs_f64();
    println!(
        "{phase:9} best {best:>10.3?} {:6.1} MB/s   mean {mean:>10.3?} {:6.1} MB/s",
        rate(best),
        rate(mean)
    );
}

/// One run of `phase`. Not inlined, so that a profile shows its cost apart from the rest (with
/// callgrind: the inclusive cost of `timeparse::run_phase`).
#[inline(never)]
fn run_phase(phase: &str, text: &str, parsed: &gene_syntax::Parse) -> Box<dyn std::any::Any> {
    match phase {
        "lex" => Box::new(gene_syntax::lexer::tokenize(text)),
        "split" => {
            let (tokens, _) = gene_syntax::lexer::tokenize(text);
            Box::new(gene_syntax::parser::split_top_level_tokens(&tokens))
        }
        "whole" => Box::new(gene_syntax::parse_whole(text)),
        "chunked" => Box::new(gene_syntax::parse_text(text)),
        "forms" => Box::new(parsed.forms()),
        // A fresh database splitting the file into chunks, without parsing them.
        "db-chunks" => {
            let db = gene_syntax::db::RootDatabase::default();
            let file =
                gene_syntax::db::SourceFile::new(&db, "t.gene".into(), text.to_string().into());
            let _ = gene_syntax::db::chunks(&db, file);
            Box::new(db)
        }
        "chunked1" => Box::new(gene_syntax::parser::parse_chunked_from(text, usize::MAX)),
        "db" | "db1" => {
            let db = gene_syntax::db::RootDatabase::with_parallel_parse_from(match phase {
                "db" => gene_syntax::parser::PARALLEL_FROM,
                _ => usize::MAX,
            });
            let file =
                gene_syntax::db::SourceFile::new(&db, "t.gene".into(), text.to_string().into());
            let _ = gene_syntax::db::parse(&db, file);
            let _ = gene_syntax::db::syntax_diagnostics(&db, file);
            Box::new(db)
        }
        _ => {
            eprintln!("unknown phase `{phase}`: expected one of {PHASES:?} or `all`");
            std::process::exit(2);
        }
    }
}
