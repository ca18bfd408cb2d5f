//! Accelerators for the chunk queries. None of them changes what a query computes, only how
//! much work it takes:
//!
//! - the text and chunks of the last split of each file, so that the split after an edit lexes
//!   only around the edit ([`parser::rechunk`] gives exactly the chunks of a split from scratch);
//! - the tokens of a file's first split, so that its chunks are parsed without lexing them a
//!   second time (a chunk lexed on its own gives exactly the tokens and lexical errors the whole
//!   file gives for it, and each use checks that the text is the same);
//! - the small tokens the chunks' trees share (a shared token equals a new one).

use std::ops::Range;
use std::sync::{Arc, Mutex};

use rowan::{GreenNode, TextRange};
use rustc_hash::FxHashMap;

use super::SourceFile;
use crate::lexer::{self, Lexed};
use crate::parser;
use crate::syntax_error::SyntaxError;

/// A file's text when it was last split, and its chunks then.
type LastSplit = (Arc<str>, Vec<TextRange>);

#[derive(Default)]
pub struct ChunkCache {
    last: Mutex<FxHashMap<SourceFile, LastSplit>>,
    /// The tokens of the last file split from scratch, until its chunks are parsed.
    lexed: Mutex<Option<PendingChunks>>,
    /// The tree builder, with its buffers and the shared tokens: taken by a parse and put back
    /// after, so parses never wait for one another (a parse that finds it taken, because another
    /// thread is parsing, uses a builder of its own).
    builder: Mutex<SharedBuilder>,
}

/// Files remembered at most; past that the cache starts over.
const CHUNK_CACHE_FILES: usize = 1024;

/// How a file was split.
pub(super) enum Split {
    /// From scratch: the whole text was lexed, and each chunk has its token indices.
    Lexed {
        text: Arc<str>,
        lexed: Lexed,
        chunks: Vec<(Range<usize>, TextRange)>,
    },
    /// From the previous split, lexing only around the edit.
    Rechunked(Vec<TextRange>),
}

/// A file's tokens, waiting for its chunks' parses.
struct LexedFile {
    text: Arc<str>,
    /// Lexical errors sorted by start, so each chunk finds its own by binary search.
    lexed: Lexed,
}

struct PendingChunks {
    /// Shared with the parses under way, which read their tokens from it.
    file: Arc<LexedFile>,
    /// By chunk id: the chunk's token indices and range in the file. A parse takes its entry out.
    chunks: FxHashMap<salsa::Id, (Range<usize>, TextRange)>,
}

#[derive(Default)]
enum SharedBuilder {
    #[default]
    NotYetMade,
    Idle(parser::TreeBuilder),
    InUse,
}

impl ChunkCache {
    pub(super) fn split(&self, file: SourceFile, text: &str) -> Split {
        let Ok(mut last) = self.last.lock() else {
            return from_scratch(text.into());
        };
        let split = match last.get(&file) {
            Some((old_text, old_ranges)) => {
                Split::Rechunked(parser::rechunk(old_text, old_ranges, text))
            }
            None => from_scratch(text.into()),
        };
        if last.len() >= CHUNK_CACHE_FILES && !last.contains_key(&file) {
            last.clear();
        }
        let (text, ranges) = match &split {
            Split::Lexed { text, chunks, .. } => {
                (text.clone(), chunks.iter().map(|(_, r)| *r).collect())
            }
            Split::Rechunked(ranges) => (text.into(), ranges.clone()),
        };
        last.insert(file, (text, ranges));
        split
    }

    /// Keeps the tokens of a split from scratch for the parses of its chunks (`ids`, in the
    /// order of `chunks`). Replaces the tokens of an earlier file whose chunks were not all
    /// parsed: those are lexed again if they ever are.
    pub(super) fn keep_lexed(
        &self,
        text: Arc<str>,
        mut lexed: Lexed,
        chunks: Vec<(Range<usize>, TextRange)>,
        ids: impl Iterator<Item = salsa::Id>,
    ) {
        lexed.errors.sort_by_key(|e| e.range.start());
        let mut by_id = FxHashMap::with_capacity_and_hasher(chunks.len(), Default::default());
        by_id.extend(ids.zip(chunks));
        if let Ok(mut slot) = self.lexed.lock() {
            *slot = Some(PendingChunks {
                file: Arc::new(LexedFile { text, lexed }),
                chunks: by_id,
            });
        }
    }

    /// The file lexing that holds the tokens of chunk `id` with `text`, and where, if a split
    /// kept them.
    fn take_lexed(
        &self,
        id: salsa::Id,
        text: &str,
    ) -> Option<(Arc<LexedFile>, Range<usize>, TextRange)> {
        let mut slot = self.lexed.lock().ok()?;
        let pending = slot.as_mut()?;
        let (tokens, range) = pending.chunks.remove(&id)?;
        let found = (pending.file.text.get(Range::<usize>::from(range)) == Some(text))
            .then(|| (pending.file.clone(), tokens, range));
        if pending.chunks.is_empty() {
            *slot = None;
        }
        found
    }

    /// Parses one chunk (`id` with `text`), sharing tokens with the chunks parsed before.
    pub(super) fn parse(&self, id: salsa::Id, text: &str) -> (GreenNode, Vec<SyntaxError>) {
        let kept = self.take_lexed(id, text);
        let lexed_alone;
        let lexed = match &kept {
            Some((file, tokens, range)) => file.lexed.chunk(tokens.clone(), *range),
            None => {
                lexed_alone = lexer::lex(text);
                lexed_alone.whole()
            }
        };
        let taken = match self.builder.lock() {
            Ok(mut slot) => std::mem::replace(&mut *slot, SharedBuilder::InUse),
            Err(_) => SharedBuilder::InUse,
        };
        let (builder, shared) = match taken {
            SharedBuilder::Idle(builder) => (builder, true),
            SharedBuilder::NotYetMade => (parser::TreeBuilder::large(), true),
            // Another thread is parsing: a small builder of our own, rather than waiting.
            SharedBuilder::InUse => (parser::TreeBuilder::for_text_len(text.len()), false),
        };
        let (green, errors, builder) = parser::parse_lexed_with(text, lexed, builder);
        if shared && let Ok(mut slot) = self.builder.lock() {
            *slot = SharedBuilder::Idle(builder);
        }
        (green, errors)
    }
}

fn from_scratch(text: Arc<str>) -> Split {
    let lexed = lexer::lex(&text);
    let chunks = parser::split_top_level_tokens(&lexed.tokens);
    Split::Lexed {
        text,
        lexed,
        chunks,
    }
}
