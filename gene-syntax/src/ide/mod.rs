//! IDE features over the shared database, as plain functions of `(db, file, offset)`: the
//! language server turns them into protocol messages. Like rust-analyzer's `ide` crate, nothing
//! here knows LSP types; offsets and ranges are bytes in the file's text.
//!
//! Everything is scope-aware through [`index::file_index`], which resolves every name use of a
//! file to what it refers to: a local, a namespace-level definition (here or in an imported
//! file), or a builtin from the catalogue.

mod completion;
mod hover;
pub mod index;
mod navigation;
mod outline;
mod semantic;

pub use completion::{CompletionItem, CompletionKind, SignatureHelp, completions, signature_help};
pub use hover::{Hover, code_doc, hover};
pub use index::{FileIndex, Target, file_index};
pub use navigation::{NavTarget, definition, highlights, prepare_rename, references, rename};
pub use outline::{
    Fold, FoldKind, Symbol, SymbolKind, document_symbols, folding_ranges, selection_ranges,
    workspace_symbols,
};
pub use semantic::{
    InlayHint, SemanticToken, TokenKind, TokenModifiers, inlay_hints, semantic_tokens,
};

use crate::db::{self, Db, SourceFile};
use crate::{SyntaxToken, TextSize};

/// The token at `offset`, preferring a name over punctuation or whitespace when the offset sits
/// between two tokens (as a cursor after `foo` does).
pub(crate) fn token_at(db: &dyn Db, file: SourceFile, offset: TextSize) -> Option<SyntaxToken> {
    let root = db::parse(db, file).syntax_node();
    if offset > root.text_range().end() {
        return None;
    }
    let at = root.token_at_offset(offset);
    let score = |t: &SyntaxToken| match t.kind() {
        crate::SyntaxKind::SYMBOL | crate::SyntaxKind::PROP_KEY => 3,
        k if k.is_trivia() => 0,
        k if k.is_closer()
            || matches!(
                k,
                crate::SyntaxKind::L_PAREN
                    | crate::SyntaxKind::L_BRACK
                    | crate::SyntaxKind::L_BRACE
            ) =>
        {
            1
        }
        _ => 2,
    };
    at.max_by_key(score)
}

#[cfg(test)]
mod tests;
