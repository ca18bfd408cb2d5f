//! Set methods (`#[...]`), and [`Members`], the index that finds a value among others by `==`
//! in constant time for scalars (`.uniq`, the set operations).
//!
//! A set is stored as its members in insertion order (a `Vec`), so `.has`, `.add` and `.del`
//! compare with each member; `.union`, `.intersection` and `.difference` index one side first
//! and take linear time.

use std::cell::RefCell;
use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashMap, FxHasher};

use super::arg;
use super::number::describe;
use crate::value::alloc::reserve;
use crate::value::{NativeFn, Value, values_equal};
use crate::vm::{Exc, Vm};

/// Positions of values in a list, by the hash of their content: the scalars `==` compares by
/// value (ints, floats, strings, symbols, chars, booleans, nil, bytes). Containers and nan go in
/// a list searched one by one with `==`.
#[derive(Default)]
pub(crate) struct Members {
    by_hash: FxHashMap<u64, Vec<usize>>,
    others: Vec<usize>,
}

impl Members {
    /// An index of every value of `items`.
    pub(crate) fn of(items: &[Value]) -> Members {
        let mut m = Members::default();
        for (i, v) in items.iter().enumerate() {
            m.add(v, i);
        }
        m
    }

    /// Records that `items[i]` is v.
    pub(crate) fn add(&mut self, v: &Value, i: usize) {
        match scalar_hash(v) {
            Some(h) => self.by_hash.entry(h).or_default().push(i),
            None => self.others.push(i),
        }
    }

    /// Whether some value of `items` (the list this indexes) `==` v.
    pub(crate) fn contains(&self, items: &[Value], v: &Value) -> bool {
        let candidates = match scalar_hash(v) {
            Some(h) => self.by_hash.get(&h).map_or(&[][..], Vec::as_slice),
            None => &self.others,
        };
        candidates
            .iter()
            .any(|&i| items.get(i).is_some_and(|x| values_equal(x, v)))
    }
}

/// A hash consistent with `==` for the values compared by content, or None.
fn scalar_hash(v: &Value) -> Option<u64> {
    let mut h = FxHasher::default();
    match v {
        Value::Nil => 0u8.hash(&mut h),
        Value::Bool(b) => (1u8, b).hash(&mut h),
        Value::Int(i) => (2u8, i).hash(&mut h),
        // nan equals nothing; 0.0 and -0.0 are equal.
        Value::Float(f) if f.is_nan() => return None,
        Value::Float(f) => (3u8, if *f == 0.0 { 0 } else { f.to_bits() }).hash(&mut h),
        Value::Char(c) => (4u8, c).hash(&mut h),
        Value::Str(s) => (5u8, s.as_str()).hash(&mut h),
        Value::Symbol(s) => (6u8, s).hash(&mut h),
        Value::Bytes(b) => (7u8, b.as_slice()).hash(&mut h),
        _ => return None,
    }
    Some(h.finish())
}

/// The values of `v` without repeats, in order of first appearance.
pub(crate) fn unique(vm: &Vm, items: &[Value], what: &str) -> Result<Vec<Value>, Exc> {
    let mut out: Vec<Value> = Vec::new();
    let mut seen = Members::default();
    for v in items {
        if !seen.contains(&out, v) {
            reserve(vm, &mut out, 1, what)?;
            seen.add(v, out.len());
            out.push(v.clone());
        }
    }
    Ok(out)
}

/// The receiver's members, shared.
fn this<'a>(vm: &Vm, args: &'a [Value]) -> Result<&'a RefCell<Vec<Value>>, Exc> {
    match arg(args, 0) {
        Value::Set(s) => Ok(s),
        other => Err(vm.type_error(format!("expected a set, got {}", other.type_name()))),
    }
}

fn members(vm: &Vm, v: &Value) -> Result<Vec<Value>, Exc> {
    match v {
        Value::Set(s) => Ok(s.borrow().clone()),
        other => Err(vm.type_error(format!("expected a set, got {}", other.type_name()))),
    }
}

/// The other operand of a set operation: a set or an array.
fn operand(vm: &Vm, args: &[Value], what: &str) -> Result<Vec<Value>, Exc> {
    match arg(args, 1) {
        Value::Set(s) | Value::Array(s) => Ok(s.borrow().clone()),
        other => Err(vm.type_error(format!(
            "{what} needs a set or an array, got {}",
            describe(other)
        ))),
    }
}

fn set(items: Vec<Value>) -> Value {
    Value::Set(std::rc::Rc::new(RefCell::new(items)))
}

/// `.intersection` (keep = true) and `.difference` (keep = false): the members that are, or
/// are not, in the other operand.
fn filter_by(vm: &Vm, args: &[Value], keep: bool, what: &str) -> Result<Value, Exc> {
    let mine = members(vm, arg(args, 0))?;
    let other = operand(vm, args, what)?;
    let index = Members::of(&other);
    Ok(set(mine
        .into_iter()
        .filter(|v| index.contains(&other, v) == keep)
        .collect()))
}

pub(super) static NATIVES: &[NativeFn] = &[
    native!("Set.size", |vm, args| Ok(Value::Int(
        members(vm, arg(args, 0))?.len() as i64
    ))),
    native!("Set.has", |vm, args| {
        let v = arg(args, 1);
        let s = this(vm, args)?;
        Ok(Value::Bool(s.borrow().iter().any(|x| values_equal(x, v))))
    }),
    native!("Set.add", |vm, args| {
        let v = arg(args, 1);
        let s = this(vm, args)?;
        let mut items = s.borrow_mut();
        if !items.iter().any(|x| values_equal(x, v)) {
            reserve(vm, &mut items, 1, "the set .add grows")?;
            items.push(v.clone());
        }
        drop(items);
        Ok(arg(args, 0).clone())
    }),
    native!("Set.del", |vm, args| {
        let v = arg(args, 1);
        let s = this(vm, args)?;
        let mut items = s.borrow_mut();
        let at = items.iter().position(|x| values_equal(x, v));
        if let Some(i) = at {
            items.remove(i);
        }
        Ok(Value::Bool(at.is_some()))
    }),
    native!("Set.union", |vm, args| {
        let mut all = members(vm, arg(args, 0))?;
        let other = operand(vm, args, ".union")?;
        reserve(vm, &mut all, other.len(), "the set .union makes")?;
        all.extend(other);
        Ok(set(unique(vm, &all, "the set .union makes")?))
    }),
    native!("Set.intersection", |vm, args| filter_by(
        vm,
        args,
        true,
        ".intersection"
    )),
    native!("Set.difference", |vm, args| filter_by(
        vm,
        args,
        false,
        ".difference"
    )),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_follow_equality() {
        let items = vec![
            Value::Int(1),
            Value::Float(-0.0),
            Value::str("a"),
            Value::array(vec![Value::Int(1)]),
            Value::Float(f64::NAN),
        ];
        let index = Members::of(&items);
        assert!(index.contains(&items, &Value::Int(1)));
        assert!(!index.contains(&items, &Value::Float(1.0)));
        assert!(index.contains(&items, &Value::Float(0.0)));
        assert!(index.contains(&items, &Value::str("a")));
        assert!(!index.contains(&items, &Value::symbol("b")));
        assert!(index.contains(&items, &Value::array(vec![Value::Int(1)])));
        assert!(!index.contains(&items, &Value::Float(f64::NAN)));
    }
}
