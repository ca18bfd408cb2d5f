//! Semantic tokens, full and delta.
//!
//! `gene_syntax::ide::semantic_tokens` classifies the file's tokens (byte ranges, in order);
//! here they are encoded the LSP way (relative lines and columns in the negotiated encoding,
//! one token per line: a block comment or a multi-line string is split at its line breaks, which
//! every client accepts). The last result sent for each document is kept so that a delta request
//! answers with one edit: the tokens between the unchanged prefix and the unchanged suffix.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use gene_syntax::ide::{self, TokenKind, TokenModifiers};
use tower_lsp_server::lsp_types::{
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokens, SemanticTokensDelta,
    SemanticTokensEdit, SemanticTokensFullDeltaResult, SemanticTokensLegend, Uri,
};

use crate::position::{PositionEncoding, TextCursor};
use crate::state::{DocSnapshot, Snapshot};

fn token_type(kind: TokenKind) -> SemanticTokenType {
    match kind {
        TokenKind::Function => SemanticTokenType::FUNCTION,
        TokenKind::Method => SemanticTokenType::METHOD,
        TokenKind::Parameter => SemanticTokenType::PARAMETER,
        TokenKind::Variable => SemanticTokenType::VARIABLE,
        TokenKind::Property => SemanticTokenType::PROPERTY,
        TokenKind::Keyword => SemanticTokenType::KEYWORD,
        TokenKind::Operator => SemanticTokenType::OPERATOR,
        TokenKind::String => SemanticTokenType::STRING,
        TokenKind::Number => SemanticTokenType::NUMBER,
        TokenKind::Comment => SemanticTokenType::COMMENT,
        TokenKind::Class => SemanticTokenType::CLASS,
        TokenKind::Namespace => SemanticTokenType::NAMESPACE,
        TokenKind::Macro => SemanticTokenType::MACRO,
    }
}

/// The legend the server announces: token types in [`TokenKind::ALL`] order, modifiers in bit
/// order of [`TokenModifiers::NAMES`].
pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TokenKind::ALL.iter().map(|k| token_type(*k)).collect(),
        token_modifiers: TokenModifiers::NAMES
            .iter()
            .map(|name| SemanticTokenModifier::new(name))
            .collect(),
    }
}

fn type_index(kind: TokenKind) -> u32 {
    TokenKind::ALL.iter().position(|k| *k == kind).unwrap_or(0) as u32
}

/// Absolute (line, start, length, type, modifiers) pieces, one per line of each token, found in
/// one pass over the text (the tokens come in text order).
fn pieces(tokens: &[ide::SemanticToken], text: &str, encoding: PositionEncoding) -> Vec<[u32; 5]> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut cursor = TextCursor::new(text, encoding);
    for token in tokens {
        let kind = type_index(token.kind);
        let modifiers = token.modifiers.0;
        let end = usize::from(token.range.end());
        cursor.advance_to(token.range.start().into());
        let mut from = cursor.position();
        loop {
            while cursor.offset() < end && !cursor.at_line_break() {
                cursor.step();
            }
            let here = cursor.position();
            if here.line == from.line && here.character > from.character {
                out.push([
                    from.line,
                    from.character,
                    here.character - from.character,
                    kind,
                    modifiers,
                ]);
            }
            if cursor.offset() >= end || cursor.offset() >= text.len() {
                break;
            }
            // A line break inside the token: the next piece starts on the next line.
            cursor.step();
            from = cursor.position();
        }
    }
    out
}

/// The tokens of a document, encoded.
pub fn encode(snapshot: &Snapshot, doc: &DocSnapshot) -> Vec<SemanticToken> {
    let tokens = ide::semantic_tokens(&snapshot.db, doc.file);
    let text = doc.file.text(&snapshot.db);
    let mut previous = (0, 0);
    pieces(&tokens, text, snapshot.encoding)
        .into_iter()
        .map(|[line, start, length, token_type, modifiers]| {
            // Tokens come in text order; saturating keeps a bug elsewhere from becoming a panic.
            let delta_line = line.saturating_sub(previous.0);
            let delta_start = if delta_line == 0 {
                start.saturating_sub(previous.1)
            } else {
                start
            };
            previous = (line, start);
            SemanticToken {
                delta_line,
                delta_start,
                length,
                token_type,
                token_modifiers_bitset: modifiers,
            }
        })
        .collect()
}

/// The one edit that turns `old` into `new`, or none when they are equal. Edit offsets count
/// integers (five per token).
pub fn diff(old: &[SemanticToken], new: &[SemanticToken]) -> Vec<SemanticTokensEdit> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let deleted = old.len() - prefix - suffix;
    let inserted = &new[prefix..new.len() - suffix];
    if deleted == 0 && inserted.is_empty() {
        return Vec::new();
    }
    vec![SemanticTokensEdit {
        start: (prefix * 5) as u32,
        delete_count: (deleted * 5) as u32,
        data: Some(inserted.to_vec()),
    }]
}

