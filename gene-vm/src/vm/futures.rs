//! Settling futures, and everything that follows from it: callbacks start (before anything
//! awaiting the future resumes), waiting tasks wake, following futures settle the same way.
//! Also cancellation and adoption (an async body that evaluates to a future).

use std::rc::Rc;

use super::sched::Wake;
use super::{Exc, Trace, Vm};
use crate::value::future::{Origin, Producer, Reaction};
use crate::value::{FutState, FutureObj, Value};

/// How a future settles.
#[derive(Clone)]
pub(crate) enum Outcome {
    Success(Value),
    Failure(Value, Option<Rc<Trace>>),
    Cancelled,
}

impl Outcome {
    /// How a settled future settled (None while pending).
    pub fn of(f: &FutureObj) -> Option<Outcome> {
        match &*f.state.borrow() {
            FutState::Pending => None,
            FutState::Success(v) => Some(Outcome::Success(v.clone())),
            FutState::Failure(v, t) => Some(Outcome::Failure(v.clone(), t.clone())),
            FutState::Cancelled => Some(Outcome::Cancelled),
        }
    }

    fn into_state(self) -> FutState {
        match self {
            Outcome::Success(v) => FutState::Success(v),
            Outcome::Failure(v, t) => FutState::Failure(v, t),
            Outcome::Cancelled => FutState::Cancelled,
        }
    }
}

impl Vm {
    /// Settles a pending future (and the futures following it); false when it had settled
    /// already.
    pub(crate) fn settle(&mut self, f: &Rc<FutureObj>, outcome: Outcome) -> bool {
        if !f.is_pending() {
            return false;
        }
        // Futures following this one settle in turn (no allocation unless there are some).
        let mut work = Vec::new();
        self.settle_one(f, outcome, &mut work);
        let mut next = 0;
        while let Some((f, outcome)) = work.get(next).cloned() {
            next += 1;
            self.settle_one(&f, outcome, &mut work);
        }
        true
    }

    fn settle_one(
        &mut self,
        f: &Rc<FutureObj>,
        outcome: Outcome,
        work: &mut Vec<(Rc<FutureObj>, Outcome)>,
    ) {
        if !f.is_pending() {
            return;
        }
        if matches!(outcome, Outcome::Failure(..)) {
            self.sched.record_failure(f.clone());
        }
        let cancelled = matches!(outcome, Outcome::Cancelled);
        *f.state.borrow_mut() = outcome.into_state();
        // A cancelled task's future is done when the task has finished unwinding.
        if cancelled && matches!(*f.producer.borrow(), Producer::Task(_)) {
            return;
        }
        self.finish_future(f, work);
    }

    /// The future's outcome is final: run its reactions. Futures to settle in turn are added
    /// to `work`.
    fn finish_future(&mut self, f: &Rc<FutureObj>, work: &mut Vec<(Rc<FutureObj>, Outcome)>) {
        f.done.set(true);
        // No report comes after this: the listeners go (and with them any loop of futures).
        if let Some(progress) = f.progress.borrow_mut().as_mut() {
            progress.listeners.clear();
        }
        let producer = std::mem::take(&mut *f.producer.borrow_mut());
        if let Producer::Op(op) = producer {
            // Settled before its operation completed (`gene/timeout` whose future won, a sleep
            // completed by hand): the operation no longer keeps the program alive.
            self.cancel_op(op);
        }
        let Some(outcome) = Outcome::of(f) else {
            return;
        };
        let reactions = std::mem::take(&mut *f.reactions.borrow_mut());
        for reaction in reactions {
            match reaction {
                Reaction::Callback {
                    on_success,
                    f: callback,
                    origin,
                } => self.run_callback(&outcome, on_success, callback, origin),
                Reaction::Wake { task, token } => self.wake(task, token),
                Reaction::Follow(target) => {
                    if f.hand_over.get() {
                        target.hand_over.set(true);
                    }
                    work.push((target, outcome.clone()))
                }
            }
        }
    }

    /// Starts `callback` if it is for this outcome. A cancelled future counts as failed (with a
    /// CancelledError), as it does for `await`.
    pub(crate) fn run_callback(
        &mut self,
        outcome: &Outcome,
        on_success: bool,
        callback: Value,
        origin: Option<Origin>,
    ) {
        let value = match (outcome, on_success) {
            (Outcome::Success(v), true) => v.clone(),
            (Outcome::Failure(v, _), false) => v.clone(),
            (Outcome::Cancelled, false) => {
                self.make_error_value("CancelledError", "the future was cancelled")
            }
            _ => return,
        };
        self.start_callback(callback, value, None, origin);
    }

