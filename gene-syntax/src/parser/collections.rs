//! Genes, maps and properties.

use rowan::TextRange;

use super::Parser;
use super::keys::{KeyChecker, decode_key, plain_name};
use crate::SyntaxKind::*;
use crate::syntax_error::{SyntaxError, SyntaxErrorKind};

/// Where a gene is relative to its property run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PropRun {
    NotYet,
    Inside,
    After,
}

impl<'t> Parser<'t> {
    /// `(head child ... ^k v ... child ...)`.
    pub(super) fn gene(&mut self) {
        let (opener, range) = self.start_bracketed(GENE);
        let mut run = PropRun::NotYet;
        let mut reported_second_run = false;
        let mut keys = KeyChecker::default();
        let mut first = true;
        loop {
            if self.at_closer_or_end(opener, range) {
                break;
            }
            // In type position a `^k` token is an ordinary symbol (§1.8).
            if self.current() == Some(CARET_TOKEN) && !first {
                if run == PropRun::After && !reported_second_run {
                    let at = self.current_range();
                    self.error(
                        SyntaxErrorKind::PropsInWrongPlace,
                        at,
                        "properties found in wrong place: a gene's properties must form one contiguous run",
                    );
                    reported_second_run = true;
                }
                run = PropRun::Inside;
                self.prop(&mut keys);
            } else {
                self.element();
                if run == PropRun::Inside {
                    run = PropRun::After;
                }
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
            if self.at_closer_or_end(opener, range) {
                break;
            }
            if self.current() == Some(CARET_TOKEN) {
                in_bad_run = false;
                self.prop(&mut keys);
            } else {
                self.not_a_key(&mut in_bad_run);
            }
        }
        self.finish_bracketed();
    }

    /// A form where a map expects a `^key`: one error for a run of them, each kept in an `ERROR`
    /// node.
    pub(super) fn not_a_key(&mut self, in_bad_run: &mut bool) {
        if !*in_bad_run {
            let at = self.current_range();
            self.error(
                SyntaxErrorKind::ExpectedPropKey,
                at,
                "expected a property key: map entries are written `^key value`",
            );
            *in_bad_run = true;
        }
        self.builder.start_node(ERROR);
        self.element();
        self.builder.finish_node();
    }

    /// One property: the key token and, unless it is a flag, its value.
    pub(super) fn prop(&mut self, keys: &mut KeyChecker<'t>) {
        let key_range = self.current_range();
        let key_text = self.current_text();
        self.builder.start_node(PROP);
        self.bump_as(PROP_KEY);
        // What the key takes: `Some(n)`, a value, where the last segment is the last `n` bytes
        // of the key; `None`, no value (a flag).
        let takes_value = if let Some(name) = plain_name(key_text) {
            // The common case, `^name`, checked without decoding.
            let earlier = keys.add_name(name, key_range);
            self.report_repeated_key(key_text, key_range, earlier);
            Some(name.len())
        } else {
            match decode_key(key_text) {
                Some(path) => {
                    let earlier = keys.add(&path.segments, key_range);
                    self.report_repeated_key(key_text, key_range, earlier);
                    let last = path.segments.last().map_or(0, |s| s.len());
                    (!path.is_flag()).then_some(last)
                }
                None => {
                    self.error(
                        SyntaxErrorKind::InvalidPropKey,
                        key_range,
                        format!(
                            "invalid property key `{key_text}`: expected a name after every `^`"
                        ),
                    );
                    // Still take a value if one follows, so it is not misread as a child; its
                    // absence is not reported again.
                    self.prop_value(None);
                    self.builder.finish_node();
                    return;
                }
            }
        };
        if let Some(last) = takes_value {
            self.prop_value(Some((key_text, key_range, last)));
        }
        self.builder.finish_node();
    }

    fn report_repeated_key(
        &mut self,
        key_text: &str,
        key_range: TextRange,
        earlier: Option<TextRange>,
    ) {
        if let Some(earlier) = earlier {
            self.errors.push(
                SyntaxError::new(
                    SyntaxErrorKind::DuplicateKey,
                    key_range,
                    format!("repeated key `{key_text}` in the same map or property run"),
                )
                .with_related(earlier, "first defined here"),
            );
        }
    }

    /// The value after a key. Trivia between a key and its value belongs to the property, but
    /// trivia after a key with no value belongs to the enclosing form. When there is no value,
    /// `key` (its text, range and the length of its last segment) is reported.
    fn prop_value(&mut self, key: Option<(&str, TextRange, usize)>) {
        let has_value = self.next_significant(self.pos).is_some_and(|k| {
            !k.is_closer() && !matches!(k, CARET_TOKEN | INTERP_END | ISTRING_END)
        });
        if has_value {
            self.eat_trivia();
            self.element();
        } else if let Some((key_text, key_range, last)) = key {
            // The flag form puts a second `^` before the last segment: `^a` -> `^^a`,
            // `^a^b` -> `^a^^b`.
            let (head, tail) = key_text.split_at(key_text.len() - last);
            self.error(
                SyntaxErrorKind::PropWithoutValue,
                key_range,
                format!(
                    "property `{key_text}` has no value (write `{head}^{tail}` for a true flag)"
                ),
            );
        }
    }
}
