//! Genes, maps, properties and interpolated strings.

use std::collections::HashMap;

use rowan::TextRange;

use super::{Expect, Parser};
use crate::SyntaxKind::*;
use crate::syntax_error::{SyntaxError, SyntaxErrorKind};

/// Where a gene is relative to its property run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PropRun {
    NotYet,
    Inside,
    After,
}

/// The decoded path of a property key token: `^a^b` -> ["a", "b"], and whether the last segment
/// is a flag (`^^k` true, `^!k` nil/false), which takes no value.
pub(crate) struct KeyPath<'a> {
    pub segments: Vec<&'a str>,
    pub is_flag: bool,
    /// `^` for a `^^k` flag, `!` for a `^!k` flag.
    pub flag_char: Option<char>,
}

/// Decodes `^a^b`, `^^k`, `^!k`, `^a^^b`, `^a^!b`. Returns `None` when a segment is empty (`^`,
/// `^a^`, `^^`).
pub(crate) fn decode_key(token: &str) -> Option<KeyPath<'_>> {
    let body = token.strip_prefix('^')?;
    let mut segments = Vec::new();
    let mut is_flag = false;
    let mut flag_char = None;
    let mut rest = body;
    loop {
        // A segment starting with `^` (from `^^`) or `!` is a flag and must be the last one.
        let (flag, name_start) = if let Some(r) = rest.strip_prefix('^') {
            flag_char = Some('^');
            (true, r)
        } else if let Some(r) = rest.strip_prefix('!') {
            flag_char = Some('!');
            (true, r)
        } else {
            (false, rest)
        };
        let end = name_start.find('^').unwrap_or(name_start.len());
        let name = &name_start[..end];
        if name.is_empty() {
            return None;
        }
        segments.push(name);
        if flag {
            is_flag = true;
            if end != name_start.len() {
                return None;
            }
            break;
        }
        if end == name_start.len() {
            break;
        }
        rest = &name_start[end + 1..];
        if rest.is_empty() {
            return None;
        }
    }
    Some(KeyPath {
        segments,
        is_flag,
        flag_char,
    })
}

/// The public form of a decoded key, for the typed AST.
pub(crate) fn decode_key_path(token: &str) -> Option<crate::ast::PropKey> {
    let path = decode_key(token)?;
    let flag = match path.flag_char {
        None => None,
        Some('^') => Some(crate::ast::PropFlag::True),
        // At the top of a key `^!k` gives nil; inside a path (`^a^!b`) it gives false.
        Some(_) if path.segments.len() == 1 => Some(crate::ast::PropFlag::Nil),
        Some(_) => Some(crate::ast::PropFlag::False),
    };
    Some(crate::ast::PropKey {
        path: path
            .segments
            .iter()
            .map(|s| crate::decode::decode_symbol(s))
            .collect(),
        flag,
    })
}

/// Detects repeated keys in one map or property run. Paths that share only a prefix merge;
/// a path that equals, or is a prefix of, another is a repetition.
#[derive(Default)]
pub(crate) struct KeyChecker {
    /// Full paths seen, with the key's range.
    full: HashMap<String, TextRange>,
    /// Proper prefixes of the paths seen, with the range of the first key that had it.
    prefixes: HashMap<String, TextRange>,
}

impl KeyChecker {
    /// Records a key; returns the range of the earlier key it repeats, if any.
    pub(crate) fn add(&mut self, segments: &[&str], range: TextRange) -> Option<TextRange> {
        let mut path = String::new();
        for (i, seg) in segments.iter().enumerate() {
            if i > 0 {
                path.push('^');
            }
            path.push_str(seg);
            if i + 1 < segments.len()
                && let Some(&earlier) = self.full.get(&path)
            {
                return Some(earlier);
            }
        }
        if let Some(&earlier) = self.full.get(&path).or_else(|| self.prefixes.get(&path)) {
            return Some(earlier);
        }
        self.full.insert(path.clone(), range);
        let mut prefix = String::new();
        for (i, seg) in segments
            .iter()
            .enumerate()
            .take(segments.len().saturating_sub(1))
        {
            if i > 0 {
                prefix.push('^');
            }
            prefix.push_str(seg);
            self.prefixes.entry(prefix.clone()).or_insert(range);
        }
        None
    }
}

