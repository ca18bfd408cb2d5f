//! The dispatch loop's view of the value stack.
//!
//! A task's value stack is a `Vec<Value>`. The hot ops work on it through [`StackRegs`], raw
//! pointers the loop keeps in registers, instead of going through the `Vec` (whose length and
//! buffer live in memory behind `&mut self`). While the registers are in use the `Vec`'s length
//! is stale: [`StackRegs::store`] writes it back before anything else touches the stack and
//! [`StackRegs::load`] reads the registers again after.
//!
//! `Value`'s derived `clone` and drop glue are out-of-line functions that match on every
//! variant. Most values the hot ops move around (loop counters, arguments, results) are
//! scalars, so the helpers here copy and drop those inline.

use crate::value::Value;

/// A value that owns nothing (no reference count to touch when copied or dropped). Only the
/// variants hot code moves around are listed (they come first in `Value`, so the test is one
/// comparison); the other scalars (symbols, natives) just take the generic path.
#[inline(always)]
pub(super) fn is_scalar(v: &Value) -> bool {
    matches!(
        v,
        Value::Nil
            | Value::Bool(_)
            | Value::Int(_)
            | Value::Float(_)
            | Value::Char(_)
            | Value::Placeholder
    )
}

/// `v.clone()`, with scalars copied inline.
#[inline(always)]
pub(super) fn dup(v: &Value) -> Value {
    if is_scalar(v) {
        // SAFETY: `v` is a valid value and a scalar owns nothing: a copy is independent.
        unsafe { read_fresh(v) }
    } else {
        v.clone()
    }
}

/// Reads (moves out) the value at `p`, field by field for the common scalars.
///
/// Values the hot ops just made (an int result, a pushed argument) were written as a one-byte
/// tag and an eight-byte payload. Reading such a value back as one sixteen-byte copy cannot be
/// forwarded from those two stores still in flight and stalls the processor for a dozen
/// cycles; reading the tag and the payload separately can.
///
/// # Safety
/// `p` points to an initialized value, which the caller then owns a bitwise copy of (as with
/// `std::ptr::read`).
#[inline(always)]
pub(super) unsafe fn read_fresh(p: *const Value) -> Value {
    debug_assert!(
        !p.is_null() && p.is_aligned(),
        "read_fresh of a bad pointer"
    );
    // SAFETY: see the function's contract.
    unsafe {
        match &*p {
            Value::Int(i) => Value::Int(*i),
            Value::Bool(b) => Value::Bool(*b),
            Value::Nil => Value::Nil,
            _ => std::ptr::read(p),
        }
    }
}

/// Drops a value, skipping the drop glue for scalars.
#[inline(always)]
pub(super) fn discard(v: Value) {
    if is_scalar(&v) {
        std::mem::forget(v);
    } else {
        drop(v);
    }
}

/// Overwrites a value, skipping the drop glue when the old one is a scalar.
#[inline(always)]
pub(super) fn overwrite(slot: &mut Value, new: Value) {
    discard(std::mem::replace(slot, new));
}

/// Registers over a `Vec<Value>`: `bottom` is its buffer, `sp` one past its top, `limit` the end
/// of its capacity and `slots` the running frame's slot 0 (its `base`). Invariant:
/// `bottom <= slots <= sp <= limit`, and the values in `bottom..sp` are initialized.
pub(super) struct StackRegs {
    bottom: *mut Value,
    sp: *mut Value,
    limit: *mut Value,
    slots: *mut Value,
}

impl StackRegs {
    /// The invariant of the type doc, checked in debug builds after every change of a register.
    #[inline(always)]
    fn debug_check(&self) {
        debug_assert!(
            self.bottom <= self.slots && self.slots <= self.sp && self.sp <= self.limit,
            "stack registers out of order: bottom {:?} slots {:?} sp {:?} limit {:?}",
            self.bottom,
            self.slots,
            self.sp,
            self.limit
        );
    }

    /// In debug builds: `stack` is the `Vec` these registers were loaded from, and has not
    /// moved since (anything that grows it must store and load the registers around it).
    #[inline(always)]
    fn debug_check_same_vec(&self, stack: &mut Vec<Value>) {
        debug_assert!(
            std::ptr::eq(stack.as_mut_ptr(), self.bottom),
            "the value stack moved under its registers (a missing flush!/refresh!)"
        );
        debug_assert!(self.depth() <= stack.capacity());
    }

