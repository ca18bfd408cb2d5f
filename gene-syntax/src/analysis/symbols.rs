//! What a file defines at namespace level (functions, macros, classes, namespaces, `$ns/x`
//! variables) and imports, collected per top-level chunk so an edit inside one form recomputes
//! only that form's part.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rowan::TextRange;

use crate::db::{self, Chunk, Db, SourceFile};
use crate::form::{Form, FormKind, Gene};

/// How a parameter takes its argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParamKind {
    Required,
    /// Has a default value (`[a = 1]`).
    Optional,
    /// `rest...`
    Rest,
    /// `^name`, given as a property.
    Named,
    /// `_` in a parameter list: a position that is skipped.
    Skip,
    /// `[a b]` nested destructuring.
    Pattern,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Param {
    pub name: String,
    pub kind: ParamKind,
    /// The range of the parameter's name (relative to the chunk it came from).
    pub range: TextRange,
    /// The default expression, for `Optional`.
    pub default: Option<Form>,
}

/// A parameter list: `_` (no parameters, arguments ignored), `x`, `[a b = 1 ^k rest...]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Params {
    pub params: Vec<Param>,
    /// `_`: any arguments are accepted and ignored.
    pub ignores_all: bool,
}

impl Params {
    /// Positional arguments a call must give.
    pub fn required_positional(&self) -> usize {
        self.params
            .iter()
            .filter(|p| {
                matches!(
                    p.kind,
                    ParamKind::Required | ParamKind::Skip | ParamKind::Pattern
                )
            })
            .count()
    }

    /// Every name the parameter list binds, nested patterns included.
    pub fn bound_names(&self) -> impl Iterator<Item = &Param> {
        self.params
            .iter()
            .filter(|p| p.kind != ParamKind::Skip && !p.name.is_empty())
    }
}

/// Reads a parameter list form.
pub fn parse_params(form: &Form) -> Params {
    match &form.kind {
        FormKind::Symbol(s) if s == "_" => Params {
            params: Vec::new(),
            ignores_all: true,
        },
        FormKind::Symbol(s) => Params {
            params: vec![single_param(s, form.range)],
            ignores_all: false,
        },
        FormKind::Array(items) => {
            let mut params = Vec::new();
            let mut i = 0;
            while i < items.len() {
                let item = &items[i];
                // `a = default`
                if let (Some(next), Some(default)) = (items.get(i + 1), items.get(i + 2))
                    && next.as_symbol() == Some("=")
                    && let Some(name) = item.as_symbol()
                {
                    params.push(Param {
                        name: name.to_string(),
                        kind: ParamKind::Optional,
                        range: item.range,
                        default: Some(default.clone()),
                    });
                    i += 3;
                    continue;
                }
                match &item.kind {
                    FormKind::Symbol(s) if s == "_" => params.push(Param {
                        name: String::new(),
                        kind: ParamKind::Skip,
                        range: item.range,
                        default: None,
                    }),
                    FormKind::Symbol(s) => params.push(single_param(s, item.range)),
                    FormKind::Array(_) => {
                        // Nested destructuring: its names are bound, the position is required.
                        let nested = parse_params(item);
                        params.push(Param {
                            name: String::new(),
                            kind: ParamKind::Pattern,
                            range: item.range,
                            default: None,
                        });
                        params.extend(
                            nested
                                .params
                                .into_iter()
                                .filter(|p| p.kind != ParamKind::Skip)
                                .map(|mut p| {
                                    if p.kind == ParamKind::Required {
                                        p.kind = ParamKind::Optional;
                                    }
                                    p
                                }),
                        );
                    }
                    _ => {}
                }
                i += 1;
            }
            Params {
                params,
                ignores_all: false,
            }
        }
        _ => Params::default(),
    }
}

fn single_param(s: &str, range: TextRange) -> Param {
    if let Some(name) = s.strip_suffix("...") {
        Param {
            name: name.to_string(),
            kind: ParamKind::Rest,
            range,
            default: None,
        }
    } else if let Some(name) = s.strip_prefix('^') {
        Param {
            name: name.to_string(),
            kind: ParamKind::Named,
            range,
            default: None,
        }
    } else {
        Param {
            name: s.to_string(),
            kind: ParamKind::Required,
            range,
            default: None,
        }
    }
}

