//! Code actions from the fixes diagnostics carry: one quick fix per fix of each diagnostic
//! under the cursor, and `source.fixAll.gene` applying every safe fix of the file at once.

use std::collections::HashMap;

use gene_syntax::{Diagnostic, Fix, TextRange};
use tower_lsp_server::lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, DocumentChanges, OneOf,
    OptionalVersionedTextDocumentIdentifier, TextDocumentEdit, TextEdit, Uri, WorkspaceEdit,
};

use crate::capabilities::FIX_ALL_KIND;
use crate::diagnostics::{DiagnosticFeatures, to_lsp};
use crate::position::LineMap;

/// The document the actions edit, as the client knows it.
pub struct Target<'a> {
    pub uri: &'a Uri,
    /// The open document's version, so the client can refuse edits meant for another text.
    pub version: Option<i32>,
    pub map: LineMap<'a>,
    pub document_changes: bool,
}

/// Does a requested kind (`only`) include the action kind `kind`? Kinds are hierarchical:
/// `source` includes `source.fixAll.gene`.
fn kind_requested(only: Option<&[CodeActionKind]>, kind: &str) -> bool {
    match only {
        None => true,
        Some(kinds) => kinds.iter().any(|k| {
            let k = k.as_str();
            kind == k || (kind.starts_with(k) && kind[k.len()..].starts_with('.'))
        }),
    }
}

fn workspace_edit(target: &Target<'_>, edits: &[gene_syntax::TextEdit]) -> WorkspaceEdit {
    let edits: Vec<TextEdit> = edits
        .iter()
        .map(|e| TextEdit::new(target.map.range(e.range), e.new_text.clone()))
        .collect();
    if target.document_changes {
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: target.uri.clone(),
                    version: target.version,
                },
                edits: edits.into_iter().map(OneOf::Left).collect(),
            }])),
            ..Default::default()
        }
    } else {
        WorkspaceEdit {
            changes: Some(HashMap::from([(target.uri.clone(), edits)])),
            ..Default::default()
        }
    }
}

/// The code actions for `range` of a document whose diagnostics are `diagnostics`.
pub fn code_actions(
    diagnostics: &[Diagnostic],
    range: TextRange,
    only: Option<&[CodeActionKind]>,
    target: &Target<'_>,
    features: &DiagnosticFeatures,
) -> Vec<CodeActionOrCommand> {
    let mut actions = Vec::new();
    if kind_requested(only, CodeActionKind::QUICKFIX.as_str()) {
        for d in diagnostics
            .iter()
            .filter(|d| d.range.intersect(range).is_some())
        {
            for (i, fix) in d.fixes.iter().enumerate() {
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: fix.title.clone(),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![to_lsp(d, target.uri, &target.map, features)]),
                    edit: Some(workspace_edit(target, &fix.edits)),
                    is_preferred: Some(i == 0 && fix.safe),
                    ..Default::default()
                }));
            }
        }
    }
    // "Fix all" is a source action: offered only when asked for by kind, as on save.
    if only.is_some() && kind_requested(only, FIX_ALL_KIND) {
        let edits = fix_all_edits(diagnostics);
        if !edits.is_empty() {
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: "Fix all safe Gene problems".to_string(),
                kind: Some(CodeActionKind::new(FIX_ALL_KIND)),
                edit: Some(workspace_edit(target, &edits)),
                ..Default::default()
            }));
        }
    }
    actions
}

/// The edits of every safe fix, first fix of each diagnostic only, leaving out a fix whose
/// edits would touch text another chosen fix already changes. Sorted by position.
pub fn fix_all_edits(diagnostics: &[Diagnostic]) -> Vec<gene_syntax::TextEdit> {
    let mut chosen: Vec<gene_syntax::TextEdit> = Vec::new();
    let safe_fixes = diagnostics
        .iter()
        .filter_map(|d| d.fixes.first())
        .filter(|f: &&Fix| f.safe);
    for fix in safe_fixes {
        let clashes = fix
            .edits
            .iter()
            .any(|e| chosen.iter().any(|c| edits_clash(e.range, c.range)));
        if !clashes {
            chosen.extend(fix.edits.iter().cloned());
        }
    }
    chosen.sort_by_key(|e| (e.range.start(), e.range.end()));
    chosen
}

