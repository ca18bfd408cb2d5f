//! Completion and signature help: `gene_syntax::ide` results in LSP form.

use gene_syntax::ide::{self, CompletionKind};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::lsp_types::{
    CompletionItem, CompletionItemKind, CompletionList, CompletionResponse, CompletionTextEdit,
    Documentation, InsertTextFormat, MarkupContent, MarkupKind, ParameterInformation,
    ParameterLabel, Position, SignatureHelp, SignatureInformation, TextEdit,
};

use crate::navigation::offset;
use crate::state::{DocSnapshot, Snapshot};

/// What the client accepts in completion items.
#[derive(Clone, Copy, Debug, Default)]
pub struct CompletionFeatures {
    pub snippets: bool,
    pub markdown: bool,
}

fn kind(kind: CompletionKind) -> CompletionItemKind {
    match kind {
        CompletionKind::Variable => CompletionItemKind::VARIABLE,
        CompletionKind::Parameter => CompletionItemKind::VARIABLE,
        CompletionKind::Function => CompletionItemKind::FUNCTION,
        CompletionKind::Method => CompletionItemKind::METHOD,
        CompletionKind::Class => CompletionItemKind::CLASS,
        CompletionKind::Namespace => CompletionItemKind::MODULE,
        CompletionKind::Keyword => CompletionItemKind::KEYWORD,
        CompletionKind::Snippet => CompletionItemKind::SNIPPET,
        CompletionKind::Property => CompletionItemKind::PROPERTY,
        CompletionKind::Module => CompletionItemKind::MODULE,
    }
}

/// A snippet as plain text, for clients without snippet support: placeholders keep their
/// default text (`${1:name}` -> `name`), tab stops (`$1`, `$0`) go.
pub fn snippet_to_text(snippet: &str) -> String {
    let mut out = String::with_capacity(snippet.len());
    let mut chars = snippet.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            '$' if chars.peek() == Some(&'{') => {
                chars.next();
                // `${N:default}` or `${N}`: keep what follows the colon up to the brace.
                let mut inner = String::new();
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                    inner.push(c);
                }
                if let Some((_, default)) = inner.split_once(':') {
                    out.push_str(default);
                }
            }
            '$' if chars.peek().is_some_and(char::is_ascii_digit) => {
                while chars.peek().is_some_and(char::is_ascii_digit) {
                    chars.next();
                }
            }
            c => out.push(c),
        }
    }
    out
}

pub fn completion(
    snapshot: &Snapshot,
    doc: &DocSnapshot,
    position: Position,
    features: CompletionFeatures,
) -> Result<Option<CompletionResponse>> {
    let at = offset(snapshot, doc, position)?;
    let found = ide::completions(&snapshot.db, doc.file, at);
    let map = doc.line_map(snapshot.encoding);
    // With nothing typed the list leaves builtins out; ask again once a character is typed.
    let nothing_typed = found.first().is_none_or(|c| c.replace.is_empty());
    let items = found
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let range = map.range(c.replace);
            let (new_text, format) = match (&c.insert_text, c.snippet) {
                (Some(text), true) if features.snippets => {
                    (text.clone(), Some(InsertTextFormat::SNIPPET))
                }
                (Some(text), true) => (snippet_to_text(text), Some(InsertTextFormat::PLAIN_TEXT)),
                (Some(text), false) => (text.clone(), None),
                (None, _) => (c.label.clone(), None),
            };
            CompletionItem {
                label: c.label,
                kind: Some(kind(c.kind)),
                detail: c.detail,
                documentation: c.documentation.map(|value| {
                    Documentation::MarkupContent(MarkupContent {
                        kind: if features.markdown {
                            MarkupKind::Markdown
                        } else {
                            MarkupKind::PlainText
                        },
                        value,
                    })
                }),
                // The order `ide::completions` chose: scope first, then the file, then builtins.
                sort_text: Some(format!("{i:05}")),
                insert_text_format: format,
                text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(range, new_text))),
                ..Default::default()
            }
        })
        .collect();
    Ok(Some(CompletionResponse::List(CompletionList {
        is_incomplete: nothing_typed,
        items,
    })))
}

/// `[start, end)` of each parameter in the label, in UTF-16 code units as LSP counts string
/// offsets, searching left to right after the callee's name.
fn parameter_offsets(label: &str, parameters: &[String]) -> Vec<Option<[u32; 2]>> {
    let utf16 = |s: &str| s.encode_utf16().count() as u32;
    let mut from = label.find(' ').unwrap_or(label.len());
    parameters
        .iter()
        .map(|p| {
            let found = label.get(from..)?.find(p.as_str())? + from;
            from = found + p.len();
            Some([utf16(&label[..found]), utf16(&label[..from])])
        })
        .collect()
}

pub fn signature_help(
    snapshot: &Snapshot,
    doc: &DocSnapshot,
    position: Position,
) -> Result<Option<SignatureHelp>> {
    let at = offset(snapshot, doc, position)?;
    let Some(help) = ide::signature_help(&snapshot.db, doc.file, at) else {
        return Ok(None);
    };
    let parameters = parameter_offsets(&help.label, &help.parameters)
        .into_iter()
        .zip(&help.parameters)
        .map(|(offsets, text)| ParameterInformation {
            label: match offsets {
                Some(offsets) => ParameterLabel::LabelOffsets(offsets),
                None => ParameterLabel::Simple(text.clone()),
            },
            documentation: None,
        })
        .collect();
    let active = help.active_parameter.map(|i| i as u32);
    Ok(Some(SignatureHelp {
        signatures: vec![SignatureInformation {
            label: help.label,
            documentation: None,
            parameters: Some(parameters),
            active_parameter: active,
        }],
        active_signature: Some(0),
        active_parameter: active,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_become_plain_text() {
        assert_eq!(
            snippet_to_text("fn ${1:name} [${2}]\n  $0"),
            "fn name []\n  "
        );
        assert_eq!(snippet_to_text("a \\$1 $12b"), "a $1 b");
    }

    #[test]
    fn parameters_are_found_after_the_name() {
        // `a` must not match inside `area`.
        let offsets = parameter_offsets("(area a b...)", &["a".into(), "b...".into()]);
        assert_eq!(offsets, [Some([6, 7]), Some([8, 12])]);
        let offsets = parameter_offsets("(é x)", &["x".into(), "missing".into()]);
        assert_eq!(offsets, [Some([3, 4]), None]);
    }
}
