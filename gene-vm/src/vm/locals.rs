//! Reading and writing variables out of line: local slots through their cells, `(x += n)` on
//! a local, assignments to namespace members.

use std::rc::Rc;

use super::{Exc, Vm};
use crate::intern::Sym;
use crate::value::{Namespace, Value};

impl Vm {
    /// The value of a local slot, read through its cell when it has one.
    pub(super) fn local_value(&self, base: usize, slot: u32) -> Value {
        match self.task.stack.get(base + slot as usize) {
            Some(Value::Cell(c)) => c.borrow().clone(),
            Some(v) => v.clone(),
            None => Value::Nil,
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
    pub(super) fn store_name(&self, ns: &Rc<Namespace>, name: Sym, v: Value) -> Result<(), Exc> {
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
}
