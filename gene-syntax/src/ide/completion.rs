//! Completion and signature help.

use rowan::{TextRange, TextSize};

use super::hover::{builtin_hover, params_text};
use super::index::{Target, chunk_decls, chunks_at, module_vars_before, target_at};
use super::outline::{Symbol, SymbolKind, document_symbols};
use crate::analysis::facts::DeclKind;
use crate::analysis::symbols::{self, DefKind, FnShape, ParamKind};
use crate::builtins::{self, BuiltinKind};
use crate::db::{self, Db, SourceFile};
use crate::{SyntaxKind, SyntaxNode};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    Variable,
    Parameter,
    Function,
    Method,
    Class,
    Namespace,
    Keyword,
    Snippet,
    Property,
    Module,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionItem {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: Option<String>,
    /// Markdown documentation.
    pub documentation: Option<String>,
    /// What to insert instead of the label; a snippet (`$1`, `${1:name}`) when `snippet`.
    pub insert_text: Option<String>,
    pub snippet: bool,
    /// The range the completion replaces (the partial word before the cursor).
    pub replace: TextRange,
}

/// Special forms offered as snippets (inserted after an open parenthesis).
const SNIPPETS: &[(&str, &str)] = &[
    ("fn", "fn ${1:name} [${2}]\n  $0"),
    ("fn ^^async", "fn ^^async ${1:name} [${2}]\n  $0"),
    ("fnx", "fnx [${1}] $0"),
    ("var", "var ${1:name} $0"),
    ("if", "if ${1:cond}\n  ${2:then}\nelse\n  $0"),
    ("for", "for ${1:x} in ${2:xs}\n  $0"),
    ("while", "while ${1:cond}\n  $0"),
    ("try", "try\n  ${1}\ncatch *\n  $0"),
    ("class", "class ${1:Name}\n  (.ctor [${2}]\n    $0)"),
    ("async", "async $0"),
    ("await", "await $0"),
    ("import", "import ${1:name} from \"${2:path}\""),
];

