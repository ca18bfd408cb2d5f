//! gene-syntax: the one parser of the Gene toolchain and the analysis built on it.
//!
//! - [`lexer`]: text -> tokens. [`parser`]: tokens -> a lossless rowan tree plus errors.
//! - [`ast`]: typed views over the tree; [`form`]: lowered, decoded forms for the VM.
//! - [`db`]: the salsa database (`SourceFile` input, parse / diagnostics / line index queries),
//!   incremental per top-level form.
//! - [`LineIndex`]: offsets <-> line/column in UTF-8 and UTF-16.

pub mod analysis;
pub mod ast;
pub mod builtins;
pub mod db;
pub mod decode;
pub mod diagnostic;
pub mod form;
pub mod format;
pub mod ide;
pub mod lexer;
pub mod line_index;
pub mod parser;
pub mod printer;
pub mod syntax_error;
mod syntax_kind;
pub mod workspace;

pub use diagnostic::{Diagnostic, DiagnosticTag, Fix, Severity, TextEdit};
pub use line_index::{LineCol, LineIndex};
pub use rowan::{TextRange, TextSize};
pub use syntax_error::{SyntaxError, SyntaxErrorKind};
pub use syntax_kind::{GeneLanguage, SyntaxElement, SyntaxKind, SyntaxNode, SyntaxToken};

use rowan::GreenNode;

/// A parsed file: the green tree and the syntax errors, offsets relative to the parsed text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parse {
    green: GreenNode,
    errors: Vec<SyntaxError>,
}

impl Parse {
    pub fn new(green: GreenNode, errors: Vec<SyntaxError>) -> Parse {
        Parse { green, errors }
    }

    pub fn green(&self) -> &GreenNode {
        &self.green
    }

    pub fn syntax_node(&self) -> SyntaxNode {
        SyntaxNode::new_root(self.green.clone())
    }

    pub fn tree(&self) -> ast::SourceFile {
        ast::SourceFile::cast(self.syntax_node()).expect("the root is always a SOURCE_FILE")
    }

    pub fn errors(&self) -> &[SyntaxError] {
        &self.errors
    }

    /// The lowered top-level forms.
    pub fn forms(&self) -> Vec<form::Form> {
        form::lower_file(&self.tree())
    }
}

/// Parses text outside any database (for `$parse`, tests and tools): the tree and errors the
/// database gives for it (it parses chunk by chunk; no chunk's parse depends on what comes
/// before it, so a parse in one piece is the same). A big text is parsed on two threads.
pub fn parse_text(text: &str) -> Parse {
    let (green, errors) = parser::parse_chunked_from(text, parser::PARALLEL_FROM);
    Parse::new(green, errors)
}

/// Parses the text as one unit on this thread. Gives the same tree as [`parse_text`]; kept to
/// test that claim and for benchmarks.
pub fn parse_whole(text: &str) -> Parse {
    let (green, errors) = parse_chunk_text(text);
    Parse::new(green, errors)
}

/// Parses bytes that may not be valid UTF-8: invalid sequences become U+FFFD and each is reported
/// (at its place in the decoded text) as an `E013` error.
pub fn parse_bytes(bytes: &[u8]) -> (String, Parse) {
    let (text, utf8_errors) = decode_utf8_lossy(bytes);
    let mut parse = parse_text(&text);
    parse.errors.extend(utf8_errors);
    parse.errors.sort_by_key(|e| e.range.start());
    (text, parse)
}

/// Decodes bytes as UTF-8, replacing each invalid sequence with U+FFFD and reporting it.
pub fn decode_utf8_lossy(bytes: &[u8]) -> (String, Vec<SyntaxError>) {
    let mut text = String::with_capacity(bytes.len());
    let mut errors = Vec::new();
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        let invalid = chunk.invalid();
        if !invalid.is_empty() {
            let start = TextSize::of(text.as_str());
            text.push('\u{FFFD}');
            let hex: Vec<String> = invalid.iter().map(|b| format!("{b:#04x}")).collect();
            errors.push(SyntaxError::new(
                SyntaxErrorKind::InvalidUtf8,
                TextRange::at(start, TextSize::of('\u{FFFD}')),
                format!("invalid UTF-8 (bytes {}) replaced by U+FFFD", hex.join(" ")),
            ));
        }
    }
    (text, errors)
}

/// Lexes and parses one piece of text as a unit.
pub(crate) fn parse_chunk_text(text: &str) -> (GreenNode, Vec<SyntaxError>) {
    parser::parse_lexed(text, &lexer::lex(text))
}
