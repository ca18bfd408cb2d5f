//! The environment and the program: `gene/env/get`, `gene/env/set`, `gene/env/all` and
//! `gene/exit`.
//!
//! `gene/env/set` never changes the process's own environment: doing that while other threads
//! (the async runtime's, a database's) may read it is undefined behaviour in C's `setenv`. The
//! program's changes live in an overlay that `get` and `all` read through and that the
//! processes `gene/process` starts inherit, which is everything a Gene program can observe.
//!
//! `(gene/exit code)` throws an [`ExitRequest`]: no `catch` matches it (`catch *` included), so
//! the `finally` blocks of the running task run on its way out, and when it leaves the task the
//! scheduler stops the program with that code.

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::{arg, str_arg};
use crate::intern::Sym;
use crate::value::{Host, HostObject, Map, NativeFn, Value};
use crate::vm::Exc;

pub(super) static NATIVES: &[NativeFn] = &[
    native!("gene/env/get", |vm, args| {
        let name = str_arg(vm, args, 0, "gene/env/get's name")?;
        Ok(match var(name) {
            Some(v) => Value::str(v),
            None => arg(args, 1).clone(),
        })
    }),
    native!("gene/env/set", |vm, args| {
        let name = str_arg(vm, args, 0, "gene/env/set's name")?;
        if name.is_empty() || name.contains(['=', '\0']) {
            return Err(vm.error(
                "ArgumentError",
                format!(
                    "gene/env/set: {} is not a valid variable name (empty, or holds '=' or NUL)",
                    crate::value::inspect(arg(args, 0))
                ),
            ));
        }
        let value = match arg(args, 1) {
            Value::Nil => None,
            Value::Str(s) if !s.contains('\0') => Some(s.to_string()),
            Value::Str(_) => {
                return Err(vm.error(
                    "ArgumentError",
                    format!("gene/env/set: the value of {name} holds a NUL character"),
                ));
            }
            other => {
                return Err(vm.type_error(format!(
                    "gene/env/set's value must be a string (or nil to remove the variable), got {}",
                    other.type_name()
                )));
            }
        };
        if let Ok(mut overlay) = OVERLAY.lock() {
            overlay.insert(name.to_string(), value);
        }
        Ok(Value::Nil)
    }),
    native!("gene/env/all", |_, _| {
        let mut map = Map::default();
        for (k, v) in all() {
            map.insert(Sym::new(&k), Value::str(v));
        }
        Ok(Value::map(map))
    }),
    native!("gene/exit", |vm, args| {
        let code = match arg(args, 0) {
            Value::Nil => 0,
            Value::Int(n) if (0..=255).contains(n) => *n as i32,
            Value::Int(n) => {
                return Err(vm.error(
                    "ArgumentError",
                    format!("gene/exit: the exit status must be from 0 to 255, got {n}"),
                ));
            }
            other => {
                return Err(vm.type_error(format!(
                    "gene/exit's status must be an int, got {}",
                    other.type_name()
                )));
            }
        };
        Err(Exc::new(Value::Host(Host::new(ExitRequest { code }))))
    }),
];

/// Variables the program set (`Some`) or removed (`None`) with `gene/env/set`.
static OVERLAY: Mutex<BTreeMap<String, Option<String>>> = Mutex::new(BTreeMap::new());

/// The variable as the program sees it (invalid UTF-8 replaced).
pub(crate) fn var(name: &str) -> Option<String> {
    if let Ok(overlay) = OVERLAY.lock()
        && let Some(v) = overlay.get(name)
    {
        return v.clone();
    }
    std::env::var_os(name).map(|v| v.to_string_lossy().into_owned())
}

/// What the program did to the variable: set it (`Some(Some(v))`), removed it (`Some(None)`),
/// or nothing (`None`).
pub(crate) fn overlay_var(name: &str) -> Option<Option<String>> {
    OVERLAY.lock().ok()?.get(name).cloned()
}

/// Every variable as the program sees it, by name.
fn all() -> BTreeMap<String, String> {
    let mut vars: BTreeMap<String, String> = std::env::vars_os()
        .map(|(k, v)| {
            (
                k.to_string_lossy().into_owned(),
                v.to_string_lossy().into_owned(),
            )
        })
        .collect();
    if let Ok(overlay) = OVERLAY.lock() {
        for (k, v) in overlay.iter() {
            match v {
                Some(v) => vars.insert(k.clone(), v.clone()),
                None => vars.remove(k),
            };
        }
    }
    vars
}

/// The program's changes to the environment, for a child process: `(name, Some(value))` to set,
/// `(name, None)` to remove.
pub(crate) fn overlay() -> Vec<(String, Option<String>)> {
    OVERLAY
        .lock()
        .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

/// What `gene/exit` throws.
pub(crate) struct ExitRequest {
    pub code: i32,
}

impl HostObject for ExitRequest {
    fn type_name(&self) -> &'static str {
        "Exit"
    }

    fn describe(&self) -> String {
        format!("<exit {}>", self.code)
    }
}

/// The exit status when `v` is what `gene/exit` threw.
pub(crate) fn exit_code(v: &Value) -> Option<i32> {
    match v {
        Value::Host(h) => h.downcast::<ExitRequest>().map(|e| e.code),
        _ => None,
    }
}
