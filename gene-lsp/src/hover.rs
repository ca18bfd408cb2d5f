//! Hover: what `gene_syntax::ide::hover` says about the name under the cursor, followed by the
//! documentation of every diagnostic there (the rule doc that `gene check --explain` prints), so
//! hovering a squiggle explains it.

use gene_syntax::ide;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

use crate::diagnostics::diagnostics_for;
use crate::navigation::offset;
use crate::state::{DocSnapshot, Snapshot};

pub fn hover(
    snapshot: &Snapshot,
    doc: &DocSnapshot,
    position: Position,
    markdown: bool,
) -> Result<Option<Hover>> {
    let at = offset(snapshot, doc, position)?;
    let mut sections: Vec<String> = Vec::new();
    let mut range = None;
    if let Some(found) = ide::hover(&snapshot.db, doc.file, at) {
        sections.push(found.markdown);
        range = Some(found.range);
    }
    let config = snapshot.configs.for_file(&doc.path());
    for d in diagnostics_for(&snapshot.db, doc.file, &config)
        .iter()
        .filter(|d| d.range.contains_inclusive(at))
    {
        if let Some(text) = ide::code_doc(d.code)
            && !sections.contains(&text)
        {
            sections.push(text);
            range.get_or_insert(d.range);
        }
    }
    if sections.is_empty() {
        return Ok(None);
    }
    let map = doc.line_map(snapshot.encoding);
    Ok(Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            // Markdown reads well enough as plain text for clients that cannot render it.
            kind: if markdown {
                MarkupKind::Markdown
            } else {
                MarkupKind::PlainText
            },
            value: sections.join("\n\n---\n\n"),
        }),
        range: range.map(|r| map.range(r)),
    }))
}
