//! Where the memory of the database's queries goes on a file: runs the queries `gene check`
//! runs, stage by stage, and prints the time each stage took, the bytes still live after it and
//! the peak during it. By default every memo is kept, as the language server keeps them;
//! `bounded` goes through the chunks as `gene check` does, dropping trees, forms and walks as it
//! goes, and prints what the per-chunk results it keeps take.
//! `cargo run --release -p gene-syntax --example check_memory FILE [bounded]`

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicUsize, Ordering};

use gene_syntax::analysis::{self, LintConfig};
use gene_syntax::db::{self, RootDatabase};

/// mimalloc, as the `gene` binary uses, counting the live bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        unsafe { mimalloc::MiMalloc.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            let live = LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed)
                + (new_size - layout.size());
            PEAK.fetch_max(live, Ordering::Relaxed);
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn report(stage: &str, text_len: usize) {
    thread_local!(static LAST: std::cell::Cell<Option<std::time::Instant>> = const { std::cell::Cell::new(None) });
    let now = std::time::Instant::now();
    let took = LAST
        .with(|last| last.replace(Some(now)))
        .map(|t| now - t)
        .unwrap_or_default();
    let mb = |n: usize| n as f64 / 1e6;
    let live = LIVE.load(Ordering::Relaxed);
    let peak = PEAK.swap(live, Ordering::Relaxed);
    println!(
        "{stage:<22} {:>8.2?}  live {:>9.1} MB ({:>5.1}x)   peak during {:>9.1} MB ({:>5.1}x)",
        took,
        mb(live),
        live as f64 / text_len as f64,
        mb(peak),
        peak as f64 / text_len as f64,
    );
}

/// The heap bytes a clone of `value` takes (what its contents take, at exact capacity).
fn heap_of<T: Clone>(value: &T) -> usize {
    let before = LIVE.load(Ordering::Relaxed);
    let copy = value.clone();
    let after = LIVE.load(Ordering::Relaxed);
    drop(copy);
    after.saturating_sub(before)
}

/// A vector's heap bytes: its contents' (see [`heap_of`]) and its spare capacity.
fn vec_heap<T: Clone>(v: &Vec<T>) -> usize {
    heap_of(v) + (v.capacity() - v.len()) * std::mem::size_of::<T>()
}

/// What the per-chunk results the file-level pass reads take (`chunk_facts`), part by part, over
/// every chunk.
fn per_chunk_sizes(db: &RootDatabase, file: gene_syntax::db::SourceFile, text_len: usize) {
    let mut parts: Vec<(&str, usize, usize)> = Vec::new();
    let mut add = |name: &'static str, count: usize, bytes: usize| match parts
        .iter_mut()
        .find(|(n, _, _)| *n == name)
    {
        Some(part) => {
            part.1 += count;
            part.2 += bytes;
        }
        None => parts.push((name, count, bytes)),
    };
    for at in db::chunks(db, file) {
        let facts = analysis::chunk_facts(db, at.chunk);
        add("facts (struct)", 1, std::mem::size_of_val(facts));
        let a = &facts.lint;
        add("lint.free", a.free.len(), heap_of(&a.free));
        add("lint.pending", a.pending.len(), heap_of(&a.pending));
        add("lint.more", usize::from(a.more.is_some()), heap_of(&a.more));
        if let Some(s) = facts.symbols() {
            add("symbols", 1, std::mem::size_of_val(s));
            add("symbols.defs", s.defs.len(), vec_heap(&s.defs));
            add("symbols.imports", s.imports.len(), vec_heap(&s.imports));
        }
        let allowed = facts.allowed();
        add("allowed", allowed.len(), heap_of(&allowed.to_vec()));
        let syntax = facts.syntax();
        add("syntax", syntax.len(), heap_of(&syntax.to_vec()));
        add("chunk text", 1, at.chunk.text(db).own_bytes());
    }
    let mb = |n: usize| n as f64 / 1e6;
    for (name, count, bytes) in parts {
        println!(
            "  {name:<22} {count:>9} items {:>9.1} MB ({:>5.2}x)",
            mb(bytes),
            bytes as f64 / text_len as f64
        );
    }
}

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: check_memory FILE");
        std::process::exit(2);
    };
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        eprintln!("cannot read {path}: {e}");
        std::process::exit(2);
    });
    let (text, _) = gene_syntax::decode_utf8_lossy(&bytes);
    drop(bytes);
    let len = text.len().max(1);
    report("text", len);
    let bounded = std::env::args().nth(2).as_deref() == Some("bounded");
    let mut db = RootDatabase::new();
    if bounded {
        db::limit_chunk_memos(&mut db, 1024);
    }
    let file = db.set_file(path.clone().into(), text);
    report("set_file", len);
    let mut syntax = Vec::new();
    if bounded {
        let n = db::chunks(&db, file).len();
        report(&format!("split ({n} chunks)"), len);
        db::visit_chunks_bounded(&mut db, file, 512, |db, at| {
            let facts = analysis::chunk_facts(db, at.chunk);
            syntax.extend(facts.syntax().iter().map(|d| d.shifted(at.offset)));
        });
        report(
            &format!("visit_chunks_bounded ({} syntax)", syntax.len()),
            len,
        );
        per_chunk_sizes(&db, file, len);
    } else {
        syntax = db::syntax_diagnostics(&db, file).clone();
        report(&format!("syntax diags ({})", syntax.len()), len);
    }
    let _ = gene_syntax::analysis::symbols::file_symbols(&db, file);
    report("file_symbols (imports)", len);
    for at in db::chunks(&db, file) {
        let _ = analysis::chunk_lint(&db, at.chunk);
    }
    report("chunk_lint", len);
    let lint = analysis::lint_diagnostics(&db, file).len();
    report(&format!("lint diags ({lint})"), len);
    let mut all = syntax;
    all.extend(LintConfig::default().apply(analysis::lint_diagnostics(&db, file)));
    all.sort_by_key(|d| (d.range.start(), d.range.end()));
    report(&format!("diagnostics ({})", all.len()), len);
    let _ = db::line_index(&db, file);
    report("line_index", len);
}
