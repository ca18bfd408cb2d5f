//! Document and workspace symbols, folding ranges and selection ranges in LSP form.

use gene_syntax::ide::{self, FoldKind, Symbol};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::lsp_types::{
    DocumentSymbol, DocumentSymbolResponse, FoldingRange, FoldingRangeKind, Location, Position,
    SelectionRange, SymbolInformation, SymbolKind, Uri,
};

use crate::locations::Locator;
use crate::navigation::offset;
use crate::position::LineMap;
use crate::state::{DocSnapshot, Snapshot};

/// The most symbols a workspace search returns: enough to find anything by typing more.
pub const MAX_WORKSPACE_SYMBOLS: usize = 500;

fn kind(kind: ide::SymbolKind) -> SymbolKind {
    match kind {
        ide::SymbolKind::Function => SymbolKind::FUNCTION,
        ide::SymbolKind::Method => SymbolKind::METHOD,
        ide::SymbolKind::Constructor => SymbolKind::CONSTRUCTOR,
        ide::SymbolKind::Class => SymbolKind::CLASS,
        ide::SymbolKind::Namespace => SymbolKind::NAMESPACE,
        ide::SymbolKind::Variable => SymbolKind::VARIABLE,
        ide::SymbolKind::Enum => SymbolKind::ENUM,
        // LSP has no macro kind; a macro is called like a function.
        ide::SymbolKind::Macro => SymbolKind::FUNCTION,
    }
}

#[allow(deprecated)] // `deprecated` is a required field of the struct.
fn nested(symbol: Symbol, map: &LineMap<'_>) -> DocumentSymbol {
    let children: Vec<DocumentSymbol> = symbol
        .children
        .into_iter()
        .map(|c| nested(c, map))
        .collect();
    DocumentSymbol {
        name: symbol.name,
        detail: symbol.detail,
        kind: kind(symbol.kind),
        tags: None,
        deprecated: None,
        range: map.range(symbol.range),
        selection_range: map.range(symbol.selection_range),
        children: (!children.is_empty()).then_some(children),
    }
}

#[allow(deprecated)]
fn flat(
    symbol: Symbol,
    container: Option<String>,
    uri: &Uri,
    map: &LineMap<'_>,
    out: &mut Vec<SymbolInformation>,
) {
    out.push(SymbolInformation {
        name: symbol.name.clone(),
        kind: kind(symbol.kind),
        tags: None,
        deprecated: None,
        location: Location::new(uri.clone(), map.range(symbol.range)),
        container_name: container,
    });
    for child in symbol.children {
        flat(child, Some(symbol.name.clone()), uri, map, out);
    }
}

pub fn document_symbols(
    snapshot: &Snapshot,
    doc: &DocSnapshot,
    hierarchical: bool,
) -> Result<Option<DocumentSymbolResponse>> {
    let symbols = ide::document_symbols(&snapshot.db, doc.file);
    let map = doc.line_map(snapshot.encoding);
    Ok(Some(if hierarchical {
        DocumentSymbolResponse::Nested(symbols.into_iter().map(|s| nested(s, &map)).collect())
    } else {
        let mut out = Vec::new();
        for s in symbols {
            flat(s, None, &doc.uri, &map, &mut out);
        }
        DocumentSymbolResponse::Flat(out)
    }))
}

#[allow(deprecated)]
pub fn workspace_symbols(
    snapshot: &Snapshot,
    query: &str,
) -> Result<Option<Vec<SymbolInformation>>> {
    let mut locator = Locator::new(snapshot);
    let symbols = ide::workspace_symbols(&snapshot.db, query)
        .into_iter()
        .filter_map(|(file, symbol)| {
            Some(SymbolInformation {
                location: locator.location(file, symbol.range)?,
                name: symbol.name,
                kind: kind(symbol.kind),
                tags: None,
                deprecated: None,
                container_name: None,
            })
        })
        .take(MAX_WORKSPACE_SYMBOLS)
        .collect();
    Ok(Some(symbols))
}

pub fn folding_ranges(snapshot: &Snapshot, doc: &DocSnapshot) -> Result<Option<Vec<FoldingRange>>> {
    let map = doc.line_map(snapshot.encoding);
    let folds = ide::folding_ranges(&snapshot.db, doc.file)
        .into_iter()
        .filter_map(|fold| {
            let range = map.range(fold.range);
            (range.end.line > range.start.line).then_some(FoldingRange {
                start_line: range.start.line,
                start_character: Some(range.start.character),
                end_line: range.end.line,
                end_character: Some(range.end.character),
                kind: Some(match fold.kind {
                    FoldKind::Region => FoldingRangeKind::Region,
                    FoldKind::Comment => FoldingRangeKind::Comment,
                }),
                collapsed_text: None,
            })
        })
        .collect();
    Ok(Some(folds))
}

pub fn selection_ranges(
    snapshot: &Snapshot,
    doc: &DocSnapshot,
    positions: &[Position],
) -> Result<Option<Vec<SelectionRange>>> {
    let offsets = positions
        .iter()
        .map(|p| offset(snapshot, doc, *p))
        .collect::<Result<Vec<_>>>()?;
    let map = doc.line_map(snapshot.encoding);
    let ranges = ide::selection_ranges(&snapshot.db, doc.file, &offsets)
        .into_iter()
        .zip(positions)
        .map(|(chain, position)| {
            // Innermost first: build from the outermost in.
            let mut built: Option<SelectionRange> = None;
            for range in chain.iter().rev() {
                built = Some(SelectionRange {
                    range: map.range(*range),
                    parent: built.map(Box::new),
                });
            }
            // Every position gets an answer; an empty range where nothing surrounds it.
            built.unwrap_or(SelectionRange {
                range: tower_lsp_server::lsp_types::Range::new(*position, *position),
                parent: None,
            })
        })
        .collect();
    Ok(Some(ranges))
}
