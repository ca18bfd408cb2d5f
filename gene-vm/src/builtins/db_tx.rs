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

use std::rc::Rc;
use std::sync::{Arc, OnceLock};

use crate::bytecode::Proto;
use crate::value::{Closure, FuncKind, NativeFn, NativeImpl, Value};
use crate::vm::code::{SourceInfo, link};
use crate::vm::native::{Flow, Resume, Step};
use crate::vm::{Exc, Vm};

/// The steps of a transaction after BEGIN. `end` commits (true) or rolls back (false) and
/// gives the future of that; on failure the body's future is cancelled (so a function still
/// running stops at its next `await`) before the rollback.
const STEPS: &str = r#"
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
"#;

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
    let steps = steps(vm)?;
    let Some(tx) = super::db::begin(vm, &db) else {
        return Err(vm.type_error(".transaction_async needs a Database"));
    };
    Ok(Flow::call(
        GiveResult,
        Value::Func(steps),
        vec![tx, f, Value::Native(&END)],
    ))
}

/// The steps' call gives the transaction's future: that is the method's value.
struct GiveResult;

impl Resume for GiveResult {
    fn resume(&mut self, _vm: &mut Vm, result: Value) -> Result<Step, Exc> {
        Ok(Step::Return(result))
    }
}

fn steps(vm: &Vm) -> Result<Rc<Closure>, Exc> {
    static PROTO: OnceLock<Arc<Proto>> = OnceLock::new();
    let proto = PROTO.get_or_init(|| {
        let parse = gene_syntax::parse_text(STEPS);
        Arc::new(crate::compiler::compile_module(
            &parse.forms(),
            "<transaction>",
        ))
    });
    let source = SourceInfo::new("<transaction>", Arc::new(STEPS.to_string()));
    let module = link(proto, &source, &[]);
    let Some(code) = module.protos.first().cloned() else {
        return Err(vm.error(
            "Exception",
            "internal error: the transaction steps did not compile",
        ));
    };
    let is_async = code.proto.is_async;
    Ok(Rc::new(Closure {
        code,
        captures: Vec::new(),
        ns: vm.gene_ns.clone(),
        self_val: Value::Nil,
        kind: FuncKind::Function,
        is_async,
    }))
}
