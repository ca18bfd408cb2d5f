//! Accelerators for the chunk queries. None of them changes what a query computes, only how
//! much work it takes:
//!
//! - the text and chunks of the last split of each file, so that the split after an edit lexes
//!   only around the edit ([`parser::rechunk`] gives exactly the chunks of a split from scratch);
//! - the tokens of a file's first split, so that its chunks are parsed without lexing them a
//!   second time (a chunk lexed on its own gives exactly the tokens and lexical errors the whole
//!   file gives for it, and each use checks that the text is the same);
//! - the parses of all the chunks of that split, made when the first of them is asked for: a
//!   big file's chunks are divided between two threads ([`parser::parallel`]), and each
//!   `parse_chunk` then takes its chunk's parse (the parse it would have made itself: a chunk's
//!   parse depends on its text only);
//! - the small tokens the chunks' trees share (a shared token equals a new one).

use std::ops::Range;
use std::sync::{Arc, Mutex};

use rowan::{GreenNode, TextRange};
use rustc_hash::FxHashMap;

use super::SourceFile;
use crate::lexer::{self, Lexed};
use crate::parser::{self, parallel};
use crate::syntax_error::SyntaxError;

/// A file's text when it was last split, and its chunks then.
type LastSplit = (Arc<str>, Vec<TextRange>);

/// A chunk's tree and errors.
type ChunkResult = (GreenNode, Vec<SyntaxError>);

pub struct ChunkCache {
    last: Mutex<FxHashMap<SourceFile, LastSplit>>,
    /// The chunks of the last file split from scratch, until they are parsed.
    pending: Mutex<Option<PendingChunks>>,
    /// The tree builder, with its buffers and the shared tokens: taken by a parse and put back
    /// after, so parses never wait for one another (a parse that finds it taken, because another
    /// thread is parsing, uses a builder of its own).
    builder: Mutex<SharedBuilder>,
    /// From how many bytes the chunks of a split are parsed on two threads.
    parallel_from: usize,
}

impl Default for ChunkCache {
    fn default() -> Self {
        ChunkCache::with_parallel_from(parallel::PARALLEL_FROM)
    }
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

/// The chunks of a file split from scratch.
struct PendingChunks {
    text: Arc<str>,
    /// Each chunk's index in `chunks` by its id (the last, if two chunks have the same text).
    by_id: FxHashMap<salsa::Id, usize>,
    chunks: Vec<(Range<usize>, TextRange)>,
    state: Pending,
}

enum Pending {
    /// Not parsed yet: the file's tokens, lexical errors sorted by start (so each chunk finds
    /// its own by binary search).
    Lexed(Lexed),
    /// Parsed: each chunk's parse, in the order of `chunks`, until taken; and how many of those
    /// named by `by_id` are left.
    Parsed {
        parses: Vec<Option<ChunkResult>>,
        left: usize,
    },
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
    /// order of `chunks`). Replaces the chunks of an earlier file that were not all parsed:
    /// those are parsed alone if they ever are.
    pub(super) fn keep_lexed(
        &self,
        text: Arc<str>,
        mut lexed: Lexed,
        chunks: Vec<(Range<usize>, TextRange)>,
        ids: impl Iterator<Item = salsa::Id>,
    ) {
        lexed.errors.sort_by_key(|e| e.range.start());
        let mut by_id = FxHashMap::with_capacity_and_hasher(chunks.len(), Default::default());
        by_id.extend(ids.zip(0..chunks.len()));
        if let Ok(mut slot) = self.pending.lock() {
            *slot = Some(PendingChunks {
                text,
                by_id,
                chunks,
                state: Pending::Lexed(lexed),
            });
        }
    }

    /// Parses one chunk (`id` with `text`), sharing tokens with the chunks parsed before. The
    /// first chunk asked for of a split from scratch has all the split's chunks parsed.
    pub(super) fn parse(&self, id: salsa::Id, text: &str) -> ChunkResult {
        if let Some(parsed) = self.take_parsed(id, text) {
            return parsed;
        }
        let lexed = lexer::lex(text);
        let (builder, shared) = self.take_builder(text.len());
        let (green, errors, builder) = parser::parse_lexed_with(text, lexed.whole(), builder);
        if shared {
            self.put_back_builder(builder);
        }
        (green, errors)
    }

