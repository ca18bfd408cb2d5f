//! The dispatch loop's colder ops, out of line: building collections, genes, ranges and
//! interpolated strings, member/index/selector access, closures, class and namespace
//! definitions, REPL exports and the errors the compiler left in the code.

use std::cell::RefCell;
use std::rc::Rc;

use super::args::pairs_to_map;
use super::code::Code;
use super::{Exc, Vm};
use crate::bytecode::{CaptureFrom, Const, ProtoKind};
use crate::intern::Sym;
use crate::value::{Closure, FuncKind, GeneData, Namespace, Value};

impl Vm {
    #[inline]
    fn pop_value(&mut self) -> Value {
        self.task.stack.pop().unwrap_or_default()
    }

    /// The top `n` values, in stack order.
    fn pop_n(&mut self, n: usize) -> Vec<Value> {
        let len = self.task.stack.len();
        self.task.stack.split_off(len.saturating_sub(n))
    }

    pub(super) fn op_make_array(&mut self, n: u32) {
        let items = self.pop_n(n as usize);
        self.task.stack.push(Value::array(items));
    }

    pub(super) fn op_array_push(&mut self) {
        let v = self.pop_value();
        if let Some(Value::Array(a)) = self.task.stack.last() {
            a.borrow_mut().push(v);
        }
    }

    pub(super) fn op_array_extend(&mut self) -> Result<(), Exc> {
        let v = self.pop_value();
        let items = self.spread_items(&v)?;
        if let Some(Value::Array(a)) = self.task.stack.last() {
            let mut a = a.borrow_mut();
            crate::value::alloc::reserve(self, &mut a, items.len(), "an array")?;
            a.extend(items);
        }
        Ok(())
    }

    pub(super) fn op_make_set(&mut self, n: u32) {
        let set = crate::value::SetData::from_values(self.pop_n(n as usize));
        self.task.stack.push(Value::Set(Rc::new(RefCell::new(set))));
    }

    pub(super) fn op_make_map(&mut self, n: u32) {
        let items = self.pop_n(2 * n as usize);
        self.task.stack.push(Value::map(pairs_to_map(items)));
    }

    /// `[type k1 v1 ... kn vn c1 ... cm]` with n in the high 16 bits and m in the low 16 bits.
    pub(super) fn op_make_gene(&mut self, packed: u32) {
        let props = (packed >> 16) as usize;
        let children = self.pop_n((packed & 0xffff) as usize);
        let props = pairs_to_map(self.pop_n(2 * props));
        let head = self.pop_value();
        self.task
            .stack
            .push(Value::Gene(Rc::new(RefCell::new(GeneData {
                head,
                props,
                children,
            }))));
    }

    pub(super) fn op_make_range(&mut self, n: u32) -> Result<(), Exc> {
        let step = if n == 3 { Some(self.pop_value()) } else { None };
        let end = self.pop_value();
        let start = self.pop_value();
        let r = self.make_range(&start, &end, step.as_ref())?;
        self.task.stack.push(r);
        Ok(())
    }

    pub(super) fn op_concat(&mut self, n: u32) -> Result<(), Exc> {
        // Joined where they are on the stack: no list of the parts to allocate.
        let start = self.task.stack.len().saturating_sub(n as usize);
        let s = self.concat(&self.task.stack[start..])?;
        self.task.stack.truncate(start);
        self.task.stack.push(s);
        Ok(())
    }

    // ---- members, indexes, selectors

    pub(super) fn op_get_member(&mut self, name: Sym) -> Result<(), Exc> {
        let target = self.pop_value();
        let v = self.get_member(&target, name)?;
        self.task.stack.push(v);
        Ok(())
    }

    pub(super) fn op_set_member(&mut self, name: Sym) -> Result<(), Exc> {
        let value = self.pop_value();
        let target = self.pop_value();
        self.set_member(&target, name, value.clone())?;
        self.task.stack.push(value);
        Ok(())
    }

    pub(super) fn op_get_index(&mut self, i: i32) -> Result<(), Exc> {
        let target = self.pop_value();
        let v = self.get_index(&target, i as i64)?;
        self.task.stack.push(v);
        Ok(())
    }