    /// Registers for `stack`, with the frame's slots at `base`.
    #[inline(always)]
    pub(super) fn load(stack: &mut Vec<Value>, base: usize) -> StackRegs {
        let bottom = stack.as_mut_ptr();
        // SAFETY: all offsets are within the allocation (length <= capacity).
        let regs = unsafe {
            StackRegs {
                bottom,
                sp: bottom.add(stack.len()),
                limit: bottom.add(stack.capacity()),
                slots: bottom.add(base.min(stack.len())),
            }
        };
        regs.debug_check();
        regs
    }

    /// Writes the length back into `stack`, the `Vec` these registers were loaded from.
    #[inline(always)]
    pub(super) fn store(&self, stack: &mut Vec<Value>) {
        self.debug_check();
        self.debug_check_same_vec(stack);
        // SAFETY: `sp` is within the capacity and the values below it are initialized.
        unsafe { stack.set_len(self.depth()) }
    }

    /// How many values the stack holds.
    #[inline(always)]
    pub(super) fn depth(&self) -> usize {
        debug_assert!(self.bottom <= self.sp);
        // SAFETY: `bottom <= sp` in one allocation.
        unsafe { self.sp.offset_from(self.bottom) as usize }
    }

    /// Moves the frame's slots to `base` (clamped to the top).
    #[inline(always)]
    pub(super) fn set_base(&mut self, base: usize) {
        self.slots = self.bottom.wrapping_add(base).min(self.sp);
        self.debug_check();
    }

    /// Makes room for one more value (see [`StackRegs::push_unchecked`]).
    #[inline(always)]
    pub(super) fn reserve_one(&mut self, stack: &mut Vec<Value>) {
        if self.sp == self.limit {
            self.grow(stack, 1);
        }
    }

    /// Makes room for `n` more values.
    #[inline(never)]
    pub(super) fn grow(&mut self, stack: &mut Vec<Value>, n: usize) {
        // SAFETY: `bottom <= slots` in one allocation.
        self.debug_check();
        let base = unsafe { self.slots.offset_from(self.bottom) as usize };
        self.store(stack);
        stack.reserve(n);
        *self = StackRegs::load(stack, base);
    }

    /// Whether `n` more values fit without growing.
    #[inline(always)]
    pub(super) fn has_room(&self, n: usize) -> bool {
        debug_assert!(self.sp <= self.limit);
        // SAFETY: `sp <= limit` in one allocation.
        (unsafe { self.limit.offset_from(self.sp) as usize }) >= n
    }

    /// Pushes a value when [`StackRegs::has_room`] said so.
    ///
    /// # Safety
    /// There must be room for it.
    #[inline(always)]
    pub(super) unsafe fn push_unchecked(&mut self, v: Value) {
        debug_assert!(self.sp < self.limit, "push_unchecked without room");
        // SAFETY: see the function's contract.
        unsafe {
            self.sp.write(v);
            self.sp = self.sp.add(1);
        }
    }

    /// Pops the top value (nil when the stack is empty).
    #[inline(always)]
    pub(super) fn pop(&mut self) -> Value {
        if self.sp > self.bottom {
            // SAFETY: the value below `sp` is initialized and is given up here.
            unsafe {
                self.sp = self.sp.sub(1);
                read_fresh(self.sp)
            }
        } else {
            Value::Nil
        }
    }

    /// The top value.
    #[inline(always)]
    pub(super) fn top(&mut self) -> Option<&mut Value> {
        if self.sp > self.bottom {
            // SAFETY: the value below `sp` is initialized.
            Some(unsafe { &mut *self.sp.sub(1) })
        } else {
            None
        }
    }

    /// The value `n` below the top (0 = the top).
    #[inline(always)]
    pub(super) fn peek(&mut self, n: usize) -> Option<&mut Value> {
        if self.depth() > n {
            // SAFETY: `bottom <= sp - n - 1 < sp`: an initialized value.
            Some(unsafe { &mut *self.sp.sub(n + 1) })
        } else {
            None
        }
    }

