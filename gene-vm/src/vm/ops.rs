//! Operators, member and index access, selectors, iteration: the slow paths of the dispatch
//! loop (its fast paths for ints are inline there).

use std::cell::RefCell;
use std::rc::Rc;

use super::{Exc, Vm};
use crate::bytecode::Op;
use crate::intern::Sym;
use crate::value::{IterState, RangeData, Value, values_equal};

/// Normalises a possibly negative index against a length.
pub(crate) fn resolve_index(i: i64, len: usize) -> Option<usize> {
    let len = len as i64;
    let i = if i < 0 { i + len } else { i };
    (0..len).contains(&i).then_some(i as usize)
}

impl Vm {
    pub(crate) fn arith(&self, op: Op, a: &Value, b: &Value) -> Result<Value, Exc> {
        let sym = match op {
            Op::Add => "+",
            Op::Sub => "-",
            Op::Mul => "*",
            _ => "/",
        };
        match (a, b) {
            (Value::Int(x), Value::Int(y)) => {
                let r = match op {
                    Op::Add => x.checked_add(*y),
                    Op::Sub => x.checked_sub(*y),
                    Op::Mul => x.checked_mul(*y),
                    _ => return Ok(Value::Float(*x as f64 / *y as f64)),
                };
                r.map(Value::Int).ok_or_else(|| {
                    self.error(
                        "OverflowError",
                        format!("integer overflow in ({x} {sym} {y})"),
                    )
                })
            }
            (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
                let x = as_f64(a);
                let y = as_f64(b);
                Ok(Value::Float(match op {
                    Op::Add => x + y,
                    Op::Sub => x - y,
                    Op::Mul => x * y,
                    _ => x / y,
                }))
            }
            _ => Err(self.type_error(format!(
                "{sym} needs numbers, got {} and {}",
                a.type_name(),
                b.type_name()
            ))),
        }
    }

    pub(crate) fn compare(&self, op: Op, a: &Value, b: &Value) -> Result<bool, Exc> {
        let ord = match (a, b) {
            (Value::Int(x), Value::Int(y)) => x.partial_cmp(y),
            (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
                as_f64(a).partial_cmp(&as_f64(b))
            }
            _ => {
                let sym = match op {
                    Op::Lt => "<",
                    Op::Le => "<=",
                    Op::Gt => ">",
                    _ => ">=",
                };
                return Err(self.type_error(format!(
                    "{sym} compares numbers only, got {} and {}",
                    a.type_name(),
                    b.type_name()
                )));
            }
        };
        let Some(ord) = ord else { return Ok(false) };
        Ok(match op {
            Op::Lt => ord.is_lt(),
            Op::Le => ord.is_le(),
            Op::Gt => ord.is_gt(),
            _ => ord.is_ge(),
        })
    }

    pub(crate) fn negate(&self, v: &Value) -> Result<Value, Exc> {
        match v {
            Value::Int(i) => i
                .checked_neg()
                .map(Value::Int)
                .ok_or_else(|| self.error("OverflowError", format!("integer overflow in (- {i})"))),
            Value::Float(f) => Ok(Value::Float(-f)),
            other => Err(self.type_error(format!("- needs a number, got {}", other.type_name()))),
        }
    }

    /// `target/name`: map key, gene prop, namespace/class member, instance property, enum member.
    /// Missing data is nil; member access on nil is an error.
    pub(crate) fn get_member(&self, target: &Value, name: Sym) -> Result<Value, Exc> {
        Ok(match target {
            Value::Map(m) => m.borrow().get(&name).cloned().unwrap_or_default(),
            Value::Gene(g) => g.borrow().props.get(&name).cloned().unwrap_or_default(),
            Value::Ns(ns) => ns.get(name).unwrap_or_default(),
            Value::Class(c) => c.ns.get(name).unwrap_or_default(),
            Value::Instance(i) => i.props.borrow().get(&name).cloned().unwrap_or_default(),
            Value::Enum(e) => {
                let found = name.with_name(|n| e.members.iter().find(|m| m.name == n).cloned());
                found.map(Value::EnumMember).unwrap_or_default()
            }
            Value::EnumMember(m) => name.with_name(|n| match n {
                "name" => Value::str(m.name.as_str()),
                "value" => Value::Int(m.value),
                _ => Value::Nil,
            }),
            Value::Nil => {
                return Err(self.type_error(format!("Cannot access member '{name}' on nil value")));
            }
            other => {
                return Err(self.type_error(format!(
                    "Cannot access member '{name}' on {}",
                    other.type_name()
                )));
            }
        })
    }