    /// The task that produced `f` returned (or threw).
    pub(crate) fn task_settles(&mut self, f: Rc<FutureObj>, outcome: Result<Value, Exc>) {
        let cancelled = matches!(*f.state.borrow(), FutState::Cancelled);
        *f.producer.borrow_mut() = Producer::Manual;
        if cancelled {
            // Its waiters have waited for the unwinding to end; now they get CancelledError.
            if !f.done.get() {
                let mut work = Vec::new();
                self.finish_future(&f, &mut work);
                self.settle_all(work);
            }
            return;
        }
        match outcome {
            Ok(Value::Future(inner)) if Rc::ptr_eq(&inner, &f) => {
                let e = self.make_error_value(
                    "TypeError",
                    "an async body evaluated to its own future, which can never settle",
                );
                self.settle(&f, Outcome::Failure(e, None));
            }
            Ok(Value::Future(inner)) => self.adopt(&f, inner),
            Ok(v) => {
                self.settle(&f, Outcome::Success(v));
            }
            Err(e) => {
                self.settle(&f, Outcome::Failure(e.value, e.trace));
            }
        }
    }

    fn settle_all(&mut self, work: Vec<(Rc<FutureObj>, Outcome)>) {
        for (f, outcome) in work {
            self.settle(&f, outcome);
        }
    }

    /// `f` settles the way `inner` does (no future of a future).
    fn adopt(&mut self, f: &Rc<FutureObj>, inner: Rc<FutureObj>) {
        inner.observed.set(true);
        if inner.done.get() {
            if let Some(outcome) = Outcome::of(&inner) {
                self.settle(f, outcome);
            }
            return;
        }
        inner
            .reactions
            .borrow_mut()
            .push(Reaction::Follow(f.clone()));
        self.forward_progress(&inner, f);
        *f.producer.borrow_mut() = Producer::Adopts(inner);
    }

    /// `f` settles like `source` does (at once when `source` has settled).
    pub(crate) fn follow(&mut self, f: &Rc<FutureObj>, source: &Rc<FutureObj>) {
        source.observed.set(true);
        if source.done.get() {
            if let Some(outcome) = Outcome::of(source) {
                self.settle(f, outcome);
            }
            return;
        }
        source
            .reactions
            .borrow_mut()
            .push(Reaction::Follow(f.clone()));
    }

    /// `(f .cancel)`: false when `f` has settled. A task's future becomes `cancelled` at once
    /// and the task gets a CancelledError where it waits; an operation is dropped.
    pub(crate) fn cancel_future(&mut self, f: &Rc<FutureObj>) -> bool {
        if !f.is_pending() {
            return false;
        }
        let producer = std::mem::take(&mut *f.producer.borrow_mut());
        match producer {
            Producer::Task(id) => {
                *f.producer.borrow_mut() = Producer::Task(id);
                *f.state.borrow_mut() = FutState::Cancelled;
                self.cancel_task(f, id);
            }
            Producer::Op(op) => {
                self.cancel_op(op);
                self.settle(f, Outcome::Cancelled);
            }
            Producer::Adopts(inner) => {
                self.settle(f, Outcome::Cancelled);
                self.cancel_future(&inner);
            }
            Producer::Manual => {
                self.settle(f, Outcome::Cancelled);
            }
        }
        true
    }

    /// Delivers the cancellation to the task producing `f`: at its next `await` if it is
    /// running or ready, at once if it waits.
    fn cancel_task(&mut self, f: &Rc<FutureObj>, id: usize) {
        let running = self
            .task
            .meta
            .future
            .as_ref()
            .is_some_and(|cf| Rc::ptr_eq(cf, f));
        if running {
            self.task.meta.cancel_requested = true;
            return;
        }
        let in_native = match self.sched.task_mut(id) {
            Some(t) => matches!(t.meta.wake, Wake::Value(_)),
            None => return,
        };
        if in_native {
            let e = self.error("CancelledError", "the task was cancelled");
            self.throw_into(id, e);
        } else if let Some(t) = self.sched.task_mut(id) {
            t.meta.cancel_requested = true;
            let token = t.meta.token;
            self.wake(id, token);
        }
    }
}
