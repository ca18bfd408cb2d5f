//! A chunk's text, as its interned [`super::Chunk`] holds it: a copy of its own, or, for a batch
//! tool, a range of its file's text, so that a big file's text is not held twice (once by the
//! file, once in pieces by its chunks).
//!
//! Equal and hashed by the text alone: the same text is the same chunk, whichever way it is held.

use std::hash::{Hash, Hasher};
use std::ops::{Deref, Range};
use std::sync::Arc;

use rowan::TextRange;
use salsa::plumbing::{HashEqLike, Lookup};

#[derive(Clone)]
pub struct ChunkText(Held);

#[derive(Clone)]
enum Held {
    /// A copy: the language server's chunks outlive the file text they were cut from (a chunk
    /// interned at one keystroke is reused after the next), and a range of it would keep every
    /// version of the file alive.
    Own(Box<str>),
    /// A range of the file's text (which stays alive as long as the chunk does).
    InFile {
        file: Arc<str>,
        start: u32,
        end: u32,
    },
}

impl ChunkText {
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Held::Own(text) => text,
            Held::InFile { file, start, end } => {
                file.get(*start as usize..*end as usize).unwrap_or_default()
            }
        }
    }

    /// The heap bytes this chunk's text takes of its own (none when it is a range of its file).
    pub fn own_bytes(&self) -> usize {
        match &self.0 {
            Held::Own(text) => text.len(),
            Held::InFile { .. } => 0,
        }
    }
}

impl Deref for ChunkText {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for ChunkText {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for ChunkText {}

impl Hash for ChunkText {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // As `ChunkKey` hashes: the interner compares a key with the texts of the same hash.
        self.as_str().hash(state);
    }
}

impl std::fmt::Debug for ChunkText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}

/// What a chunk is interned by: its text, and, when its [`ChunkText`] is to be a range of the
/// file's text rather than a copy, that text. Nothing is copied unless the chunk is new.
pub(crate) struct ChunkKey<'a> {
    text: &'a str,
    file: Option<(&'a Arc<str>, Range<u32>)>,
}

impl<'a> ChunkKey<'a> {
    /// The chunk at `range` of `file_text`, held as a copy of its own.
    pub(crate) fn copied(file_text: &'a str, range: TextRange) -> Self {
        ChunkKey {
            text: file_text
                .get(Range::<usize>::from(range))
                .unwrap_or_default(),
            file: None,
        }
    }

    /// The chunk at `range` of `file_text`, held as that range of it.
    pub(crate) fn in_file(file_text: &'a Arc<str>, range: TextRange) -> Self {
        ChunkKey {
            text: file_text
                .get(Range::<usize>::from(range))
                .unwrap_or_default(),
            file: Some((file_text, range.start().into()..range.end().into())),
        }
    }
}

impl Hash for ChunkKey<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl HashEqLike<ChunkKey<'_>> for ChunkText {
    fn eq(&self, key: &ChunkKey<'_>) -> bool {
        self.as_str() == key.text
    }
}

impl Lookup<ChunkText> for ChunkKey<'_> {
    fn into_owned(self) -> ChunkText {
        match self.file {
            Some((file, range)) => ChunkText(Held::InFile {
                file: file.clone(),
                start: range.start,
                end: range.end,
            }),
            None => ChunkText(Held::Own(self.text.into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::hash_map::DefaultHasher;

    use super::*;

    fn hash_of(value: &impl Hash) -> u64 {
        let mut hasher = DefaultHasher::new();
        value.hash(&mut hasher);
        hasher.finish()
    }

    #[test]
    fn a_copy_and_a_range_of_the_same_text_are_one_chunk() {
        let file: Arc<str> = "(a)\n(b)\n".into();
        let range = TextRange::new(4.into(), 8.into());
        let copy: ChunkText = ChunkKey::copied(&file, range).into_owned();
        let in_file: ChunkText = ChunkKey::in_file(&file, range).into_owned();
        assert_eq!(copy.as_str(), "(b)\n");
        assert_eq!(in_file.as_str(), "(b)\n");
        assert_eq!(copy.own_bytes(), 4);
        assert_eq!(in_file.own_bytes(), 0);
        assert_eq!(copy, in_file);
        assert_eq!(hash_of(&copy), hash_of(&in_file));
        let key = ChunkKey::in_file(&file, range);
        assert_eq!(hash_of(&key), hash_of(&copy));
        assert!(HashEqLike::eq(&copy, &key));
        let other = ChunkKey::copied(&file, TextRange::new(0.into(), 4.into()));
        assert!(!HashEqLike::eq(&copy, &other));
    }
}