/// A function (or macro, or method) definition's shape.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FnShape {
    pub is_async: bool,
    pub is_generator: bool,
    /// Shared: definitions are copied into file-level tables on every edit.
    pub params: Arc<Params>,
    /// Whether every value the body can return is known not to be a future (so `await` of a
    /// call is pointless). `false` when unknown.
    pub never_returns_future: bool,
    /// What the values the body returns say about futures, for a function that is not
    /// `^^async` (see [`super::infer`]); `None` when they say nothing.
    pub tails: Option<Arc<super::infer::Tails>>,
}

impl FnShape {
    /// A call gives a future, as the function alone tells: `^^async` (unless it is an async
    /// generator, whose call gives the generator), or a value it returns is a future by itself.
    /// Returned calls of other functions are followed by [`super::infer::Inference`].
    pub fn returns_future(&self) -> bool {
        (self.is_async && !self.is_generator) || self.tails.as_ref().is_some_and(|t| t.future)
    }
}

/// A class's methods and parent, for resolving method calls on its instances.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ClassShape {
    pub name: String,
    /// `(class Name < Parent ...)`: the parent's name.
    pub parent: Option<String>,
    /// `(.fn name params body...)` forms of the body.
    pub methods: Vec<(Box<str>, FnShape)>,
}

/// Reads `(fn [^^async] name params body...)`, `(fnx params body...)`, `(fnxx body...)`,
/// `(.fn name params body...)`: the props, the parameter list and where the body starts.
pub fn fn_shape(gene: &Gene, head: &str) -> Option<(FnShape, usize)> {
    let flag = |key: &str| {
        gene.props
            .iter()
            .any(|p| p.key == key && matches!(p.value.kind, FormKind::Bool(true)))
    };
    let (params_index, body_start) = match head {
        "fn" | "macro" | ".fn" => (Some(1), 2),
        "fnx" | ".ctor" => (Some(0), 1),
        "fnxx" => (None, 0),
        _ => return None,
    };
    let params = params_index
        .and_then(|i| gene.children.get(i))
        .map(parse_params)
        .unwrap_or_default();
    Some((
        shape(
            flag("async"),
            flag("generator"),
            params,
            &gene.children,
            body_start,
        ),
        body_start,
    ))
}

fn shape(
    is_async: bool,
    is_generator: bool,
    params: Params,
    children: &[Form],
    body_start: usize,
) -> FnShape {
    let body = children.get(body_start..).unwrap_or(&[]);
    let tails = (!is_async && !is_generator)
        .then(|| super::infer::tails(body, &params))
        .filter(|t| t.future || !t.calls.is_empty())
        .map(Arc::new);
    let never_returns_future =
        !is_async && !is_generator && tails.is_none() && body.last().is_some_and(is_plain_value);
    FnShape {
        is_async,
        is_generator,
        params: Arc::new(params),
        never_returns_future,
        tails,
    }
}

/// A form whose value is certainly not a future: a literal, a collection, arithmetic.
pub fn is_plain_value(form: &Form) -> bool {
    match &form.kind {
        FormKind::Nil
        | FormKind::Bool(_)
        | FormKind::Int(_)
        | FormKind::Float(_)
        | FormKind::Str(_)
        | FormKind::Char(_) => true,
        FormKind::Array(_) | FormKind::Map(_) | FormKind::Set(_) | FormKind::Quote(_) => true,
        FormKind::Gene(g) => {
            let op = g
                .children
                .first()
                .and_then(Form::as_symbol)
                .or(g.head.as_symbol());
            op.is_some_and(|op| super::shape::VALUE_OPERATORS.contains(&op))
                || g.head.as_symbol() == Some("#Str")
        }
        _ => false,
    }
}

/// A namespace-level definition.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum DefKind {
    Function(FnShape),
    Macro(FnShape),
    Class,
    Namespace,
    /// `(var $ns/x ...)` or a member assigned through `$ns/x`.
    Variable,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Def {
    pub name: String,
    pub kind: DefKind,
    /// The range of the defining name, in file offsets (after [`file_symbols`]).
    pub range: TextRange,
    /// The `#` comment lines right above the definition.
    pub doc: Option<String>,
}

