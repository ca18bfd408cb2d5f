//! Argument lists built at run time: spreads, argument arrays, props maps.

use super::{Exc, Vm};
use crate::value::{Map, Value};

impl Vm {
    /// Pushes the elements of an argument array (built for a spread/props call); gives the count.
    pub(super) fn push_arg_array(&mut self, args: &Value) -> Result<usize, Exc> {
        match args {
            Value::Array(a) => {
                let items = a.borrow();
                self.task.stack.extend(items.iter().cloned());
                Ok(items.len())
            }
            _ => Ok(0),
        }
    }

    /// The elements a spread inlines.
    pub(crate) fn spread_items(&self, v: &Value) -> Result<Vec<Value>, Exc> {
        match v {
            Value::Array(a) => Ok(a.borrow().clone()),
            Value::Set(s) => Ok(s.borrow().to_vec()),
            Value::Gene(g) => Ok(g.borrow().children.clone()),
            Value::Range(r) => {
                let mut items = Vec::new();
                let count = usize::try_from(r.count()).unwrap_or(usize::MAX);
                crate::value::alloc::reserve(self, &mut items, count, "the range's elements")?;
                items.extend((0..count).map_while(|i| r.get(i)).map(Value::Int));
                Ok(items)
            }
            Value::Nil => Ok(Vec::new()),
            other => Err(self.type_error(format!(
                "only arrays can be spread, got {}",
                other.type_name()
            ))),
        }
    }
}

pub(super) fn pairs_to_map(items: Vec<Value>) -> Map {
    let mut map = Map::default();
    let mut it = items.into_iter();
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        let key = match k {
            Value::Symbol(s) => s,
            other => crate::intern::Sym::new(&crate::value::display(&other)),
        };
        map.insert(key, v);
    }
    map
}

pub(super) fn props_map(v: Value) -> Option<Map> {
    match v {
        Value::Map(m) => Some(m.borrow().clone()),
        _ => None,
    }
}
