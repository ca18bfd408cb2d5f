//! Methods on ints and floats.

use super::arg;
use crate::value::{NativeFn, Value, format_float};
use crate::vm::{Exc, Vm};

fn int(vm: &Vm, v: &Value) -> Result<i64, Exc> {
    match v {
        Value::Int(i) => Ok(*i),
        other => Err(vm.type_error(format!("expected an int, got {}", other.type_name()))),
    }
}

fn float(vm: &Vm, v: &Value) -> Result<f64, Exc> {
    match v {
        Value::Float(f) => Ok(*f),
        other => Err(vm.type_error(format!("expected a float, got {}", other.type_name()))),
    }
}

/// A float rounded some way, as an int (an error when it does not fit).
fn to_int(vm: &Vm, f: f64) -> Result<Value, Exc> {
    if f.is_finite() && f >= i64::MIN as f64 && f < i64::MAX as f64 {
        Ok(Value::Int(f as i64))
    } else {
        Err(vm.error(
            "OverflowError",
            format!("{} does not fit in an int", format_float(f)),
        ))
    }
}

pub(super) static NATIVES: &[NativeFn] = &[
    native!("Int.to_s", |vm, args| Ok(Value::str(
        int(vm, arg(args, 0))?.to_string()
    ))),
    native!("Int.abs", |vm, args| {
        let i = int(vm, arg(args, 0))?;
        i.checked_abs()
            .map(Value::Int)
            .ok_or_else(|| vm.error("OverflowError", format!("integer overflow in ({i} .abs)")))
    }),
    native!("Int.to_f", |vm, args| Ok(Value::Float(
        int(vm, arg(args, 0))? as f64
    ))),
    native!("Int.to_i", |vm, args| Ok(Value::Int(int(
        vm,
        arg(args, 0)
    )?))),
    native!("Int.floor", |vm, args| Ok(Value::Int(int(
        vm,
        arg(args, 0)
    )?))),
    native!("Int.ceil", |vm, args| Ok(Value::Int(int(
        vm,
        arg(args, 0)
    )?))),
    native!("Int.round", |vm, args| Ok(Value::Int(int(
        vm,
        arg(args, 0)
    )?))),
    native!("Float.to_s", |vm, args| Ok(Value::str(format_float(
        float(vm, arg(args, 0))?
    )))),
    native!("Float.abs", |vm, args| Ok(Value::Float(
        float(vm, arg(args, 0))?.abs()
    ))),
    native!("Float.floor", |vm, args| to_int(
        vm,
        float(vm, arg(args, 0))?.floor()
    )),
    native!("Float.ceil", |vm, args| to_int(
        vm,
        float(vm, arg(args, 0))?.ceil()
    )),
    native!("Float.round", |vm, args| to_int(
        vm,
        float(vm, arg(args, 0))?.round()
    )),
    native!("Float.to_i", |vm, args| to_int(
        vm,
        float(vm, arg(args, 0))?.trunc()
    )),
    native!("Float.to_f", |vm, args| Ok(Value::Float(float(
        vm,
        arg(args, 0)
    )?))),
];
