//! Map methods. Keys are names: a string or a symbol key means the same entry.

use super::arg;
use crate::intern::Sym;
use crate::value::{Map, NativeFn, Value, display};
use crate::vm::{Exc, Vm};

fn with_map<R>(vm: &Vm, v: &Value, f: impl FnOnce(&mut Map) -> R) -> Result<R, Exc> {
    match v {
        Value::Map(m) => Ok(f(&mut m.borrow_mut())),
        other => Err(vm.type_error(format!("expected a map, got {}", other.type_name()))),
    }
}

/// A value used as a map key.
fn key(v: &Value) -> Sym {
    match v {
        Value::Symbol(s) => *s,
        other => Sym::new(&display(other)),
    }
}

pub(super) static NATIVES: &[NativeFn] = &[
    native!("Map.size", |vm, args| Ok(Value::Int(
        with_map(vm, arg(args, 0), |m| m.len())? as i64
    ))),
    native!("Map.empty", |vm, args| Ok(Value::Bool(with_map(
        vm,
        arg(args, 0),
        |m| m.is_empty()
    )?))),
    native!("Map.keys", |vm, args| {
        Ok(Value::array(with_map(vm, arg(args, 0), |m| {
            m.keys().map(|k| Value::str(k.name().to_string())).collect()
        })?))
    }),
    native!("Map.values", |vm, args| Ok(Value::array(with_map(
        vm,
        arg(args, 0),
        |m| m.values().cloned().collect()
    )?))),
    native!("Map.get", |vm, args| {
        let k = key(arg(args, 1));
        let v = with_map(vm, arg(args, 0), |m| m.get(&k).cloned())?;
        Ok(v.or_else(|| args.get(2).cloned()).unwrap_or_default())
    }),
    native!("Map.set", |vm, args| {
        let k = key(arg(args, 1));
        let v = arg(args, 2).clone();
        with_map(vm, arg(args, 0), |m| m.insert(k, v.clone()))?;
        Ok(v)
    }),
    native!("Map.has", |vm, args| {
        let k = key(arg(args, 1));
        Ok(Value::Bool(with_map(vm, arg(args, 0), |m| {
            m.contains_key(&k)
        })?))
    }),
    native!("Map.del", |vm, args| {
        let k = key(arg(args, 1));
        Ok(with_map(vm, arg(args, 0), |m| m.shift_remove(&k))?.unwrap_or_default())
    }),
    flow_native!("Map.each", |vm, args| {
        let pairs = with_map(vm, arg(args, 0), |m| {
            m.iter()
                .map(|(k, v)| Value::array(vec![Value::str(k.name().to_string()), v.clone()]))
                .collect()
        })?;
        Ok(crate::builtins::array::map_each_flow(
            arg(args, 0).clone(),
            pairs,
            arg(args, 1).clone(),
        ))
    }),
];
