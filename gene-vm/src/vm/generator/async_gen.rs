//! Async generators: `.next` / `.close` give futures; the body runs in a task of its own,
//! one request at a time, and each `yield` settles the request being served.

use std::rc::Rc;

use super::{GenStep, step_map};
use crate::value::future::Producer;
use crate::value::generator::{GenState, Mode, Request, Segment};
use crate::value::{FutureObj, GeneratorObj, Value};
use crate::vm::sched::{Signal, TaskMeta};
use crate::vm::{Exc, Handler, Task, Vm};

impl Vm {
    /// `.next` / `.close` of an async generator from Gene code: its future; a request that
    /// starts the body runs it before the caller goes on (eager start, like an async call).
    pub(super) fn async_call(&mut self, g: &Rc<GeneratorObj>, close: bool, sent: Value) -> Value {
        let started = g.is_running();
        let f = self.async_request(g, close, sent);
        if !started && g.is_running() {
            self.sched.yield_now = true;
        }
        Value::Future(f)
    }

    /// Queues a request; when the generator is idle, a task starts serving it.
    pub(super) fn async_request(
        &mut self,
        g: &Rc<GeneratorObj>,
        close: bool,
        sent: Value,
    ) -> Rc<FutureObj> {
        let future = FutureObj::new(self.origin_here());
        if g.is_done() {
            self.settle(
                &future,
                crate::vm::futures::Outcome::Success(step_map(None)),
            );
            return future;
        }
        g.requests.borrow_mut().push_back(Request {
            close,
            sent,
            future: future.clone(),
        });
        if !g.is_running() {
            self.serve_async(g);
        }
        future
    }

    /// Starts a task for the first queued request of an idle async generator.
    pub(super) fn serve_async(&mut self, g: &Rc<GeneratorObj>) {
        loop {
            let Some(req) = g.requests.borrow_mut().pop_front() else {
                return;
            };
            let seg = match std::mem::replace(&mut *g.state.borrow_mut(), GenState::Done) {
                GenState::Suspended(seg) if seg.started || !req.close => seg,
                GenState::Suspended(_) | GenState::Done => {
                    // Closing before the start, or already done: nothing runs.
                    self.settle(
                        &req.future,
                        crate::vm::futures::Outcome::Success(step_map(None)),
                    );
                    continue;
                }
                running => {
                    *g.state.borrow_mut() = running;
                    g.requests.borrow_mut().push_front(req);
                    return;
                }
            };
            self.start_generator_task(g, seg, req);
            return;
        }
    }

    pub(super) fn start_generator_task(
        &mut self,
        g: &Rc<GeneratorObj>,
        mut seg: Box<Segment>,
        req: Request,
    ) {
        let Some(mut frame) = seg.frame.take() else {
            self.settle(
                &req.future,
                crate::vm::futures::Outcome::Success(step_map(None)),
            );
            return;
        };
        if seg.started {
            frame.ip = if req.close {
                seg.close_ip
            } else {
                seg.resume_ip
            };
        }
        frame.base = 1;
        let mut stack = std::mem::take(&mut seg.stack);
        if let Some(slot) = stack.first_mut() {
            *slot = Value::Generator(g.clone());
        }
        if seg.started && !req.close {
            stack.push(req.sent);
        }
        let handlers = seg
            .handlers
            .drain(..)
            .map(|h| Handler { frames: 1, ..h })
            .collect();
        let id = self.sched.alloc();
        *req.future.producer.borrow_mut() = Producer::Task(id);
        let task = Task {
            stack,
            frames: vec![frame],
            handlers,
            natives: Vec::new(),
            meta: TaskMeta {
                id,
                future: Some(req.future),
                serial: self.sched.new_serial(),
                parent: self.task.meta.serial,
                ..TaskMeta::default()
            },
        };
        let serial = task.meta.serial;
        if let Some(slot) = self.sched.tasks.get_mut(id) {
            *slot = Some(Box::new(task));
        }
        self.sched.immediate.push(id);
        if self.timeline.is_some() {
            self.timeline_task_started(serial);
        }
        *g.state.borrow_mut() = GenState::Running {
            mode: Mode::Task,
            shell: seg,
            natives_base: 0,
        };
    }

    /// A `yield` in an async generator's task: the request being served gets the value; the
    /// next queued one is served by the same task, else the task ends.
    pub(super) fn async_yield(
        &mut self,
        g: &Rc<GeneratorObj>,
        value: Value,
        over: u32,
    ) -> Result<GenStep, Exc> {
        if let Some(f) = self.task.meta.future.take() {
            self.task_settles(f, Ok(step_map(Some(value))));
        }
        let next = g.requests.borrow_mut().pop_front();
        let Some(req) = next else {
            self.suspend_top(g, over)?;
            return Ok(GenStep::Finish(Value::Nil));
        };
        if req.close {
            // The close path starts right after the `yield` (where the ip is).
        } else {
            self.caller_jump(|_| over);
            self.task.stack.push(req.sent);
        }
        *req.future.producer.borrow_mut() = Producer::Task(self.task.meta.id);
        self.task.meta.future = Some(req.future);
        // A cancellation was for the request just served.
        self.task.meta.cancel_requested = false;
        if std::mem::take(&mut self.sched.yield_now) {
            // Callbacks of the settled request run first.
            return Err(Exc::signal(Signal::Yield { front: true }));
        }
        Ok(GenStep::Reload)
    }

    /// Requests left when an async generator is done get `{^done true}`.
    pub(super) fn flush_requests(&mut self, g: &GeneratorObj) {
        loop {
            let Some(req) = g.requests.borrow_mut().pop_front() else {
                return;
            };
            self.settle(
                &req.future,
                crate::vm::futures::Outcome::Success(step_map(None)),
            );
        }
    }
}
