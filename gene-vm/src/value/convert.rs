//! Forms <-> values. Quotes and macro arguments turn forms into data; `eval` turns data back into
//! forms to compile them.

use std::rc::Rc;

use gene_syntax::TextRange;
use gene_syntax::form::{Float, Form, FormKind, Gene, Prop};

use super::{Map, Value};
use crate::intern::Sym;

/// The value a form denotes as data (what `:form` evaluates to).
pub fn form_to_value(form: &Form) -> Value {
    match &form.kind {
        FormKind::Nil | FormKind::Error => Value::Nil,
        FormKind::Bool(b) => Value::Bool(*b),
        FormKind::Int(i) => Value::Int(*i),
        FormKind::Float(f) => Value::Float(f.0),
        FormKind::Str(s) => Value::str(s.as_str()),
        FormKind::Char(c) => Value::Char(*c),
        FormKind::Symbol(s) if s == "_" => Value::Placeholder,
        FormKind::Symbol(s) => Value::Symbol(Sym::new(s)),
        FormKind::Path(segs) => Value::Path(Rc::new(segs.iter().map(|s| Sym::new(s)).collect())),
        FormKind::Array(items) => Value::array(items.iter().map(form_to_value).collect()),
        FormKind::Set(items) => Value::Set(Rc::new(std::cell::RefCell::new(
            super::SetData::from_values(items.iter().map(form_to_value)),
        ))),
        FormKind::Map(props) => Value::map(props_to_map(props)),
        FormKind::Gene(g) => Value::gene(
            form_to_value(&g.head),
            props_to_map(&g.props),
            g.children.iter().map(form_to_value).collect(),
        ),
        FormKind::Quote(f) => Value::Quote(Rc::new(form_to_value(f))),
        FormKind::Unquote { form, discard } => {
            Value::Unquote(Rc::new((form_to_value(form), *discard)))
        }
    }
}

fn props_to_map(props: &[Prop]) -> Map {
    props
        .iter()
        .map(|p| (Sym::new(&p.key), form_to_value(&p.value)))
        .collect()
}

/// The prefix of the placeholder symbol that stands for an embedded runtime value.
pub const EMBED_PREFIX: &str = "\u{0}embed:";

/// The form a value stands for when evaluated as code. Every range is `range` (the place the
/// code came from, e.g. the `eval` call). Values with no written form (functions, classes,
/// instances...) are pushed onto `embedded` and stand as a placeholder symbol the compiler turns
/// into a constant, so macro output may carry them. `None` when nested too deep.
pub fn value_to_form(v: &Value, range: TextRange, embedded: &mut Vec<Value>) -> Option<Form> {
    value_to_form_at(v, range, 0, embedded)
}

fn value_to_form_at(
    v: &Value,
    range: TextRange,
    depth: usize,
    emb: &mut Vec<Value>,
) -> Option<Form> {
    if depth > 512 {
        return None;
    }
    let kind = match v {
        Value::Nil => FormKind::Nil,
        Value::Bool(b) => FormKind::Bool(*b),
        Value::Int(i) => FormKind::Int(*i),
        Value::Float(f) => FormKind::Float(Float(*f)),
        Value::Str(s) => FormKind::Str(s.to_string()),
        Value::Char(c) => FormKind::Char(*c),
        Value::Placeholder => FormKind::Symbol("_".into()),
        Value::Symbol(s) => FormKind::Symbol(s.name().to_string()),
        Value::Path(segs) => FormKind::Path(segs.iter().map(|s| s.name().to_string()).collect()),
        Value::Array(items) => FormKind::Array(seq(&items.borrow(), range, depth, emb)?),
        Value::Set(items) => FormKind::Set(seq(&items.borrow().to_vec(), range, depth, emb)?),
        Value::Map(m) => FormKind::Map(props(&m.borrow(), range, depth, emb)?),
        Value::Gene(g) => {
            let g = g.borrow();
            FormKind::Gene(Box::new(Gene {
                head: value_to_form_at(&g.head, range, depth + 1, emb)?,
                props: props(&g.props, range, depth, emb)?,
                children: seq(&g.children, range, depth, emb)?,
            }))
        }
        Value::Quote(q) => FormKind::Quote(Box::new(value_to_form_at(q, range, depth + 1, emb)?)),
        Value::Unquote(u) => FormKind::Unquote {
            form: Box::new(value_to_form_at(&u.0, range, depth + 1, emb)?),
            discard: u.1,
        },
        other => {
            emb.push(other.clone());
            FormKind::Symbol(format!("{EMBED_PREFIX}{}", emb.len() - 1))
        }
    };
    Some(Form::new(kind, range))
}

fn seq(items: &[Value], range: TextRange, depth: usize, emb: &mut Vec<Value>) -> Option<Vec<Form>> {
    items
        .iter()
        .map(|v| value_to_form_at(v, range, depth + 1, emb))
        .collect()
}

fn props(map: &Map, range: TextRange, depth: usize, emb: &mut Vec<Value>) -> Option<Vec<Prop>> {
    map.iter()
        .map(|(k, v)| {
            Some(Prop {
                key: k.name().to_string(),
                key_range: range,
                value: value_to_form_at(v, range, depth + 1, emb)?,
            })
        })
        .collect()
}