    /// The parse of chunk `id` with `text`, if it is a chunk of the pending split: taken from the
    /// split's parses, made first if they are not yet.
    fn take_parsed(&self, id: salsa::Id, text: &str) -> Option<ChunkResult> {
        let mut slot = self.pending.lock().ok()?;
        let index = *slot.as_ref()?.by_id.get(&id)?;
        if let Some(PendingChunks {
            state: Pending::Lexed(_),
            ..
        }) = &*slot
        {
            // Parsed without holding the lock, so that parses of other files' chunks meanwhile
            // do not wait (a chunk of this split asked for meanwhile is parsed alone, the same).
            let lexed = slot.take()?;
            drop(slot);
            let mut parsed = self.parse_all(lexed);
            slot = self.pending.lock().ok()?;
            if slot.is_some() {
                // A newer split took the place while this one was parsed.
                return parsed.take(index, text);
            }
            *slot = Some(parsed);
        }
        let pending = slot.as_mut()?;
        let found = pending.take(index, text);
        if pending.all_taken() {
            *slot = None;
        }
        found
    }

    /// Parses every chunk of a pending split, on two threads when the file is big.
    fn parse_all(&self, pending: PendingChunks) -> PendingChunks {
        let PendingChunks {
            text,
            by_id,
            chunks,
            state,
        } = pending;
        let Pending::Lexed(lexed) = state else {
            return PendingChunks {
                text,
                by_id,
                chunks,
                state,
            };
        };
        let (builder, shared) = self.take_builder(text.len());
        let (mut parses, second, builder) = parallel::in_two(
            &chunks,
            |(_, range)| usize::from(range.len()),
            self.parallel_from,
            builder,
            |part, mut builder| {
                let mut parses = Vec::with_capacity(part.len());
                for (tokens, range) in part {
                    let chunk_text = text.get(Range::<usize>::from(*range)).unwrap_or_default();
                    let chunk_lexed = lexed.chunk(tokens.clone(), *range);
                    let (green, errors, used) =
                        parser::parse_lexed_with(chunk_text, chunk_lexed, builder);
                    builder = used;
                    parses.push(Some((green, errors)));
                }
                (parses, builder)
            },
        );
        if shared {
            self.put_back_builder(builder);
        }
        parses.extend(second.into_iter().flatten());
        let left = by_id.len();
        PendingChunks {
            text,
            by_id,
            chunks,
            state: Pending::Parsed { parses, left },
        }
    }

    /// The shared builder, and `true`; or, when another thread is parsing with it, a builder of
    /// our own for a text of `text_len` bytes, and `false` (rather than waiting).
    fn take_builder(&self, text_len: usize) -> (parser::TreeBuilder, bool) {
        let taken = match self.builder.lock() {
            Ok(mut slot) => std::mem::replace(&mut *slot, SharedBuilder::InUse),
            Err(_) => SharedBuilder::InUse,
        };
        match taken {
            SharedBuilder::Idle(builder) => (builder, true),
            SharedBuilder::NotYetMade => (parser::TreeBuilder::large(), true),
            SharedBuilder::InUse => (parser::TreeBuilder::for_text_len(text_len), false),
        }
    }

    fn put_back_builder(&self, builder: parser::TreeBuilder) {
        if let Ok(mut slot) = self.builder.lock() {
            *slot = SharedBuilder::Idle(builder);
        }
    }

    /// A cache that parses the chunks of splits of at least `parallel_from` bytes on two threads.
    pub(super) fn with_parallel_from(parallel_from: usize) -> Self {
        ChunkCache {
            last: Mutex::default(),
            pending: Mutex::default(),
            builder: Mutex::default(),
            parallel_from,
        }
    }
}

impl PendingChunks {
    /// Takes the parse of the chunk at `index`, if it was parsed and has `text`.
    fn take(&mut self, index: usize, text: &str) -> Option<ChunkResult> {
        let Pending::Parsed { parses, left } = &mut self.state else {
            return None;
        };
        let parse = parses.get_mut(index)?.take()?;
        *left = left.saturating_sub(1);
        let (_, range) = self.chunks.get(index)?;
        (self.text.get(Range::<usize>::from(*range)) == Some(text)).then_some(parse)
    }

    fn all_taken(&self) -> bool {
        matches!(self.state, Pending::Parsed { left: 0, .. })
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