/// `(import a b:alias n/f from "path")`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Import {
    /// (name bound here, member path in the module).
    pub names: Vec<(String, String, TextRange)>,
    pub path: String,
    /// The range of the path string (of the whole form when it has none).
    pub path_range: TextRange,
    pub range: TextRange,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ChunkSymbols {
    pub defs: Vec<Def>,
    pub imports: Vec<Import>,
    /// The classes defined, with their methods.
    pub classes: Vec<Arc<ClassShape>>,
    /// Uses `eval`, `$caller_eval` or defines a macro: names may come from places the analysis
    /// cannot see.
    pub dynamic: bool,
}

/// The definitions in one chunk (ranges relative to the chunk).
pub fn chunk_symbols<'db>(db: &'db dyn Db, chunk: Chunk<'db>) -> &'db ChunkSymbols {
    static NONE: ChunkSymbols = ChunkSymbols {
        defs: Vec::new(),
        imports: Vec::new(),
        classes: Vec::new(),
        dynamic: false,
    };
    let kept = if db::is_batch(db) {
        super::chunk_facts(db, chunk).symbols()
    } else {
        chunk_symbols_kept(db, chunk).as_deref()
    };
    kept.unwrap_or(&NONE)
}

/// [`chunk_symbols`], `None` for a chunk that defines and imports nothing (most do): the
/// database keeps this for every chunk of a file, one word for most.
#[salsa::tracked(returns(ref))]
fn chunk_symbols_kept<'db>(db: &'db dyn Db, chunk: Chunk<'db>) -> Option<Box<ChunkSymbols>> {
    symbols_of(db::chunk_forms(db, chunk), chunk.text(db))
}

/// What a chunk's forms define and import (`text` is the chunk's), `None` for nothing.
pub(super) fn symbols_of(forms: &[Form], text: &str) -> Option<Box<ChunkSymbols>> {
    let mut out = ChunkSymbols::default();
    for form in forms {
        collect(form, &mut out, 0);
    }
    // The comment lines above a definition are in the same chunk (its leading trivia, or the
    // lines of the form that holds it).
    for def in &mut out.defs {
        def.doc = doc_comment_above(text, def.range.start().into());
    }
    (out != ChunkSymbols::default()).then(|| Box::new(out))
}

fn collect(form: &Form, out: &mut ChunkSymbols, depth: usize) {
    let Some(gene) = form.as_gene() else { return };
    let head = gene.head.as_symbol().unwrap_or("");
    match head {
        "fn" | "macro" => {
            if let (Some(name_form), Some((shape, _))) =
                (gene.children.first(), fn_shape(gene, head))
            {
                if let Some(name) = def_name(name_form) {
                    let kind = if head == "fn" {
                        DefKind::Function(shape)
                    } else {
                        DefKind::Macro(shape)
                    };
                    out.defs.push(Def {
                        name,
                        kind,
                        range: name_form.range,
                        doc: None,
                    });
                }
                if head == "macro" {
                    out.dynamic = true;
                }
            }
            // Nested `fn`s also bind in the namespace.
            for child in &gene.children {
                collect_nested(child, out, depth);
            }
        }
        "class" | "ns" => {
            if let Some(name_form) = gene.children.first()
                && let Some(name) = def_name(name_form)
            {
                let kind = if head == "class" {
                    DefKind::Class
                } else {
                    DefKind::Namespace
                };
                if head == "class" {
                    out.classes
                        .push(Arc::new(class_shape(&name, &gene.children)));
                }
                out.defs.push(Def {
                    name,
                    kind,
                    range: name_form.range,
                    doc: None,
                });
            }
        }
        "var" => {
            if let Some(FormKind::Path(segments)) = gene.children.first().map(|f| &f.kind)
                && segments.len() == 2
                && segments[0] == "$ns"
            {
                out.defs.push(Def {
                    name: segments[1].clone(),
                    kind: DefKind::Variable,
                    range: form.range,
                    doc: None,
                });
            }
            for child in &gene.children {
                collect_nested(child, out, depth);
            }
        }
        "import" => out.imports.push(read_import(gene, form.range)),
        "eval" | "$caller_eval" => {
            out.dynamic = true;
        }
        // Quoted data defines nothing.
        _ if matches!(gene.head.kind, FormKind::Quote(_)) => {}
        _ => {
            for child in &gene.children {
                collect_nested(child, out, depth);
            }
        }
    }
}