    /// The running frame's slot `s`, if it is below the top of the stack.
    #[inline(always)]
    pub(super) fn local(&mut self, s: u32) -> Option<&mut Value> {
        debug_assert!(self.bottom <= self.slots);
        let p = self.slots.wrapping_add(s as usize);
        // SAFETY: `slots <= p < sp`: an initialized value.
        if p < self.sp {
            Some(unsafe { &mut *p })
        } else {
            None
        }
    }

    /// `a op b` of the two numbers on top, in place: ints with `int_op` (false, nothing done,
    /// when it gives no value: overflow), floats with `float_op`, an int with a float as floats
    /// (as `Vm::arith`). False, nothing done, for anything else.
    #[inline(always)]
    pub(super) fn num_arith(
        &mut self,
        int_op: impl FnOnce(i64, i64) -> Option<i64>,
        float_op: impl FnOnce(f64, f64) -> f64,
    ) -> bool {
        if self.depth() < 2 {
            return false;
        }
        // SAFETY: the two values below `sp` are initialized.
        let (a, b) = unsafe { (&mut *self.sp.sub(2), &*self.sp.sub(1)) };
        let result = match (&*a, b) {
            (Value::Int(x), Value::Int(y)) => match int_op(*x, *y) {
                Some(r) => Value::Int(r),
                None => return false,
            },
            (Value::Float(x), Value::Float(y)) => Value::Float(float_op(*x, *y)),
            (Value::Int(x), Value::Float(y)) => Value::Float(float_op(*x as f64, *y)),
            (Value::Float(x), Value::Int(y)) => Value::Float(float_op(*x, *y as f64)),
            _ => return false,
        };
        // SAFETY: both are numbers (nothing to drop); the top one is given up.
        unsafe {
            std::ptr::write(a, result);
            self.sp = self.sp.sub(1);
        }
        true
    }

    /// `a / b` of the two numbers on top, in place: always a float (as `Vm::arith`).
    #[inline(always)]
    pub(super) fn num_div(&mut self) -> bool {
        self.num_arith(|_, _| None, |x, y| x / y) || self.int_div()
    }

    #[inline(always)]
    fn int_div(&mut self) -> bool {
        if self.depth() < 2 {
            return false;
        }
        // SAFETY: the two values below `sp` are initialized.
        let (a, b) = unsafe { (&mut *self.sp.sub(2), &*self.sp.sub(1)) };
        let (Value::Int(x), Value::Int(y)) = (&*a, b) else {
            return false;
        };
        let q = *x as f64 / *y as f64;
        // SAFETY: both are ints (nothing to drop); the top one is given up.
        unsafe {
            std::ptr::write(a, Value::Float(q));
            self.sp = self.sp.sub(1);
        }
        true
    }

    /// `a cmp b` of the two numbers on top, replaced by the bool: ints with `int_cmp`, other
    /// numbers as floats with `float_cmp` (false when either is NaN, as `Vm::compare`). False,
    /// nothing done, unless both are numbers.
    #[inline(always)]
    pub(super) fn num_compare(
        &mut self,
        int_cmp: impl FnOnce(i64, i64) -> bool,
        float_cmp: impl FnOnce(f64, f64) -> bool,
    ) -> bool {
        if self.depth() < 2 {
            return false;
        }
        // SAFETY: the two values below `sp` are initialized.
        let (a, b) = unsafe { (&mut *self.sp.sub(2), &*self.sp.sub(1)) };
        let r = match (&*a, b) {
            (Value::Int(x), Value::Int(y)) => int_cmp(*x, *y),
            (Value::Float(x), Value::Float(y)) => float_cmp(*x, *y),
            (Value::Int(x), Value::Float(y)) => float_cmp(*x as f64, *y),
            (Value::Float(x), Value::Int(y)) => float_cmp(*x, *y as f64),
            _ => return false,
        };
        // SAFETY: both are numbers (nothing to drop); the top one is given up.
        unsafe {
            std::ptr::write(a, Value::Bool(r));
            self.sp = self.sp.sub(1);
        }
        true
    }

