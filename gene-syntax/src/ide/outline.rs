//! Document and workspace symbols, folding ranges, selection ranges.

use rowan::{TextRange, TextSize};

use crate::db::{self, Db, SourceFile};
use crate::form::{Form, FormKind};
use crate::{SyntaxKind, SyntaxNode};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SymbolKind {
    Function,
    Method,
    Constructor,
    Class,
    Namespace,
    Variable,
    Enum,
    Macro,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub kind: SymbolKind,
    /// The whole defining form.
    pub range: TextRange,
    /// The name.
    pub selection_range: TextRange,
    /// `^^async` functions and methods.
    pub detail: Option<String>,
    pub children: Vec<Symbol>,
}

/// Functions, classes with their methods, namespaces with their members, top-level variables.
pub fn document_symbols(db: &dyn Db, file: SourceFile) -> Vec<Symbol> {
    db::file_forms(db, file)
        .iter()
        .filter_map(|f| symbol(f, true))
        .collect()
}

fn name_of(form: &Form) -> Option<String> {
    match &form.kind {
        FormKind::Symbol(s) | FormKind::Str(s) => Some(s.clone()),
        FormKind::Path(p) => Some(p.join("/")),
        _ => None,
    }
}

fn symbol(form: &Form, top_level: bool) -> Option<Symbol> {
    let gene = form.as_gene()?;
    let head = gene.head.as_symbol()?;
    let is_async = gene.props.iter().any(|p| p.key == "async");
    let detail = is_async.then(|| "^^async".to_string());
    let make = |kind, name_form: &Form, children| {
        Some(Symbol {
            name: name_of(name_form)?,
            kind,
            range: form.range,
            selection_range: name_form.range,
            detail: detail.clone(),
            children,
        })
    };
    match head {
        "fn" => make(SymbolKind::Function, gene.children.first()?, Vec::new()),
        "macro" => make(SymbolKind::Macro, gene.children.first()?, Vec::new()),
        ".fn" => make(SymbolKind::Method, gene.children.first()?, Vec::new()),
        ".ctor" => Some(Symbol {
            name: ".ctor".into(),
            kind: SymbolKind::Constructor,
            range: form.range,
            selection_range: TextRange::at(gene.head.range.start(), gene.head.range.len()),
            detail: None,
            children: Vec::new(),
        }),
        "class" | "ns" => {
            let children = gene
                .children
                .iter()
                .skip(1)
                .filter_map(|c| symbol(c, false))
                .collect();
            make(
                if head == "class" {
                    SymbolKind::Class
                } else {
                    SymbolKind::Namespace
                },
                gene.children.first()?,
                children,
            )
        }
        "var" if top_level => make(SymbolKind::Variable, gene.children.first()?, Vec::new()),
        "enum" if top_level => make(SymbolKind::Enum, gene.children.first()?, Vec::new()),
        _ => None,
    }
}

/// Symbols of every workspace file whose name contains `query` (case-insensitive).
pub fn workspace_symbols(db: &dyn Db, query: &str) -> Vec<(SourceFile, Symbol)> {
    let query = query.to_lowercase();
    let mut out = Vec::new();
    for file in db.workspace().files(db).values().copied() {
        let mut stack = document_symbols(db, file);
        while let Some(mut symbol) = stack.pop() {
            stack.append(&mut symbol.children);
            if symbol.name.to_lowercase().contains(&query) {
                out.push((file, symbol));
            }
        }
    }
    out.sort_by(|a, b| a.1.name.cmp(&b.1.name));
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FoldKind {
    Region,
    Comment,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fold {
    pub range: TextRange,
    pub kind: FoldKind,
}

/// Multi-line forms, strings and runs of comments.
pub fn folding_ranges(db: &dyn Db, file: SourceFile) -> Vec<Fold> {
    let root = db::parse(db, file).syntax_node();
    let mut out = Vec::new();
    let multiline = |range: TextRange| root.text().slice(range).contains_char('\n');
    for node in root.descendants() {
        if matches!(
            node.kind(),
            SyntaxKind::GENE
                | SyntaxKind::ARRAY
                | SyntaxKind::MAP
                | SyntaxKind::SET
                | SyntaxKind::ISTRING
        ) && multiline(node.text_range())
        {
            out.push(Fold {
                range: node.text_range(),
                kind: FoldKind::Region,
            });
        }
    }
    // Consecutive line comments (two or more) and multi-line block comments.
    let mut run: Option<TextRange> = None;
    let mut run_len = 0;
    for token in root
        .descendants_with_tokens()
        .filter_map(|e| e.into_token())
    {
        match token.kind() {
            SyntaxKind::LINE_COMMENT => {
                run = Some(run.map_or(token.text_range(), |r| r.cover(token.text_range())));
                run_len += 1;
            }
            SyntaxKind::WHITESPACE if token.text().matches('\n').count() <= 1 => {}
            kind => {
                if let Some(r) = run.take()
                    && run_len >= 2
                {
                    out.push(Fold {
                        range: r,
                        kind: FoldKind::Comment,
                    });
                }
                run_len = 0;
                if kind == SyntaxKind::BLOCK_COMMENT && token.text().contains('\n') {
                    out.push(Fold {
                        range: token.text_range(),
                        kind: FoldKind::Comment,
                    });
                }
            }
        }
    }
    if let Some(r) = run
        && run_len >= 2
    {
        out.push(Fold {
            range: r,
            kind: FoldKind::Comment,
        });
    }
    out.sort_by_key(|f| f.range.start());
    out
}

/// For each offset, the ranges around it from the innermost token outwards.
pub fn selection_ranges(
    db: &dyn Db,
    file: SourceFile,
    offsets: &[TextSize],
) -> Vec<Vec<TextRange>> {
    let root = db::parse(db, file).syntax_node();
    offsets
        .iter()
        .map(|&offset| {
            let mut ranges = Vec::new();
            if let Some(token) = root.token_at_offset(offset).right_biased() {
                if !token.kind().is_trivia() {
                    ranges.push(token.text_range());
                }
                let mut node: Option<SyntaxNode> = token.parent();
                while let Some(n) = node {
                    // Inside brackets: the contents, then the whole form.
                    if let (Some(first), Some(last)) = (n.first_token(), n.last_token())
                        && first.kind() != last.kind()
                        && last.kind().is_closer()
                    {
                        let inner =
                            TextRange::new(first.text_range().end(), last.text_range().start());
                        if !inner.is_empty()
                            && ranges.last() != Some(&inner)
                            && inner.contains_range(ranges.last().copied().unwrap_or(inner))
                        {
                            ranges.push(inner);
                        }
                    }
                    if ranges.last() != Some(&n.text_range()) {
                        ranges.push(n.text_range());
                    }
                    node = n.parent();
                }
            }
            ranges
        })
        .collect()
}
