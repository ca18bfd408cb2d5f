//! Sharing green tokens between the places of a tree (and between trees) that hold the same text.
//!
//! Most tokens of a program are repeats: brackets, a newline and the indentation that follows,
//! the names in use, small numbers, `^keys`. Allocating a green token for each occurrence was the
//! largest cost of parsing; looking one up here costs a hash of a few bytes and a compare, and
//! the tree shares the token (green tokens are immutable and compare by content, so sharing is
//! invisible to everything but the allocator).
//!
//! The cache is a fixed-size, two-way set-associative table, like a CPU cache: a lookup touches
//! one set, a miss replaces the older of its two entries, and nothing ever grows. Its size bounds
//! the memory it keeps alive.

use std::hash::Hasher;

use rowan::GreenToken;
use rustc_hash::FxHasher;

use crate::SyntaxKind;

/// Longer tokens (strings, comments) rarely repeat; they are not looked up.
const MAX_SHARED_LEN: usize = 32;

pub(crate) struct TokenCache {
    /// One-byte ASCII tokens by byte (brackets, single spaces and newlines, one-letter names),
    /// found without hashing. A byte lexed as two kinds keeps the latest.
    one_byte: Box<[Option<GreenToken>; 128]>,
    /// Two entries per set, the most recently used first.
    sets: Box<[[Entry; 2]]>,
}

/// A cached token and the hash of its kind and text: comparing hashes first makes a lookup that
/// misses cheap, and one that hits compares the text once.
#[derive(Clone, Default)]
struct Entry {
    hash: u64,
    token: Option<GreenToken>,
}

impl TokenCache {
    /// The most sets a cache gets: with two entries each, 16K tokens of at most 32 bytes.
    const MAX_SETS: usize = 8192;

    /// A cache for parsing about `text_len` bytes: a short text gets a small table, so parsing
    /// a line costs no large allocation.
    pub(crate) fn for_text_len(text_len: usize) -> Self {
        // A token every three or four bytes, one in four or so distinct.
        let sets = (text_len / 32)
            .next_power_of_two()
            .clamp(16, Self::MAX_SETS);
        TokenCache {
            one_byte: Box::new([const { None }; 128]),
            sets: vec![Default::default(); sets].into_boxed_slice(),
        }
    }

    /// A cache of the largest size, for a database that parses many texts.
    pub(crate) fn large() -> Self {
        Self::for_text_len(usize::MAX / 2)
    }

    /// A token of `kind` with `text`: a shared one if the cache holds it, a new one otherwise.
    #[inline]
    pub(crate) fn token(&mut self, kind: SyntaxKind, text: &str) -> GreenToken {
        let raw_kind = rowan::SyntaxKind::from(kind);
        if let &[b] = text.as_bytes()
            && let Some(Some(t)) = self.one_byte.get(usize::from(b))
            && t.kind() == raw_kind
        {
            return t.clone();
        }
        self.token_slow(raw_kind, text)
    }

    /// [`TokenCache::token`] for the tokens that are not a cached one-byte token.
    fn token_slow(&mut self, raw_kind: rowan::SyntaxKind, text: &str) -> GreenToken {
        let bytes = text.as_bytes();
        if let &[b] = bytes
            && let Some(slot) = self.one_byte.get_mut(usize::from(b))
        {
            return slot.insert(GreenToken::new(raw_kind, text)).clone();
        }
        if bytes.len() > MAX_SHARED_LEN {
            return GreenToken::new(raw_kind, text);
        }
        let mut hasher = FxHasher::default();
        hasher.write(bytes);
        hasher.write_u16(raw_kind.0);
        let hash = hasher.finish();
        // `sets.len()` is a power of two; the high bits of an Fx hash are the well-mixed ones.
        let index = (hash >> 32) as usize & (self.sets.len() - 1);
        let Some(set) = self.sets.get_mut(index) else {
            return GreenToken::new(raw_kind, text);
        };
        if set[0].hash == hash
            && let Some(t) = &set[0].token
            && t.kind() == raw_kind
            && t.text() == text
        {
            return t.clone();
        }
        if set[1].hash == hash
            && let Some(t) = &set[1].token
            && t.kind() == raw_kind
            && t.text() == text
        {
            let token = t.clone();
            // Keep the most recently used entry first, so a miss evicts the other one.
            set.swap(0, 1);
            return token;
        }
        let token = GreenToken::new(raw_kind, text);
        set[1] = std::mem::replace(
            &mut set[0],
            Entry {
                hash,
                token: Some(token.clone()),
            },
        );
        token
    }
}
