//! What the dispatch loop leans on: running to a stop depth, unwinding to a handler, and
//! building arguments, maps and classes.

use std::cell::RefCell;
use std::rc::Rc;

use super::code::Code;
use super::{Exc, Vm};
use crate::bytecode::{CaptureFrom, ProtoKind};
use crate::value::{Closure, FuncKind, Map, Value};

impl Vm {
    /// A closure of the running function's nested proto `p`, capturing from the frame at `base`.
    pub(super) fn make_closure(
        &self,
        closure: &Closure,
        code: &Code,
        p: u32,
        base: usize,
    ) -> Result<Value, Exc> {
        let Some(child) = code.protos.get(p as usize).cloned() else {
            return Err(self.type_error("internal error: bad function index"));
        };
        let captures = child
            .proto
            .captures
            .iter()
            .map(|from| match *from {
                CaptureFrom::Slot(s) => match self.task.stack.get(base + s as usize) {
                    Some(Value::Cell(c)) => c.clone(),
                    other => Rc::new(RefCell::new(other.cloned().unwrap_or_default())),
                },
                CaptureFrom::Capture(i) => closure
                    .captures
                    .get(i as usize)
                    .cloned()
                    .unwrap_or_default(),
            })
            .collect();
        let is_async = child.proto.is_async;
        let kind = match child.proto.kind {
            ProtoKind::Macro => FuncKind::Macro,
            ProtoKind::Block => FuncKind::Block,
            _ => FuncKind::Function,
        };
        let self_val = self
            .task
            .frames
            .last()
            .map(|f| f.self_val.clone())
            .unwrap_or_default();
        Ok(Value::Func(Rc::new(Closure {
            code: child,
            captures,
            ns: closure.ns.clone(),
            self_val,
            kind,
            is_async,
        })))
    }

    /// The value of a local slot, read through its cell when it has one.
    pub(super) fn local_value(&self, base: usize, slot: u32) -> Value {
        match self.task.stack.get(base + slot as usize) {
            Some(Value::Cell(c)) => c.borrow().clone(),
            Some(v) => v.clone(),
            None => Value::Nil,
        }
    }

    /// Stores into a local (through its cell when captured).
    pub(super) fn set_local_value(&mut self, base: usize, slot: u32, v: Value) {
        match self.task.stack.get_mut(base + slot as usize) {
            Some(Value::Cell(c)) => *c.borrow_mut() = v,
            Some(slot) => *slot = v,
            None => {}
        }
    }

    /// `(x += delta)` on a local: stores and gives the new value.
    pub(super) fn add_to_local(
        &mut self,
        base: usize,
        slot: u32,
        delta: i16,
    ) -> Result<Value, Exc> {
        let current = self.local_value(base, slot);
        let new = match current {
            Value::Int(i) => match i.checked_add(delta as i64) {
                Some(r) => Value::Int(r),
                None => {
                    return Err(self.error(
                        "OverflowError",
                        format!("integer overflow in ({i} + {delta})"),
                    ));
                }
            },
            other => self.arith(crate::bytecode::Op::Add, &other, &Value::Int(delta as i64))?,
        };
        self.set_local(base, slot, new.clone());
        Ok(new)
    }

    /// Assigns an existing namespace member, found in `ns` or its enclosing namespaces.
    pub(super) fn store_name(
        &self,
        ns: &Rc<crate::value::Namespace>,
        name: crate::intern::Sym,
        v: Value,
    ) -> Result<(), Exc> {
        let mut ns = Some(ns.clone());
        while let Some(n) = ns {
            if n.members.borrow().contains_key(&name) {
                n.set(name, v);
                return Ok(());
            }
            ns = n.parent.clone();
        }
        Err(self.error(
            "NameError",
            format!("{name} is not defined (declare it with var)"),
        ))
    }