/// The last tokens sent per document, for deltas.
#[derive(Default)]
pub struct TokenCache {
    last: Mutex<HashMap<Uri, (String, Vec<SemanticToken>)>>,
    next_id: AtomicU64,
}

impl TokenCache {
    /// Remembers `tokens` as the latest result for `uri` and returns its result id.
    fn remember(&self, uri: &Uri, tokens: Vec<SemanticToken>) -> String {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed).to_string();
        self.last
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(uri.clone(), (id.clone(), tokens));
        id
    }

    pub fn forget(&self, uri: &Uri) {
        self.last
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(uri);
    }

    /// A full result, remembered.
    pub fn full(&self, uri: &Uri, tokens: Vec<SemanticToken>) -> SemanticTokens {
        let id = self.remember(uri, tokens.clone());
        SemanticTokens {
            result_id: Some(id),
            data: tokens,
        }
    }

    /// The change since the result `previous` when that is the one remembered, else a full
    /// result.
    pub fn delta(
        &self,
        uri: &Uri,
        previous: &str,
        tokens: Vec<SemanticToken>,
    ) -> SemanticTokensFullDeltaResult {
        let edits = {
            let last = self.last.lock().unwrap_or_else(|e| e.into_inner());
            match last.get(uri) {
                Some((id, old)) if id == previous => Some(diff(old, &tokens)),
                _ => None,
            }
        };
        match edits {
            Some(edits) => {
                let id = self.remember(uri, tokens);
                SemanticTokensFullDeltaResult::TokensDelta(SemanticTokensDelta {
                    result_id: Some(id),
                    edits,
                })
            }
            None => SemanticTokensFullDeltaResult::Tokens(self.full(uri, tokens)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(delta_line: u32, delta_start: u32, length: u32) -> SemanticToken {
        SemanticToken {
            delta_line,
            delta_start,
            length,
            token_type: 0,
            token_modifiers_bitset: 0,
        }
    }

    /// Applies edits the way a client does, on the integer array.
    fn apply(old: &[SemanticToken], edits: &[SemanticTokensEdit]) -> Vec<u32> {
        let flat = |ts: &[SemanticToken]| -> Vec<u32> {
            ts.iter()
                .flat_map(|t| {
                    [
                        t.delta_line,
                        t.delta_start,
                        t.length,
                        t.token_type,
                        t.token_modifiers_bitset,
                    ]
                })
                .collect()
        };
        let mut data = flat(old);
        for e in edits.iter().rev() {
            let start = e.start as usize;
            let end = start + e.delete_count as usize;
            data.splice(start..end, flat(e.data.as_deref().unwrap_or(&[])));
        }
        data
    }

    #[test]
    fn one_edit_between_the_common_prefix_and_suffix() {
        let old = [token(0, 0, 3), token(0, 4, 1), token(1, 0, 2)];
        let new = [
            token(0, 0, 3),
            token(0, 4, 2),
            token(0, 3, 1),
            token(1, 0, 2),
        ];
        let edits = diff(&old, &new);
        assert_eq!(edits.len(), 1);
        assert_eq!((edits[0].start, edits[0].delete_count), (5, 5));
        assert_eq!(apply(&old, &edits), apply(&new, &[]));
        assert!(diff(&new, &new).is_empty());
        assert_eq!(apply(&new, &diff(&new, &[])), Vec::<u32>::new());
        assert_eq!(apply(&[], &diff(&[], &old)), apply(&old, &[]));
    }

    #[test]
    fn deltas_only_from_the_remembered_result() {
        let cache = TokenCache::default();
        let uri: Uri = "file:///t.gene".parse().unwrap();
        let first = cache.full(&uri, vec![token(0, 0, 1)]);
        let first_id = first.result_id.unwrap();
        match cache.delta(&uri, &first_id, vec![token(0, 0, 2)]) {
            SemanticTokensFullDeltaResult::TokensDelta(d) => assert_eq!(d.edits.len(), 1),
            other => panic!("expected a delta, got {other:?}"),
        }
        // The first id is no longer the remembered one: a full result.
        assert!(matches!(
            cache.delta(&uri, &first_id, vec![]),
            SemanticTokensFullDeltaResult::Tokens(_)
        ));
    }

    #[test]
    fn multi_line_tokens_are_split_per_line() {
        let text = "#< a\r\nbc >#(x)";
        let comment = ide::SemanticToken {
            range: gene_syntax::TextRange::new(0.into(), 11.into()),
            kind: TokenKind::Comment,
            modifiers: TokenModifiers(0),
        };
        let got = pieces(&[comment], text, PositionEncoding::Utf16);
        let kind = type_index(TokenKind::Comment);
        assert_eq!(got, [[0, 0, 4, kind, 0], [1, 0, 5, kind, 0]]);
    }
}
