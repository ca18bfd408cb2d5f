//! Element access inline in the dispatch loop: `(xs .get i)`, `(xs .set i v)`, `(xs .push v)`
//! and `(xs .size)` on an array, done on the stack registers without a call. Each gives false,
//! having done nothing, when the receiver is not an array or the case is not the plain one (an
//! index that is not an int, `.set` out of range, `.push` that must grow the array); the op
//! then calls the method like any other (`Array.get` ... or a class's own `.get`).

use std::cell::RefCell;

use super::ops::resolve_index;
use super::stack::{StackRegs, discard, dup, overwrite};
use crate::value::Value;

type Items = RefCell<Vec<Value>>;

/// The array in `slot`, as a pointer (valid while the slot keeps its value).
#[inline(always)]
fn array_in(slot: Option<&mut Value>) -> Option<*const Items> {
    match slot {
        Some(Value::Array(a)) => Some(&**a as *const Items),
        _ => None,
    }
}

impl StackRegs {
    /// `[xs i] -> element` (nil out of range, negative counting from the end).
    #[inline(always)]
    pub(super) fn get_item(&mut self) -> bool {
        let Some(&mut Value::Int(i)) = self.peek(0) else {
            return false;
        };
        let Some(items) = array_in(self.peek(1)) else {
            return false;
        };
        // SAFETY: the array is owned by the stack slot below the index, untouched until the
        // element is read.
        let Ok(items) = (unsafe { &*items }).try_borrow() else {
            return false;
        };
        let element = match resolve_index(i, items.len()) {
            Some(k) => dup(&items[k]),
            None => Value::Nil,
        };
        drop(items);
        discard(self.pop());
        match self.top() {
            Some(slot) => overwrite(slot, element),
            None => discard(element),
        }
        true
    }

    /// `[xs i v] -> v`, storing v at index i (in range).
    #[inline(always)]
    pub(super) fn set_item(&mut self) -> bool {
        let Some(&mut Value::Int(i)) = self.peek(1) else {
            return false;
        };
        let Some(items) = array_in(self.peek(2)) else {
            return false;
        };
        // SAFETY: the array is owned by the stack slot two below the top, untouched until the
        // element is stored.
        let Ok(mut items) = (unsafe { &*items }).try_borrow_mut() else {
            return false;
        };
        let Some(k) = resolve_index(i, items.len()) else {
            return false;
        };
        let Some(value) = self.peek(0) else {
            return false;
        };
        overwrite(&mut items[k], dup(value));
        drop(items);
        let value = self.pop();
        discard(self.pop());
        match self.top() {
            Some(slot) => overwrite(slot, value),
            None => discard(value),
        }
        true
    }

    /// `[xs] -> its number of elements` (an array's `.size` and `.length` are the same).
    #[inline(always)]
    pub(super) fn size_of(&mut self) -> bool {
        let Some(slot) = self.top() else {
            return false;
        };
        let size = match slot {
            Value::Array(a) => match a.try_borrow() {
                Ok(items) => items.len(),
                Err(_) => return false,
            },
            _ => return false,
        };
        overwrite(slot, Value::Int(size as i64));
        true
    }

    /// `[xs v] -> xs`, appending v when the array has room (growing goes through `.push`,
    /// which checks the size limit).
    #[inline(always)]
    pub(super) fn push_item(&mut self) -> bool {
        let Some(items) = array_in(self.peek(1)) else {
            return false;
        };
        // SAFETY: the array is owned by the stack slot below the value, which stays.
        let Ok(mut items) = (unsafe { &*items }).try_borrow_mut() else {
            return false;
        };
        if items.len() == items.capacity() {
            return false;
        }
        items.push(self.pop());
        true
    }
}
