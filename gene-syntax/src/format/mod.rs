//! The Gene formatter: a canonical layout computed from the concrete syntax tree.
//!
//! A form that fits in [`WIDTH`] columns and holds no line comment is printed on one line with
//! single spaces. Otherwise it breaks: the head and its "header" (a function's name and
//! parameters, an `if`'s condition, ...) stay on the first line and the body goes one form per
//! line, indented by two; calls keep their first argument on the head's line and align the rest
//! under it; collections put one element per line. `elif`/`else`/`catch`/`finally` line up with
//! their form. Comments are kept (a comment that ended a line still ends it), a blank line
//! between forms is kept (runs of them become one), commas go, and the file ends with one
//! newline. Token text is never changed, so the formatted program means the same, and the layout
//! depends only on the tree, so formatting twice changes nothing.

mod layout;

use crate::{Parse, SyntaxNode, TextRange};

/// The line width the formatter aims for.
pub const WIDTH: usize = 100;

/// Why a file was not formatted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormatError {
    /// The formatter only rewrites files that parse without errors, so it never moves text
    /// across a half-written form.
    SyntaxErrors(usize),
}

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FormatError::SyntaxErrors(n) => {
                write!(
                    f,
                    "the file has {n} syntax error{}; fix {} first",
                    if *n == 1 { "" } else { "s" },
                    if *n == 1 { "it" } else { "them" }
                )
            }
        }
    }
}

/// Formats a whole file.
pub fn format(parse: &Parse) -> Result<String, FormatError> {
    if !parse.errors().is_empty() {
        return Err(FormatError::SyntaxErrors(parse.errors().len()));
    }
    Ok(layout::format_root(&parse.syntax_node()))
}

/// Formats source text (parsing it first).
pub fn format_text(text: &str) -> Result<String, FormatError> {
    format(&crate::parse_text(text))
}

/// The edit that formats the top-level forms touching `range`: the range it replaces in the
/// original text and the new text. `None` when nothing changes.
pub fn format_range(
    parse: &Parse,
    range: TextRange,
) -> Result<Option<(TextRange, String)>, FormatError> {
    if !parse.errors().is_empty() {
        return Err(FormatError::SyntaxErrors(parse.errors().len()));
    }
    let root = parse.syntax_node();
    let top_level = |node: &SyntaxNode| -> Vec<TextRange> {
        node.children_with_tokens()
            .filter(|e| !e.kind().is_trivia())
            .map(|e| e.text_range())
            .collect()
    };
    let old = top_level(&root);
    let touched: Vec<usize> = (0..old.len())
        .filter(|&i| old[i].start() <= range.end() && range.start() <= old[i].end())
        .collect();
    let (Some(&i), Some(&j)) = (touched.first(), touched.last()) else {
        return Ok(None);
    };
    // The layout of a top-level form does not depend on its neighbours, so the forms can be
    // taken from the formatted file.
    let formatted = layout::format_root(&root);
    let new = top_level(&crate::parse_text(&formatted).syntax_node());
    let (Some(a), Some(b)) = (new.get(i), new.get(j)) else {
        return Ok(None);
    };
    let covered = TextRange::new(old[i].start(), old[j].end());
    let new_text = &formatted[std::ops::Range::<usize>::from(TextRange::new(a.start(), b.end()))];
    let old_text = root.to_string();
    if &old_text[std::ops::Range::<usize>::from(covered)] == new_text {
        Ok(None)
    } else {
        Ok(Some((covered, new_text.to_string())))
    }
}

#[cfg(test)]
mod tests;
