//! What an exception does to generators: the ones whose frames it leaves are done, and a
//! `for` loop it leaves closes its generator first (the `finally` blocks around the current
//! `yield` run, then the exception goes on).

use std::rc::Rc;

use super::{Unwinding, iter_generator, take_iter_generator};
use crate::value::future::Reaction;
use crate::value::generator::{CloseThen, GenState, Mode};
use crate::value::{GeneratorObj, Value};
use crate::vm::sched::{Signal, Wake};
use crate::vm::{Exc, Vm};

impl Vm {
    /// Called by `unwind` before it drops frames: generators whose frames go are done (an
    /// async generator's request fails), and a loop being left over a generator closes it
    /// first — its `finally` blocks run, then the exception goes on from there.
    pub(crate) fn unwind_generators(&mut self, mut exc: Exc, stop_depth: usize) -> Unwinding {
        loop {
            let handler = if exc.uncatchable {
                None
            } else {
                self.task
                    .handlers
                    .last()
                    .filter(|h| h.frames as usize > stop_depth)
            };
            let (cut_frames, cut_stack) = match handler {
                Some(h) => (h.frames as usize, h.stack as usize),
                None => (
                    stop_depth,
                    self.task
                        .frames
                        .get(stop_depth)
                        .map_or(self.task.stack.len(), |f| f.base.saturating_sub(1) as usize),
                ),
            };
            let len = self.task.stack.len();
            let open = if exc.uncatchable {
                None
            } else {
                (cut_stack.min(len)..len)
                    .rev()
                    .find(|&i| iter_generator(self.task.stack.get(i)).is_some_and(|g| !g.is_done()))
                    .and_then(|i| {
                        let owner = self
                            .task
                            .frames
                            .iter()
                            .rposition(|f| (f.base as usize) <= i)?;
                        Some((i, owner))
                    })
            };
            let drop_from = open
                .map_or(cut_frames, |(_, owner)| owner + 1)
                .max(cut_frames);
            for i in (drop_from..self.task.frames.len()).rev() {
                let g = self.task.frames.get(i).and_then(|f| {
                    match self.task.stack.get((f.base as usize).checked_sub(1)?) {
                        Some(Value::Generator(g)) if g.is_running() => Some(g.clone()),
                        _ => None,
                    }
                });
                if let Some(g) = g
                    && let Some(original) = self.abort_generator(&g, &exc)
                    && !exc.uncatchable
                {
                    // It was closing because of `original`, which goes on (as in JavaScript,
                    // the exception that left the loop wins over one from the clean-up).
                    exc = original;
                }
            }
            let Some((at, owner)) = open else {
                return Unwinding::Proceed(exc);
            };
            let keep = owner + 1;
            self.task.frames.truncate(keep);
            self.task.handlers.retain(|h| h.frames as usize <= keep);
            self.task.natives.retain(|n| n.depth < keep);
            self.task.stack.truncate(at + 1);
            let Some(g) = take_iter_generator(self.task.stack.get(at)) else {
                continue;
            };
            if g.is_async {
                let f = self.async_request(&g, true, Value::Nil);
                // The exception on its way wins over one from the close (as in JavaScript):
                // a failed close is not reported as a failure nobody observed.
                f.observed.set(true);
                if f.done.get() {
                    continue;
                }
                // Wait for the close, then throw the exception again from here.
                self.task.meta.wake = Wake::Throw(Box::new(exc));
                let token = self.park_token();
                let task = self.task.meta.id;
                f.reactions
                    .borrow_mut()
                    .push(Reaction::Wake { task, token });
                return Unwinding::Diverted(Err(Exc::signal(Signal::Suspend)));
            }
            if !self.close_unstarted(&g) {
                continue;
            }
            let pos = self.task.stack.len();
            let mode = Mode::Close(CloseThen::Rethrow(Box::new(exc)));
            return Unwinding::Diverted(self.resume_here(&g, pos, Value::Nil, mode));
        }
    }

    /// An exception leaves a running generator's frame: the generator is done. For an async
    /// generator that is its task: the request being served fails, queued ones get done. A
    /// generator that was closing for an exception leaving a loop gives that exception back.
    fn abort_generator(&mut self, g: &Rc<GeneratorObj>, exc: &Exc) -> Option<Exc> {
        let state = std::mem::replace(&mut *g.state.borrow_mut(), GenState::Done);
        match state {
            GenState::Running {
                mode: Mode::Close(CloseThen::Rethrow(original)),
                ..
            } => Some(*original),
            GenState::Running {
                mode: Mode::Task, ..
            } => {
                if let Some(f) = self.task.meta.future.take() {
                    let mut copy = Exc::new(exc.value.clone());
                    copy.trace = exc.trace.clone();
                    self.task_settles(f, Err(copy));
                }
                self.flush_requests(g);
                None
            }
            _ => None,
        }
    }
}