    /// Stores into a local slot, through its cell when it has one.
    pub(super) fn set_local(&mut self, base: usize, slot: u32, value: Value) {
        match self.task.stack.get_mut(base + slot as usize) {
            Some(Value::Cell(c)) => *c.borrow_mut() = value,
            Some(s) => *s = value,
            None => {}
        }
    }
    /// Runs the current task until its frame count drops back to `stop_depth`, and gives the
    /// value of the frame that returned there. An exception no handler above `stop_depth`
    /// catches unwinds to it and is returned.
    pub(crate) fn execute(&mut self, stop_depth: usize) -> Result<Value, Exc> {
        loop {
            match self.dispatch(stop_depth) {
                Ok(v) => return Ok(v),
                Err(exc) if exc.is_signal() => return Err(exc),
                Err(exc) => self.unwind(exc, stop_depth)?,
            }
        }
    }

    /// Finds the handler for a thrown value, or unwinds to `stop_depth` and gives it back.
    pub(super) fn unwind(&mut self, mut exc: Exc, stop_depth: usize) -> Result<(), Exc> {
        if exc.trace.is_none() {
            let from_instance = match &exc.value {
                Value::Instance(i) => i.trace.borrow().clone(),
                _ => None,
            };
            let trace = from_instance.unwrap_or_else(|| self.capture_trace());
            if let Value::Instance(i) = &exc.value
                && i.class.is_exception
                && i.trace.borrow().is_none()
            {
                *i.trace.borrow_mut() = Some(trace.clone());
            }
            exc.trace = Some(trace);
        }
        // Generators first: those whose frames go are done, and a loop being left closes its
        // generator before the exception goes on.
        let exc = match self.unwind_generators(exc, stop_depth) {
            super::generator::Unwinding::Proceed(exc) => exc,
            super::generator::Unwinding::Diverted(flow) => return flow,
        };
        let handler = if exc.uncatchable {
            None
        } else {
            self.task.handlers.last()
        };
        match handler {
            Some(h) if h.frames as usize > stop_depth => {
                let (frames, stack, natives, ip) = (
                    h.frames as usize,
                    h.stack as usize,
                    h.natives as usize,
                    h.ip,
                );
                self.task.handlers.pop();
                self.task.frames.truncate(frames);
                self.task.natives.truncate(natives);
                self.task.stack.truncate(stack);
                self.task.stack.push(exc.value);
                if let Some(f) = self.task.frames.last_mut() {
                    f.ip = ip;
                }
                Ok(())
            }
            _ => {
                let entry_stack = self
                    .task
                    .frames
                    .get(stop_depth)
                    .map(|f| f.base.saturating_sub(1) as usize);
                self.task.frames.truncate(stop_depth);
                self.task
                    .handlers
                    .retain(|h| (h.frames as usize) <= stop_depth);
                self.task.natives.retain(|n| n.depth <= stop_depth);
                if let Some(len) = entry_stack {
                    self.task.stack.truncate(len);
                }
                Err(exc)
            }
        }
    }

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
            Value::Set(s) => Ok(s.borrow().clone()),
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

    pub(super) fn make_class(
        &self,
        name: crate::intern::Sym,
        parent: Value,
        ns: &Rc<crate::value::Namespace>,
    ) -> Result<Value, Exc> {
        let parent = match parent {
            Value::Nil => None,
            Value::Class(c) => Some(c),
            other => {
                return Err(self.type_error(format!(
                    "a class can only inherit from a class, not {}",
                    other.type_name()
                )));
            }
        };
        let name = name.name().to_string();
        // `Exception` defined by the prelude in `gene` is the root of the exception classes.
        let is_exception = match &parent {
            Some(p) => p.is_exception,
            None => name == "Exception" && Rc::ptr_eq(ns, &self.gene_ns),
        };
        Ok(Value::Class(Rc::new(crate::value::Class {
            ns: crate::value::Namespace::new(name.clone(), Some(ns.clone())),
            name,
            is_exception,
            parent,
            methods: RefCell::default(),
            ctor: RefCell::default(),
            props_hint: Default::default(),
        })))
    }
}

pub(super) fn clone_closure(c: &Closure) -> Closure {
    Closure {
        code: c.code.clone(),
        captures: c.captures.clone(),
        ns: c.ns.clone(),
        self_val: c.self_val.clone(),
        kind: c.kind,
        is_async: c.is_async,
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
