//! Futures from Gene code: `new gene/Future`, the Future methods, `complete_future`,
//! `gene/race`, `gene/timeout`, `gene/progress` and `$await_all`.

use std::rc::Rc;

use super::{arg, duration_arg, num_arg};
use crate::value::future::{Producer, Reaction};
use crate::value::{FutState, FutureObj, NativeFn, Value};
use crate::vm::futures::Outcome;
use crate::vm::sched::{OpEntry, OpTarget, Signal, Wake};
use crate::vm::{Exc, Vm};

pub(super) static NATIVES: &[NativeFn] = &[
    native!("Future.state", |vm, args| {
        let f = future_arg(vm, args, ".state")?;
        Ok(Value::symbol(f.state_name()))
    }),
    native!("Future.value", |vm, args| {
        let f = future_arg(vm, args, ".value")?;
        Ok(match &*f.state.borrow() {
            FutState::Success(v) => v.clone(),
            FutState::Failure(v, _) => {
                f.observed.set(true);
                v.clone()
            }
            FutState::Pending | FutState::Cancelled => Value::Nil,
        })
    }),
    native!("Future.complete", |vm, args| {
        let f = future_arg(vm, args, ".complete")?;
        complete(vm, &f, arg(args, 1).clone())
    }),
    native!("global/complete_future", |vm, args| {
        let f = future_arg(vm, args, "complete_future")?;
        complete(vm, &f, arg(args, 1).clone())
    }),
    native!("Future.fail", |vm, args| {
        let f = future_arg(vm, args, ".fail")?;
        let error = match args.get(1) {
            Some(e) if !matches!(e, Value::Nil) => e.clone(),
            _ => vm.make_error_value("Exception", "the future failed"),
        };
        let trace = Some(vm.capture_trace());
        if !vm.settle(&f, Outcome::Failure(error, trace)) {
            return Err(already_settled(vm, &f));
        }
        Ok(Value::Nil)
    }),
    native!("Future.on_success", |vm, args| on_settled(vm, args, true)),
    native!("Future.on_failure", |vm, args| on_settled(vm, args, false)),
    native!("Future.on_progress", |vm, args| {
        let f = future_arg(vm, args, ".on_progress")?;
        let callback = callback_arg(vm, args, ".on_progress")?;
        let origin = vm.origin_here();
        vm.on_progress(&f, callback, origin);
        Ok(Value::Future(f))
    }),
    native!("Future.progress", |vm, args| {
        let f = future_arg(vm, args, ".progress")?;
        Ok(f.progress_fraction().map_or(Value::Nil, Value::Float))
    }),
    native!("gene/progress", progress),
    native!("Future.cancel", |vm, args| {
        let f = future_arg(vm, args, ".cancel")?;
        Ok(Value::Bool(vm.cancel_future(&f)))
    }),
    native!("gene/race", race),
    native!("gene/timeout", timeout),
    native!("gene/tasks", |vm, _| Ok(tasks_value(&vm.task_snapshot()))),
    native!("gene/await_all", |vm, _| {
        if vm.sched.parked_or_ready() == 0 && vm.sched.ops.is_empty() {
            return Ok(Value::Nil);
        }
        vm.task.meta.idle_waiter = true;
        vm.task.meta.wake = Wake::Value(Value::Nil);
        vm.park_token();
        Err(Exc::signal(Signal::Suspend))
    }),
];

fn future_arg(vm: &Vm, args: &[Value], what: &str) -> Result<Rc<FutureObj>, Exc> {
    match args.first() {
        Some(Value::Future(f)) => Ok(f.clone()),
        other => Err(vm.type_error(format!(
            "{what} needs a future, got {}",
            other.map_or("nothing".to_string(), Value::type_name)
        ))),
    }
}

fn already_settled(vm: &Vm, f: &FutureObj) -> Exc {
    vm.error(
        "Exception",
        format!("Future already completed (it is {})", f.state_name()),
    )
}

fn complete(vm: &mut Vm, f: &Rc<FutureObj>, value: Value) -> Result<Value, Exc> {
    if !vm.settle(f, Outcome::Success(value)) {
        return Err(already_settled(vm, f));
    }
    Ok(Value::Nil)
}

/// `.on_success` / `.on_failure`: runs at once on a future settled the matching way, else when
/// it settles. Gives the future.
fn on_settled(vm: &mut Vm, args: &[Value], on_success: bool) -> Result<Value, Exc> {
    let name = if on_success {
        ".on_success"
    } else {
        ".on_failure"
    };
    let f = future_arg(vm, args, name)?;
    let callback = callback_arg(vm, args, name)?;
    if !on_success {
        f.observed.set(true);
    }
    let origin = vm.origin_here();
    if f.done.get() {
        if let Some(outcome) = Outcome::of(&f) {
            vm.run_callback(&outcome, on_success, callback, origin);
        }
    } else {
        f.reactions.borrow_mut().push(Reaction::Callback {
            on_success,
            f: callback,
            origin,
        });
    }
    Ok(Value::Future(f))
}