/// Can two edits not both be applied? Overlapping replacements clash; so do two insertions at
/// one point (their order would be a guess) and an insertion inside a replaced range.
fn edits_clash(a: TextRange, b: TextRange) -> bool {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => a.start() == b.start(),
        (true, false) => b.start() < a.start() && a.start() < b.end(),
        (false, true) => a.start() < b.start() && b.start() < a.end(),
        (false, false) => a.start() < b.end() && b.start() < a.end(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::position::PositionEncoding;
    use gene_syntax::{Severity, TextSize};
    use ropey::Rope;

    fn remove(start: u32, end: u32, safe: bool) -> Diagnostic {
        let range = TextRange::new(TextSize::from(start), TextSize::from(end));
        Diagnostic::new(range, Severity::Error, "E002", "stray").with_fix(Fix {
            title: "Remove".into(),
            edits: vec![gene_syntax::TextEdit {
                range,
                new_text: String::new(),
            }],
            safe,
        })
    }

    #[test]
    fn clashing_edits() {
        let r = |a: u32, b: u32| TextRange::new(a.into(), b.into());
        assert!(edits_clash(r(1, 3), r(2, 4)));
        assert!(!edits_clash(r(1, 3), r(3, 4)));
        assert!(edits_clash(r(2, 2), r(2, 2)));
        assert!(!edits_clash(r(3, 3), r(1, 3)));
        assert!(edits_clash(r(2, 2), r(1, 3)));
    }

    #[test]
    fn kinds_are_hierarchical() {
        let source = [CodeActionKind::SOURCE];
        assert!(kind_requested(Some(&source), FIX_ALL_KIND));
        assert!(!kind_requested(Some(&source), "quickfix"));
        let fix_all = [CodeActionKind::SOURCE_FIX_ALL];
        assert!(kind_requested(Some(&fix_all), FIX_ALL_KIND));
        let refactor = [CodeActionKind::new("source.fix")];
        assert!(!kind_requested(Some(&refactor), FIX_ALL_KIND));
        assert!(kind_requested(None, "quickfix"));
    }

    #[test]
    fn fix_all_takes_safe_fixes_that_do_not_clash() {
        let diags = [
            remove(5, 6, true),
            remove(1, 2, true),
            remove(1, 3, true),
            remove(8, 9, false),
        ];
        let edits = fix_all_edits(&diags);
        let ranges: Vec<_> = edits
            .iter()
            .map(|e| (u32::from(e.range.start()), u32::from(e.range.end())))
            .collect();
        assert_eq!(ranges, [(1, 2), (5, 6)]);
    }

    #[test]
    fn quick_fixes_only_for_diagnostics_in_range_and_versioned_edits() {
        let rope = Rope::from_str("(f)) ]");
        let uri: Uri = "file:///t.gene".parse().unwrap();
        let target = Target {
            uri: &uri,
            version: Some(4),
            map: LineMap::new(&rope, PositionEncoding::Utf16),
            document_changes: true,
        };
        let diags = [remove(3, 4, true), remove(5, 6, true)];
        let actions = code_actions(
            &diags,
            TextRange::empty(TextSize::from(4)),
            None,
            &target,
            &DiagnosticFeatures::default(),
        );
        assert_eq!(actions.len(), 1);
        let CodeActionOrCommand::CodeAction(action) = &actions[0] else {
            panic!("a command")
        };
        assert_eq!(action.is_preferred, Some(true));
        let Some(DocumentChanges::Edits(edits)) = &action.edit.as_ref().unwrap().document_changes
        else {
            panic!("no document changes")
        };
        assert_eq!(edits[0].text_document.version, Some(4));

        let only = [CodeActionKind::new(FIX_ALL_KIND)];
        let all = code_actions(
            &diags,
            TextRange::empty(TextSize::from(0)),
            Some(&only),
            &target,
            &DiagnosticFeatures::default(),
        );
        assert_eq!(all.len(), 1);
    }
}
