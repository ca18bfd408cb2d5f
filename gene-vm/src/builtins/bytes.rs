//! Bytes: immutable binary data (what an SQLite BLOB reads as). `gene/bytes` makes them from a
//! string (its UTF-8 encoding), an array of integers 0..255, or bytes; the methods convert back.

use std::fmt::Write;
use std::rc::Rc;

use super::arg;
use crate::value::alloc::{reserve, reserve_str};
use crate::value::{NativeFn, Value};
use crate::vm::{Exc, Vm};

pub(super) static NATIVES: &[NativeFn] = &[
    native!("gene/bytes", |vm, args| Ok(Value::Bytes(Rc::new(
        to_bytes(vm, arg(args, 0))?
    )))),
    native!("Bytes.size", |vm, args| Ok(Value::Int(
        this(vm, args)?.len() as i64
    ))),
    native!("Bytes.length", |vm, args| Ok(Value::Int(
        this(vm, args)?.len() as i64
    ))),
    native!("Bytes.to_a", |vm, args| {
        let bytes = this(vm, args)?;
        let mut out = Vec::new();
        reserve(vm, &mut out, bytes.len(), "the array .to_a makes")?;
        out.extend(bytes.iter().map(|b| Value::Int(i64::from(*b))));
        Ok(Value::array(out))
    }),
    native!("Bytes.decode", |vm, args| {
        let bytes = this(vm, args)?;
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(Value::str(text)),
            Err(e) => Err(vm.error(
                "ArgumentError",
                format!(
                    "the bytes are not UTF-8 text (invalid data at byte {})",
                    e.valid_up_to()
                ),
            )),
        }
    }),
    native!("Bytes.hex", |vm, args| {
        let bytes = this(vm, args)?;
        let mut out = String::new();
        let size = bytes.len().saturating_mul(2);
        reserve_str(vm, &mut out, size, "the string .hex makes")?;
        for b in bytes.iter() {
            let _ = write!(out, "{b:02x}");
        }
        Ok(Value::str(out))
    }),
];

fn this<'a>(vm: &Vm, args: &'a [Value]) -> Result<&'a Rc<Vec<u8>>, Exc> {
    match args.first() {
        Some(Value::Bytes(b)) => Ok(b),
        other => Err(vm.type_error(format!(
            "the receiver must be bytes, got {}",
            other.map_or("nothing".to_string(), Value::type_name)
        ))),
    }
}

/// A string's UTF-8 encoding, an array of integers 0..255, or a copy of bytes.
pub(crate) fn to_bytes(vm: &Vm, v: &Value) -> Result<Vec<u8>, Exc> {
    match v {
        Value::Str(s) => Ok(s.as_bytes().to_vec()),
        Value::Bytes(b) => Ok(b.as_ref().clone()),
        Value::Array(items) => items
            .borrow()
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::Int(n) if (0..=255).contains(n) => Ok(*n as u8),
                other => Err(vm.error(
                    "ArgumentError",
                    format!(
                        "gene/bytes needs integers from 0 to 255: item {i} is {}",
                        crate::value::inspect(other)
                    ),
                )),
            })
            .collect(),
        other => Err(vm.type_error(format!(
            "gene/bytes needs a string, an array of integers or bytes, got {}",
            other.type_name()
        ))),
    }
}
