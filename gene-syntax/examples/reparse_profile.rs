//! Runs the edit -> reparse -> diagnostics loop of `benches/reparse.rs` a number of times, for a
//! profiler: `reparse_profile [edits]`.
#[path = "../benches/corpus/mod.rs"]
mod corpus;

use gene_syntax::db::{self, RootDatabase, SourceFile};
use salsa::Setter;

fn main() {
    let edits: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let text = corpus::generate_lines(10_000);
    let middle = text.len() / 2;
    let at = middle + text[middle..].find("(var ").unwrap_or(0) + 5;
    let edited = |n: u64| format!("{}v{n} {}", &text[..at], &text[at..]);
    let mut db = RootDatabase::default();
    let file = SourceFile::new(&db, "bench.gene".into(), edited(0).into());
    let _ = db::syntax_diagnostics(&db, file);
    let start = std::time::Instant::now();
    for n in 1..=edits {
        file.set_text(&mut db).to(edited(n).into());
        let _ = db::syntax_diagnostics(&db, file);
    }
    println!(
        "{} bytes, {:?} per edit",
        text.len(),
        start.elapsed() / edits as u32
    );
}