impl Parser<'_> {
    /// `(head child ... ^k v ... child ...)`.
    pub(super) fn gene(&mut self) {
        let (opener, range) = self.start_bracketed(GENE);
        let mut run = PropRun::NotYet;
        let mut keys = KeyChecker::default();
        let mut first = true;
        loop {
            self.eat_trivia();
            if self.at_closer_or_end(opener, range) {
                break;
            }
            match self.current() {
                // In type position a `^k` token is an ordinary symbol.
                Some(CARET_TOKEN) if !first => {
                    if run == PropRun::After {
                        let at = self.current_range();
                        self.error(
                            SyntaxErrorKind::PropsInWrongPlace,
                            at,
                            "properties found in wrong place: a gene's properties must form one contiguous run",
                        );
                    }
                    run = PropRun::Inside;
                    self.prop(&mut keys);
                }
                Some(k) if !k.is_closer() => {
                    self.form();
                    if run == PropRun::Inside {
                        run = PropRun::After;
                    }
                }
                _ => {}
            }
            first = false;
        }
        self.finish_bracketed();
    }

    /// `{^k v ...}`.
    pub(super) fn map(&mut self) {
        let (opener, range) = self.start_bracketed(MAP);
        let mut keys = KeyChecker::default();
        let mut in_bad_run = false;
        loop {
            self.eat_trivia();
            if self.at_closer_or_end(opener, range) {
                break;
            }
            match self.current() {
                Some(CARET_TOKEN) => {
                    in_bad_run = false;
                    self.prop(&mut keys);
                }
                Some(k) if !k.is_closer() => {
                    if !in_bad_run {
                        let at = self.current_range();
                        self.error(
                            SyntaxErrorKind::ExpectedPropKey,
                            at,
                            "expected a property key: map entries are written `^key value`",
                        );
                        in_bad_run = true;
                    }
                    self.builder.start_node(ERROR.into());
                    self.form();
                    self.builder.finish_node();
                }
                _ => {}
            }
        }
        self.finish_bracketed();
    }

    /// One property: the key token and, unless it is a flag, its value.
    pub(super) fn prop(&mut self, keys: &mut KeyChecker) {
        let key_range = self.current_range();
        let key_text = self.current_text();
        self.builder.start_node(PROP.into());
        self.bump_as(PROP_KEY);
        let decoded = decode_key(key_text);
        let needs_value = match &decoded {
            Some(path) => {
                if let Some(earlier) = keys.add(&path.segments, key_range) {
                    self.errors.push(
                        SyntaxError::new(
                            SyntaxErrorKind::DuplicateKey,
                            key_range,
                            format!("repeated key `{key_text}` in the same map or property run"),
                        )
                        .with_related(earlier, "first defined here"),
                    );
                }
                !path.is_flag
            }
            None => {
                self.error(
                    SyntaxErrorKind::InvalidPropKey,
                    key_range,
                    format!("invalid property key `{key_text}`: expected a name after every `^`"),
                );
                // Still take a value if one follows, so the value is not misread as a child.
                true
            }
        };
        if needs_value {
            // Trivia between a key and its value belongs to the property, but trivia after a key
            // with no value belongs to the enclosing form.
            let checkpoint = self.pos;
            let mut lookahead = self.pos;
            while self
                .tokens
                .get(lookahead)
                .is_some_and(|t| t.kind.is_trivia())
            {
                lookahead += 1;
            }
            let next = self.tokens.get(lookahead).map(|t| t.kind);
            let has_value = next.is_some_and(|k| {
                !k.is_closer() && !matches!(k, CARET_TOKEN | INTERP_END | ISTRING_END)
            });
            if has_value {
                debug_assert_eq!(checkpoint, self.pos);
                self.eat_trivia();
                self.form();
            } else if decoded.is_some() {
                self.error(
                    SyntaxErrorKind::PropWithoutValue,
                    key_range,
                    format!(
                        "property `{key_text}` has no value (write `^^{}` for a true flag)",
                        key_text.trim_start_matches('^')
                    ),
                );
            }
        }
        self.builder.finish_node();
    }

    /// `#"text #{form} #{^k v} #(gene) #[array] text"`.
    pub(super) fn istring(&mut self) {
        self.builder.start_node(ISTRING.into());
        self.bump(); // ISTRING_START
        self.depth += 1;
        loop {
            match self.current() {
                None => break, // the lexer reported the unterminated string
                Some(ISTRING_END) => {
                    self.bump();
                    break;
                }
                Some(ISTRING_TEXT | BLOCK_COMMENT) => self.bump(),
                Some(INTERP_START) => self.interpolation(),
                Some(INTERP_HASH) => {
                    self.builder.start_node(INTERP.into());
                    self.bump();
                    self.open.push(Expect::Barrier);
                    if matches!(self.current(), Some(L_PAREN | L_BRACK)) {
                        self.form();
                    }
                    self.open.pop();
                    self.builder.finish_node();
                }
                Some(_) => {
                    // Cannot happen with the lexer's modes; keep the token rather than loop.
                    self.builder.start_node(ERROR.into());
                    self.bump();
                    self.builder.finish_node();
                }
            }
        }
        self.depth -= 1;
        self.builder.finish_node();
    }

    /// `#{form}` or `#{^k v ...}`.
    fn interpolation(&mut self) {
        let start_range = self.current_range();
        self.builder.start_node(INTERP.into());
        self.bump(); // INTERP_START
        self.open.push(Expect::Barrier);
        let mut keys = KeyChecker::default();
        let mut forms = 0usize;
        let mut reported_extra = false;
        loop {
            self.eat_trivia();
            match self.current() {
                None => break,
                Some(INTERP_END) => {
                    if forms == 0 {
                        self.error(
                            SyntaxErrorKind::MissingForm,
                            start_range,
                            "missing form: `#{` must hold a form to insert, as in `#{name}`",
                        );
                    }
                    self.bump();
                    break;
                }
                Some(CARET_TOKEN) => {
                    self.prop(&mut keys);
                    forms += 1;
                }
                Some(k) if k.is_closer() => self.stray_closer(),
                Some(_) => {
                    if forms > 0 && keys_empty(&keys) && !reported_extra {
                        let at = self.current_range();
                        self.error(
                            SyntaxErrorKind::UnclosedDelimiter,
                            start_range,
                            "unclosed `#{`: expected `}` after the one form it inserts",
                        );
                        if let Some(last) = self.errors.last_mut() {
                            last.related.push(crate::syntax_error::RelatedInfo {
                                range: at,
                                message: "a second form starts here".into(),
                            });
                        }
                        reported_extra = true;
                    }
                    if reported_extra {
                        self.builder.start_node(ERROR.into());
                        self.form();
                        self.builder.finish_node();
                    } else {
                        self.form();
                    }
                    forms += 1;
                }
            }
        }
        self.open.pop();
        self.builder.finish_node();
    }
}

fn keys_empty(keys: &KeyChecker) -> bool {
    keys.full.is_empty()
}