    pub(super) fn op_set_index(&mut self, i: i32) -> Result<(), Exc> {
        let value = self.pop_value();
        let target = self.pop_value();
        self.set_index(&target, i as i64, value.clone())?;
        self.task.stack.push(value);
        Ok(())
    }

    /// `[target key]` (or `[target key default]`) -> the member or element.
    pub(super) fn op_select(&mut self, with_default: bool) -> Result<(), Exc> {
        let default = if with_default {
            self.pop_value()
        } else {
            Value::Nil
        };
        let key = self.pop_value();
        let target = self.pop_value();
        let v = self.select(&target, &key)?;
        self.task
            .stack
            .push(if matches!(v, Value::Nil) { default } else { v });
        Ok(())
    }

    pub(super) fn op_set_select(&mut self) -> Result<(), Exc> {
        let value = self.pop_value();
        let key = self.pop_value();
        let target = self.pop_value();
        self.set_select(&target, &key, value.clone())?;
        self.task.stack.push(value);
        Ok(())
    }

    // ---- definitions

    pub(super) fn op_make_class(&mut self, name: Sym, ns: &Rc<Namespace>) -> Result<(), Exc> {
        let parent = self.pop_value();
        let class = self.make_class(name, parent, ns)?;
        self.task.stack.push(class);
        Ok(())
    }

    pub(super) fn op_make_ns(&mut self, parent: &Rc<Namespace>) {
        let name = self.pop_value();
        let ns = Namespace::new(crate::value::display(&name), Some(parent.clone()));
        self.task.stack.push(Value::Ns(ns));
    }

    /// `[body-closure self]`: runs the body with self and self's namespace (a new frame).
    pub(super) fn op_run_body(&mut self) -> Result<(), Exc> {
        let body = self.pop_value();
        let self_val = self.task.stack.last().cloned().unwrap_or_default();
        let Value::Func(body) = body else {
            return Err(self.type_error("internal error: body is not a function"));
        };
        let body = match &self_val {
            Value::Class(c) => Rc::new(Closure {
                ns: c.ns.clone(),
                ..clone_closure(&body)
            }),
            Value::Ns(n) => Rc::new(Closure {
                ns: n.clone(),
                ..clone_closure(&body)
            }),
            _ => body,
        };
        let pos = self.task.stack.len() - 1;
        self.enter(body, pos, 0, None, self_val, None, false)
    }

    pub(super) fn op_def_method(&mut self, name: Sym) -> Result<(), Exc> {
        let method = self.pop_value();
        let class = self.pop_value();
        match &class {
            Value::Class(c) => {
                c.define_method(name, method.clone());
            }
            other => {
                return Err(self.type_error(format!(
                    ".fn defines methods on a class, not on {}",
                    other.type_name()
                )));
            }
        }
        self.task.stack.push(method);
        Ok(())
    }

    pub(super) fn op_def_ctor(&mut self) -> Result<(), Exc> {
        let ctor = self.pop_value();
        let class = self.pop_value();
        match &class {
            Value::Class(c) => *c.ctor.borrow_mut() = Some(ctor.clone()),
            other => {
                return Err(self.type_error(format!(
                    ".ctor defines a constructor on a class, not on {}",
                    other.type_name()
                )));
            }
        }
        self.task.stack.push(ctor);
        Ok(())
    }

    /// Publishes module-scope variables (REPL sessions): `Const::Exports` `c`.
    pub(super) fn op_export(&mut self, code: &Code, c: u32, base: usize) {
        if let Some(Const::Exports(list)) = code.proto.consts.get(c as usize) {
            for (name, slot) in list {
                if let Some(Value::Cell(cell)) = self.task.stack.get(base + *slot as usize) {
                    self.exports.push((name.clone(), cell.clone()));
                }
            }
        }
    }

    /// The exception a malformed form raises when reached (`Const::Error` `c`).
    pub(super) fn compiled_error(&self, code: &Code, c: u32) -> Exc {
        match code.proto.consts.get(c as usize) {
            Some(Const::Error { class, message }) => self.error(class, message.as_str()),
            _ => self.type_error("internal error"),
        }
    }
}

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
