//! `await`: the one op that suspends a task.
//!
//! The futures (and the `^timeout` value) stay on the stack while the task waits, and the frame
//! stays at the `Await` op, which runs again when the task is woken: it looks at the futures
//! again from the first one not yet known to have settled. Errors meant for this `await` (a
//! timeout, a deadlock, a cancellation) are thrown by the op itself when it runs again, so
//! they come from the right place with the right trace.

use std::rc::Rc;
use std::time::{Duration, Instant};

use super::errors::{TRACE_INNER, TRACE_OUTER};
use super::sched::{OpEntry, OpTarget, Signal};
use super::{Exc, Trace, TraceEntry, Vm};
use crate::bytecode::await_operands;
use crate::value::future::Reaction;
use crate::value::{FutState, FutureObj, Value};

/// What the futures of an `await` look like now.
enum Scan {
    /// All settled successfully.
    Done,
    /// This one (by index) has not settled yet.
    Pending(usize, Rc<FutureObj>),
    /// Throw this (the first failure, a cancellation, a non-future).
    Throw(Exc),
}

impl Vm {
    pub(super) fn await_op(&mut self, flags: u32) -> Result<(), Exc> {
        let (count, spread, has_timeout) = await_operands(flags);
        let interrupted = self.task.meta.pending_throw.is_some() || self.task.meta.cancel_requested;
        if interrupted && self.woken_settled(count, spread, has_timeout) {
            // What it waited for was handed over before the timeout or the cancellation reached
            // this task: the await takes it (a channel's value, a permit or a lock must not be
            // lost) and a cancellation waits for the next await.
            self.task.meta.pending_throw = None;
        } else if let Some(e) = self.task.meta.pending_throw.take() {
            self.end_await();
            return Err(*e);
        } else if self.task.meta.cancel_requested {
            self.task.meta.cancel_requested = false;
            self.end_await();
            return Err(self.error("CancelledError", "the task was cancelled"));
        }
        if count == 1 && !spread && !has_timeout && self.take_settled_single() {
            return Ok(());
        }
        let extra = has_timeout as usize;
        let operands = if spread { 1 } else { count as usize };
        let len = self.task.stack.len();
        let Some(first) = len.checked_sub(operands + extra) else {
            return Err(self.type_error("internal error: await without operands"));
        };
        let items: Vec<Value> = if spread {
            match self.task.stack.get(first) {
                Some(Value::Array(a)) => a.borrow().clone(),
                Some(other) => {
                    let e =
                        self.type_error(format!("await needs futures, got {}", other.type_name()));
                    return Err(e);
                }
                None => Vec::new(),
            }
        } else {
            self.task.stack[first..first + operands].to_vec()
        };
        let timeout_ms = if has_timeout {
            let ms = self.task.stack.last().cloned().unwrap_or_default();
            match self.duration_ms(&ms, "await's ^timeout") {
                Ok(ms) => Some(ms),
                Err(e) => {
                    self.end_await();
                    return Err(e);
                }
            }
        } else {
            None
        };
        let start = self.task.meta.await_index as usize;
        if start == 0 {
            // Everything given to await is observed from now on (its failure is not reported
            // as unobserved), whether or not this await gets as far as it.
            for v in &items {
                if let Value::Future(f) = v {
                    f.observed.set(true);
                }
            }
        }
        match self.scan(&items, start) {
            Scan::Done => {
                self.end_await();
                let values: Vec<Value> = items.iter().map(success_value).collect();
                self.task.stack.truncate(first);
                let result = if spread || count != 1 {
                    Value::array(values)
                } else {
                    values.into_iter().next().unwrap_or_default()
                };
                self.task.stack.push(result);
                Ok(())
            }
            Scan::Throw(e) => {
                self.end_await();
                Err(e)
            }
            Scan::Pending(index, future) => {
                self.task.meta.await_index = index as u32;
                self.task.meta.await_parked = true;
                if let Some(ms) = timeout_ms
                    && self.task.meta.timeout.is_none()
                {
                    self.start_await_timeout(ms)?;
                }
                self.main_awaits(&future);
                let token = self.park_token();
                let task = self.task.meta.id;
                future
                    .reactions
                    .borrow_mut()
                    .push(Reaction::Wake { task, token });
                if let Some(frame) = self.task.frames.last_mut() {
                    frame.ip = frame.ip.saturating_sub(1);
                }
                Err(Exc::signal(Signal::Suspend))
            }
        }
    }

    /// `(await f)` of a future that has succeeded: its value replaces it on the stack, with no
    /// arrays built on the way (the common case: a channel's value, a permit, a completed
    /// step). False, and nothing done, otherwise.
    fn take_settled_single(&mut self) -> bool {
        let value = match self.task.stack.last() {
            Some(Value::Future(f)) if f.done.get() => match &*f.state.borrow() {
                FutState::Success(v) => {
                    f.observed.set(true);
                    v.clone()
                }
                _ => return false,
            },
            _ => return false,
        };
        self.end_await();
        if let Some(top) = self.task.stack.last_mut() {
            *top = value;
        }
        true
    }

