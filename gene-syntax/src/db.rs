//! The salsa database every tool shares: inputs and the syntax queries.
//!
//! A file is split into top-level chunks (leading trivia plus one form); each chunk is interned
//! by its text and parsed, lowered and diagnosed on its own. An edit inside one form changes only
//! that chunk's text, so the per-chunk queries of every other form are reused as they are.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rowan::{GreenNode, NodeOrToken, TextRange, TextSize};
use salsa::plumbing::AsId;

use crate::diagnostic::Diagnostic;
use crate::form::{self, Form};
use crate::line_index::LineIndex;
use crate::syntax_error::SyntaxError;
use crate::{Parse, SyntaxKind, ast, lexer, parser};

mod chunk_cache;
mod chunk_text;

pub use chunk_cache::ChunkCache;
use chunk_cache::Split;
use chunk_text::ChunkKey;
pub use chunk_text::ChunkText;

/// The database trait the queries take; every crate's database view extends it.
#[salsa::db]
pub trait Db: salsa::Database {
    /// The files known by path (for following imports).
    fn workspace(&self) -> crate::workspace::Workspace;

    /// Remembers the last split of each file into chunks, so the next split after an edit
    /// lexes only around the edit. Without one, every split lexes the whole file.
    fn chunk_cache(&self) -> Option<&ChunkCache> {
        None
    }
}

/// A source file: its path (for messages and imports) and its current text (shared, so that a
/// batch tool's chunks can hold ranges of it rather than copies: see [`ChunkText`]).
#[salsa::input(debug)]
pub struct SourceFile {
    #[returns(ref)]
    pub path: PathBuf,
    #[returns(ref)]
    pub text: Arc<str>,
}

/// The text of one top-level chunk. Interned, so equal text means the same chunk wherever it sits
/// in the file, and the chunk's queries are computed once.
#[salsa::interned(debug)]
pub struct Chunk<'db> {
    #[returns(ref)]
    pub text: ChunkText,
}

/// A chunk and where it starts in its file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, salsa::SalsaValue)]
pub struct ChunkAt<'db> {
    pub chunk: Chunk<'db>,
    pub offset: TextSize,
}

/// The parse of one chunk: a `SOURCE_FILE` node holding its elements, errors relative to the
/// chunk's start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChunkParse {
    pub green: GreenNode,
    pub errors: Vec<SyntaxError>,
    /// The errors as diagnostics. Made with the parse rather than by a query of their own: a
    /// first parse of a file runs one query per chunk instead of two (each query costs as much
    /// as parsing a short form), and a chunk without errors pays nothing.
    pub diagnostics: Vec<Diagnostic>,
}

/// The file's top-level chunks, in order. A file split from scratch is parsed with it, in one
/// lexing pass (on two threads when big): its chunks' `parse_chunk` take those parses.
#[salsa::tracked(returns(ref))]
pub fn chunks(db: &dyn Db, file: SourceFile) -> Vec<ChunkAt<'_>> {
    let text = file.text(db);
    // A batch tool's chunks are ranges of the file's text, not copies: it keeps every chunk of
    // a big file at once, and no chunk outlives the text (see `ChunkText`).
    let batch = is_batch(db);
    let intern = |range: TextRange| ChunkAt {
        chunk: Chunk::new(
            db,
            if batch {
                ChunkKey::in_file(text, range)
            } else {
                ChunkKey::copied(text, range)
            },
        ),
        offset: range.start(),
    };
    let Some(cache) = db.chunk_cache() else {
        let ranges = parser::split_top_level(&lexer::tokenize(text).0);
        return ranges.into_iter().map(intern).collect();
    };
    match cache.split(file, text) {
        Split::Ranges(ranges) => ranges.into_iter().map(intern).collect(),
        Split::Parsed {
            text,
            chunks,
            parses,
        } => {
            let interned: Vec<ChunkAt<'_>> = chunks.iter().map(|r| intern(*r)).collect();
            let ids = interned.iter().map(|at| at.chunk.as_id());
            cache.keep_parsed(text, chunks, parses, ids);
            interned
        }
    }
}

/// Parses one chunk. Its value can be dropped (see [`limit_chunk_memos`]); by default none is.
#[salsa::tracked(returns(ref), lru = 0)]
pub fn parse_chunk<'db>(db: &'db dyn Db, chunk: Chunk<'db>) -> ChunkParse {
    let (green, errors) = parse_chunk_untracked(db, chunk);
    let diagnostics = errors.iter().map(Diagnostic::from).collect();
    ChunkParse {
        green,
        errors,
        diagnostics,
    }
}

/// What [`parse_chunk`] computes, outside the database's memos: for a batch tool's per-chunk
/// facts ([`crate::analysis::chunk_facts`]), which keep what they need of the tree and drop it.
pub(crate) fn parse_chunk_untracked<'db>(
    db: &'db dyn Db,
    chunk: Chunk<'db>,
) -> (GreenNode, Vec<SyntaxError>) {
    let text = chunk.text(db);
    match db.chunk_cache() {
        Some(cache) => cache.parse(chunk.as_id(), text),
        None => crate::parse_chunk_text(text),
    }
}

