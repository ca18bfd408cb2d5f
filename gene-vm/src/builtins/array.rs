//! Array methods. The ones taking a callback run it through resumable native frames, so a
//! callback may recurse deeply or throw like any other call.

use super::number::{describe, int_param};
use super::{arg, int_arg, str_arg};
use crate::intern::Sym;
use crate::value::alloc::{join_display, reserve};
use crate::value::{Map, NativeFn, RangeData, Value, display, values_equal};
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
    native!("Array.insert", |vm, args| {
        let i = int_param(vm, args, 1, ".insert")?;
        let v = arg(args, 2).clone();
        let done = with_array(vm, arg(args, 0), |a| {
            let len = a.len() as i64;
            let at = if i < 0 { i + len } else { i };
            if !(0..=len).contains(&at) {
                return Ok(false);
            }
            reserve(vm, a, 1, "the array .insert grows")?;
            a.insert(at as usize, v);
            Ok(true)
        })??;
        if !done {
            return Err(vm.error("IndexError", format!(".insert: index {i} out of range")));
        }
        Ok(arg(args, 0).clone())
    }),
    native!("Array.remove_at", |vm, args| {
        let i = int_param(vm, args, 1, ".remove_at")?;
        let removed = with_array(vm, arg(args, 0), |a| {
            crate::vm::resolve_index(i, a.len()).map(|i| a.remove(i))
        })?;
        removed.ok_or_else(|| vm.error("IndexError", format!(".remove_at: index {i} out of range")))
    }),
    native!("Array.index_of", |vm, args| {
        let needle = arg(args, 1);
        let pos = with_array(vm, arg(args, 0), |a| {
            a.iter().position(|x| values_equal(x, needle))
        })?;
        Ok(Value::Int(pos.map_or(-1, |p| p as i64)))
    }),
    native!("Array.is_empty", |vm, args| Ok(Value::Bool(with_array(
        vm,
        arg(args, 0),
        |a| a.is_empty()
    )?))),
    native!("Array.min", |vm, args| {
        let all = items(vm, arg(args, 0))?;
        Ok(super::math::extreme(vm, &all, false, true, ".min")?.unwrap_or_default())
    }),
    native!("Array.max", |vm, args| {
        let all = items(vm, arg(args, 0))?;
        Ok(super::math::extreme(vm, &all, true, true, ".max")?.unwrap_or_default())
    }),
    native!("Array.sum", |vm, args| {
        let all = items(vm, arg(args, 0))?;
        super::math::sum(vm, &all, ".sum")
    }),
    native!("Array.zip", |vm, args| {
        let mine = items(vm, arg(args, 0))?;
        let other = match arg(args, 1) {
            Value::Array(a) => a.borrow().clone(),
            other => {
                return Err(vm.type_error(format!(".zip needs an array, got {}", describe(other))));
            }
        };
        let mut out = Vec::new();
        reserve(
            vm,
            &mut out,
            mine.len().min(other.len()),
            "the array .zip makes",
        )?;
        out.extend(
            mine.into_iter()
                .zip(other)
                .map(|(a, b)| Value::array(vec![a, b])),
        );
        Ok(Value::array(out))
    }),
    native!("Array.take", |vm, args| {
        let n = count_arg(vm, args, ".take")?;
        let all = items(vm, arg(args, 0))?;
        Ok(Value::array(all.into_iter().take(n).collect()))
    }),
    native!("Array.drop", |vm, args| {
        let n = count_arg(vm, args, ".drop")?;
        let all = items(vm, arg(args, 0))?;
        Ok(Value::array(all.into_iter().skip(n).collect()))
    }),
    native!("Array.uniq", |vm, args| {
        let all = items(vm, arg(args, 0))?;
        Ok(Value::array(super::set::unique(
            vm,
            &all,
            "the array .uniq makes",
        )?))
    }),
    flow_native!("Array.sort_by", |vm, args| iterate(vm, args, Kind::SortBy)),
    flow_native!("Array.flat_map", |vm, args| iterate(
        vm,
        args,
        Kind::FlatMap
    )),
    flow_native!("Array.group_by", |vm, args| iterate(
        vm,
        args,
        Kind::GroupBy
    )),
    flow_native!("Array.count", |vm, args| iterate(vm, args, Kind::Count)),
];