/// The partial word before `offset` and its range.
fn word_before(text: &str, offset: usize) -> (String, TextRange) {
    let before = &text[..offset.min(text.len())];
    let start = before
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace() || "()[]{}\",%".contains(*c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let word = before[start..].to_string();
    (
        word,
        TextRange::new(TextSize::from(start as u32), TextSize::from(offset as u32)),
    )
}

pub fn completions(db: &dyn Db, file: SourceFile, offset: TextSize) -> Vec<CompletionItem> {
    let text = file.text(db);
    let offset_usize = usize::from(offset).min(text.len());
    if !text.is_char_boundary(offset_usize) {
        return Vec::new();
    }
    let (word, replace) = word_before(text, offset_usize);
    let item = |label: String, kind, detail: Option<String>, documentation: Option<String>| {
        CompletionItem {
            label,
            kind,
            detail,
            documentation,
            insert_text: None,
            snippet: false,
            replace,
        }
    };
    let mut out = Vec::new();

    // Methods after `.`: the receiver's type when known (a future), else every method.
    if let Some(partial) = word.strip_prefix('.') {
        let receiver_is_future =
            receiver_before(db, file, replace.start()).is_some_and(|future| future);
        let mut seen = std::collections::HashSet::new();
        for b in
            builtins::all().filter(|b| b.kind == BuiltinKind::Method && b.name.starts_with(partial))
        {
            if receiver_is_future && b.receiver != Some("Future") {
                continue;
            }
            if seen.insert(b.name) {
                out.push(item(
                    format!(".{}", b.name),
                    CompletionKind::Method,
                    Some(b.signature()),
                    Some(builtin_hover(b)),
                ));
            }
        }
        return out;
    }

    // `gene/io/` offers the next segment: namespaces and names.
    if let Some(slash) = word.rfind('/') {
        let prefix = &word[..=slash];
        let partial = &word[slash + 1..];
        let mut seen = std::collections::HashSet::new();
        // Members of the file's own namespaces: `n/` offers what `(ns n ...)` defines.
        for member in namespace_members(db, file, &word[..slash]) {
            if member.name.starts_with(partial) && seen.insert(member.name.clone()) {
                let kind = match member.kind {
                    SymbolKind::Namespace => CompletionKind::Namespace,
                    SymbolKind::Class => CompletionKind::Class,
                    SymbolKind::Variable | SymbolKind::Enum => CompletionKind::Variable,
                    _ => CompletionKind::Function,
                };
                out.push(item(
                    format!("{prefix}{}", member.name),
                    kind,
                    member.detail.clone(),
                    None,
                ));
            }
        }
        for b in
            builtins::all().filter(|b| b.kind != BuiltinKind::Method && b.path.starts_with(prefix))
        {
            let rest = &b.path[prefix.len()..];
            let (segment, is_namespace) = match rest.find('/') {
                Some(i) => (&rest[..i], true),
                None => (rest, false),
            };
            if segment.starts_with(partial) && seen.insert(segment.to_string()) {
                let label = format!("{prefix}{segment}");
                out.push(if is_namespace {
                    item(
                        label,
                        CompletionKind::Module,
                        Some("namespace".into()),
                        None,
                    )
                } else {
                    item(
                        label,
                        builtin_kind(b.kind),
                        Some(b.signature()),
                        Some(builtin_hover(b)),
                    )
                });
            }
        }
        return out;
    }

    // `^` in a call: the named parameters of the function called.
    if let Some(partial) = word.strip_prefix('^') {
        if let Some((shape, _)) = enclosing_call(db, file, replace.start()) {
            for p in shape
                .params
                .params
                .iter()
                .filter(|p| p.kind == ParamKind::Named && p.name.starts_with(partial))
            {
                out.push(item(
                    format!("^{}", p.name),
                    CompletionKind::Property,
                    Some("named parameter".into()),
                    None,
                ));
            }
        }
        return out;
    }

    // Names in scope: locals, this file's definitions and imports, builtins, special forms.
    // Locals come from the form being edited and the top-level variables before it; the
    // latest declaration of a name first, so it shadows the earlier ones.
    let mut decls = Vec::new();
    if let Some(view) = chunks_at(db, file, replace.start()).first() {
        decls = module_vars_before(db, file, view.index);
        decls.extend(chunk_decls(db, view));
    }
    let mut seen = std::collections::HashSet::new();
    for decl in decls.iter().rev() {
        let visible = decl.range.end() <= replace.start() && replace.start() <= decl.scope_end;
        if visible && decl.name.starts_with(&word) && seen.insert(decl.name.clone()) {
            let kind = match (decl.kind, &decl.callable) {
                (_, Some(_)) => CompletionKind::Function,
                (DeclKind::Parameter, _) => CompletionKind::Parameter,
                _ => CompletionKind::Variable,
            };
            out.push(item(
                decl.name.clone(),
                kind,
                Some(format!("{:?}", decl.kind).to_lowercase()),
                None,
            ));
        }
    }
    // The file's definitions and imports, read per form: only the matches pay for their doc.
    let mut defs: std::collections::BTreeMap<&str, (TextSize, &symbols::Def)> =
        std::collections::BTreeMap::new();
    let mut imports = Vec::new();
    for at in db::chunks(db, file) {
        let chunk = symbols::chunk_symbols(db, at.chunk);
        for def in chunk.defs.iter().filter(|d| d.name.starts_with(&word)) {
            // A later definition of a name replaces an earlier one, as at run time.
            defs.insert(def.name.as_str(), (at.offset, def));
        }
        imports.extend(chunk.imports.iter());
    }
    for (offset, def) in defs.into_values() {
        if seen.insert(def.name.clone()) {
            let doc = symbols::doc_comment_above(text, usize::from(def.range.start() + offset));
            let (kind, detail) = match &def.kind {
                DefKind::Function(shape) => (
                    CompletionKind::Function,
                    Some(signature_label(&def.name, shape)),
                ),
                DefKind::Macro(_) => (CompletionKind::Function, Some("macro".into())),
                DefKind::Class => (CompletionKind::Class, None),
                DefKind::Namespace => (CompletionKind::Namespace, None),
                DefKind::Variable => (CompletionKind::Variable, None),
            };
            out.push(item(def.name.clone(), kind, detail, doc));
        }
    }
    for import in imports {
        for (local, _, _) in &import.names {
            if local.starts_with(&word) && seen.insert(local.clone()) {
                out.push(item(
                    local.clone(),
                    CompletionKind::Function,
                    Some(format!("from \"{}\"", import.path)),
                    None,
                ));
            }
        }
    }
    let after_paren = text[..usize::from(replace.start())].ends_with('(');
    if after_paren {
        for (label, body) in SNIPPETS {
            if label.starts_with(&word) {
                out.push(CompletionItem {
                    insert_text: Some(body.to_string()),
                    snippet: true,
                    ..item(
                        label.to_string(),
                        CompletionKind::Snippet,
                        Some("special form".into()),
                        None,
                    )
                });
            }
        }
    }
    for b in builtins::all() {
        let name = match b.kind {
            BuiltinKind::SpecialForm | BuiltinKind::Operator => b.path,
            BuiltinKind::Function | BuiltinKind::Class | BuiltinKind::Value => {
                match b
                    .path
                    .strip_prefix("gene/")
                    .or_else(|| b.path.strip_prefix("global/"))
                {
                    Some(rest) if !rest.contains('/') => rest,
                    _ => continue,
                }
            }
            BuiltinKind::Method => continue,
        };
        if name.starts_with(&word) && !word.is_empty() && seen.insert(name.to_string()) {
            let kind = if b.kind == BuiltinKind::SpecialForm {
                CompletionKind::Keyword
            } else {
                builtin_kind(b.kind)
            };
            out.push(item(
                name.to_string(),
                kind,
                Some(b.signature()),
                Some(builtin_hover(b)),
            ));
        }
    }
    if "gene/".starts_with(&word) && !word.is_empty() {
        out.push(item(
            "gene/".into(),
            CompletionKind::Module,
            Some("the builtin namespace".into()),
            None,
        ));
    }
    out
}

/// The members of the namespace at `path` (`n`, `outer/inner`) among the file's definitions.
fn namespace_members(db: &dyn Db, file: SourceFile, path: &str) -> Vec<Symbol> {
    let mut level = document_symbols(db, file);
    for segment in path.split('/') {
        let Some(ns) = level
            .into_iter()
            .find(|s| s.kind == SymbolKind::Namespace && s.name == segment)
        else {
            return Vec::new();
        };
        level = ns.children;
    }
    level
}

fn builtin_kind(kind: BuiltinKind) -> CompletionKind {
    match kind {
        BuiltinKind::Class => CompletionKind::Class,
        BuiltinKind::Value => CompletionKind::Variable,
        BuiltinKind::Method => CompletionKind::Method,
        BuiltinKind::SpecialForm | BuiltinKind::Operator => CompletionKind::Keyword,
        BuiltinKind::Function => CompletionKind::Function,
    }
}

fn signature_label(name: &str, shape: &FnShape) -> String {
    let flag = if shape.is_async { "^^async " } else { "" };
    format!("(fn {flag}{name} {})", params_text(&shape.params))
}

/// Whether the element before `offset` in its gene is known to be a future.
fn receiver_before(db: &dyn Db, file: SourceFile, offset: TextSize) -> Option<bool> {
    let root = db::parse(db, file).syntax_node();
    let token = root.token_at_offset(offset).left_biased()?;
    let mut prev = token.prev_token();
    while let Some(t) = &prev {
        if !t.kind().is_trivia() {
            break;
        }
        prev = t.prev_token();
    }
    let prev = prev?;
    match target_at(db, file, prev.text_range().start())?.1 {
        Target::Local { decl, .. } => Some(decl.future),
        _ => None,
    }
}

/// The innermost gene around `offset` whose head is a known function: its shape and the head.
fn enclosing_call(
    db: &dyn Db,
    file: SourceFile,
    offset: TextSize,
) -> Option<(FnShape, SyntaxNode)> {
    let root = db::parse(db, file).syntax_node();
    let token = root.token_at_offset(offset).left_biased()?;
    let mut node = token.parent();
    while let Some(n) = node {
        if n.kind() == SyntaxKind::GENE
            && let Some(head) = n
                .children_with_tokens()
                .find(|e| !e.kind().is_trivia() && e.kind() != SyntaxKind::L_PAREN)
            && head.kind() == SyntaxKind::SYMBOL
            && head.text_range().end() < offset
        {
            let shape = match target_at(db, file, head.text_range().start()).map(|t| t.1) {
                Some(Target::Def { def, .. }) => match def.kind {
                    DefKind::Function(shape) | DefKind::Macro(shape) => Some(shape),
                    _ => None,
                },
                Some(Target::Local { decl, .. }) => decl.callable,
                Some(Target::Builtin(b)) if matches!(b.kind, BuiltinKind::Function) => {
                    Some(builtin_shape(b))
                }
                Some(_) => None,
                // Builtin paths (`gene/io/write`) are not name uses the index records.
                None => head
                    .as_token()
                    .and_then(|t| builtins::lookup(t.text()))
                    .filter(|b| b.kind == BuiltinKind::Function)
                    .map(builtin_shape),
            };
            if let Some(shape) = shape {
                return Some((shape, n));
            }
        }
        node = n.parent();
    }
    None
}

fn builtin_shape(b: &builtins::Builtin) -> FnShape {
    let params = b
        .params
        .iter()
        .map(|p| symbols::Param {
            name: p.name.to_string(),
            kind: match p.kind {
                builtins::ParamKind::Required => ParamKind::Required,
                builtins::ParamKind::Optional => ParamKind::Optional,
                builtins::ParamKind::Rest | builtins::ParamKind::Body => ParamKind::Rest,
                builtins::ParamKind::Named => ParamKind::Named,
            },
            range: TextRange::default(),
            default: None,
        })
        .collect();
    FnShape {
        is_async: b.flags.returns_future,
        is_generator: false,
        params: std::sync::Arc::new(symbols::Params {
            params,
            ignores_all: false,
        }),
        never_returns_future: false,
        tails: None,
    }
}

/// The signature of the call around the cursor and which parameter the cursor is at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureHelp {
    pub label: String,
    /// Each parameter's text, as it appears in `label`.
    pub parameters: Vec<String>,
    pub active_parameter: Option<usize>,
}

