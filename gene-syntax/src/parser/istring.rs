//! Interpolated strings: `#"text #{form} #{^k v} #(gene) #[array] #<comment># text"`.

use super::keys::KeyChecker;
use super::{Expect, Parser, Unclosed};
use crate::SyntaxKind::*;
use crate::syntax_error::{RelatedInfo, SyntaxErrorKind};

impl Parser<'_> {
    pub(super) fn istring(&mut self) {
        let start_range = self.current_range();
        self.builder.start_node(ISTRING);
        self.bump(); // ISTRING_START
        self.depth += 1;
        loop {
            match self.current() {
                None => {
                    self.unclosed.push(Unclosed {
                        opener: ISTRING_START,
                        range: start_range,
                    });
                    break;
                }
                Some(ISTRING_END) => {
                    self.report_unclosed(ISTRING_END);
                    self.bump();
                    break;
                }
                Some(INTERP_START) => self.interpolation(),
                Some(INTERP_HASH) => self.embedded(),
                // Text and `#<...>#` comments; nothing else comes out of the lexer's string
                // mode, but any other token is kept rather than looped on.
                Some(_) => self.bump(),
            }
        }
        self.depth -= 1;
        self.builder.finish_node();
    }

    /// `#(...)` or `#[...]`: the `#` and one gene or array.
    fn embedded(&mut self) {
        self.builder.start_node(INTERP);
        self.bump(); // INTERP_HASH
        self.open.push(Expect::Barrier);
        if matches!(self.current(), Some(L_PAREN | L_BRACK)) {
            self.form();
        }
        self.open.pop();
        self.builder.finish_node();
    }

    /// `#{form}` or `#{^k v ...}`.
    fn interpolation(&mut self) {
        let start_range = self.current_range();
        self.builder.start_node(INTERP);
        self.bump(); // INTERP_START
        self.open.push(Expect::Barrier);
        let map_mode = self.next_significant(self.pos) == Some(CARET_TOKEN);
        let mut keys = KeyChecker::default();
        let mut forms = 0usize;
        let mut in_bad_run = false;
        loop {
            self.eat_trivia();
            match self.current() {
                None => {
                    self.unclosed.push(Unclosed {
                        opener: INTERP_START,
                        range: start_range,
                    });
                    break;
                }
                Some(INTERP_END) => {
                    self.report_unclosed(INTERP_END);
                    if forms == 0 && keys.is_empty() && !map_mode {
                        self.error(
                            SyntaxErrorKind::MissingForm,
                            start_range,
                            "missing form: `#{` must hold a form to insert, as in `#{name}`",
                        );
                    }
                    self.bump();
                    break;
                }
                Some(ISTRING_END) => {
                    self.unclosed.push(Unclosed {
                        opener: INTERP_START,
                        range: start_range,
                    });
                    break;
                }
                Some(k) if k.is_closer() => self.stray_closers(),
                Some(CARET_TOKEN) if map_mode => {
                    in_bad_run = false;
                    self.prop(&mut keys);
                }
                Some(_) if map_mode => self.not_a_key(&mut in_bad_run),
                Some(_) if forms == 0 => {
                    self.element();
                    forms = 1;
                }
                Some(_) => {
                    // A second form: `#{` inserts exactly one. A string that runs to the end of
                    // the file here is most likely the closing quote of the interpolated string
                    // with the `}` forgotten: its own error says enough.
                    let swallowing = self.swallowed_from == Some(self.offset);
                    if forms == 1 && !swallowing {
                        let at = self.current_range();
                        self.error(
                            SyntaxErrorKind::UnclosedDelimiter,
                            start_range,
                            "unclosed `#{`: expected `}` after the one form it inserts",
                        );
                        if let Some(last) = self.errors.last_mut() {
                            last.related.push(RelatedInfo {
                                range: at,
                                message: "a second form starts here".into(),
                            });
                        }
                    }
                    forms += 1;
                    self.builder.start_node(ERROR);
                    self.element();
                    self.builder.finish_node();
                }
            }
        }
        self.open.pop();
        self.builder.finish_node();
    }
}
