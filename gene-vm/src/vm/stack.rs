//! Value-stack helpers for the dispatch loop's hot paths.
//!
//! `Value`'s derived `clone` and its drop glue are out-of-line functions that match on every
//! variant. Most values moved around by the hot ops (loop counters, arguments, results) are
//! scalars, so these helpers handle them inline and fall back to the generic code only for
//! values behind an `Rc`.

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

/// `v.clone()`, with scalars copied inline as plain bytes.
#[inline(always)]
pub(super) fn dup(v: &Value) -> Value {
    if is_scalar(v) {
        // SAFETY: a scalar owns nothing, so a bitwise copy is a complete, independent value.
        unsafe { std::ptr::read(v) }
    } else {
        v.clone()
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

/// Drops the values in `[from, to)` in place, skipping scalars.
///
/// # Safety
/// `from..to` must be initialized values of one allocation that the caller gives up: they are
/// not used again (the caller lowers its stack top to `from`).
#[inline(always)]
pub(super) unsafe fn drop_range(from: *mut Value, to: *mut Value) {
    let mut p = from;
    while p < to {
        // SAFETY: `p` is in `from..to` (see the function's contract).
        unsafe {
            if !is_scalar(&*p) {
                std::ptr::drop_in_place(p);
            }
            p = p.add(1);
        }
    }
}
