//! Property keys: decoding `^a^b`, `^^k`, `^!k` and detecting repeated keys.

use std::borrow::Cow;

use rowan::TextRange;
use rustc_hash::FxHashMap;

use crate::ast::{PropFlag, PropKey};

/// The decoded path of a property key token: `^a^b` -> ["a", "b"], and the flag of the last
/// segment (`^^k` true, `^!k` nil or false), which takes no value. Segments are raw token text
/// (backslash escapes not yet decoded).
pub(crate) struct KeyPath<'a> {
    pub segments: Vec<&'a str>,
    /// `^` for a `^^k` flag, `!` for a `^!k` flag.
    pub flag_char: Option<char>,
}

impl KeyPath<'_> {
    pub(crate) fn is_flag(&self) -> bool {
        self.flag_char.is_some()
    }
}

/// Splits `s` at every `^` that no backslash hides.
fn split_carets(s: &str) -> Vec<&str> {
    let bytes = s.as_bytes();
    let mut parts = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'^' => {
                parts.push(&s[start..i]);
                start = i + 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    parts.push(&s[start.min(s.len())..]);
    parts
}

/// Decodes `^a^b`, `^^k`, `^!k`, `^a^^b`, `^a^!b`. Returns `None` when the key names nothing
/// (`^`, `^a^`, `^^`, `^!`) or a flag is not the last segment (`^^a^b`).
pub(crate) fn decode_key(token: &str) -> Option<KeyPath<'_>> {
    let body = token.strip_prefix('^')?;
    // The common case, `^name`: one segment, no flag.
    if !body.is_empty() && !body.starts_with('!') && !body.contains(['^', '\\']) {
        return Some(KeyPath {
            segments: vec![body],
            flag_char: None,
        });
    }
    // `^^k`: the first split part is empty and the flag is the next one. Rebuild the path from
    // the parts: an empty part means "the next part is a `^` flag".
    let parts = split_carets(body);
    let mut segments = Vec::new();
    let mut flag_char = None;
    let mut i = 0;
    while i < parts.len() {
        if flag_char.is_some() {
            return None; // a flag must be the last segment
        }
        let part = parts[i];
        if part.is_empty() {
            // `^^name`: the flag `^`, then the name in the next part.
            let name = parts.get(i + 1).filter(|n| !n.is_empty())?;
            segments.push(*name);
            flag_char = Some('^');
            i += 2;
            continue;
        }
        if let Some(name) = part.strip_prefix('!') {
            if name.is_empty() {
                return None;
            }
            segments.push(name);
            flag_char = Some('!');
        } else {
            segments.push(part);
        }
        i += 1;
    }
    (!segments.is_empty()).then_some(KeyPath {
        segments,
        flag_char,
    })
}

/// The public form of a decoded key, for the typed AST.
pub(crate) fn decode_key_path(token: &str) -> Option<PropKey> {
    let path = decode_key(token)?;
    let flag = match path.flag_char {
        None => None,
        Some('^') => Some(PropFlag::True),
        // At the top of a key `^!k` gives nil; inside a path (`^a^!b`) it gives false (§1.8).
        Some(_) if path.segments.len() == 1 => Some(PropFlag::Nil),
        Some(_) => Some(PropFlag::False),
    };
    Some(PropKey {
        path: path
            .segments
            .iter()
            .map(|s| crate::decode::decode_symbol(s))
            .collect(),
        flag,
    })
}

/// Detects repeated keys in one map or property run. Paths that share only a prefix merge;
/// a path that equals, or is a prefix of, another is a repetition (`{^p^x 1 ^p 2}`).
///
/// Segments are compared decoded (`^a\\ b` and a key spelled the same way without the escape
/// are one key). Most maps and genes have a few plain one-segment keys: the first [`FEW`] of
/// those are kept in an array and compared directly, with no hashing or allocation.
pub(crate) struct KeyChecker<'t> {
    few: [(&'t str, TextRange); FEW],
    few_len: usize,
    /// Everything beyond the first few plain keys; most maps and genes never need it, so it is
    /// made on first use.
    more: Option<Box<MoreKeys<'t>>>,
}

#[derive(Default)]
struct MoreKeys<'t> {
    /// One-segment keys seen, beyond the first few plain ones.
    full1: FxHashMap<Cow<'t, str>, TextRange>,
    /// First segments of longer keys seen (their one-segment prefixes).
    prefix1: FxHashMap<Cow<'t, str>, TextRange>,
    /// Longer keys seen, and their prefixes of two segments or more.
    full: FxHashMap<Vec<Cow<'t, str>>, TextRange>,
    prefixes: FxHashMap<Vec<Cow<'t, str>>, TextRange>,
}

const FEW: usize = 6;

impl Default for KeyChecker<'_> {
    fn default() -> Self {
        KeyChecker {
            few: [("", TextRange::default()); FEW],
            few_len: 0,
            more: None,
        }
    }
}