/// A chunk's lowered forms, from its tree.
pub(crate) fn lower_chunk(green: GreenNode) -> Vec<Form> {
    match ast::SourceFile::cast(crate::SyntaxNode::new_root(green)) {
        Some(root) => form::lower_file(&root),
        None => Vec::new(),
    }
}

/// The lowered forms of one chunk, ranges relative to the chunk's start. Its value can be
/// dropped (see [`limit_chunk_memos`]); by default none is.
#[salsa::tracked(returns(ref), lru = 0)]
pub fn chunk_forms<'db>(db: &'db dyn Db, chunk: Chunk<'db>) -> Arc<[Form]> {
    lower_chunk(parse_chunk(db, chunk).green.clone()).into()
}

/// The whole file's tree, assembled from its chunks, and its syntax errors.
#[salsa::tracked(returns(ref))]
pub fn parse(db: &dyn Db, file: SourceFile) -> Parse {
    let mut children: Vec<NodeOrToken<GreenNode, rowan::GreenToken>> = Vec::new();
    let mut errors = Vec::new();
    for at in chunks(db, file) {
        let chunk = parse_chunk(db, at.chunk);
        children.extend(chunk.green.children().map(|c| c.to_owned()));
        errors.extend(chunk.errors.iter().map(|e| e.shifted(at.offset)));
    }
    Parse::new(
        GreenNode::new(SyntaxKind::SOURCE_FILE.into(), children),
        errors,
    )
}

/// Every top-level form of the file, lowered, with ranges in file offsets. The VM compiles these.
#[salsa::tracked(returns(ref))]
pub fn file_forms(db: &dyn Db, file: SourceFile) -> Arc<[Form]> {
    let mut forms = Vec::new();
    for at in chunks(db, file) {
        forms.extend(
            chunk_forms(db, at.chunk)
                .iter()
                .map(|f| f.shifted(at.offset)),
        );
    }
    forms.into()
}

#[salsa::tracked(returns(ref))]
pub fn line_index(db: &dyn Db, file: SourceFile) -> LineIndex {
    LineIndex::new(file.text(db))
}

/// The syntax diagnostics of one chunk, ranges relative to the chunk's start: part of its parse
/// (of its batch facts for a batch tool, see [`limit_chunk_memos`]).
pub fn chunk_syntax_diagnostics<'db>(db: &'db dyn Db, chunk: Chunk<'db>) -> &'db [Diagnostic] {
    if is_batch(db) {
        return crate::analysis::chunk_facts(db, chunk).syntax();
    }
    &parse_chunk(db, chunk).diagnostics
}

/// Whether the database is set up for a batch tool ([`limit_chunk_memos`]): the per-chunk
/// results the file-level passes read then come from one memo per chunk,
/// [`crate::analysis::chunk_facts`].
pub(crate) fn is_batch(db: &dyn Db) -> bool {
    db.chunk_cache().is_some_and(|cache| cache.is_batch())
}

/// The file's syntax diagnostics, in source order: each chunk's, read from its parse (no query
/// of their own) and shifted to the chunk's place. Not read from the assembled `parse`, which
/// an edit would make every keystroke rebuild for the whole file (the language server and
/// `gene check` need the diagnostics, not the whole tree).
#[salsa::tracked(returns(ref))]
pub fn syntax_diagnostics(db: &dyn Db, file: SourceFile) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for at in chunks(db, file) {
        out.extend(
            chunk_syntax_diagnostics(db, at.chunk)
                .iter()
                .map(|d| shift_diagnostic(d, at.offset)),
        );
    }
    out
}

fn shift_diagnostic(d: &Diagnostic, offset: TextSize) -> Diagnostic {
    let mut d = d.clone();
    d.range += offset;
    for r in &mut d.related {
        r.range += offset;
    }
    d
}

/// Bounds how many chunks' trees, lowered forms and walks the database keeps: past `chunks` (0:
/// no bound, the default), the least recently used are dropped at each
/// [`salsa::Database::trigger_lru_eviction`] (and made again if a query asks for them). For a
/// batch tool going through a big file once ([`visit_chunks_bounded`]): every chunk's tree,
/// forms and walk together take many times the size of the text. With a bound, a file's first
/// split no longer parses its chunks with it (they would all be in memory at once), no split is
/// remembered for an edit (see [`ChunkCache`]), and what the file-level passes read of each
/// chunk (lint facts, definitions, allow comments, syntax errors) comes from one memo per chunk,
/// [`crate::analysis::chunk_facts`], which parses, lowers and walks the chunk without keeping
/// the tree, forms or walk in memos of their own.
///
/// The language server keeps the default: it keeps every chunk's tree and forms, so that an
/// edit re-reads them instead of re-parsing the file.
pub fn limit_chunk_memos(db: &mut RootDatabase, chunks: usize) {
    parse_chunk::set_lru_capacity(db, chunks);
    chunk_forms::set_lru_capacity(db, chunks);
    crate::analysis::limit_analysis_memos(db, chunks);
    if chunks > 0 {
        db.chunk_cache.for_batch();
    }
}

