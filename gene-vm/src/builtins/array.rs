//! Array methods. The ones taking a callback run it through resumable native frames, so a
//! callback may recurse deeply or throw like any other call.

use super::{arg, int_arg, str_arg};
use crate::value::alloc::{join_display, reserve};
use crate::value::{NativeFn, RangeData, Value, values_equal};
use crate::vm::native::{Flow, Resume, Step};
use crate::vm::{Exc, Vm};

fn items(vm: &Vm, v: &Value) -> Result<Vec<Value>, Exc> {
    match v {
        Value::Array(a) => Ok(a.borrow().clone()),
        other => Err(vm.type_error(format!("expected an array, got {}", other.type_name()))),
    }
}

fn with_array<R>(vm: &Vm, v: &Value, f: impl FnOnce(&mut Vec<Value>) -> R) -> Result<R, Exc> {
    match v {
        Value::Array(a) => Ok(f(&mut a.borrow_mut())),
        other => Err(vm.type_error(format!("expected an array, got {}", other.type_name()))),
    }
}

/// `(a .push x ...)`: appends in place, gives the array.
fn push(vm: &mut Vm, args: &[Value]) -> Result<Value, Exc> {
    let Value::Array(a) = arg(args, 0) else {
        return Err(vm.type_error(format!(
            "expected an array, got {}",
            arg(args, 0).type_name()
        )));
    };
    let added = args.get(1..).unwrap_or_default();
    let mut a = a.borrow_mut();
    reserve(vm, &mut a, added.len(), "the array .push grows")?;
    a.extend(added.iter().cloned());
    drop(a);
    Ok(arg(args, 0).clone())
}

/// Start and end (exclusive) of a slice; negative positions count from the end.
pub(crate) fn slice_bounds(len: usize, start: i64, end: Option<i64>) -> (usize, usize) {
    let norm = |i: i64| -> usize {
        let i = if i < 0 { i + len as i64 } else { i };
        i.clamp(0, len as i64) as usize
    };
    let s = norm(start);
    let e = end.map_or(len, norm);
    (s, e.max(s))
}