fn collect_nested(form: &Form, out: &mut ChunkSymbols, depth: usize) {
    // Bounded by the parser's nesting cap; this guard keeps any future caller safe too.
    if depth < crate::parser::MAX_DEPTH as usize + 8 {
        collect(form, out, depth + 1);
    }
}

/// A class's parent and methods from its children (`Name [< Parent] body...`).
fn class_shape(name: &str, children: &[Form]) -> ClassShape {
    let mut body_start = 1;
    let mut parent = None;
    if children.get(1).and_then(Form::as_symbol) == Some("<") {
        parent = children.get(2).and_then(def_name);
        body_start = 3;
    }
    let methods = children
        .get(body_start..)
        .unwrap_or(&[])
        .iter()
        .filter_map(|form| {
            let gene = form.as_gene()?;
            if gene.head.as_symbol() != Some(".fn") {
                return None;
            }
            let method = gene.children.first()?.as_symbol()?;
            let (shape, _) = fn_shape(gene, ".fn")?;
            Some((Box::from(method), shape))
        })
        .collect();
    ClassShape {
        name: name.to_string(),
        parent,
        methods,
    }
}

/// The name a `fn`/`class`/`ns` form binds: a symbol, a string, or the last segment of a path.
fn def_name(form: &Form) -> Option<String> {
    match &form.kind {
        FormKind::Symbol(s) => Some(s.clone()),
        FormKind::Str(s) => Some(s.clone()),
        FormKind::Path(segments) => segments.last().cloned(),
        _ => None,
    }
}

fn read_import(gene: &Gene, range: TextRange) -> Import {
    let mut names = Vec::new();
    let mut path = String::new();
    let mut path_range = range;
    let mut iter = gene.children.iter().peekable();
    while let Some(item) = iter.next() {
        if item.as_symbol() == Some("from") {
            if let Some(Form {
                kind: FormKind::Str(p),
                range: at,
            }) = iter.next()
            {
                path = p.clone();
                path_range = *at;
            }
            break;
        }
        // `n/[x y:z]` reads as the path `n/` followed by an array of names.
        if let FormKind::Path(segments) = &item.kind
            && segments.last().is_some_and(String::is_empty)
            && let Some(Form {
                kind: FormKind::Array(members),
                ..
            }) = iter.peek()
        {
            let prefix = segments.join("/");
            for member in members {
                if let Some(name) = member.as_symbol() {
                    let (local, inner) = match name.split_once(':') {
                        Some((m, alias)) if !alias.is_empty() => (alias.to_string(), m.to_string()),
                        _ => (name.to_string(), name.to_string()),
                    };
                    names.push((local, format!("{prefix}{inner}"), member.range));
                }
            }
            iter.next();
            continue;
        }
        import_names(item, &mut names);
    }
    Import {
        names,
        path,
        path_range,
        range,
    }
}

/// The names an import form binds here: (name, its range).
pub fn imported_names(gene: &Gene) -> Vec<(String, TextRange)> {
    read_import(gene, TextRange::default())
        .names
        .into_iter()
        .map(|(local, _, range)| (local, range))
        .collect()
}

fn import_names(item: &Form, names: &mut Vec<(String, String, TextRange)>) {
    let split_alias = |s: &str| match s.split_once(':') {
        Some((member, alias)) if !alias.is_empty() => (alias.to_string(), member.to_string()),
        _ => (s.rsplit('/').next().unwrap_or(s).to_string(), s.to_string()),
    };
    match &item.kind {
        FormKind::Symbol(s) => {
            let (local, member) = split_alias(s);
            names.push((local, member, item.range));
        }
        FormKind::Path(segments) => {
            let joined = segments.join("/");
            let (local, member) = split_alias(&joined);
            names.push((local, member, item.range));
        }
        _ => {}
    }
}