    pub(crate) fn set_member(&self, target: &Value, name: Sym, value: Value) -> Result<(), Exc> {
        match target {
            Value::Map(m) => {
                m.borrow_mut().insert(name, value);
            }
            Value::Gene(g) => {
                g.borrow_mut().props.insert(name, value);
            }
            Value::Ns(ns) => ns.set(name, value),
            Value::Class(c) => c.ns.set(name, value),
            Value::Instance(i) => {
                i.set(name, value);
            }
            Value::Nil => {
                return Err(self.type_error(format!("Cannot set member '{name}' on nil value")));
            }
            other => {
                return Err(self.type_error(format!(
                    "Cannot set member '{name}' on {}",
                    other.type_name()
                )));
            }
        }
        Ok(())
    }

    /// `target/0`: array element, gene child, string character; out of range is nil.
    pub(crate) fn get_index(&self, target: &Value, i: i64) -> Result<Value, Exc> {
        Ok(match target {
            Value::Array(a) => {
                let a = a.borrow();
                resolve_index(i, a.len())
                    .and_then(|i| a.get(i).cloned())
                    .unwrap_or_default()
            }
            Value::Gene(g) => {
                let g = g.borrow();
                resolve_index(i, g.children.len())
                    .and_then(|i| g.children.get(i).cloned())
                    .unwrap_or_default()
            }
            Value::Str(s) => crate::builtins::char_at(s, i)
                .map(|c| Value::str(c.to_string()))
                .unwrap_or_default(),
            Value::Range(r) => r.at(i).map(Value::Int).unwrap_or_default(),
            Value::Map(_) | Value::Ns(_) | Value::Instance(_) | Value::Class(_) => {
                return self.get_member(target, Sym::new(&i.to_string()));
            }
            Value::Nil => return Err(self.type_error(format!("Cannot index nil value with {i}"))),
            other => {
                return Err(self.type_error(format!("Cannot index {} with {i}", other.type_name())));
            }
        })
    }

    pub(crate) fn set_index(&self, target: &Value, i: i64, value: Value) -> Result<(), Exc> {
        let slot_error = |len: usize| {
            self.error(
                "IndexError",
                format!("index {i} out of range (length {len})"),
            )
        };
        match target {
            Value::Array(a) => {
                let mut a = a.borrow_mut();
                let len = a.len();
                match resolve_index(i, len).and_then(|i| a.get_mut(i)) {
                    Some(slot) => *slot = value,
                    None => return Err(slot_error(len)),
                }
            }
            Value::Gene(g) => {
                let mut g = g.borrow_mut();
                let len = g.children.len();
                match resolve_index(i, len).and_then(|i| g.children.get_mut(i)) {
                    Some(slot) => *slot = value,
                    None => return Err(slot_error(len)),
                }
            }
            Value::Map(_) | Value::Ns(_) | Value::Instance(_) | Value::Class(_) => {
                return self.set_member(target, Sym::new(&i.to_string()), value);
            }
            other => {
                return Err(
                    self.type_error(format!("Cannot assign an index of {}", other.type_name()))
                );
            }
        }
        Ok(())
    }

    /// Applies one selector key (a string, symbol, int, or a selector value) to a target;
    /// anything missing, including a nil target, is nil.
    pub(crate) fn select(&self, target: &Value, key: &Value) -> Result<Value, Exc> {
        if matches!(target, Value::Nil) {
            return Ok(Value::Nil);
        }
        match key {
            Value::Int(i) => self.get_index(target, *i),
            Value::Str(s) => self.select_name(target, Sym::new(s)),
            Value::Symbol(s) => self.select_name(target, *s),
            Value::Selector(path) => {
                let mut v = target.clone();
                for k in path.iter() {
                    v = self.select(&v, k)?;
                }
                Ok(v)
            }
            other => Err(self.type_error(format!(
                "a selector key must be a string, symbol or int, got {}",
                other.type_name()
            ))),
        }
    }

    fn select_name(&self, target: &Value, name: Sym) -> Result<Value, Exc> {
        match target {
            Value::Map(_)
            | Value::Gene(_)
            | Value::Ns(_)
            | Value::Class(_)
            | Value::Instance(_)
            | Value::Enum(_)
            | Value::EnumMember(_) => self.get_member(target, name),
            _ => Ok(Value::Nil),
        }
    }

