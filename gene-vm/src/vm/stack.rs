//! Value-stack helpers for the dispatch loop's hot paths.
//!
//! `Value`'s derived `clone` and its drop glue are out-of-line functions that match on every
//! variant. Most values moved around by the hot ops (loop counters, arguments, results) are
//! scalars, so these helpers handle them inline and fall back to the generic code only for
//! values behind an `Rc`.

use crate::value::Value;

/// A value that owns nothing (no reference count to touch when copied or dropped).
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
            | Value::Symbol(_)
            | Value::Native(_)
            | Value::NotGiven
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

/// `stack.truncate(len)`. When every value removed is a scalar (the common case: a returning
/// frame's int arguments and the emptied callee slot), no drop glue runs at all.
#[inline(always)]
pub(super) fn truncate(stack: &mut Vec<Value>, len: usize) {
    let Some(tail) = stack.get(len..) else {
        return;
    };
    if tail.iter().all(is_scalar) {
        // SAFETY: `len` is within the initialized part (the `get` above succeeded), and the
        // values given up own nothing, so not dropping them leaks nothing.
        unsafe { stack.set_len(len) }
    } else {
        stack.truncate(len);
    }
}

/// Overwrites a value known to be a scalar (no drop glue for the old value).
#[inline(always)]
pub(super) fn overwrite_scalar(slot: &mut Value, new: Value) {
    debug_assert!(is_scalar(slot));
    std::mem::forget(std::mem::replace(slot, new));
}
