//! Accelerators for the chunk queries. None of them changes what a query computes, only how
//! much work it takes:
//!
//! - the text and chunks of the last split of each file, so that the split after an edit lexes
//!   only around the edit ([`parser::rechunk`] gives exactly the chunks of a split from scratch);
//! - the parses of the chunks of a file's first split, made with the split: the file is lexed
//!   once (a chunk lexed on its own gives exactly the tokens and lexical errors the whole file
//!   gives for it), a big file on two threads ([`parser::parallel`]), and each `parse_chunk`
//!   takes its chunk's parse, the one it would have made itself (a chunk's parse depends on its
//!   text only, and each use checks that the text is the same);
//! - the small tokens the chunks' trees share (a shared token equals a new one).
//!
//! A batch tool that goes through each file once, keeping few trees ([`super::limit_chunk_memos`]),
//! turns the first two off: they keep a copy of each file's text and every chunk's tree at once.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use rowan::{GreenNode, TextRange, TextSize};
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
    /// The parses of the chunks of the last file split from scratch, until taken.
    pending: Mutex<Option<PendingChunks>>,
    /// The tree builder, with its buffers and the shared tokens: taken by a parse and put back
    /// after, so parses never wait for one another (a parse that finds it taken, because another
    /// thread is parsing, uses a builder of its own).
    builder: Mutex<SharedBuilder>,
    /// From how many bytes a file split from scratch is lexed and parsed on two threads.
    parallel_from: usize,
    /// Splits only, remembering nothing and parsing nothing with the split (see [`Self::for_batch`]).
    batch: AtomicBool,
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
    /// From scratch: the chunks, and their parses (in the same order).
    Parsed {
        text: Arc<str>,
        chunks: Vec<TextRange>,
        parses: Vec<ChunkResult>,
    },
    /// Only the chunks: from the previous split, lexing only around the edit, or (for a batch
    /// tool) from a split from scratch that parses nothing.
    Ranges(Vec<TextRange>),
}

