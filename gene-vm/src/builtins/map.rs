//! Map methods. Keys are names: a string or a symbol key means the same entry.

use super::arg;
use crate::intern::Sym;
use crate::value::{Map, NativeFn, Value, alloc, display};
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

/// The entries as `[key value]` arrays, keys as strings, in insertion order.
fn pairs(vm: &Vm, v: &Value) -> Result<Vec<Value>, Exc> {
    with_map(vm, v, |m| {
        m.iter()
            .map(|(k, v)| Value::array(vec![Value::str(k.name().to_string()), v.clone()]))
            .collect()
    })
}

/// The size of an entry: its key, its value and the hash table's index.
const ENTRY_BYTES: usize = std::mem::size_of::<(Sym, Value)>() + 2 * std::mem::size_of::<usize>();

/// Room for one more entry, within the size one value may have.
fn reserve_entry(vm: &Vm, m: &mut Map) -> Result<(), Exc> {
    let what = "the map .set grows";
    alloc::check_size(vm, m.len() + 1, ENTRY_BYTES, what)?;
    m.try_reserve(1)
        .map_err(|_| alloc::memory_error(vm, what, (m.len() + 1) * ENTRY_BYTES))
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
        let grown = with_map(vm, arg(args, 0), |m| {
            // Only a full table grows (whether or not the key is new: no second lookup).
            if m.len() == m.capacity() {
                reserve_entry(vm, m)?;
            }
            m.insert(k, v.clone());
            Ok(())
        })?;
        grown.map(|()| v)
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
    native!("Map.merge", |vm, args| {
        let mut merged = with_map(vm, arg(args, 0), |m| m.clone())?;
        match arg(args, 1) {
            Value::Map(other) => {
                let other = other.borrow();
                alloc::check_size(
                    vm,
                    merged.len() + other.len(),
                    ENTRY_BYTES,
                    "the map .merge makes",
                )?;
                merged.extend(other.iter().map(|(k, v)| (*k, v.clone())));
            }
            other => {
                return Err(vm.type_error(format!(
                    ".merge needs a map, got {}",
                    super::number::describe(other)
                )));
            }
        }
        Ok(Value::map(merged))
    }),
    native!("Map.entries", |vm, args| Ok(Value::array(pairs(
        vm,
        arg(args, 0)
    )?))),
    flow_native!("Map.map_values", |vm, args| {
        let pairs = pairs(vm, arg(args, 0))?;
        Ok(crate::builtins::array::map_flow(
            pairs,
            arg(args, 1).clone(),
            false,
        ))
    }),
    flow_native!("Map.filter", |vm, args| {
        let pairs = pairs(vm, arg(args, 0))?;
        Ok(crate::builtins::array::map_flow(
            pairs,
            arg(args, 1).clone(),
            true,
        ))
    }),
    flow_native!("Map.each", |vm, args| {
        let pairs = pairs(vm, arg(args, 0))?;
        Ok(crate::builtins::array::map_each_flow(
            arg(args, 0).clone(),
            pairs,
            arg(args, 1).clone(),
        ))
    }),
];
