//! Analysis over the parse: name resolution with Gene's scoping, future inference
//! ([`infer`]: which functions and methods return futures) and the lint rules that catch async
//! mistakes (`A001`..`A018`), name mistakes (`N001`..`N004`), `yield` outside a generator
//! (`G001`) and imports of files that cannot be read (`I001`).
//!
//! Each top-level chunk is walked on its own ([`chunk_analysis`], memoized per chunk): what it
//! can decide alone becomes a diagnostic; what depends on names defined in other forms becomes
//! a pending diagnostic. [`lint_diagnostics`] then goes through the chunks in order with the
//! file's definitions and top-level variables, decides the pending ones, and applies the
//! one-diagnostic-per-expression precedence and `# gene: allow(...)` comments.

pub mod config;
pub mod facts;
pub mod infer;
mod resolve;
pub mod rules;
pub mod shape;
pub mod symbols;
mod walk;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use crate::db::{self, Chunk, Db, SourceFile};
use crate::diagnostic::Diagnostic;

pub use config::LintConfig;
pub use rules::{RULES, Rule, rule};

/// The walk of one chunk (ranges relative to the chunk). Its value can be dropped (see
/// [`db::limit_chunk_memos`]); by default none is.
#[salsa::tracked(returns(ref), lru = 0)]
pub fn chunk_analysis<'db>(db: &'db dyn Db, chunk: Chunk<'db>) -> Arc<facts::ChunkAnalysis> {
    let forms = db::chunk_forms(db, chunk);
    Arc::new(walk::analyze(forms, chunk.text(db)))
}

/// Bounds how many chunks' walks the database keeps: see [`db::limit_chunk_memos`].
pub(crate) fn limit_analysis_memos(db: &mut db::RootDatabase, chunks: usize) {
    chunk_analysis::set_lru_capacity(db, chunks);
}

/// The part of a chunk's walk that [`lint_diagnostics`] reads (shared with
/// [`chunk_analysis`]): kept when a batch tool drops the rest of the walk. A batch tool (see
/// [`db::limit_chunk_memos`]) walks the chunk here rather than through `chunk_analysis`, whose
/// memo it would keep for every chunk though it drops its value; the walk is the same.
#[salsa::tracked(returns(ref))]
pub fn chunk_lint<'db>(db: &'db dyn Db, chunk: Chunk<'db>) -> Arc<facts::ChunkLint> {
    if db.chunk_cache().is_some_and(|cache| cache.is_batch()) {
        let forms = db::chunk_forms(db, chunk);
        return walk::analyze(forms, chunk.text(db)).lint;
    }
    chunk_analysis(db, chunk).lint.clone()
}

/// A chunk's lint facts, from the memo the database keeps for them: [`chunk_lint`] for a batch
/// tool, [`chunk_analysis`] otherwise (a second memo per chunk would be one more to verify for
/// every chunk after each edit).
pub(crate) fn lint_facts<'db>(db: &'db dyn Db, chunk: Chunk<'db>) -> &'db facts::ChunkLint {
    if db.chunk_cache().is_some_and(|cache| cache.is_batch()) {
        chunk_lint(db, chunk)
    } else {
        &chunk_analysis(db, chunk).lint
    }
}

/// Every lint diagnostic of the file, in source order, before any configuration is applied
/// (allow comments in the file are applied).
#[salsa::tracked(returns(ref))]
pub fn lint_diagnostics(db: &dyn Db, file: SourceFile) -> Vec<Diagnostic> {
    let symbols = symbols::file_symbols(db, file);
    let mut diagnostics = resolve::resolve_file(db, file, symbols);
    diagnostics.extend(rules::i001_unreadable_import::check_file(db, file, symbols));
    apply_precedence(&mut diagnostics);
    config::apply_allow_comments(db, file, &mut diagnostics);
    diagnostics.sort_by_key(|d| (d.range.start(), d.range.end(), d.code));
    diagnostics
}

/// Syntax errors and lint diagnostics together, with the configuration applied: what
/// `gene check` prints and the language server publishes.
pub fn diagnostics(db: &dyn Db, file: SourceFile, config: &LintConfig) -> Vec<Diagnostic> {
    let mut all: Vec<Diagnostic> = db::syntax_diagnostics(db, file).clone();
    all.extend(config.apply(lint_diagnostics(db, file)));
    all.sort_by_key(|d| (d.range.start(), d.range.end()));
    all
}

/// One diagnostic per expression: when two rules flag the same range, the more specific wins.
/// Sorted first, so that the diagnostics of one range are together and each is compared only
/// with those (comparing each with every other took minutes on a file with 150k of them).
fn apply_precedence(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by_key(|d| (d.range.start(), d.range.end(), d.code));
    let mut keep = Vec::with_capacity(diagnostics.len());
    for group in diagnostics.chunk_by(|a, b| a.range == b.range) {
        keep.extend(group.iter().map(|d| {
            !group.iter().any(|other| {
                rules::PRECEDENCE
                    .iter()
                    .any(|(winner, loser)| *winner == other.code && *loser == d.code)
            })
        }));
    }
    let mut keep = keep.into_iter();
    diagnostics.retain(|_| keep.next().unwrap_or(true));
    // The same rule twice on one range (a pending and a direct report) is one diagnostic.
    diagnostics.dedup_by(|a, b| a.range == b.range && a.code == b.code);
}
