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
    /// Two entries per set, the most recently added first.
    sets: Box<[[Option<GreenToken>; 2]]>,
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
            sets: vec![[None, None]; sets].into_boxed_slice(),
        }
    }

    /// A cache of the largest size, for a database that parses many texts.
    pub(crate) fn large() -> Self {
        Self::for_text_len(usize::MAX / 2)
    }

    /// A token of `kind` with `text`: a shared one if the cache holds it, a new one otherwise.
    pub(crate) fn token(&mut self, kind: SyntaxKind, text: &str) -> GreenToken {
        let raw_kind = rowan::SyntaxKind::from(kind);
        let bytes = text.as_bytes();
        if let &[b] = bytes
            && let Some(slot) = self.one_byte.get_mut(usize::from(b))
        {
            return match slot {
                Some(t) if t.kind() == raw_kind => t.clone(),
                slot => slot.insert(GreenToken::new(raw_kind, text)).clone(),
            };
        }
        if bytes.len() > MAX_SHARED_LEN {
            return GreenToken::new(raw_kind, text);
        }
        let mut hasher = FxHasher::default();
        hasher.write(bytes);
        hasher.write_u16(raw_kind.0);
        // `sets.len()` is a power of two; the high bits of an Fx hash are the well-mixed ones.
        let index = (hasher.finish() >> 32) as usize & (self.sets.len() - 1);
        let Some(set) = self.sets.get_mut(index) else {
            return GreenToken::new(raw_kind, text);
        };
        for way in 0..2 {
            if let Some(t) = &set[way]
                && t.kind() == raw_kind
                && t.text() == text
            {
                let token = t.clone();
                // Keep the most recently used entry first, so a miss evicts the other one.
                set.swap(0, way);
                return token;
            }
        }
        let token = GreenToken::new(raw_kind, text);
        set[1] = set[0].replace(token.clone());
        token
    }
}