/// Everything a file defines at namespace level, in file offsets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileSymbols {
    /// Later definitions of a name replace earlier ones, as they do at run time.
    pub defs: BTreeMap<String, Def>,
    pub imports: Vec<Import>,
    pub dynamic: bool,
    /// The classes by name (later definitions replace earlier ones).
    classes: HashMap<String, Arc<ClassShape>>,
    /// Each name the imports bind: the first import that binds it, and its place in that
    /// import's names (the file-level pass asks for every name a form uses, and a file can have
    /// thousands of imports).
    imported: HashMap<String, (usize, usize)>,
}

impl FileSymbols {
    pub fn get(&self, name: &str) -> Option<&Def> {
        self.defs.get(name)
    }

    pub fn function(&self, name: &str) -> Option<&FnShape> {
        match &self.defs.get(name)?.kind {
            DefKind::Function(shape) => Some(shape),
            _ => None,
        }
    }

    /// The class defined in this file under `name`.
    pub fn class(&self, name: &str) -> Option<&Arc<ClassShape>> {
        self.classes.get(name)
    }

    pub fn is_imported(&self, name: &str) -> bool {
        self.imported.contains_key(name)
    }

    /// The first import that binds `name`, and the member of the imported module it names.
    pub fn import_of(&self, name: &str) -> Option<(&Import, &str)> {
        let &(import, at) = self.imported.get(name)?;
        let import = self.imports.get(import)?;
        let (_, member, _) = import.names.get(at)?;
        Some((import, member))
    }
}

#[salsa::tracked(returns(ref))]
pub fn file_symbols(db: &dyn Db, file: SourceFile) -> Arc<FileSymbols> {
    let mut out = FileSymbols::default();
    for at in db::chunks(db, file) {
        let chunk = chunk_symbols(db, at.chunk);
        out.dynamic |= chunk.dynamic;
        for class in &chunk.classes {
            out.classes.insert(class.name.clone(), class.clone());
        }
        for def in &chunk.defs {
            let mut def = def.clone();
            def.range += at.offset;
            out.defs.insert(def.name.clone(), def);
        }
        for import in &chunk.imports {
            let mut import = import.clone();
            import.range += at.offset;
            import.path_range += at.offset;
            for (i, (local, _, r)) in import.names.iter_mut().enumerate() {
                *r += at.offset;
                out.imported
                    .entry(local.clone())
                    .or_insert((out.imports.len(), i));
            }
            out.imports.push(import);
        }
    }
    Arc::new(out)
}

/// The `#` comment lines directly above the line holding `offset` (no blank line between).
pub fn doc_comment_above(text: &str, offset: usize) -> Option<String> {
    let line_start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let mut lines = Vec::new();
    let mut end = line_start;
    while end > 0 {
        let prev_start = text[..end - 1].rfind('\n').map_or(0, |i| i + 1);
        let line = text[prev_start..end - 1].trim();
        let Some(comment) = line.strip_prefix('#') else {
            break;
        };
        if comment.starts_with('!') || comment.starts_with('<') {
            break;
        }
        lines.push(
            comment
                .trim_start_matches('#')
                .strip_prefix(' ')
                .unwrap_or(comment.trim_start_matches('#'))
                .to_string(),
        );
        end = prev_start;
    }
    if lines.is_empty() {
        return None;
    }
    lines.reverse();
    Some(lines.join("\n"))
}

/// The builtin an unqualified name reaches (`println` -> `gene/println`).
pub fn unqualified_builtin(name: &str) -> Option<&'static crate::builtins::Builtin> {
    crate::builtins::unqualified(name)
}

/// The namespace-level definition `name` refers to from `file`: its own, or an import's.
pub fn namespace_def(db: &dyn Db, file: SourceFile, name: &str) -> Option<(SourceFile, Def)> {
    let symbols = file_symbols(db, file);
    if let Some(def) = symbols.get(name) {
        return Some((file, def.clone()));
    }
    let (import, member) = symbols.import_of(name)?;
    let spec = crate::workspace::ImportSpec::new(db, import.path.clone());
    let target = (*crate::workspace::resolve_import(db, file, spec))?;
    let def = file_symbols(db, target)
        .get(member.rsplit('/').next().unwrap_or(member))?
        .clone();
    Some((target, def))
}
