//! Growing values without aborting the process.
//!
//! Rust aborts when an allocation fails, and on Linux a huge allocation usually does not fail
//! at all: memory is overcommitted and the kernel's OOM killer ends the process later, when the
//! pages are touched. So builtins that make a value grow (appending, joining, concatenating,
//! pushing, spreading, turning a range into an array) reserve the room first, fallibly, and no
//! single string, array, map or bytes value may hold more than [`MAX_VALUE_BYTES`]. Past
//! either limit the program gets a catchable `MemoryError` naming what it was making.

use super::{Value, write_display};
use crate::vm::{Exc, Vm};

/// The most bytes one value may hold: 1 GiB of string or bytes data, or of array elements
/// (16 bytes each, so 64M elements). A doubling loop (`(s = (s .append s))`) then stops at
/// about 1.5 GiB in use, far from the memory of any machine that runs it.
pub const MAX_VALUE_BYTES: usize = 1 << 30;

/// Below this many bytes a value grows the ordinary way: a failure to allocate that little
/// means the system is out of memory anyway, and the fallible path costs a few percent of
/// `(str "k" i)`.
const SMALL: usize = 4096;

/// Makes room for `additional` more elements in `v` (`what` names the value being made, for
/// the error).
#[inline]
pub(crate) fn reserve<T>(
    vm: &Vm,
    v: &mut Vec<T>,
    additional: usize,
    what: &str,
) -> Result<(), Exc> {
    if v.capacity() - v.len() >= additional {
        return Ok(());
    }
    grow(vm, v, additional, what)
}

#[inline(never)]
fn grow<T>(vm: &Vm, v: &mut Vec<T>, additional: usize, what: &str) -> Result<(), Exc> {
    let size = std::mem::size_of::<T>().max(1);
    if (v.len() + additional).saturating_mul(size) <= SMALL {
        v.reserve(additional);
        return Ok(());
    }
    let total = v.len().checked_add(additional);
    match total.and_then(|n| n.checked_mul(size)) {
        Some(bytes) if bytes <= MAX_VALUE_BYTES => v
            .try_reserve(additional)
            .map_err(|_| memory_error(vm, what, bytes)),
        bytes => Err(too_big(vm, what, bytes)),
    }
}

/// Makes room for `additional` more bytes in `s`.
#[inline]
pub(crate) fn reserve_str(
    vm: &Vm,
    s: &mut String,
    additional: usize,
    what: &str,
) -> Result<(), Exc> {
    if s.capacity() - s.len() >= additional {
        return Ok(());
    }
    if s.len() + additional <= SMALL {
        s.reserve(additional);
        return Ok(());
    }
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
/// `.append`, `str`, interpolation and `.join`. The room for the strings among them (what a
/// doubling loop grows) is reserved before anything is copied; other values are displayed
/// in place (typically a few bytes) and the result checked against the cap as it grows.
pub(crate) fn join_display(
    vm: &Vm,
    prefix: &str,
    parts: &[Value],
    sep: &str,
    what: &str,
) -> Result<String, Exc> {
    let seps = sep.len().checked_mul(parts.len().saturating_sub(1));
    let known = parts
        .iter()
        .try_fold(prefix.len(), |n, p| match p {
            Value::Str(s) => n.checked_add(s.len()),
            _ => n.checked_add(8),
        })
        .zip(seps)
        .and_then(|(n, s)| n.checked_add(s));
    let mut out = String::new();
    reserve_str(vm, &mut out, known.unwrap_or(usize::MAX), what)?;
    out.push_str(prefix);
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        match part {
            Value::Str(s) => {
                reserve_str(vm, &mut out, s.len(), what)?;
                out.push_str(s);
            }
            other => {
                write_display(&mut out, other);
                if out.len() > MAX_VALUE_BYTES {
                    return Err(too_big(vm, what, Some(out.len())));
                }
            }
        }
    }
    Ok(out)
}