pub(super) static NATIVES: &[NativeFn] = &[
    native!("Array.size", |vm, args| Ok(Value::Int(
        with_array(vm, arg(args, 0), |a| a.len())? as i64
    ))),
    native!("Array.length", |vm, args| Ok(Value::Int(
        with_array(vm, arg(args, 0), |a| a.len())? as i64
    ))),
    native!("Array.empty", |vm, args| Ok(Value::Bool(with_array(
        vm,
        arg(args, 0),
        |a| a.is_empty()
    )?))),
    native!("Array.get", |vm, args| {
        let i = int_arg(vm, args, 1, "the index")?;
        let v = vm.get_index(arg(args, 0), i)?;
        Ok(match (v, args.get(2)) {
            (Value::Nil, Some(d)) => d.clone(),
            (v, _) => v,
        })
    }),
    native!("Array.set", |vm, args| {
        let i = int_arg(vm, args, 1, "the index")?;
        vm.set_index(arg(args, 0), i, arg(args, 2).clone())?;
        Ok(arg(args, 2).clone())
    }),
    native!("Array.push", push),
    native!("Array.add", push),
    native!("Array.pop", |vm, args| Ok(with_array(
        vm,
        arg(args, 0),
        |a| a.pop()
    )?
    .unwrap_or_default())),
    native!("Array.first", |vm, args| Ok(with_array(
        vm,
        arg(args, 0),
        |a| a.first().cloned()
    )?
    .unwrap_or_default())),
    native!("Array.last", |vm, args| Ok(with_array(
        vm,
        arg(args, 0),
        |a| a.last().cloned()
    )?
    .unwrap_or_default())),
    native!("Array.join", |vm, args| {
        let sep = match args.get(1) {
            Some(Value::Nil) | None => "",
            Some(_) => str_arg(vm, args, 1, "the separator")?,
        };
        let parts = items(vm, arg(args, 0))?;
        let s = join_display(vm, "", &parts, sep, "the string .join makes")?;
        Ok(Value::str(s))
    }),
    native!("Array.contains", |vm, args| {
        let needle = arg(args, 1);
        Ok(Value::Bool(with_array(vm, arg(args, 0), |a| {
            a.iter().any(|x| values_equal(x, needle))
        })?))
    }),
    native!("Array.index", |vm, args| {
        let needle = arg(args, 1);
        let pos = with_array(vm, arg(args, 0), |a| {
            a.iter().position(|x| values_equal(x, needle))
        })?;
        Ok(Value::Int(pos.map_or(-1, |p| p as i64)))
    }),
    native!("Array.slice", |vm, args| {
        let start = int_arg(vm, args, 1, "the start")?;
        let end = match args.get(2) {
            None | Some(Value::Nil) => None,
            Some(_) => Some(int_arg(vm, args, 2, "the end")?),
        };
        match arg(args, 0) {
            Value::Gene(g) => {
                let g = g.borrow();
                let (s, e) = slice_bounds(g.children.len(), start, end);
                Ok(Value::array(g.children[s..e].to_vec()))
            }
            other => {
                let all = items(vm, other)?;
                let (s, e) = slice_bounds(all.len(), start, end);
                Ok(Value::array(all[s..e].to_vec()))
            }
        }
    }),
    native!("Array.reverse", |vm, args| {
        let mut all = items(vm, arg(args, 0))?;
        all.reverse();
        Ok(Value::array(all))
    }),
    native!("Array.concat", |vm, args| {
        let mut all = items(vm, arg(args, 0))?;
        for other in &args[1..] {
            let more = items(vm, other)?;
            reserve(vm, &mut all, more.len(), "the array .concat makes")?;
            all.extend(more);
        }
        Ok(Value::array(all))
    }),
    native!("Array.del", |vm, args| {
        let i = int_arg(vm, args, 1, "the index")?;
        let removed = with_array(vm, arg(args, 0), |a| {
            crate::vm::resolve_index(i, a.len()).map(|i| a.remove(i))
        })?;
        removed.ok_or_else(|| vm.error("IndexError", format!("index {i} out of range")))
    }),
    flow_native!("Array.each", |vm, args| Ok(each_flow(
        arg(args, 0).clone(),
        items(vm, arg(args, 0))?,
        arg(args, 1).clone()
    ))),
    flow_native!("Array.each_with_index", |vm, args| iterate(
        vm,
        args,
        Kind::EachWithIndex
    )),
    flow_native!("Array.map", |vm, args| iterate(vm, args, Kind::Map)),
    flow_native!("Array.filter", |vm, args| iterate(vm, args, Kind::Filter)),
    flow_native!("Array.find", |vm, args| iterate(vm, args, Kind::Find)),
    flow_native!("Array.any", |vm, args| iterate(vm, args, Kind::Any)),
    flow_native!("Array.all", |vm, args| iterate(vm, args, Kind::All)),
    flow_native!("Array.reduce", |vm, args| {
        let all = items(vm, arg(args, 0))?;
        let f = arg(args, 2).clone();
        let acc = arg(args, 1).clone();
        let mut it = Iter {
            kind: Kind::Reduce,
            items: all,
            next: 0,
            f,
            out: Vec::new(),
            acc,
            receiver: Value::Nil,
        };
        Ok(it.first())
    }),
    flow_native!("Array.sort", super::sort::sort),
];

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Each,
    EachWithIndex,
    Map,
    Filter,
    Find,
    Any,
    All,
    Reduce,
    /// `(m .each (k v -> ...))`: items are [key value] pairs, called with two arguments.
    MapEach,
}

struct Iter {
    kind: Kind,
    items: Vec<Value>,
    next: usize,
    f: Value,
    out: Vec<Value>,
    acc: Value,
    /// What `.each` gives back.
    receiver: Value,
}

impl Iter {
    /// The callback's call for item `i` (one or two arguments need no list of their own).
    fn call_for(&mut self, i: usize) -> Step {
        let item = self.items.get(i).cloned().unwrap_or_default();
        let f = self.f.clone();
        match self.kind {
            Kind::EachWithIndex => Step::CallTwo(f, item, Value::Int(i as i64)),
            // The accumulator moves into the call: it comes back as the result.
            Kind::Reduce => Step::CallTwo(f, std::mem::take(&mut self.acc), item),
            Kind::MapEach => match &item {
                Value::Array(pair) => Step::Call(f, pair.borrow().clone()),
                _ => Step::CallOne(f, item),
            },
            _ => Step::CallOne(f, item),
        }
    }

