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

/// A chunk's lint facts: what [`lint_diagnostics`] reads of its walk. From [`chunk_facts`] for
/// a batch tool (see [`db::limit_chunk_memos`]), from [`chunk_analysis`] otherwise (a second
/// memo per chunk would be one more to verify for every chunk after each edit).
pub fn chunk_lint<'db>(db: &'db dyn Db, chunk: Chunk<'db>) -> &'db facts::ChunkLint {
    if db::is_batch(db) {
        &chunk_facts(db, chunk).lint
    } else {
        &chunk_analysis(db, chunk).lint
    }
}

/// Everything the file-level passes read of one chunk, for a batch tool (see
/// [`db::limit_chunk_memos`]): its lint facts, definitions, allow comments and syntax errors,
/// made from one parse, lowering and walk that are then dropped. One memo per chunk: the
/// database's bookkeeping for each memo (a few hundred bytes with its dependencies) is more than
/// most chunks' text, and a big file has a million chunks. The language server keeps the
/// separate queries ([`chunk_analysis`], [`symbols::chunk_symbols`], [`config::chunk_allowed`],
/// [`db::parse_chunk`]), which share the tree and forms it keeps for edits.
#[salsa::tracked(returns(ref))]
pub fn chunk_facts<'db>(db: &'db dyn Db, chunk: Chunk<'db>) -> ChunkFacts {
    let text = chunk.text(db);
    let (green, errors) = db::parse_chunk_untracked(db, chunk);
    let allowed: Box<config::ChunkAllowed> = if config::may_allow(text) {
        config::allowed_ranges(&crate::SyntaxNode::new_root(green.clone())).into()
    } else {
        Box::default()
    };
    let forms = db::lower_chunk(green);
    let lint = walk::analyze(&forms, text).lint;
    let lint = Arc::try_unwrap(lint).unwrap_or_else(|shared| (*shared).clone());
    let rare = RareFacts {
        symbols: symbols::symbols_of(&forms, text),
        allowed,
        syntax: errors.iter().map(Diagnostic::from).collect(),
    };
    let empty = rare.symbols.is_none() && rare.allowed.is_empty() && rare.syntax.is_empty();
    ChunkFacts {
        lint,
        rare: (!empty).then(|| Box::new(rare)),
    }
}

/// One chunk's [`chunk_facts`]: kept for every chunk of a file, so the parts most chunks lack
/// are behind one pointer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ChunkFacts {
    pub lint: facts::ChunkLint,
    rare: Option<Box<RareFacts>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
struct RareFacts {
    symbols: Option<Box<symbols::ChunkSymbols>>,
    allowed: Box<config::ChunkAllowed>,
    syntax: Box<[Diagnostic]>,
}

impl ChunkFacts {
    /// What the chunk defines and imports, if anything.
    pub fn symbols(&self) -> Option<&symbols::ChunkSymbols> {
        self.rare.as_ref()?.symbols.as_deref()
    }

    pub fn allowed(&self) -> &config::ChunkAllowed {
        self.rare.as_ref().map_or(&[], |rare| &rare.allowed)
    }

    /// The syntax errors, as diagnostics (ranges relative to the chunk).
    pub fn syntax(&self) -> &[Diagnostic] {
        self.rare.as_ref().map_or(&[], |rare| &rare.syntax)
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