    /// `($set target key value)`.
    pub(crate) fn set_select(&self, target: &Value, key: &Value, value: Value) -> Result<(), Exc> {
        match key {
            Value::Int(i) => self.set_index(target, *i, value),
            Value::Str(s) => self.set_member(target, Sym::new(s), value),
            Value::Symbol(s) => self.set_member(target, *s, value),
            Value::Selector(path) => {
                let Some((last, prefix)) = path.split_last() else {
                    return Ok(());
                };
                let mut t = target.clone();
                for k in prefix {
                    t = self.select(&t, k)?;
                }
                self.set_select(&t, last, value)
            }
            other => Err(self.type_error(format!(
                "a selector key must be a string, symbol or int, got {}",
                other.type_name()
            ))),
        }
    }

    pub(crate) fn make_range(
        &self,
        start: &Value,
        end: &Value,
        step: Option<&Value>,
    ) -> Result<Value, Exc> {
        let int = |v: &Value, what: &str| match v {
            Value::Int(i) => Ok(*i),
            other => Err(self.type_error(format!(
                "a range {what} must be an int, got {}",
                other.type_name()
            ))),
        };
        let start = int(start, "start")?;
        let end = int(end, "end")?;
        let step = match step {
            Some(s) => int(s, "step")?,
            None => 1,
        };
        if step == 0 {
            return Err(self.error("ArgumentError", "a range step cannot be 0"));
        }
        Ok(Value::Range(Rc::new(RangeData { start, end, step })))
    }

    pub(crate) fn iter_start(&self, coll: &Value) -> Result<Value, Exc> {
        let state = match coll {
            Value::Array(a) => IterState::Array {
                items: a.clone(),
                next: 0,
            },
            Value::Range(r) => IterState::Range {
                next: r.start,
                end: r.end,
                step: r.step,
                done: r.is_empty(),
            },
            Value::Gene(g) => IterState::Values {
                items: g.borrow().children.clone(),
                next: 0,
            },
            Value::Set(s) => IterState::Values {
                items: s.borrow().to_vec(),
                next: 0,
            },
            Value::Map(m) => IterState::Values {
                items: m
                    .borrow()
                    .iter()
                    .map(|(k, v)| Value::array(vec![Value::str(k.name().to_string()), v.clone()]))
                    .collect(),
                next: 0,
            },
            Value::Str(s) => IterState::Values {
                items: s.chars().map(|c| Value::str(c.to_string())).collect(),
                next: 0,
            },
            Value::Generator(g) => IterState::Generator(g.clone()),
            other if self.is_async_iterator(other) => IterState::Async(other.clone()),
            other => {
                return Err(self.type_error(format!("cannot iterate over {}", other.type_name())));
            }
        };
        Ok(Value::Iter(Rc::new(RefCell::new(state))))
    }

    pub(crate) fn catch_matches(&self, thrown: &Value, pattern: &Value) -> bool {
        // `gene/exit` ends the program through every `catch` (its `finally` blocks run).
        if crate::builtins::exit_code(thrown).is_some() {
            return false;
        }
        match pattern {
            Value::Class(class) => match thrown {
                Value::Instance(i) => i.class.is_subclass_of(class),
                Value::Class(c) => c.is_subclass_of(class),
                _ => false,
            },
            other => values_equal(thrown, other),
        }
    }

    /// `str` and string interpolation: the display forms of the values, one after another.
    pub(crate) fn concat(&self, values: &[Value]) -> Result<Value, Exc> {
        let s = crate::value::alloc::join_display(self, "", values, "", "a string")?;
        Ok(Value::str(s))
    }
}

/// Advances a `for` iterator.
pub(crate) fn iter_next(state: &mut IterState) -> Option<Value> {
    match state {
        IterState::Array { items, next } => {
            let v = items.borrow().get(*next).cloned();
            *next += 1;
            v
        }
        IterState::Values { items, next } => {
            let v = items.get(*next).cloned();
            *next += 1;
            v
        }
        IterState::Range {
            next,
            end,
            step,
            done,
        } => {
            if *done {
                return None;
            }
            let v = *next;
            match v.checked_add(*step) {
                Some(n) if (*step > 0 && n <= *end) || (*step < 0 && n >= *end) => *next = n,
                _ => *done = true,
            }
            Some(Value::Int(v))
        }
        // Stepped out of line (`vm/generator/mod.rs`).
        IterState::Generator(_) | IterState::Async(_) => None,
    }
}

fn as_f64(v: &Value) -> f64 {
    match v {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        _ => f64::NAN,
    }
}
