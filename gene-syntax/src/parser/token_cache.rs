//! Sharing green tokens between the places of a tree (and between trees) that hold the same text.
//!
//! Most tokens of a program are repeats: brackets, a newline and the indentation that follows,
//! the names in use, small numbers, `^keys`. Allocating a green token for each occurrence was the
//! largest cost of parsing; looking one up here costs a hash of a few bytes and a compare, and
//! the tree shares the token (green tokens are immutable and compare by content, so sharing is
//! invisible to everything but the allocator).
//!
//! The cache is a fixed-size, two-way set-associative table, like a CPU cache: a lookup touches
//! one set, a new token replaces the second entry of its set (the first is the one used again
//! last), and nothing ever grows. Its size bounds the memory it keeps alive.

use std::hash::Hasher;
use std::ops::Range;

use rowan::GreenToken;
use rustc_hash::FxHasher;

use crate::SyntaxKind;

/// Longer tokens (strings, comments) rarely repeat; they are not looked up.
const MAX_SHARED_LEN: usize = 32;

pub(crate) struct TokenCache {
    /// One-byte ASCII tokens by byte (brackets, single spaces and newlines, one-letter names),
    /// found without hashing. A byte lexed as two kinds (`}` closing a map or an interpolation)
    /// keeps the first; the other goes through the sets, so that each stays one shared token.
    one_byte: Box<[Option<GreenToken>; 128]>,
    /// Two entries per set: the one used again last first.
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
    /// The most sets a cache gets: with two entries each, 1024 tokens of at most 32 bytes. The
    /// table (16 KiB) stays in the processor's first-level cache; measured against tables of
    /// 64 to 8192 sets, this size parsed fastest: a bigger table holds more of the tokens seen
    /// once but misses the cache on most lookups, and a new token costs little more than a miss.
    const MAX_SETS: usize = 512;

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

    /// A token of `kind` with `text`: a shared one if the cache holds it, a new one otherwise.
    #[cfg(test)]
    pub(crate) fn token(&mut self, kind: SyntaxKind, text: &str) -> GreenToken {
        self.token_at(kind, text, 0..text.len())
    }

    /// [`TokenCache::token`] for the token at `range` in `text`. Lookups read the token's bytes;
    /// only a new token needs them as a `str` (slicing a `str` checks both ends for character
    /// boundaries, a cost worth saving on the tokens found in the cache, most of them).
    #[inline]
    pub(crate) fn token_at(
        &mut self,
        kind: SyntaxKind,
        text: &str,
        range: Range<usize>,
    ) -> GreenToken {
        let raw_kind = rowan::SyntaxKind::from(kind);
        let bytes = text.as_bytes().get(range.clone()).unwrap_or_default();
        if let &[b] = bytes
            && let Some(Some(t)) = self.one_byte.get(usize::from(b))
            && t.kind() == raw_kind
        {
            return t.clone();
        }
        self.token_slow(raw_kind, bytes, || text.get(range).unwrap_or_default())
    }

    /// [`TokenCache::token_at`] for the tokens that are not a cached one-byte token: `bytes` is
    /// the token's text, `text` gives it as a `str` for a new token.
    fn token_slow<'t>(
        &mut self,
        raw_kind: rowan::SyntaxKind,
        bytes: &[u8],
        text: impl FnOnce() -> &'t str,
    ) -> GreenToken {
        if let &[b] = bytes
            && let Some(slot @ None) = self.one_byte.get_mut(usize::from(b))
        {
            return slot.insert(GreenToken::new(raw_kind, text())).clone();
        }
        let hash = match bytes {
            &[b] => one_byte_hash(b, raw_kind.0),
            _ if bytes.len() > MAX_SHARED_LEN => return GreenToken::new(raw_kind, text()),
            _ => {
                let mut hasher = FxHasher::default();
                hasher.write(bytes);
                hasher.write_u16(raw_kind.0);
                hasher.finish().max(1)
            }
        };
        // `sets.len()` is a power of two; the high bits of the hash are the well-mixed ones.
        let index = (hash >> 32) as usize & (self.sets.len() - 1);
        let Some(set) = self.sets.get_mut(index) else {
            return GreenToken::new(raw_kind, text());
        };
        if set[0].hash == hash
            && let Some(t) = &set[0].token
            && t.kind() == raw_kind
            && t.text().as_bytes() == bytes
        {
            return t.clone();
        }
        if set[1].hash == hash
            && let Some(t) = &set[1].token
            && t.kind() == raw_kind
            && t.text().as_bytes() == bytes
        {
            let token = t.clone();
            set.swap(0, 1);
            return token;
        }
        let token = GreenToken::new(raw_kind, text());
        // A new entry goes second: it replaces the entry that was not used since the other one
        // was, and reaches the first place only when used again. Tokens seen once (most numbers
        // and strings) so never push out the ones in use.
        let way = usize::from(set[0].token.is_some());
        set[way] = Entry {
            hash,
            token: Some(token.clone()),
        };
        token
    }
}

/// The hash of a one-byte token lexed as a second kind (the first has its place by byte):
/// distinct for each byte and kind, never zero, and spread like the others over the sets.
fn one_byte_hash(byte: u8, kind: u16) -> u64 {
    (u64::from(byte) << 16 | u64::from(kind)).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_share_one_token_of_the_right_kind() {
        let mut cache = TokenCache::for_text_len(0);
        let a = cache.token(SyntaxKind::SYMBOL, "name");
        let b = cache.token(SyntaxKind::SYMBOL, "name");
        assert!(std::ptr::eq(&*a, &*b));
        // The same text as another kind is another token; both stay shared.
        for _ in 0..2 {
            let brace = cache.token(SyntaxKind::R_BRACE, "}");
            let end = cache.token(SyntaxKind::INTERP_END, "}");
            assert_eq!(brace.kind(), SyntaxKind::R_BRACE.into());
            assert_eq!(end.kind(), SyntaxKind::INTERP_END.into());
            assert_eq!((brace.text(), end.text()), ("}", "}"));
        }
        let s = cache.token(SyntaxKind::STRING, "\"name\"");
        assert_eq!(
            (s.kind(), s.text()),
            (SyntaxKind::STRING.into(), "\"name\"")
        );
    }

    #[test]
    fn long_tokens_are_not_shared() {
        let mut cache = TokenCache::for_text_len(0);
        let text = "x".repeat(MAX_SHARED_LEN + 1);
        let a = cache.token(SyntaxKind::SYMBOL, &text);
        let b = cache.token(SyntaxKind::SYMBOL, &text);
        assert!(!std::ptr::eq(&*a, &*b));
        assert_eq!(a.text(), text);
    }

    #[test]
    fn a_full_cache_still_gives_the_right_tokens() {
        let mut cache = TokenCache::for_text_len(0);
        for round in 0..2 {
            for i in 0..5000 {
                let text = format!("n{i}");
                let t = cache.token(SyntaxKind::SYMBOL, &text);
                assert_eq!(t.text(), text, "round {round}");
            }
        }
    }
}
