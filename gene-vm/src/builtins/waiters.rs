//! The waiting queues of channels, semaphores, locks and events: futures waiting for a value, a
//! permit or a signal, served first come, first served.
//!
//! A waiter is a plain pending future (its producer stays `Manual`). Serving one settles it, so
//! the value or permit is the future's from then on, whoever reads it. What must never happen
//! is handing a value or a permit to a future nothing can read any more: it would be lost. So
//! the queue serves only *live* waiters, and drops the others as it meets them:
//! - a waiter that is no longer pending (its future was cancelled: `.cancel`, `gene/timeout`)
//!   is gone;
//! - a waiter something still listens to (an `.on_success`, a `gene/race` or `gene/timeout`
//!   that has not settled, a task parked on it) is live;
//! - otherwise it is live only while some Gene value still refers to it. The references of
//!   tasks that are leaving their `await` of it (cancelled, timed out, deadlocked, but not run
//!   yet to throw) do not count: those awaits will never take the value. A send nobody awaited
//!   (`(ch .send_async v)` left to run) is the exception: it is live until it is cancelled or
//!   its awaiter leaves, since delivering is its whole point.
//!
//! A served future is marked as a hand-over ([`hand_over`]): the task it wakes takes what it
//! carries even if a cancellation reaches that task before it runs again.

use std::collections::VecDeque;
use std::rc::Rc;

use crate::value::future::Reaction;
use crate::value::{FutureObj, Value};
use crate::vm::Vm;
use crate::vm::futures::Outcome;

/// Serves a waiter: its future succeeds with `value`, marked as a hand-over, so that the task
/// it wakes takes it even if a cancellation reaches that task first.
pub(crate) fn hand_over(vm: &mut Vm, f: &Rc<FutureObj>, value: Value) {
    f.hand_over.set(true);
    vm.settle(f, Outcome::Success(value));
}

/// What serving a waiter means for whoever reads its future.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Serves {
    /// It gets something (a value, a permit, the lock): served only if someone can read it.
    Reader,
    /// It gives something (a pending send): served unless cancelled or abandoned by its awaiter.
    Giver,
}

/// Futures waiting in arrival order, each with its data (a value to send, how to wrap a
/// received value, who asked for a lock).
pub(crate) struct WaitQueue<T> {
    entries: VecDeque<(Rc<FutureObj>, T)>,
    /// The length from which `push` sweeps out waiters that are gone (so a loop of receives
    /// that all time out with nothing sent does not grow the queue without bound).
    sweep_at: usize,
}

impl<T> Default for WaitQueue<T> {
    fn default() -> Self {
        WaitQueue {
            entries: VecDeque::new(),
            sweep_at: SWEEP_MIN,
        }
    }
}

const SWEEP_MIN: usize = 32;

impl<T> WaitQueue<T> {
    pub fn push(&mut self, vm: &Vm, future: Rc<FutureObj>, data: T, serves: Serves) {
        if self.entries.len() >= self.sweep_at {
            self.entries.retain(|(f, _)| is_live(vm, f, serves));
            self.sweep_at = (self.entries.len() * 2).max(SWEEP_MIN);
        }
        self.entries.push_back((future, data));
    }

    /// The first live waiter, taken out of the queue (the gone ones before it are dropped).
    pub fn pop_live(&mut self, vm: &Vm, serves: Serves) -> Option<(Rc<FutureObj>, T)> {
        while let Some((f, data)) = self.entries.pop_front() {
            if is_live(vm, &f, serves) {
                return Some((f, data));
            }
        }
        None
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Every waiter, in order, the queue left empty (closing a channel, setting an event).
    pub fn take_all(&mut self) -> VecDeque<(Rc<FutureObj>, T)> {
        self.sweep_at = SWEEP_MIN;
        std::mem::take(&mut self.entries)
    }
}

/// Whether serving `f` can reach anyone (see the module's comment). The caller's queue holds
/// one reference to `f`.
fn is_live(vm: &Vm, f: &Rc<FutureObj>, serves: Serves) -> bool {
    if !f.is_pending() {
        return false;
    }
    let mut leaving = 0;
    for reaction in f.reactions.borrow().iter() {
        match reaction {
            Reaction::Callback { .. } => return true,
            Reaction::Follow(target) if target.is_pending() => return true,
            Reaction::Follow(_) => {}
            Reaction::Wake { task, token } => {
                match vm.sched.tasks.get(*task).and_then(|t| t.as_deref()) {
                    Some(t) if t.meta.token == *token => return true,
                    Some(t) if t.meta.cancel_requested || t.meta.pending_throw.is_some() => {
                        leaving += 1;
                    }
                    _ => {}
                }
            }
        }
    }
    let referenced = Rc::strong_count(f) > 1 + leaving;
    match serves {
        Serves::Reader => referenced,
        Serves::Giver => referenced || (leaving == 0 && !f.observed.get()),
    }
}
