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

/// `stack.truncate(len)`. Scalars on top (the common case: a returning frame's int arguments
/// and the emptied callee slot) are given up without running any drop glue.
#[inline(always)]
pub(super) fn truncate(stack: &mut Vec<Value>, len: usize) {
    let mut keep = stack.len();
    while keep > len {
        match stack.get(keep - 1) {
            Some(v) if is_scalar(v) => keep -= 1,
            _ => break,
        }
    }
    // SAFETY: `keep` is at most the length, and the values given up own nothing, so not
    // dropping them leaks nothing.
    unsafe { stack.set_len(keep) };
    if keep > len {
        stack.truncate(len);
    }
}

/// Overwrites a value known to be a scalar (no drop glue for the old value).
#[inline(always)]
pub(super) fn overwrite_scalar(slot: &mut Value, new: Value) {
    debug_assert!(is_scalar(slot));
    std::mem::forget(std::mem::replace(slot, new));
}
