//! Error recovery: where a bracketed form ends when its closer is missing, stray and mismatched
//! closers, and regions nested too deeply. Each problem is reported once:
//!
//! - Forms ended by someone else's closer, by the end of an interpolation or string, or by the
//!   end of the file are collected in `Parser::unclosed` and reported as one error at the
//!   outermost of them (the others are related locations), when that token is reached.
//! - A run of closers that close nothing is one error.
//! - A single closer of the wrong kind right where a form must end (`(f 1]`, `[(a }]`) closes
//!   that form: one "mismatched closer" error instead of a stray closer plus an unclosed form.
//!
//! Every decision looks only at tokens up to the end of the enclosing top-level form, so a chunk
//! parsed on its own gets the same tree and errors as the whole file.

use rowan::TextRange;

use super::split::BracketStack;
use super::{Expect, MAX_DEPTH, Parser, closer_for, describe};
use crate::SyntaxKind::{self, *};
use crate::syntax_error::{RelatedInfo, SyntaxError, SyntaxErrorKind};

/// A form that ended without its own closer: its opener (`(`, `[`, `{`, `#[`, `#{`, `#"`) and
/// the opener's range.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Unclosed {
    pub opener: SyntaxKind,
    pub range: TextRange,
}

impl Parser<'_> {
    /// Is `closer` expected by some open form, without crossing an interpolation barrier?
    /// `skip` open entries (the innermost ones) are not considered.
    fn closes_open_form(&self, closer: SyntaxKind, skip: usize) -> bool {
        for expect in self.open.iter().rev().skip(skip) {
            match expect {
                Expect::Barrier => return false,
                Expect::Closer(k) if *k == closer => return true,
                Expect::Closer(_) => {}
            }
        }
        false
    }

    /// Handles the end of a bracketed form's element loop: skips trivia, then returns true when
    /// the form is done (closed, or ended without its closer), false when an element follows.
    pub(super) fn at_closer_or_end(&mut self, opener: SyntaxKind, opener_range: TextRange) -> bool {
        let expected = closer_for(opener);
        loop {
            self.eat_trivia();
            let Some(kind) = self.current() else {
                self.unclosed.push(Unclosed {
                    opener,
                    range: opener_range,
                });
                return true;
            };
            if kind == expected {
                self.report_unclosed(kind);
                self.bump();
                return true;
            }
            if !kind.is_closer() && !matches!(kind, INTERP_END | ISTRING_END) {
                return false;
            }
            // The end of an interpolation or string, or the closer of an enclosing form: this
            // form ends here without its closer.
            if matches!(kind, INTERP_END | ISTRING_END) || self.closes_open_form(kind, 1) {
                self.unclosed.push(Unclosed {
                    opener,
                    range: opener_range,
                });
                return true;
            }
            // A closer that closes nothing. Right where this form must end, it is taken as this
            // form's (mismatched) closer.
            let next = self.next_significant(self.pos + 1);
            let form_ends_next = match next {
                None | Some(INTERP_END | ISTRING_END) => true,
                Some(k) => k.is_closer() && k != expected && self.closes_open_form(k, 1),
            };
            if form_ends_next {
                let at = self.current_range();
                self.errors.push(
                    SyntaxError::new(
                        SyntaxErrorKind::MismatchedCloser,
                        at,
                        format!(
                            "mismatched closer: {} cannot close {}; expected {}",
                            describe(kind),
                            describe(opener),
                            describe(expected)
                        ),
                    )
                    .with_related(opener_range, format!("{} opened here", describe(opener))),
                );
                self.bump();
                return true;
            }
            self.stray_closers();
        }
    }

    /// A run of closers that close nothing (trivia between them included): one error, and the
    /// tokens go into an `ERROR` node.
    pub(super) fn stray_closers(&mut self) {
        let start = self.current_range();
        let mut end = start;
        let mut count = 0usize;
        let first = self.current().unwrap_or(R_PAREN);
        self.builder.start_node(ERROR);
        loop {
            end = end.cover(self.current_range());
            self.bump();
            count += 1;
            match self.next_significant(self.pos) {
                Some(k) if k.is_closer() && !self.closes_open_form(k, 0) => self.eat_trivia(),
                _ => break,
            }
        }
        self.builder.finish_node();
        let range = start.cover(end);
        let message = if count == 1 {
            format!(
                "unexpected {}: there is no open form for it to close",
                describe(first)
            )
        } else {
            format!(
                "unexpected `{}`: there is no open form for these closers to close",
                self.text[range]
                    .chars()
                    .filter(|c| matches!(c, ')' | ']' | '}'))
                    .collect::<String>()
            )
        };
        self.error(SyntaxErrorKind::UnexpectedCloser, range, message);
    }

    /// Reports the forms that the current token (`found`) ended without their own closer, as one
    /// error at the outermost of them.
    pub(super) fn report_unclosed(&mut self, found: SyntaxKind) {
        if self.unclosed.is_empty() {
            return;
        }
        let forms = std::mem::take(&mut self.unclosed);
        let at = self.current_range();
        let found = describe(found);
        let mut error = unclosed_error(&forms, &format!("before {found}"));
        error.related.insert(
            0,
            RelatedInfo {
                range: at,
                message: format!("{found} found here"),
            },
        );
        self.errors.push(error);
    }

    /// At the end of the file: the forms still open. A form inside an unterminated interpolated
    /// string is part of that string's error. A form whose closer appears in the text swallowed
    /// by an unterminated string or comment is not reported: closing that string most likely
    /// closes it too.
    pub(super) fn report_unclosed_at_eof(&mut self) {
        let forms = std::mem::take(&mut self.unclosed);
        let mut swallowed = self
            .swallowed_from
            .map(|s| swallowed_text(self.text, s.into()));
        let mut rest: &[Unclosed] = &forms;
        if let Some(i) = forms.iter().rposition(|f| f.opener == ISTRING_START) {
            let istring = forms[i];
            let opener_text = &self.text[istring.range];
            let quote = if opener_text.ends_with("\"\"\"") {
                "\"\"\""
            } else {
                "\""
            };
            // An unterminated string or comment inside it took its closing quote: that error is
            // the one to fix (`#"a #{x" b` reads `" b` as a string).
            let inner_swallow = self
                .swallowed_from
                .is_some_and(|s| s > istring.range.start());
            if !inner_swallow && !swallowed.is_some_and(|s| s.contains(quote)) {
                let mut error = SyntaxError::new(
                    SyntaxErrorKind::UnterminatedString,
                    istring.range,
                    format!(
                        "unterminated interpolated string: expected a closing `{quote}` before end of file"
                    ),
                );
                for inner in forms[..i].iter().rev() {
                    error = error.with_related(
                        inner.range,
                        format!("{} inside it is unclosed", describe(inner.opener)),
                    );
                }
                self.errors.push(error);
            }
            swallowed = Some(&self.text[usize::from(istring.range.end())..]);
            rest = &forms[i + 1..];
        }
        let open: Vec<Unclosed> = rest
            .iter()
            .filter(|f| {
                let closer = closer_char(f.opener);
                !swallowed.is_some_and(|s| s.contains(closer))
            })
            .copied()
            .collect();
        if !open.is_empty() {
            let error = unclosed_error(&open, "before end of file");
            self.errors.push(error);
        }
    }

    /// Too deep: keep the region that starts here (one form, brackets balanced) as flat tokens in
    /// an `ERROR` node. The region stops before a token that ends an enclosing form.
    pub(super) fn too_deep(&mut self) {
        let start = self.current_range();
        self.error(
            SyntaxErrorKind::NestingTooDeep,
            start,
            format!("forms are nested too deeply (more than {MAX_DEPTH} levels)"),
        );
        self.builder.start_node(ERROR);
        let mut stack = BracketStack::default();
        while let Some(kind) = self.current() {
            if stack.is_complete() {
                break;
            }
            let ends_enclosing = match kind {
                INTERP_END | ISTRING_END => !stack.can_close(kind),
                k if k.is_closer() => !stack.can_close(k) && self.closes_open_form(k, 0),
                _ => false,
            };
            if ends_enclosing {
                break;
            }
            stack.feed(kind);
            self.bump();
        }
        self.builder.finish_node();
    }
}