    /// Leaves a frame: drops the frame's slots and the callee slot below them, and puts
    /// `result` in the callee slot.
    ///
    /// The result goes into its slot before anything is dropped: kept across a drop (a call) it
    /// would be built in memory and copied from there, which stalls (see [`read_fresh`]).
    #[inline(always)]
    pub(super) fn leave_frame(&mut self, result: Value) {
        let callee_slot = if self.slots > self.bottom {
            self.slots.wrapping_sub(1)
        } else {
            self.bottom
        };
        debug_assert!(
            self.bottom < self.slots && callee_slot < self.sp,
            "a frame has its callee slot below its slots"
        );
        if callee_slot < self.sp {
            // SAFETY: `bottom <= callee_slot < sp`: an initialized value, moved out here and
            // replaced by the result.
            let old = unsafe {
                let old = read_fresh(callee_slot);
                callee_slot.write(result);
                old
            };
            discard(old);
            self.drop_down_to(callee_slot.wrapping_add(1));
        } else if self.sp < self.limit {
            // Not reached: a frame always has its callee slot below its slots.
            // SAFETY: `sp < limit`: room for one value.
            unsafe { self.push_unchecked(result) }
        } else {
            discard(result);
        }
    }

    /// Drops the values from `to` up to the top, in place (scalars without drop glue).
    #[inline(always)]
    fn drop_down_to(&mut self, to: *mut Value) {
        debug_assert!(self.bottom <= to, "dropping below the stack's bottom");
        let mut p = to;
        while p < self.sp {
            // SAFETY: `bottom <= to <= p < sp`: initialized values, given up here.
            unsafe {
                if !is_scalar(&*p) {
                    std::ptr::drop_in_place(p);
                }
                p = p.add(1);
            }
        }
        self.sp = self.sp.min(to);
        // The frame left may have had its slots above the new top: only `sp` is checked here.
        debug_assert!(self.bottom <= self.sp && self.sp <= self.limit);
    }

    /// A new frame's slots: the `argc` arguments on top and `locals` nils pushed after them.
    /// Gives the frame's base (the index of its slot 0).
    #[inline(always)]
    pub(super) fn enter_frame(
        &mut self,
        stack: &mut Vec<Value>,
        argc: usize,
        locals: usize,
    ) -> usize {
        debug_assert!(argc <= self.depth(), "a frame's arguments are on the stack");
        let base = self.depth() - argc;
        if locals > 0 {
            if !self.has_room(locals) {
                self.grow(stack, locals);
            }
            for _ in 0..locals {
                // SAFETY: room for `locals` values was made above.
                unsafe { self.push_unchecked(Value::Nil) }
            }
        }
        self.set_base(base);
        base
    }
}

/// Moves `from[start..]` to the end of `to` (a plain copy: `extend(drain(..))` went element
/// by element; this runs twice per generator step and once per builtin call).
pub(super) fn move_tail(from: &mut Vec<Value>, start: usize, to: &mut Vec<Value>) {
    let start = start.min(from.len());
    let n = from.len() - start;
    to.reserve(n);
    debug_assert!(to.capacity() - to.len() >= n);
    // SAFETY: `to` has room for `n` more values; the `n` values after `start` in `from` are
    // bitwise moved into it, then `from` forgets them (its length is cut to `start` without
    // dropping), so each value is owned exactly once. The buffers are distinct vectors.
    unsafe {
        std::ptr::copy_nonoverlapping(from.as_ptr().add(start), to.as_mut_ptr().add(to.len()), n);
        to.set_len(to.len() + n);
        from.set_len(start);
    }
}

/// `stack.truncate(len)` with the scalars among the dropped values left without drop glue
/// (a frame's slots going, most of them ints).
pub(super) fn truncate_values(stack: &mut Vec<Value>, len: usize) {
    let old = stack.len();
    if len >= old {
        return;
    }
    // SAFETY: the values in `len..old` are initialized; the length is cut first so that a
    // panic in a drop cannot drop one twice, then each is dropped once in place.
    unsafe {
        stack.set_len(len);
        let tail = stack.as_mut_ptr().add(len);
        for i in 0..old - len {
            let p = tail.add(i);
            if !is_scalar(&*p) {
                std::ptr::drop_in_place(p);
            }
        }
    }
}