pub fn signature_help(db: &dyn Db, file: SourceFile, offset: TextSize) -> Option<SignatureHelp> {
    let (shape, gene) = enclosing_call(db, file, offset)?;
    let elements: Vec<_> = gene
        .children_with_tokens()
        .filter(|e| {
            !e.kind().is_trivia()
                && !matches!(
                    e.kind(),
                    SyntaxKind::L_PAREN | SyntaxKind::R_PAREN | SyntaxKind::PROP
                )
        })
        .collect();
    let head = elements.first()?;
    let name = head
        .as_token()
        .map(|t| t.text().to_string())
        .unwrap_or_default();
    // Arguments that end before the cursor.
    let before = elements
        .iter()
        .skip(1)
        .filter(|e| e.text_range().end() < offset)
        .count();
    let positional: Vec<&symbols::Param> = shape
        .params
        .params
        .iter()
        .filter(|p| p.kind != ParamKind::Named)
        .collect();
    let parameters: Vec<String> = shape
        .params
        .params
        .iter()
        .map(|p| match p.kind {
            ParamKind::Rest => format!("{}...", p.name),
            ParamKind::Named => format!("^{}", p.name),
            ParamKind::Optional => format!("{}?", p.name),
            _ => p.name.clone(),
        })
        .collect();
    let active = if positional.is_empty() {
        None
    } else {
        let i = before.min(positional.len() - 1);
        let is_rest = positional.last().is_some_and(|p| p.kind == ParamKind::Rest);
        if before >= positional.len() && !is_rest {
            None
        } else {
            shape
                .params
                .params
                .iter()
                .position(|p| std::ptr::eq(p, positional[i]))
        }
    };
    let flag = if shape.is_async { "^^async " } else { "" };
    let label = format!("({name} {flag}{})", parameters.join(" "));
    Some(SignatureHelp {
        label,
        parameters,
        active_parameter: active,
    })
}