/// The text after the opening delimiter of the unterminated string or comment at `start`.
fn swallowed_text(text: &str, start: usize) -> &str {
    let rest = text.get(start..).unwrap_or("");
    let skip = if rest.starts_with("\"\"\"") {
        3
    } else if rest.starts_with("#<") {
        2
    } else {
        1
    };
    rest.get(skip..).unwrap_or("")
}

fn closer_char(opener: SyntaxKind) -> char {
    match opener {
        L_PAREN => ')',
        L_BRACK | HASH_BRACK => ']',
        ISTRING_START => '"',
        _ => '}',
    }
}

/// One error for forms that ended without their closers (innermost first): at the outermost,
/// naming what it misses; the inner ones are related locations.
fn unclosed_error(forms: &[Unclosed], before: &str) -> SyntaxError {
    let Some((outer, inner)) = forms.split_last() else {
        return SyntaxError::new(SyntaxErrorKind::UnclosedDelimiter, TextRange::default(), "");
    };
    let mut message = format!(
        "unclosed {}: expected {} {before}",
        describe(outer.opener),
        describe(closer_for(outer.opener)),
    );
    match inner.len() {
        0 => {}
        1 => message.push_str(" (a form inside it is unclosed too)"),
        n => message.push_str(&format!(" ({n} forms inside it are unclosed too)")),
    }
    let mut error = SyntaxError::new(SyntaxErrorKind::UnclosedDelimiter, outer.range, message);
    for form in inner.iter().rev() {
        error = error.with_related(
            form.range,
            format!(
                "{} is unclosed too: expected {}",
                describe(form.opener),
                describe(closer_for(form.opener))
            ),
        );
    }
    error
}
