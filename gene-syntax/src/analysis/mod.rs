//! Analysis over the parse: name resolution with Gene's scoping and the lint rules that catch
//! async mistakes (`A001`..`A013`), name mistakes (`N001`..`N003`), `yield` outside a
//! generator (`G001`) and imports of files that cannot be read (`I001`).
//!
//! Each top-level chunk is walked on its own ([`chunk_analysis`], memoized per chunk): what it
//! can decide alone becomes a diagnostic; what depends on names defined in other forms becomes
//! a pending diagnostic. [`lint_diagnostics`] then goes through the chunks in order with the
//! file's definitions and top-level variables, decides the pending ones, and applies the
//! one-diagnostic-per-expression precedence and `# gene: allow(...)` comments.

pub mod config;
pub mod facts;
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

/// The walk of one chunk (ranges relative to the chunk).
#[salsa::tracked(returns(ref))]
pub fn chunk_analysis<'db>(db: &'db dyn Db, chunk: Chunk<'db>) -> Arc<facts::ChunkAnalysis> {
    let forms = db::chunk_forms(db, chunk);
    Arc::new(walk::analyze(forms, chunk.text(db)))
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
fn apply_precedence(diagnostics: &mut Vec<Diagnostic>) {
    let dominated = |d: &Diagnostic, all: &[Diagnostic]| {
        all.iter().any(|other| {
            other.range == d.range
                && rules::PRECEDENCE
                    .iter()
                    .any(|(winner, loser)| *winner == other.code && *loser == d.code)
        })
    };
    let snapshot = diagnostics.clone();
    diagnostics.retain(|d| !dominated(d, &snapshot));
    // The same rule twice on one range (a pending and a direct report) is one diagnostic.
    diagnostics.sort_by_key(|d| (d.range.start(), d.range.end(), d.code));
    diagnostics.dedup_by(|a, b| a.range == b.range && a.code == b.code);
}