    fn done(&mut self) -> Value {
        match self.kind {
            Kind::Each | Kind::EachWithIndex | Kind::MapEach => self.receiver.clone(),
            Kind::Map | Kind::Filter => Value::array(std::mem::take(&mut self.out)),
            Kind::Find => Value::Nil,
            Kind::Any => Value::Bool(false),
            Kind::All => Value::Bool(true),
            Kind::Reduce => std::mem::take(&mut self.acc),
        }
    }

    fn first(&mut self) -> Flow {
        if self.items.is_empty() {
            return Flow::Return(self.done());
        }
        let count = self.items.len();
        let mut state = Iter {
            kind: self.kind,
            items: std::mem::take(&mut self.items),
            next: 0,
            f: self.f.clone(),
            // `.map` gives as many values as there are items.
            out: if self.kind == Kind::Map {
                Vec::with_capacity(count)
            } else {
                Vec::new()
            },
            acc: std::mem::take(&mut self.acc),
            receiver: std::mem::take(&mut self.receiver),
        };
        let (f, args) = match state.call_for(0) {
            Step::CallOne(f, a) => (f, vec![a]),
            Step::CallTwo(f, a, b) => (f, vec![a, b]),
            Step::Call(f, args) => (f, args),
            Step::Return(v) => return Flow::Return(v),
        };
        Flow::call(state, f, args)
    }
}

impl Resume for Iter {
    fn resume(&mut self, _vm: &mut Vm, result: Value) -> Result<Step, Exc> {
        let i = self.next;
        let item = || self.items.get(i).cloned().unwrap_or_default();
        match self.kind {
            Kind::Map => self.out.push(result),
            Kind::Filter if result.truthy() => {
                let item = item();
                self.out.push(item);
            }
            Kind::Find if result.truthy() => return Ok(Step::Return(item())),
            Kind::Any if result.truthy() => return Ok(Step::Return(Value::Bool(true))),
            Kind::All if !result.truthy() => return Ok(Step::Return(Value::Bool(false))),
            Kind::Reduce => self.acc = result,
            _ => {}
        }
        self.next += 1;
        if self.next >= self.items.len() {
            return Ok(Step::Return(self.done()));
        }
        Ok(self.call_for(self.next))
    }
}

fn iterate(vm: &mut Vm, args: &[Value], kind: Kind) -> Result<Flow, Exc> {
    let all = items(vm, arg(args, 0))?;
    let mut it = Iter {
        kind,
        items: all,
        next: 0,
        f: arg(args, 1).clone(),
        out: Vec::new(),
        acc: Value::Nil,
        receiver: arg(args, 0).clone(),
    };
    Ok(it.first())
}

/// `.each` over any list of items; gives `receiver` back.
pub(crate) fn each_flow(receiver: Value, items: Vec<Value>, f: Value) -> Flow {
    let mut it = Iter {
        kind: Kind::Each,
        items,
        next: 0,
        f,
        out: Vec::new(),
        acc: Value::Nil,
        receiver,
    };
    it.first()
}

/// `(m .each (k v -> ...))` over [key value] pairs.
pub(crate) fn map_each_flow(receiver: Value, pairs: Vec<Value>, f: Value) -> Flow {
    let mut it = Iter {
        kind: Kind::MapEach,
        items: pairs,
        next: 0,
        f,
        out: Vec::new(),
        acc: Value::Nil,
        receiver,
    };
    it.first()
}

/// `(range .each f)`: one element at a time, never the whole range in memory. Gives the range.
pub(crate) fn range_each_flow(receiver: Value, range: RangeData, f: Value) -> Flow {
    let Some(first) = range.get(0) else {
        return Flow::Return(receiver);
    };
    let each = RangeEach {
        range,
        next: 1,
        f: f.clone(),
        receiver,
    };
    Flow::call(each, f, vec![Value::Int(first)])
}

struct RangeEach {
    range: RangeData,
    /// The position of the next element.
    next: u128,
    f: Value,
    receiver: Value,
}

impl Resume for RangeEach {
    fn resume(&mut self, _vm: &mut Vm, _result: Value) -> Result<Step, Exc> {
        let Some(v) = self.range.element(self.next) else {
            return Ok(Step::Return(std::mem::take(&mut self.receiver)));
        };
        self.next += 1;
        Ok(Step::CallOne(self.f.clone(), Value::Int(v)))
    }
}
