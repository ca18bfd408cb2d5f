//! Lowered forms: an owned, decoded tree of Gene data with source ranges.
//!
//! Gene is homoiconic: code is data. The VM compiles these forms, `$parse` and quotes produce
//! them as values, and macros receive them. Lowering decodes every literal (numbers, escapes,
//! path segments), merges nested property keys (`^a^b 1` -> `{^a {^b 1}}`), applies decorators
//! (`#@f x` -> `(f x)`) and turns interpolated strings into `(#Str piece ...)` genes.

use rowan::{TextRange, TextSize};

use crate::SyntaxKind::*;
use crate::ast::{self, Expr, IStringPiece, PropFlag};

/// A float compared by its bits, so forms can be `Eq` and memoized.
#[derive(Clone, Copy, Debug)]
pub struct Float(pub f64);

impl PartialEq for Float {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_bits() == other.0.to_bits()
    }
}
impl Eq for Float {}
impl std::hash::Hash for Float {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.to_bits().hash(state)
    }
}

/// One form with the byte range it came from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Form {
    pub kind: FormKind,
    pub range: TextRange,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FormKind {
    Nil,
    Bool(bool),
    Int(i64),
    Float(Float),
    Str(String),
    Char(char),
    /// A plain symbol (`x`, `+`, `_`, `$ns`, `xs...`), escapes decoded.
    Symbol(String),
    /// A complex symbol `a/b/c`, split on `/` (`/x` -> ["", "x"]).
    Path(Vec<String>),
    Array(Vec<Form>),
    Set(Vec<Form>),
    Map(Vec<Prop>),
    Gene(Box<Gene>),
    Quote(Box<Form>),
    Unquote {
        form: Box<Form>,
        discard: bool,
    },
    /// A form that did not parse; a syntax error was reported for it.
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Gene {
    pub head: Form,
    /// Properties in source order, nested keys merged.
    pub props: Vec<Prop>,
    pub children: Vec<Form>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Prop {
    pub key: String,
    /// The range of the key token (for a merged nested map, the first key that made it).
    pub key_range: TextRange,
    pub value: Form,
}

impl Form {
    pub fn new(kind: FormKind, range: TextRange) -> Form {
        Form { kind, range }
    }

    pub fn as_symbol(&self) -> Option<&str> {
        match &self.kind {
            FormKind::Symbol(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_gene(&self) -> Option<&Gene> {
        match &self.kind {
            FormKind::Gene(g) => Some(g),
            _ => None,
        }
    }

    /// The same form with every range moved forward by `offset`.
    pub fn shifted(&self, offset: TextSize) -> Form {
        let mut form = self.clone();
        form.shift(offset);
        form
    }

    fn shift(&mut self, offset: TextSize) {
        self.range += offset;
        match &mut self.kind {
            FormKind::Array(items) | FormKind::Set(items) => {
                items.iter_mut().for_each(|f| f.shift(offset))
            }
            FormKind::Map(props) => props.iter_mut().for_each(|p| p.shift(offset)),
            FormKind::Gene(g) => {
                g.head.shift(offset);
                g.props.iter_mut().for_each(|p| p.shift(offset));
                g.children.iter_mut().for_each(|f| f.shift(offset));
            }
            FormKind::Quote(f) | FormKind::Unquote { form: f, .. } => f.shift(offset),
            _ => {}
        }
    }
}

impl Prop {
    fn shift(&mut self, offset: TextSize) {
        self.key_range += offset;
        self.value.shift(offset);
    }
}

/// Lowers every top-level form of a parsed file.
pub fn lower_file(file: &ast::SourceFile) -> Vec<Form> {
    file.forms().map(|e| lower(&e)).collect()
}

/// Lowers one form.
pub fn lower(expr: &Expr) -> Form {
    let range = expr.text_range();
    let kind = match expr {
        Expr::Atom(atom) => lower_atom(atom),
        Expr::Gene(gene) => {
            let head = gene.head().map_or_else(
                || Form::new(FormKind::Nil, TextRange::empty(range.start())),
                |h| lower(&h),
            );
            FormKind::Gene(Box::new(Gene {
                head,
                props: lower_props(gene.props()),
                children: gene.children().map(|c| lower(&c)).collect(),
            }))
        }
        Expr::Array(a) => FormKind::Array(a.items().map(|c| lower(&c)).collect()),
        Expr::Set(s) => FormKind::Set(s.items().map(|c| lower(&c)).collect()),
        Expr::Map(m) => FormKind::Map(lower_props(m.props())),
        Expr::Quote(q) => match q.form() {
            Some(f) => FormKind::Quote(Box::new(lower(&f))),
            None => FormKind::Error,
        },
        Expr::Unquote(u) => match u.form() {
            Some(f) => FormKind::Unquote {
                form: Box::new(lower(&f)),
                discard: u.is_discard(),
            },
            None => FormKind::Error,
        },
        Expr::Decorator(d) => match (d.decorator(), d.target()) {
            (Some(f), Some(x)) => FormKind::Gene(Box::new(Gene {
                head: lower(&f),
                props: Vec::new(),
                children: vec![lower(&x)],
            })),
            _ => FormKind::Error,
        },
        Expr::IString(s) => lower_istring(s, range),
        Expr::Error(_) => FormKind::Error,
    };
    Form::new(kind, range)
}

fn lower_atom(atom: &ast::Atom) -> FormKind {
    match atom.kind() {
        NIL => FormKind::Nil,
        TRUE => FormKind::Bool(true),
        FALSE => FormKind::Bool(false),
        INT => atom.int_value().map_or(FormKind::Error, FormKind::Int),
        FLOAT => atom
            .float_value()
            .map_or(FormKind::Error, |f| FormKind::Float(Float(f))),
        STRING => FormKind::Str(atom.string_value().unwrap_or_default()),
        CHAR => atom.char_value().map_or(FormKind::Error, FormKind::Char),
        SYMBOL => match atom.path_segments() {
            Some(segments) => FormKind::Path(segments),
            None => FormKind::Symbol(atom.symbol_name()),
        },
        _ => FormKind::Error,
    }
}

fn lower_istring(s: &ast::IString, range: TextRange) -> FormKind {
    let children: Vec<Form> = s
        .pieces()
        .iter()
        .map(|p| match p {
            IStringPiece::Text(t, r) => Form::new(FormKind::Str(t.clone()), *r),
            IStringPiece::Form(e) => lower(e),
            IStringPiece::Props(interp) => Form::new(
                FormKind::Map(lower_props(interp.props())),
                interp.syntax().text_range(),
            ),
        })
        .collect();
    // Only strings (text, or inserted string literals as in `#{"s"}`): a plain string, as the
    // reference reader gives.
    if children.iter().all(|c| matches!(c.kind, FormKind::Str(_))) {
        let text: String = children
            .iter()
            .map(|c| match &c.kind {
                FormKind::Str(t) => t.as_str(),
                _ => "",
            })
            .collect();
        return FormKind::Str(text);
    }
    let head = Form::new(
        FormKind::Symbol("#Str".into()),
        TextRange::at(range.start(), 0.into()),
    );
    FormKind::Gene(Box::new(Gene {
        head,
        props: Vec::new(),
        children,
    }))
}

/// Lowers a property run, merging nested keys: `^p^x 1 ^p^y 2` -> `^p {^x 1 ^y 2}`.
/// Repeated keys were reported by the parser; here a later one simply wins.
fn lower_props(props: impl Iterator<Item = ast::Prop>) -> Vec<Prop> {
    let mut out: Vec<Prop> = Vec::new();
    for prop in props {
        let Some(key) = prop.key() else { continue };
        let key_range = prop
            .key_token()
            .map_or_else(|| prop.syntax().text_range(), |t| t.text_range());
        let value = match key.flag {
            Some(PropFlag::True) => Form::new(FormKind::Bool(true), key_range),
            Some(PropFlag::False) => Form::new(FormKind::Bool(false), key_range),
            Some(PropFlag::Nil) => Form::new(FormKind::Nil, key_range),
            None => prop
                .value()
                .map_or_else(|| Form::new(FormKind::Error, key_range), |v| lower(&v)),
        };
        insert_path(&mut out, &key.path, key_range, value);
    }
    out
}

fn insert_path(props: &mut Vec<Prop>, path: &[String], key_range: TextRange, value: Form) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    if rest.is_empty() {
        if let Some(existing) = props.iter_mut().find(|p| &p.key == first) {
            existing.value = value;
        } else {
            props.push(Prop {
                key: first.clone(),
                key_range,
                value,
            });
        }
        return;
    }
    let index = match props.iter().position(|p| &p.key == first) {
        Some(i) if matches!(props[i].value.kind, FormKind::Map(_)) => i,
        Some(i) => {
            props[i].value = Form::new(FormKind::Map(Vec::new()), key_range);
            i
        }
        None => {
            props.push(Prop {
                key: first.clone(),
                key_range,
                value: Form::new(FormKind::Map(Vec::new()), key_range),
            });
            props.len() - 1
        }
    };
    let nested = &mut props[index].value;
    nested.range = nested.range.cover(value.range);
    if let FormKind::Map(inner) = &mut nested.kind {
        insert_path(inner, rest, key_range, value);
    }
}
