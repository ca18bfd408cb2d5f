//! `gene/discoverTests` `{uri}`: the tests of a document as the editor has it (unsaved edits
//! included), for a test explorer and code lenses: each `test` and `describe` form whose name
//! is a string literal, at the top level or inside `describe` forms, and the whole file when it
//! is a golden test (`NAME.out` beside it). A test's id is its full name (`group > name`, what
//! `gene test --filter` matches); a golden test's is its file name.

use gene_syntax::form::{Form, FormKind};
use serde::{Deserialize, Serialize};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::lsp_types::{Range, Uri};

use crate::position::LineMap;
use crate::state::{DocSnapshot, Snapshot};

#[derive(Debug, Deserialize)]
pub struct DiscoverTestsParams {
    pub uri: Uri,
}

#[derive(Debug, Serialize)]
pub struct DiscoveredTest {
    pub id: String,
    pub name: String,
    pub range: Range,
    /// `test`, `describe` or `golden`.
    pub kind: &'static str,
}

pub fn discover(snapshot: &Snapshot, doc: &DocSnapshot) -> Result<Vec<DiscoveredTest>> {
    let forms = gene_syntax::db::file_forms(&snapshot.db, doc.file);
    let map = doc.line_map(snapshot.encoding);
    let mut out = Vec::new();
    let path = doc.path();
    if path.extension().is_some_and(|x| x == "gene") && path.with_extension("out").is_file() {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push(DiscoveredTest {
            id: name.clone(),
            name,
            range: Range::new(Default::default(), map.end()),
            kind: "golden",
        });
    }
    walk(&forms[..], &mut Vec::new(), &map, &mut out);
    Ok(out)
}

fn walk(
    forms: &[Form],
    groups: &mut Vec<String>,
    map: &LineMap<'_>,
    out: &mut Vec<DiscoveredTest>,
) {
    for form in forms {
        let FormKind::Gene(g) = &form.kind else {
            continue;
        };
        let kind = match g.head.as_symbol() {
            Some("test") => "test",
            Some("describe") => "describe",
            _ => continue,
        };
        let Some(FormKind::Str(name)) = g.children.first().map(|c| &c.kind) else {
            continue;
        };
        groups.push(name.clone());
        out.push(DiscoveredTest {
            id: groups.join(" > "),
            name: name.clone(),
            range: map.range(form.range),
            kind,
        });
        if kind == "describe" {
            walk(&g.children[1..], groups, map, out);
        }
        groups.pop();
    }
}