/// The callable a callback registration gets as its second argument.
fn callback_arg(vm: &Vm, args: &[Value], name: &str) -> Result<Value, Exc> {
    match args.get(1) {
        Some(cb @ (Value::Func(_) | Value::Native(_) | Value::BoundMethod(_))) => Ok(cb.clone()),
        other => Err(vm.type_error(format!(
            "{name} needs a function or block, got {}",
            other.map_or("nothing".to_string(), Value::type_name)
        ))),
    }
}

/// `(gene/progress fraction [message])`: a report on the running task's future (see
/// `vm/progress.rs`). A fraction outside 0..=1 is an error rather than clamped: it is almost
/// always a percentage or a count passed by mistake, and a clamped bar would hide that.
fn progress(vm: &mut Vm, args: &[Value]) -> Result<Value, Exc> {
    let fraction = num_arg(vm, args, 0, "gene/progress's fraction")?;
    if !(0.0..=1.0).contains(&fraction) {
        return Err(vm.error(
            "ArgumentError",
            format!(
                "gene/progress's fraction must be from 0 to 1, got {}",
                crate::value::display(arg(args, 0))
            ),
        ));
    }
    let message = match arg(args, 1) {
        m @ (Value::Nil | Value::Str(_)) => m.clone(),
        other => {
            return Err(vm.type_error(format!(
                "gene/progress's message must be a string or nil, got {}",
                other.type_name()
            )));
        }
    };
    vm.report_progress(fraction, message);
    Ok(Value::Nil)
}

fn futures_in(vm: &Vm, args: &[Value], what: &str) -> Result<Vec<Rc<FutureObj>>, Exc> {
    args.iter()
        .map(|v| match v {
            Value::Future(f) => Ok(f.clone()),
            other => Err(vm.type_error(format!("{what} needs futures, got {}", other.type_name()))),
        })
        .collect()
}

/// `(gene/race f1 f2 ...)`: settles like the first of them to settle.
fn race(vm: &mut Vm, args: &[Value]) -> Result<Value, Exc> {
    let futures = futures_in(vm, args, "gene/race")?;
    if futures.is_empty() {
        return Err(vm.error("ArgumentError", "gene/race needs at least one future"));
    }
    let result = FutureObj::new(vm.origin_here());
    for f in &futures {
        vm.follow(&result, f);
    }
    Ok(Value::Future(result))
}

/// `(gene/timeout ms f)`: settles like f, or fails with TimeoutError after ms and cancels f.
fn timeout(vm: &mut Vm, args: &[Value]) -> Result<Value, Exc> {
    let ms = duration_arg(vm, args, 0, "gene/timeout's duration")?;
    let inner = match args.get(1) {
        Some(Value::Future(f)) => f.clone(),
        other => {
            return Err(vm.type_error(format!(
                "gene/timeout needs a future, got {}",
                other.map_or("nothing".to_string(), Value::type_name)
            )));
        }
    };
    let result = FutureObj::new(vm.origin_here());
    vm.follow(&result, &inner);
    if !result.is_pending() {
        return Ok(Value::Future(result));
    }
    vm.forward_progress(&inner, &result);
    let deadline = crate::vm::deadline_after(ms);
    let op = vm.reactor.timer(deadline);
    vm.sched.ops.insert(
        op,
        OpEntry {
            target: OpTarget::FutureTimeout {
                future: result.clone(),
                inner,
                ms,
            },
            deadline: Some(deadline),
        },
    );
    *result.producer.borrow_mut() = Producer::Op(op);
    Ok(Value::Future(result))
}

impl Vm {
    /// `(new gene/Future)` (pending) or `(new gene/Future v)` (completed with v), with the
    /// class at `stack[pos]` and the arguments above it.
    pub(crate) fn new_future(&mut self, pos: usize, argc: usize) -> Result<(), Exc> {
        let future = if argc == 0 {
            FutureObj::new(self.origin_here())
        } else {
            FutureObj::completed(self.task.stack.get(pos + 1).cloned().unwrap_or_default())
        };
        self.task.stack.truncate(pos);
        self.task.stack.push(Value::Future(future));
        Ok(())
    }
}

/// `gene/tasks`: the snapshot as Gene data.
fn tasks_value(tasks: &[crate::vm::TaskInfo]) -> Value {
    use crate::intern::Sym;
    use crate::value::Map;
    let opt_str = |s: Option<String>| s.map_or(Value::Nil, Value::str);
    let items = tasks
        .iter()
        .map(|t| {
            let mut m = Map::default();
            m.insert(Sym::new("id"), Value::Int(t.id as i64));
            m.insert(Sym::new("name"), Value::str(t.name.clone()));
            m.insert(
                Sym::new("parent"),
                t.parent.map_or(Value::Nil, |p| Value::Int(p as i64)),
            );
            m.insert(Sym::new("state"), Value::str(t.state.name()));
            m.insert(
                Sym::new("site"),
                opt_str(t.site.as_ref().map(ToString::to_string)),
            );
            m.insert(
                Sym::new("created"),
                opt_str(t.created_at.as_ref().map(ToString::to_string)),
            );
            m.insert(Sym::new("waiting_on"), opt_str(t.waiting_on.clone()));
            m.insert(
                Sym::new("waiting_ms"),
                t.waiting_ms.map_or(Value::Nil, |ms| Value::Int(ms as i64)),
            );
            Value::map(m)
        })
        .collect();
    Value::array(items)
}
