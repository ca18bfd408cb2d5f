//! `(db .transaction_async f)`: BEGIN, then `f` with the transaction handle, then COMMIT when
//! what f gives (a future, awaited, or a plain value) succeeds, and ROLLBACK when it fails, when
//! f throws, or when the transaction's future is cancelled or times out. The failure
//! propagates.
//!
//! The steps after BEGIN are a small Gene function run as a task: a task already has what the
//! contract needs (waiting for f's future without blocking others, a CancelledError where it
//! waits when the transaction's future is cancelled, clean-up code on every way out), so the
//! rollback cannot be skipped by any of them. The function is compiled once per process and
//! linked per transaction (a handful of ops).

use super::gene_fn::{GeneFn, GiveResult};
use crate::value::{NativeFn, NativeImpl, Value};
use crate::vm::native::Flow;
use crate::vm::{Exc, Vm};

/// The steps of a transaction after BEGIN. `end` commits (true) or rolls back (false) and
/// gives the future of that; on failure the body's future is cancelled (so a function still
/// running stops at its next `await`) before the rollback.
static STEPS: GeneFn = GeneFn::new(
    "<transaction>",
    r#"
(fn ^^async transaction [tx f end]
  (var body nil)
  (try
    (body = (f tx))
    (var result (if (body .is_a Future) (await body) else body))
    (await (end tx true))
    result
  catch *
    (if (body .is_a Future) (body .cancel))
    (await (end tx false))
    (throw $ex)))
"#,
);

/// `end` as the steps see it: not a catalogue entry, only ever handed to them.
static END: NativeFn = NativeFn {
    name: "transaction end",
    imp: NativeImpl::Simple(|vm, args| {
        let tx = args.first().cloned().unwrap_or_default();
        let commit = args.get(1).is_some_and(Value::truthy);
        super::db::end(vm, &tx, commit)
    }),
};

pub(super) fn transaction_async(vm: &mut Vm, args: &[Value]) -> Result<Flow, Exc> {
    let db = match args.first() {
        Some(Value::Host(h)) if h.type_name() == "Database" => h.clone(),
        other => {
            return Err(vm.type_error(format!(
                ".transaction_async needs a Database, got {}",
                other.map_or("nothing".to_string(), Value::type_name)
            )));
        }
    };
    let f = match args.get(1) {
        Some(f @ (Value::Func(_) | Value::Native(_) | Value::BoundMethod(_))) => f.clone(),
        other => {
            return Err(vm.type_error(format!(
                ".transaction_async needs a function of the transaction, got {}",
                other.map_or("nothing".to_string(), Value::type_name)
            )));
        }
    };
    let steps = STEPS.closure(vm)?;
    let Some(tx) = super::db::begin(vm, &db) else {
        return Err(vm.type_error(".transaction_async needs a Database"));
    };
    Ok(Flow::call(
        GiveResult,
        Value::Func(steps),
        vec![tx, f, Value::Native(&END)],
    ))
}
