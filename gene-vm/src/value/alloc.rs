//! Growing values without aborting the process.
//!
//! Rust aborts when an allocation fails, and on Linux a huge allocation usually does not fail
//! at all: memory is overcommitted and the kernel's OOM killer ends the process later, when the
//! pages are touched. So builtins that make a value grow (appending, joining, concatenating,
//! pushing, spreading, turning a range into an array) reserve the room first, fallibly, and no
//! single string, array, map or bytes value may hold more than [`MAX_VALUE_BYTES`]. Past
//! either limit the program gets a catchable `MemoryError` naming what it was making.

use std::borrow::Cow;

use super::{Value, display};
use crate::vm::{Exc, Vm};

/// The most bytes one value may hold: 1 GiB of string or bytes data, or of array elements
/// (16 bytes each, so 64M elements). A doubling loop (`(s = (s .append s))`) then stops at
/// about 1.5 GiB in use, far from the memory of any machine that runs it.
pub const MAX_VALUE_BYTES: usize = 1 << 30;

/// Makes room for `additional` more elements in `v` (`what` names the value being made, for
/// the error).
pub(crate) fn reserve<T>(
    vm: &Vm,
    v: &mut Vec<T>,
    additional: usize,
    what: &str,
) -> Result<(), Exc> {
    let size = std::mem::size_of::<T>().max(1);
    let total = v.len().checked_add(additional);
    match total.and_then(|n| n.checked_mul(size)) {
        Some(bytes) if bytes <= MAX_VALUE_BYTES => v
            .try_reserve(additional)
            .map_err(|_| memory_error(vm, what, bytes)),
        bytes => Err(too_big(vm, what, bytes)),
    }
}

/// Makes room for `additional` more bytes in `s`.
pub(crate) fn reserve_str(
    vm: &Vm,
    s: &mut String,
    additional: usize,
    what: &str,
) -> Result<(), Exc> {
    match s.len().checked_add(additional) {
        Some(bytes) if bytes <= MAX_VALUE_BYTES => s
            .try_reserve(additional)
            .map_err(|_| memory_error(vm, what, bytes)),
        bytes => Err(too_big(vm, what, bytes)),
    }
}

/// Checks that a value of `count` elements of `size` bytes each is allowed, before making it
/// by other means than a `Vec` (a map).
pub(crate) fn check_size(vm: &Vm, count: usize, size: usize, what: &str) -> Result<(), Exc> {
    match count.checked_mul(size) {
        Some(bytes) if bytes <= MAX_VALUE_BYTES => Ok(()),
        bytes => Err(too_big(vm, what, bytes)),
    }
}

fn too_big(vm: &Vm, what: &str, bytes: Option<usize>) -> Exc {
    let size = bytes.map_or("more than usize::MAX".to_string(), |b| b.to_string());
    vm.error(
        "MemoryError",
        format!(
            "{what} would take {size} bytes, more than the {MAX_VALUE_BYTES} bytes one value may hold"
        ),
    )
}

pub(crate) fn memory_error(vm: &Vm, what: &str, bytes: usize) -> Exc {
    vm.error(
        "MemoryError",
        format!("out of memory: cannot allocate {bytes} bytes for {what}"),
    )
}

/// `prefix` followed by the display forms of `parts`, `sep` between the parts: the text of
/// `.append`, `str`, interpolation and `.join`, its size checked before it is built.
pub(crate) fn join_display(
    vm: &Vm,
    prefix: &str,
    parts: &[Value],
    sep: &str,
    what: &str,
) -> Result<String, Exc> {
    let pieces: Vec<Cow<'_, str>> = parts
        .iter()
        .map(|v| match v {
            Value::Str(s) => Cow::Borrowed(s.as_str()),
            other => Cow::Owned(display(other)),
        })
        .collect();
    let seps = sep.len().checked_mul(pieces.len().saturating_sub(1));
    let total = pieces
        .iter()
        .try_fold(prefix.len(), |n, p| n.checked_add(p.len()))
        .zip(seps)
        .and_then(|(n, s)| n.checked_add(s));
    let mut out = String::new();
    reserve_str(vm, &mut out, total.unwrap_or(usize::MAX), what)?;
    out.push_str(prefix);
    for (i, piece) in pieces.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(piece);
    }
    Ok(out)
}
