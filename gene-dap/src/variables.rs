//! Values as DAP variables. Containers get a `variablesReference` and are expanded only when
//! the client asks (`variables`), a page at a time for big arrays. References live until the
//! program goes on (DAP's rule), so the table is cleared at every resume.

use gene_vm::Value;
use gene_vm::intern::Sym;
use gene_vm::value::{FutState, display, inspect};
use serde_json::{Value as Json, json};

/// Longest value text shown on one line; the rest is in the expansion.
const MAX_SHOWN: usize = 200;

/// What a `variablesReference` names.
#[derive(Clone)]
pub enum Scope {
    Locals { task: usize, frame: usize },
    Captured { task: usize, frame: usize },
    Globals { task: usize, frame: usize },
    Value(Value),
}

#[derive(Default)]
pub struct Refs {
    table: Vec<Scope>,
}

impl Refs {
    pub fn clear(&mut self) {
        self.table.clear();
    }

    /// A new reference (DAP references start at 1; 0 means "nothing to expand").
    pub fn add(&mut self, scope: Scope) -> i64 {
        self.table.push(scope);
        self.table.len() as i64
    }

    pub fn get(&self, reference: i64) -> Option<&Scope> {
        usize::try_from(reference - 1)
            .ok()
            .and_then(|i| self.table.get(i))
    }

    /// One variable: its text, its type and, for a container, a reference to expand it.
    pub fn variable(&mut self, name: &str, value: &Value) -> Json {
        let (reference, indexed) = match children_count(value) {
            Some(n) => (self.add(Scope::Value(value.clone())), n),
            None => (0, 0),
        };
        let mut v = json!({
            "name": name,
            "value": shown(value),
            "type": value.type_name(),
            "variablesReference": reference,
        });
        if matches!(value, Value::Array(_)) {
            v["indexedVariables"] = json!(indexed);
        }
        v
    }
}

/// A value's one-line text (strings quoted, long texts cut).
pub fn shown(value: &Value) -> String {
    let text = match value {
        Value::Future(f) => match &*f.state.borrow() {
            FutState::Pending => "<future pending>".to_string(),
            FutState::Success(v) => format!("<future success {}>", inspect(v)),
            FutState::Failure(e, _) => format!("<future failure {}>", display(e)),
            FutState::Cancelled => "<future cancelled>".to_string(),
        },
        other => inspect(other),
    };
    match text.char_indices().nth(MAX_SHOWN) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// How many children an expansion shows; `None` for a value with nothing to expand.
fn children_count(value: &Value) -> Option<usize> {
    Some(match value {
        Value::Array(a) => a.borrow().len(),
        Value::Map(m) => m.borrow().len(),
        Value::Set(s) => s.borrow().len(),
        Value::Gene(g) => {
            let g = g.borrow();
            1 + g.props.len() + g.children.len()
        }
        Value::Instance(i) => 1 + i.props.borrow().len(),
        Value::Future(_) => 2,
        Value::Bytes(b) => b.len().min(1),
        Value::Generator(_) => 1,
        _ => return None,
    })
}

/// The children of an expandable value: (name, value) pairs, `start..start + count` of them
/// for an array.
pub fn children(value: &Value, start: usize, count: Option<usize>) -> Vec<(String, Value)> {
    let page = |n: usize| start..count.map_or(n, |c| (start + c).min(n));
    match value {
        Value::Array(a) => {
            let a = a.borrow();
            page(a.len())
                .filter_map(|i| a.get(i).map(|v| (format!("[{i}]"), v.clone())))
                .collect()
        }
        Value::Map(m) => m
            .borrow()
            .iter()
            .map(|(k, v)| (format!("^{k}"), v.clone()))
            .collect(),
        Value::Set(s) => s
            .borrow()
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("{{{i}}}"), v.clone()))
            .collect(),
        Value::Gene(g) => {
            let g = g.borrow();
            let mut out = vec![("type".to_string(), g.head.clone())];
            out.extend(g.props.iter().map(|(k, v)| (format!("^{k}"), v.clone())));
            out.extend(
                g.children
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (format!("[{i}]"), v.clone())),
            );
            out
        }
        Value::Instance(inst) => {
            let mut out = vec![("class".to_string(), Value::Class(inst.class.clone()))];
            out.extend(
                inst.props
                    .borrow()
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone())),
            );
            out
        }
        Value::Future(f) => {
            let (state, v) = match &*f.state.borrow() {
                FutState::Pending => ("pending", None),
                FutState::Success(v) => ("success", Some(("value", v.clone()))),
                FutState::Failure(e, _) => ("failure", Some(("error", e.clone()))),
                FutState::Cancelled => ("cancelled", None),
            };
            let mut out = vec![("state".to_string(), Value::str(state))];
            out.extend(v.map(|(n, v)| (n.to_string(), v)));
            out
        }
        Value::Bytes(b) => {
            let hex: String = b.iter().take(64).map(|x| format!("{x:02x}")).collect();
            vec![
                ("size".to_string(), Value::Int(b.len() as i64)),
                ("hex".to_string(), Value::str(hex.as_str())),
            ]
        }
        Value::Generator(g) => vec![("type".to_string(), Value::str(g.type_name()))],
        _ => Vec::new(),
    }
}

/// Sets the child `name` (as [`children`] names it) of `container` to `value`: an instance's
/// field, a map's entry `^k`, an array's element `[i]`, a gene's prop `^k` or child `[i]`.
pub fn set_child(container: &Value, name: &str, value: Value) -> Result<(), String> {
    let index = |len: usize| {
        name.strip_prefix('[')
            .and_then(|n| n.strip_suffix(']'))
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|&i| i < len)
            .ok_or_else(|| format!("no element {name} here"))
    };
    let key = || {
        name.strip_prefix('^')
            .filter(|k| !k.is_empty())
            .map(Sym::new)
            .ok_or_else(|| format!("no entry {name} here"))
    };
    match container {
        Value::Array(a) => {
            let mut a = a.borrow_mut();
            let i = index(a.len())?;
            a[i] = value;
        }
        Value::Map(m) => {
            let k = key()?;
            let mut m = m.borrow_mut();
            let slot = m
                .get_mut(&k)
                .ok_or_else(|| format!("no entry {name} here"))?;
            *slot = value;
        }
        Value::Instance(inst) if name != "class" => {
            let mut props = inst.props.borrow_mut();
            let k = Sym::new(name);
            if props.get(&k).is_none() {
                return Err(format!("no field {name} here"));
            }
            props.set(k, value);
        }
        Value::Gene(g) if name.starts_with('^') => {
            let k = key()?;
            let mut g = g.borrow_mut();
            let slot = g
                .props
                .get_mut(&k)
                .ok_or_else(|| format!("no prop {name} here"))?;
            *slot = value;
        }
        Value::Gene(g) if name.starts_with('[') => {
            let mut g = g.borrow_mut();
            let i = index(g.children.len())?;
            g.children[i] = value;
        }
        other => return Err(format!("{name} of a {} cannot be set", other.type_name())),
    }
    Ok(())
}
