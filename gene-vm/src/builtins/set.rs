//! Set methods (`#[...]`) and `.uniq`. A set's members are a [`SetData`]: insertion-ordered,
//! found by hash (`.has`, `.add` and `.del` in constant time for scalars); `.union`,
//! `.intersection` and `.difference` take linear time.

use std::cell::RefCell;
use std::rc::Rc;

use super::arg;
use super::number::describe;
use crate::value::alloc::reserve;
use crate::value::{Members, NativeFn, SetData, Value};
use crate::vm::{Exc, Vm};

/// The values of `v` without repeats, in order of first appearance.
pub(crate) fn unique(vm: &Vm, items: &[Value], what: &str) -> Result<Vec<Value>, Exc> {
    let mut out: Vec<Value> = Vec::new();
    let mut seen = Members::default();
    for v in items {
        if seen.position(&out, v).is_none() {
            reserve(vm, &mut out, 1, what)?;
            seen.add(v, out.len());
            out.push(v.clone());
        }
    }
    Ok(out)
}

/// The receiver's members, shared.
fn this<'a>(vm: &Vm, args: &'a [Value]) -> Result<&'a RefCell<SetData>, Exc> {
    match arg(args, 0) {
        Value::Set(s) => Ok(s),
        other => Err(vm.type_error(format!("expected a set, got {}", other.type_name()))),
    }
}

fn members(vm: &Vm, v: &Value) -> Result<Vec<Value>, Exc> {
    match v {
        Value::Set(s) => Ok(s.borrow().to_vec()),
        other => Err(vm.type_error(format!("expected a set, got {}", other.type_name()))),
    }
}

/// The other operand of a set operation: a set or an array.
fn operand(vm: &Vm, args: &[Value], what: &str) -> Result<Vec<Value>, Exc> {
    match arg(args, 1) {
        Value::Set(s) => Ok(s.borrow().to_vec()),
        Value::Array(a) => Ok(a.borrow().clone()),
        other => Err(vm.type_error(format!(
            "{what} needs a set or an array, got {}",
            describe(other)
        ))),
    }
}

fn set(items: Vec<Value>) -> Value {
    Value::Set(Rc::new(RefCell::new(SetData::from_values(items))))
}

/// `.intersection` (keep = true) and `.difference` (keep = false): the members that are, or
/// are not, in the other operand.
fn filter_by(vm: &Vm, args: &[Value], keep: bool, what: &str) -> Result<Value, Exc> {
    let mine = members(vm, arg(args, 0))?;
    let other = operand(vm, args, what)?;
    let index = Members::of(&other);
    Ok(set(mine
        .into_iter()
        .filter(|v| index.position(&other, v).is_some() == keep)
        .collect()))
}

pub(super) static NATIVES: &[NativeFn] = &[
    native!("Set.size", |vm, args| Ok(Value::Int(
        this(vm, args)?.borrow().len() as i64
    ))),
    native!("Set.has", |vm, args| {
        let s = this(vm, args)?;
        Ok(Value::Bool(s.borrow().contains(arg(args, 1))))
    }),
    native!("Set.add", |vm, args| {
        let s = this(vm, args)?;
        let mut members = s.borrow_mut();
        reserve(vm, members.storage(), 1, "the set .add grows")?;
        members.insert(arg(args, 1).clone());
        drop(members);
        Ok(arg(args, 0).clone())
    }),
    native!("Set.del", |vm, args| {
        let s = this(vm, args)?;
        Ok(Value::Bool(s.borrow_mut().remove(arg(args, 1))))
    }),
    native!("Set.union", |vm, args| {
        let mut all = members(vm, arg(args, 0))?;
        let other = operand(vm, args, ".union")?;
        reserve(vm, &mut all, other.len(), "the set .union makes")?;
        all.extend(other);
        Ok(set(all))
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