fn decoded(segment: &str) -> Cow<'_, str> {
    if segment.contains('\\') {
        Cow::Owned(crate::decode::decode_symbol(segment))
    } else {
        Cow::Borrowed(segment)
    }
}

impl<'t> KeyChecker<'t> {
    fn more(&mut self) -> &mut MoreKeys<'t> {
        self.more.get_or_insert_default()
    }

    /// An earlier one-segment key named `name`, or an earlier longer key whose first segment is
    /// `name` when `or_prefix`.
    fn one_segment(&self, name: &str, or_prefix: bool) -> Option<TextRange> {
        let few = self.few[..self.few_len].iter().find(|(n, _)| *n == name);
        if let Some((_, range)) = few {
            return Some(*range);
        }
        let more = self.more.as_deref()?;
        more.full1
            .get(name)
            .or_else(|| more.prefix1.get(name).filter(|_| or_prefix))
            .copied()
    }

    /// Records a plain key `^name` (one segment, no escapes, no flag); returns the range of the
    /// earlier key it repeats, if any.
    pub(crate) fn add_name(&mut self, name: &'t str, range: TextRange) -> Option<TextRange> {
        if let Some(earlier) = self.one_segment(name, true) {
            return Some(earlier);
        }
        if self.few_len < FEW {
            self.few[self.few_len] = (name, range);
            self.few_len += 1;
        } else {
            self.more().full1.insert(Cow::Borrowed(name), range);
        }
        None
    }

    /// Records a key; returns the range of the earlier key it repeats, if any.
    pub(crate) fn add(&mut self, segments: &[&'t str], range: TextRange) -> Option<TextRange> {
        let path: Vec<Cow<'t, str>> = segments.iter().map(|s| decoded(s)).collect();
        let (first, rest) = path.split_first()?;
        if rest.is_empty() {
            if let Some(earlier) = self.one_segment(first, true) {
                return Some(earlier);
            }
            self.more().full1.insert(first.clone(), range);
            return None;
        }
        // An earlier key that is a prefix of this one: `^p 1` then `^p^x 2`.
        if let Some(earlier) = self.one_segment(first, false) {
            return Some(earlier);
        }
        let more = self.more();
        for len in 2..path.len() {
            if let Some(&earlier) = more.full.get(&path[..len]) {
                return Some(earlier);
            }
        }
        // The same key, or an earlier key that extends this one: `^p^x 1` then `^p 2`.
        if let Some(&earlier) = more.full.get(&path).or_else(|| more.prefixes.get(&path)) {
            return Some(earlier);
        }
        more.prefix1.entry(first.clone()).or_insert(range);
        for len in 2..path.len() {
            more.prefixes.entry(path[..len].to_vec()).or_insert(range);
        }
        more.full.insert(path, range);
        None
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.few_len == 0
            && self
                .more
                .as_ref()
                .is_none_or(|m| m.full1.is_empty() && m.full.is_empty())
    }
}

/// For a plain key `^name` (one segment, no escape, no flag), the name.
pub(crate) fn plain_name(token: &str) -> Option<&str> {
    let name = token.strip_prefix('^')?;
    (!name.is_empty() && !name.starts_with('!') && !name.contains(['^', '\\'])).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(token: &str) -> Option<(Vec<&str>, Option<char>)> {
        decode_key(token).map(|k| (k.segments, k.flag_char))
    }

    #[test]
    fn keys() {
        assert_eq!(decoded("^a"), Some((vec!["a"], None)));
        assert_eq!(decoded("^^a"), Some((vec!["a"], Some('^'))));
        assert_eq!(decoded("^!a"), Some((vec!["a"], Some('!'))));
        assert_eq!(decoded("^a^b^c"), Some((vec!["a", "b", "c"], None)));
        assert_eq!(decoded("^a^^b"), Some((vec!["a", "b"], Some('^'))));
        assert_eq!(decoded("^a^!b"), Some((vec!["a", "b"], Some('!'))));
        assert_eq!(decoded("^a\\^b"), Some((vec!["a\\^b"], None)));
        assert_eq!(decoded("^a/b.c:d"), Some((vec!["a/b.c:d"], None)));
        for bad in [
            "^", "^^", "^!", "^a^", "^^a^b", "^a^^", "^a^!", "^a^!b^c", "^a^^^b",
        ] {
            assert!(decoded(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn repeated_keys() {
        let r = TextRange::default();
        let mut keys = KeyChecker::default();
        assert!(keys.add(&["p", "x"], r).is_none());
        assert!(keys.add(&["p", "y"], r).is_none());
        assert!(keys.add(&["p"], r).is_some());
        assert!(keys.add(&["p", "x", "z"], r).is_some());
        assert!(keys.add(&["p", "x"], r).is_some());
        let mut keys = KeyChecker::default();
        assert!(keys.add(&["a"], r).is_none());
        assert!(keys.add(&["a", "b"], r).is_some());
        assert!(keys.add(&["a\\ b"], r).is_none());
        assert!(keys.add(&["a b"], r).is_some());
    }
}
