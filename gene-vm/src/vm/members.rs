//! Instance properties inline in the dispatch loop: `obj/x`, `(obj/x = v)`, and the same on
//! self (`/x`, `(/x = v)`), which read self from the frame instead of pushing it. Each call
//! site remembers the position where it last found its property (`Code::member_hint`), so an
//! access checks one entry; instances built the same way keep their properties at the same
//! positions (see `value/props.rs`). Anything else than an instance takes the general path.

use std::cell::Cell;

use super::stack::{StackRegs, discard, dup, overwrite};
use crate::intern::Sym;
use crate::value::{Instance, Value};

/// Property `name` of `inst` (nil when it has none), or `None` when its properties are being
/// changed (not reached: nothing holds them across an op).
#[inline(always)]
pub(super) fn read_member(inst: &Instance, name: Sym, hint: &Cell<u32>) -> Option<Value> {
    let props = inst.props.try_borrow().ok()?;
    Some(match props.get_hinted(name, hint) {
        Some(v) => dup(v),
        None => Value::Nil,
    })
}

/// Sets property `name` of `inst` to a copy of `value`.
#[inline(always)]
pub(super) fn write_member(inst: &Instance, name: Sym, hint: &Cell<u32>, value: &Value) -> bool {
    let Ok(mut props) = inst.props.try_borrow_mut() else {
        return false;
    };
    let old = match props.get_at_mut(hint.get() as usize, name) {
        Some(slot) => std::mem::replace(slot, dup(value)),
        None => {
            drop(props);
            hint.set(inst.set(name, dup(value)) as u32);
            return true;
        }
    };
    drop(props);
    discard(old);
    true
}

impl StackRegs {
    /// `[instance] -> property`.
    #[inline(always)]
    pub(super) fn get_member_inline(&mut self, name: Sym, hint: &Cell<u32>) -> bool {
        let Some(Value::Instance(inst)) = self.top() else {
            return false;
        };
        let Some(v) = read_member(inst, name, hint) else {
            return false;
        };
        if let Some(slot) = self.top() {
            overwrite(slot, v);
        }
        true
    }

    /// `[instance value] -> value`, setting the property.
    #[inline(always)]
    pub(super) fn set_member_inline(&mut self, name: Sym, hint: &Cell<u32>) -> bool {
        let inst = match self.peek(1) {
            Some(Value::Instance(inst)) => &**inst as *const Instance,
            _ => return false,
        };
        let Some(value) = self.peek(0) else {
            return false;
        };
        // SAFETY: the instance is owned by the stack slot below the value, which stays until
        // the property is written.
        if !write_member(unsafe { &*inst }, name, hint, value) {
            return false;
        }
        let value = self.pop();
        match self.top() {
            Some(slot) => overwrite(slot, value),
            None => discard(value),
        }
        true
    }
}