/// The parses of the chunks of a file split from scratch, until taken.
struct PendingChunks {
    text: Arc<str>,
    /// Each chunk's index by its id (the last, if two chunks have the same text).
    by_id: FxHashMap<salsa::Id, usize>,
    chunks: Vec<TextRange>,
    parses: Vec<Option<ChunkResult>>,
    /// How many of the parses named by `by_id` are still here.
    left: usize,
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
        if self.batch.load(Ordering::Relaxed) {
            return Split::Ranges(parser::split_top_level(&lexer::tokenize(text).0));
        }
        let Ok(mut last) = self.last.lock() else {
            return self.split_from_scratch(text.into());
        };
        let split = match last.get(&file) {
            Some((old_text, old_ranges)) => {
                Split::Ranges(parser::rechunk(old_text, old_ranges, text))
            }
            None => self.split_from_scratch(text.into()),
        };
        if last.len() >= CHUNK_CACHE_FILES && !last.contains_key(&file) {
            last.clear();
        }
        let (text, ranges) = match &split {
            Split::Parsed { text, chunks, .. } => (text.clone(), chunks.clone()),
            Split::Ranges(ranges) => (text.into(), ranges.clone()),
        };
        last.insert(file, (text, ranges));
        split
    }

    /// Keeps the parses of a split from scratch for the chunks' `parse_chunk` (`ids`, in the
    /// order of `chunks`). Replaces the parses of an earlier file that were not all taken: those
    /// chunks are parsed alone if they ever are.
    pub(super) fn keep_parsed(
        &self,
        text: Arc<str>,
        chunks: Vec<TextRange>,
        parses: Vec<ChunkResult>,
        ids: impl Iterator<Item = salsa::Id>,
    ) {
        let mut by_id = FxHashMap::with_capacity_and_hasher(chunks.len(), Default::default());
        by_id.extend(ids.zip(0..chunks.len()));
        if let Ok(mut slot) = self.pending.lock() {
            *slot = Some(PendingChunks {
                text,
                left: by_id.len(),
                by_id,
                chunks,
                parses: parses.into_iter().map(Some).collect(),
            });
        }
    }

    /// Parses one chunk (`id` with `text`), sharing tokens with the chunks parsed before: takes
    /// its parse if the split that made the chunk made it.
    pub(super) fn parse(&self, id: salsa::Id, text: &str) -> ChunkResult {
        if let Some(parsed) = self.take_parsed(id, text) {
            return parsed;
        }
        let (builder, shared) = self.take_builder(text.len());
        let (parse, builder) = parse_alone(text, builder);
        if shared {
            self.put_back_builder(builder);
        }
        parse
    }

    /// The parse of chunk `id` with `text`, if the pending split holds it.
    fn take_parsed(&self, id: salsa::Id, text: &str) -> Option<ChunkResult> {
        let mut slot = self.pending.lock().ok()?;
        let pending = slot.as_mut()?;
        let &index = pending.by_id.get(&id)?;
        let parse = pending.parses.get_mut(index)?.take()?;
        pending.left = pending.left.saturating_sub(1);
        let range = *pending.chunks.get(index)?;
        let same_text = pending.text.get(Range::<usize>::from(range)) == Some(text);
        if pending.left == 0 {
            *slot = None;
        }
        same_text.then_some(parse)
    }

    /// Splits `text` from scratch and parses its chunks: lexing it once, on two threads when it
    /// is big.
    fn split_from_scratch(&self, text: Arc<str>) -> Split {
        let (builder, shared) = self.take_builder(text.len());
        let split = parallel::Split::Chunks;
        let (parts, builder) =
            parallel::lex_split_parse(&text, self.parallel_from, split, builder, parse_chunks);
        if shared {
            self.put_back_builder(builder);
        }
        let (chunks, parses) = match parts {
            parallel::Parts::One(part) => (chunk_ranges(&part, 0), part.parsed),
            parallel::Parts::Two { first, second, cut } => {
                let mut chunks = chunk_ranges(&first, 0);
                let mut parses = first.parsed;
                let second_chunks = chunk_ranges(&second, cut);
                let mut second_parses = second.parsed.into_iter();
                // A last chunk of only trivia in the first half is the start of the second
                // half's first chunk: that chunk is parsed again, whole.
                let trivia_only = first.chunks.last().is_some_and(|(tokens, _)| {
                    (first.lexed.tokens.get(tokens.clone()).unwrap_or_default())
                        .iter()
                        .all(|t| t.kind.is_trivia())
                });
                let joined = match (trivia_only, second_chunks.first()) {
                    (true, Some(next)) => chunks.pop().map(|trivia| trivia.cover(*next)),
                    _ => None,
                };
                if let Some(joined) = joined {
                    parses.pop();
                    second_parses.next();
                    let joined_text = text.get(Range::<usize>::from(joined)).unwrap_or_default();
                    let (parse, _) = parse_alone(joined_text, parser::TreeBuilder::for_text_len(0));
                    chunks.push(joined);
                    parses.push(parse);
                }
                chunks.extend(second_chunks.iter().skip(usize::from(joined.is_some())));
                parses.extend(second_parses);
                (chunks, parses)
            }
        };
        Split::Parsed {
            text,
            chunks,
            parses,
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
            batch: AtomicBool::new(false),
        }
    }

    /// For a tool that reads each file once and keeps few chunks' trees: a split from scratch
    /// parses no chunk (each chunk's `parse_chunk` parses it alone when asked, so that the trees
    /// need not all be in memory at once), and no split is remembered for the next edit (that
    /// would keep a copy of the file's text).
    /// Set up for a batch tool ([`Self::for_batch`]).
    pub fn is_batch(&self) -> bool {
        self.batch.load(Ordering::Relaxed)
    }

    pub(super) fn for_batch(&self) {
        self.batch.store(true, Ordering::Relaxed);
        if let Ok(mut last) = self.last.lock() {
            last.clear();
        }
    }
}

/// Parses each chunk of a lexed text on its own.
fn parse_chunks(
    text: &str,
    lexed: &Lexed,
    chunks: parallel::Chunks<'_>,
    mut builder: parser::TreeBuilder,
) -> (Vec<ChunkResult>, parser::TreeBuilder) {
    let mut parses = Vec::with_capacity(chunks.len());
    for (tokens, range) in chunks {
        let chunk_text = text.get(Range::<usize>::from(*range)).unwrap_or_default();
        let chunk_lexed = lexed.chunk(tokens.clone(), *range);
        let (green, errors, used) = parser::parse_lexed_with(chunk_text, chunk_lexed, builder);
        builder = used;
        parses.push((green, errors));
    }
    (parses, builder)
}

/// Lexes and parses a chunk's text on its own.
fn parse_alone(text: &str, builder: parser::TreeBuilder) -> (ChunkResult, parser::TreeBuilder) {
    let lexed = lexer::lex(text);
    let (green, errors, builder) = parser::parse_lexed_with(text, lexed.whole(), builder);
    ((green, errors), builder)
}

/// The byte ranges of a part's chunks, in the file (the part starts at byte `start`).
fn chunk_ranges<R>(part: &parallel::Part<R>, start: usize) -> Vec<TextRange> {
    let start = TextSize::from(start as u32);
    part.chunks
        .iter()
        .map(|(_, range)| *range + start)
        .collect()
}