/// Runs `visit` on every chunk of `file` (with its offset), in order, `batch` chunks at a time,
/// dropping the trees, forms and walks past the limit ([`limit_chunk_memos`]) after each batch.
/// `visit` computes what the tool needs from each chunk (what the file-level queries read:
/// [`crate::analysis::chunk_facts`] ...).
pub fn visit_chunks_bounded(
    db: &mut RootDatabase,
    file: SourceFile,
    batch: usize,
    mut visit: impl FnMut(&RootDatabase, ChunkAt<'_>),
) {
    let batch = batch.max(1);
    let count = chunks(db, file).len();
    for start in (0..count).step_by(batch) {
        let end = (start + batch).min(count);
        for at in chunks(db, file).get(start..end).unwrap_or_default() {
            visit(db, *at);
        }
        salsa::Database::trigger_lru_eviction(db);
    }
}

/// Records which queries salsa executed, for tests of incrementality.
pub type ExecutionLog = Arc<Mutex<Vec<String>>>;

/// The concrete database used by the command line, the server and tests.
#[salsa::db]
#[derive(Clone)]
pub struct RootDatabase {
    storage: salsa::Storage<Self>,
    log: Option<ExecutionLog>,
    workspace: Option<crate::workspace::Workspace>,
    chunk_cache: Arc<ChunkCache>,
}

impl Default for RootDatabase {
    fn default() -> Self {
        RootDatabase::with_storage(salsa::Storage::new(None), None)
    }
}

impl RootDatabase {
    pub fn new() -> Self {
        Self::default()
    }

    /// A database that records every query execution (salsa's `WillExecute` event) as the
    /// query's debug name, e.g. `parse_chunk(Id(402))`.
    pub fn with_execution_log() -> (Self, ExecutionLog) {
        let log: ExecutionLog = Arc::default();
        let sink = log.clone();
        let storage = salsa::Storage::new(Some(Box::new(move |event: salsa::Event| {
            if let salsa::EventKind::WillExecute { database_key } = event.kind
                && let Ok(mut log) = sink.lock()
            {
                log.push(format!("{database_key:?}"));
            }
        })));
        (RootDatabase::with_storage(storage, Some(log.clone())), log)
    }

    /// A database that parses the chunks of files of at least `bytes` bytes on two threads
    /// (by default from [`crate::parser::PARALLEL_FROM`]). Tests pass 0, so that small inputs
    /// take the two-thread path too.
    pub fn with_parallel_parse_from(bytes: usize) -> Self {
        RootDatabase {
            chunk_cache: Arc::new(ChunkCache::with_parallel_from(bytes)),
            ..Self::default()
        }
    }

    fn with_storage(storage: salsa::Storage<Self>, log: Option<ExecutionLog>) -> Self {
        let mut db = RootDatabase {
            storage,
            log,
            workspace: None,
            chunk_cache: Arc::default(),
        };
        db.workspace = Some(crate::workspace::Workspace::new(
            &db,
            Arc::default(),
            Arc::default(),
        ));
        db
    }

    /// Adds a file to the workspace under `path`, or updates its text if it is there.
    pub fn set_file(&mut self, path: PathBuf, text: String) -> SourceFile {
        use salsa::Setter;
        let path = crate::workspace::normalize(&path);
        if let Some(file) = self.file_at(&path) {
            if **file.text(self) != *text {
                file.set_text(self).to(text.into());
            }
            return file;
        }
        let file = SourceFile::new(self, path.clone(), text.into());
        let workspace = self.workspace();
        let mut files = (**workspace.files(self)).clone();
        files.insert(path, file);
        workspace.set_files(self).to(Arc::new(files));
        file
    }

    /// Removes a file from the workspace (its `SourceFile` stays valid but is no longer found
    /// by path).
    pub fn remove_file(&mut self, path: &std::path::Path) {
        use salsa::Setter;
        let path = crate::workspace::normalize(path);
        let workspace = self.workspace();
        if workspace.files(self).contains_key(&path) {
            let mut files = (**workspace.files(self)).clone();
            files.remove(&path);
            workspace.set_files(self).to(Arc::new(files));
        }
    }

    /// The workspace file at `path`, if there is one.
    pub fn file_at(&self, path: &std::path::Path) -> Option<SourceFile> {
        self.workspace()
            .files(self)
            .get(&crate::workspace::normalize(path))
            .copied()
    }

    pub fn execution_log(&self) -> Option<&ExecutionLog> {
        self.log.as_ref()
    }
}

#[salsa::db]
impl salsa::Database for RootDatabase {}

#[salsa::db]
impl Db for RootDatabase {
    fn workspace(&self) -> crate::workspace::Workspace {
        // Set in `with_storage`, the only constructor.
        self.workspace.expect("RootDatabase always has a workspace")
    }

    fn chunk_cache(&self) -> Option<&ChunkCache> {
        Some(&self.chunk_cache)
    }
}

/// The range of a chunk in its file.
pub fn chunk_range(db: &dyn Db, at: &ChunkAt<'_>) -> TextRange {
    TextRange::at(at.offset, TextSize::of(at.chunk.text(db).as_str()))
}