    /// This await parked before and, woken now, finds every future it waits for settled
    /// successfully, one of them by a hand-over ([`FutureObj::hand_over`]).
    fn woken_settled(&self, count: u32, spread: bool, has_timeout: bool) -> bool {
        if !self.task.meta.await_parked {
            return false;
        }
        let operands = if spread { 1 } else { count as usize };
        let len = self.task.stack.len();
        let Some(first) = len.checked_sub(operands + has_timeout as usize) else {
            return false;
        };
        let succeeded = |v: &Value| matches!(v, Value::Future(f) if f.done.get() && matches!(*f.state.borrow(), FutState::Success(_)));
        let handed = |v: &Value| matches!(v, Value::Future(f) if f.hand_over.get());
        match &self.task.stack[first..first + operands] {
            [Value::Array(a)] if spread => {
                let items = a.borrow();
                items.iter().all(succeeded) && items.iter().any(handed)
            }
            items => items.iter().all(succeeded) && items.iter().any(handed),
        }
    }

    /// Left to right from `start`: the first future still pending, or the first failure.
    fn scan(&self, items: &[Value], start: usize) -> Scan {
        for (i, v) in items.iter().enumerate().skip(start) {
            let Value::Future(f) = v else {
                return Scan::Throw(
                    self.type_error(format!("await needs a future, got {}", v.type_name())),
                );
            };
            if !f.done.get() {
                return Scan::Pending(i, f.clone());
            }
            match &*f.state.borrow() {
                FutState::Success(_) => {}
                FutState::Failure(value, trace) => {
                    return Scan::Throw(self.rethrow(value.clone(), trace.clone()));
                }
                FutState::Cancelled | FutState::Pending => {
                    return Scan::Throw(
                        self.error("CancelledError", "the awaited future was cancelled"),
                    );
                }
            }
        }
        Scan::Done
    }

    /// A failure thrown again at an `await`: its trace continues with the awaiting task's.
    fn rethrow(&self, value: Value, trace: Option<Rc<Trace>>) -> Exc {
        let here = self.capture_trace();
        let mut e = Exc::new(value);
        e.trace = Some(match trace {
            Some(inner) => Rc::new(awaited_trace(&inner, &here)),
            None => here,
        });
        e
    }

    fn start_await_timeout(&mut self, ms: f64) -> Result<(), Exc> {
        if ms <= 0.0 {
            self.end_await();
            return Err(self.error(
                "TimeoutError",
                format!("await timed out after {} ms", super::driver::fmt_ms(ms)),
            ));
        }
        let deadline = deadline_after(ms);
        let op = self.reactor.timer(deadline);
        let task = self.task.meta.id;
        self.sched.ops.insert(
            op,
            OpEntry {
                target: OpTarget::AwaitTimeout { task, ms },
                deadline: Some(deadline),
            },
        );
        self.task.meta.timeout = Some(op);
        Ok(())
    }

    /// The `await` is over (it gives a value or throws).
    fn end_await(&mut self) {
        self.task.meta.await_index = 0;
        self.task.meta.await_parked = false;
        self.await_ended();
        if let Some(op) = self.task.meta.timeout.take() {
            self.cancel_op(op);
        }
    }
}

fn success_value(v: &Value) -> Value {
    match v {
        Value::Future(f) => match &*f.state.borrow() {
            FutState::Success(v) => v.clone(),
            _ => Value::Nil,
        },
        _ => Value::Nil,
    }
}

impl Vm {
    /// A duration in milliseconds given to `what` (sleeps, timeouts): a number (TypeError
    /// otherwise), finite and not negative (ArgumentError naming `what` and the value
    /// otherwise: NaN would never fire, an infinite wait is a hang).
    pub(crate) fn duration_ms(&self, v: &Value, what: &str) -> Result<f64, Exc> {
        let ms = match v {
            Value::Int(i) => *i as f64,
            Value::Float(f) => *f,
            other => {
                return Err(self.type_error(format!(
                    "{what} must be a number of milliseconds, got {}",
                    other.type_name()
                )));
            }
        };
        if ms.is_finite() && ms >= 0.0 {
            return Ok(ms);
        }
        Err(self.error(
            "ArgumentError",
            format!(
                "{what} must be a finite number of milliseconds, not negative; got {}",
                crate::value::display(v)
            ),
        ))
    }
}

/// `ms` milliseconds from now (a huge or non-finite value is "in a very long time").
pub(crate) fn deadline_after(ms: f64) -> Instant {
    let now = Instant::now();
    let ms = if ms.is_finite() { ms.max(0.0) } else { 1e12 };
    Duration::try_from_secs_f64(ms / 1000.0)
        .ok()
        .and_then(|d| now.checked_add(d))
        .unwrap_or_else(|| now + Duration::from_secs(86_400 * 365 * 100))
}

/// The trace of a failure thrown in one task, continued by the frames of the task that awaited
/// it (marked, so reports can say where the await was). Like a deep stack, a long chain of
/// awaits keeps its innermost and outermost entries and counts the ones left out.
fn awaited_trace(inner: &Trace, here: &Trace) -> Trace {
    let mut entries: Vec<TraceEntry> = inner.entries.iter().map(TraceEntry::clone_entry).collect();
    for (i, e) in here.entries.iter().enumerate() {
        let mut entry = e.clone_entry();
        entry.awaited = i == 0;
        entries.push(entry);
    }
    let mut omitted = inner.omitted + here.omitted;
    let keep = TRACE_INNER + TRACE_OUTER;
    if entries.len() > keep {
        let cut = entries.len() - keep;
        entries.drain(TRACE_INNER..TRACE_INNER + cut);
        omitted += cut;
    }
    Trace { entries, omitted }
}
