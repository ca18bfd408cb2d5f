//! Bytes: immutable binary data (what an SQLite BLOB reads as). `gene/bytes` makes them from a
//! string (its UTF-8 encoding), an array of integers 0..255, or bytes; the methods convert back.

use std::rc::Rc;

use super::arg;
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
    native!("Bytes.to_a", |vm, args| Ok(Value::array(
        this(vm, args)?
            .iter()
            .map(|b| Value::Int(i64::from(*b)))
            .collect()
    ))),
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
        let mut out = String::with_capacity(bytes.len() * 2);
        for b in bytes.iter() {
            out.push_str(&format!("{b:02x}"));
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