/// A count of elements (`.take`, `.drop`): an int, 0 or more.
fn count_arg(vm: &Vm, args: &[Value], what: &str) -> Result<usize, Exc> {
    let n = int_param(vm, args, 1, what)?;
    usize::try_from(n).map_err(|_| {
        vm.error(
            "ArgumentError",
            format!("{what} needs a count of 0 or more, got {n}"),
        )
    })
}

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
    /// `.sort_by`: the results are the keys to sort by.
    SortBy,
    /// `.flat_map`: array results are spliced in.
    FlatMap,
    /// `.group_by`: the results are the keys to group under.
    GroupBy,
    /// `.count`: how many results are truthy.
    Count,
    /// `(m .map_values f)`: items are [key value] pairs, f gets the value.
    MapValues,
    /// `(m .filter (k v -> ...))`: items are [key value] pairs.
    MapFilter,
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
            Kind::MapEach | Kind::MapFilter => match &item {
                Value::Array(pair) => Step::Call(f, pair.borrow().clone()),
                _ => Step::CallOne(f, item),
            },
            Kind::MapValues => match &item {
                Value::Array(pair) => {
                    let value = pair.borrow().get(1).cloned().unwrap_or_default();
                    Step::CallOne(f, value)
                }
                _ => Step::CallOne(f, item),
            },
            _ => Step::CallOne(f, item),
        }
    }

    fn done(&mut self) -> Value {
        match self.kind {
            Kind::Each | Kind::EachWithIndex | Kind::MapEach => self.receiver.clone(),
            Kind::Map | Kind::Filter | Kind::FlatMap => Value::array(std::mem::take(&mut self.out)),
            Kind::SortBy => Value::array(Vec::new()),
            Kind::GroupBy | Kind::MapValues | Kind::MapFilter => Value::map(Map::default()),
            Kind::Count => Value::Int(0),
            Kind::Find => Value::Nil,
            Kind::Any => Value::Bool(false),
            Kind::All => Value::Bool(true),
            Kind::Reduce => std::mem::take(&mut self.acc),
        }
    }

    /// The value once every item had its call: what `done` gives, or for the kinds that use
    /// the collected results, what they make of them.
    fn finish(&mut self, vm: &mut Vm) -> Result<Value, Exc> {
        let results = std::mem::take(&mut self.out);
        let items = std::mem::take(&mut self.items);
        Ok(match self.kind {
            Kind::SortBy => Value::array(super::sort::sort_by_keys(vm, items, results)?),
            Kind::GroupBy => {
                let mut groups: Map = Map::default();
                for (key, item) in results.iter().zip(items) {
                    let group = groups
                        .entry(map_key(key))
                        .or_insert_with(|| Value::array(Vec::new()));
                    if let Value::Array(g) = group {
                        g.borrow_mut().push(item);
                    }
                }
                Value::map(groups)
            }
            Kind::MapValues => Value::map(
                items
                    .iter()
                    .zip(results)
                    .map(|(pair, v)| (pair_key(pair), v))
                    .collect(),
            ),
            Kind::MapFilter => Value::map(
                results
                    .iter()
                    .map(|pair| (pair_key(pair), pair_value(pair)))
                    .collect(),
            ),
            Kind::Count => match self.acc {
                Value::Int(n) => Value::Int(n),
                _ => Value::Int(0),
            },
            _ => {
                self.out = results;
                self.items = items;
                self.done()
            }
        })
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
    fn resume(&mut self, vm: &mut Vm, result: Value) -> Result<Step, Exc> {
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
            Kind::FlatMap => match &result {
                Value::Array(a) => {
                    let more = a.borrow();
                    reserve(vm, &mut self.out, more.len(), "the array .flat_map makes")?;
                    self.out.extend(more.iter().cloned());
                }
                _ => self.out.push(result),
            },
            Kind::SortBy | Kind::GroupBy | Kind::MapValues => self.out.push(result),
            Kind::MapFilter if result.truthy() => {
                let item = item();
                self.out.push(item);
            }
            Kind::Count if result.truthy() => {
                self.acc = Value::Int(match self.acc {
                    Value::Int(n) => n + 1,
                    _ => 1,
                });
            }
            _ => {}
        }
        self.next += 1;
        if self.next >= self.items.len() {
            return self.finish(vm).map(Step::Return);
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

/// `.map_values` and `.filter` on a map: the callback over its [key value] pairs.
pub(crate) fn map_flow(pairs: Vec<Value>, f: Value, filter: bool) -> Flow {
    let mut it = Iter {
        kind: if filter {
            Kind::MapFilter
        } else {
            Kind::MapValues
        },
        items: pairs,
        next: 0,
        f,
        out: Vec::new(),
        acc: Value::Nil,
        receiver: Value::Nil,
    };
    it.first()
}

/// The map key a value names (as `Map.set` takes it).
fn map_key(v: &Value) -> Sym {
    match v {
        Value::Symbol(s) => *s,
        other => Sym::new(&display(other)),
    }
}

fn pair_key(pair: &Value) -> Sym {
    match pair {
        Value::Array(p) => map_key(&p.borrow().first().cloned().unwrap_or_default()),
        other => map_key(other),
    }
}

fn pair_value(pair: &Value) -> Value {
    match pair {
        Value::Array(p) => p.borrow().get(1).cloned().unwrap_or_default(),
        _ => Value::Nil,
    }
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
