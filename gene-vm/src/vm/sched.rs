//! Tasks and the scheduler's bookkeeping.
//!
//! `vm.task` is the running task. Every other live task sits in a slot of
//! [`Scheduler::tasks`] (its id), boxed so that swapping one in and out moves a pointer's worth
//! of bookkeeping. A task is either *ready* (its id is in [`Scheduler::ready`] or
//! [`Scheduler::immediate`]) or *parked* waiting: then it holds a nonzero `token`, and whatever
//! will wake it (a future's reaction list, an `await ^timeout` timer, `$await_all`) holds the
//! same token, so a stale wake-up is recognised and ignored.
//!
//! Eager start: `(async ...)` and a `^^async` call build the new task and put it in `immediate`;
//! the creating task yields to it at once and continues (with the pending future) when it
//! finishes or first waits. Callbacks start the same way, before the code that settled the
//! future goes on.

use std::collections::VecDeque;
use std::rc::Rc;
use std::time::Instant;

use rustc_hash::FxHashMap;

use super::{Exc, Frame, Task, Vm};
use crate::bytecode::ParamKind;
use crate::intern::Sym;
use crate::reactor::OpId;
use crate::value::future::{Origin, Producer};
use crate::value::{Class, Closure, FutureObj, Map, Value};

/// Why the running task left the dispatch loop without returning or throwing.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) enum Signal {
    #[default]
    None,
    /// It waits (parked with a token).
    Suspend,
    /// It can go on, but others run first: `front` = right after the tasks just started
    /// (eager start, callbacks), otherwise at the back of the queue (preemption).
    Yield { front: bool },
}

/// How a task continues when it next runs.
#[derive(Default)]
pub(crate) enum Wake {
    /// Where it stopped.
    #[default]
    Continue,
    /// Push this value (the result of the native call it waited in).
    Value(Value),
    /// Throw this at the point where it waited.
    Throw(Box<Exc>),
}

#[derive(Default)]
pub(crate) struct TaskMeta {
    pub id: usize,
    /// The frame count at which the task's code is done.
    pub stop_depth: usize,
    /// The task's future (none for the main program).
    pub future: Option<Rc<FutureObj>>,
    pub wake: Wake,
    /// Nonzero while parked: wake-ups carrying another token are stale.
    pub token: u64,
    /// `.cancel` was called on its future: the next `await` throws CancelledError.
    pub cancel_requested: bool,
    /// The timer of the `await ^timeout` in progress.
    pub timeout: Option<OpId>,
    /// A TimeoutError or DeadlockError for the `await` in progress to throw.
    pub pending_throw: Option<Box<Exc>>,
    /// `await` of several futures: the ones before this index are known to have settled.
    pub await_index: u32,
    /// The `await` in progress has parked at least once (it runs again when woken).
    pub await_parked: bool,
    /// Parked in `$await_all` (woken when nothing else can run).
    pub idle_waiter: bool,
    /// The frames of the tasks whose `^^async` calls started this one, each started by the
    /// next, that have not run since: they resume only when this task first waits, as callers
    /// do when a call returns. Counted against `MAX_FRAMES` when this task starts another;
    /// zero once it has waited or been preempted (its starters went on meanwhile).
    pub starter_frames: usize,
    /// A number naming this task for the whole run (slots are reused, serials are not), given
    /// on first use ([`Vm::task_serial`]): who holds a `gene/Lock`. Tasks get theirs when
    /// they start (`vm/tasks.rs` names them by it).
    pub serial: u64,
    /// The serial of the task that started this one (0 for the main program).
    pub parent: u64,
    /// When it last parked ([`super::clock::coarse_ms`]): how long it has been waiting.
    pub waiting_since: u64,
}

/// What a reactor operation settles when it completes.
pub(crate) enum OpTarget {
    /// `gene/sleep_async`: success with nil.
    Sleep(Rc<FutureObj>),
    /// A file operation: `action` and `path` go into an IOError's message.
    Io {
        future: Rc<FutureObj>,
        action: &'static str,
        path: String,
    },
    /// The timer of an `await ^timeout` in the task with this id.
    AwaitTimeout { task: usize, ms: f64 },
    /// `gene/timeout`'s timer: fail `future` with TimeoutError and cancel `inner`.
    FutureTimeout {
        future: Rc<FutureObj>,
        inner: Rc<FutureObj>,
        ms: f64,
    },
    /// A job (SQLite, HTTP...): its result settles the future.
    Job(Box<super::jobs::JobEntry>),
    /// A stream (an HTTP server): events while it runs, then its end.
    Stream(Box<super::jobs::StreamEntry>),
}

pub(crate) struct OpEntry {
    pub target: OpTarget,
    /// For timers: what the reactor needs to drop it.
    pub deadline: Option<Instant>,
}

#[derive(Default)]
pub(crate) struct Scheduler {
    pub tasks: Vec<Option<Box<Task>>>,
    free: Vec<usize>,
    pub ready: VecDeque<usize>,
    /// Tasks to run before anything else (just started, callbacks), in order.
    pub immediate: Vec<usize>,
    /// Set when a native started tasks: the running task yields after the call.
    pub yield_now: bool,
    next_token: u64,
    next_serial: u64,
    /// Failed futures, checked at the end for failures nobody observed.
    pub failed: Vec<Rc<FutureObj>>,
    failed_checked: usize,
    /// Reactor operations the VM still waits for (they keep the program alive).
    pub ops: FxHashMap<OpId, OpEntry>,
    /// Driver iterations since the reactor's batch was last sent.
    pub since_flush: u32,
    /// An await ended without its future (a timeout, a cancellation) or a task finished: some
    /// operation may have nobody left to observe it (see `Vm::cancel_abandoned_ops`).
    pub check_abandoned: bool,
    /// The program goes on after its main task ends: a REPL session, whose later inputs may
    /// await what this one started (`crate::session`).
    pub program_continues: bool,
}

impl Scheduler {
    /// A slot for a new task (the caller stores it there or keeps it running).
    pub fn alloc(&mut self) -> usize {
        match self.free.pop() {
            Some(id) => id,
            None => {
                self.tasks.push(None);
                self.tasks.len() - 1
            }
        }
    }

    pub fn release(&mut self, id: usize) {
        if let Some(slot) = self.tasks.get_mut(id) {
            *slot = None;
            self.free.push(id);
        }
    }

    /// A serial for a task starting now.
    pub fn new_serial(&mut self) -> u64 {
        self.next_serial += 1;
        self.next_serial
    }

    pub fn token(&mut self) -> u64 {
        self.next_token += 1;
        self.next_token
    }

    pub fn task_mut(&mut self, id: usize) -> Option<&mut Task> {
        self.tasks.get_mut(id)?.as_deref_mut()
    }

    /// Forgets every task (after an interrupt or a failed main program).
    pub fn clear_tasks(&mut self) {
        self.tasks.clear();
        self.free.clear();
        self.ready.clear();
        self.immediate.clear();
        self.yield_now = false;
    }

    /// Live tasks besides the running one.
    pub fn parked_or_ready(&self) -> usize {
        self.tasks.len() - self.free.len()
    }

    /// Remembers a failed future for the end-of-program check; forgets observed ones now and
    /// then so a long run does not accumulate them.
    pub fn record_failure(&mut self, f: Rc<FutureObj>) {
        self.failed.push(f);
        if self.failed.len() >= 1024 && self.failed.len() >= 2 * self.failed_checked {
            self.failed.retain(|f| !f.observed.get());
            self.failed_checked = self.failed.len();
        }
    }

    /// Moves the tasks started since the last switch to the front of the queue, in order.
    pub fn promote_immediate(&mut self) {
        for id in self.immediate.drain(..).rev() {
            self.ready.push_front(id);
        }
    }
}

impl Vm {
    /// Where the running code is (for a future's origin).
    pub(crate) fn origin_here(&self) -> Option<Origin> {
        let f = self.task.frames.last()?;
        Some(Origin {
            code: f.closure.code.clone(),
            ip: f.ip,
        })
    }

    /// A `^^async` call (or `(async ...)`): the callee and arguments at `stack[pos..]` move to a
    /// new task, the caller gets the task's future at `pos` and yields to the task.
    // Kept out of line: `enter`, which checks for it on every call, stays small.
    #[inline(never)]
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn spawn_call(
        &mut self,
        closure: Rc<Closure>,
        pos: usize,
        argc: usize,
        props: Option<Map>,
        self_val: Value,
        home: Option<Rc<Class>>,
    ) -> Result<(), Exc> {
        let starter_frames = self.task.meta.starter_frames + self.task.frames.len();
        if starter_frames >= super::MAX_FRAMES {
            return Err(self.error(
                "StackOverflow",
                format!(
                    "stack overflow: more than {} nested calls (starting {}, counting the \
                     async calls that started one another)",
                    super::MAX_FRAMES,
                    closure.name()
                ),
            ));
        }
        let future = FutureObj::new(self.origin_here());
        let stack = self.task.stack.split_off(pos.min(self.task.stack.len()));
        let id = self.start_task(closure, stack, argc, props, self_val, home, future.clone());
        if let Some(task) = self.sched.task_mut(id) {
            task.meta.starter_frames = starter_frames;
        }
        self.task.stack.push(Value::Future(future));
        self.sched.yield_now = false;
        Err(Exc::signal(Signal::Yield { front: true }))
    }

    /// Builds a task whose stack is `[callee args...]` and whose first frame runs `closure`, and
    /// queues it to start before the running task continues. Gives its id.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn start_task(
        &mut self,
        closure: Rc<Closure>,
        mut stack: Vec<Value>,
        argc: usize,
        props: Option<Map>,
        self_val: Value,
        home: Option<Rc<Class>>,
        future: Rc<FutureObj>,
    ) -> usize {
        let id = self.sched.alloc();
        bind_params(&mut stack, &closure, 1, argc, props.as_ref());
        let mut frames = Vec::with_capacity(2);
        frames.push(Frame {
            closure,
            ip: 0,
            base: 1,
            self_val,
            home,
            is_ctor: false,
        });
        *future.producer.borrow_mut() = Producer::Task(id);
        let task = Task {
            stack,
            frames,
            handlers: Vec::new(),
            natives: Vec::new(),
            meta: TaskMeta {
                id,
                future: Some(future),
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
        id
    }

    /// Starts a task calling `callback` with `value` (an `.on_success` / `.on_failure`
    /// callback) or with `value` and `second` (an `.on_progress` callback: fraction and
    /// message); it runs before the task that settled the future goes on.
    pub(crate) fn start_callback(
        &mut self,
        callback: Value,
        value: Value,
        second: Option<Value>,
        origin: Option<Origin>,
    ) {
        let Some(entry) = self.callback_entry() else {
            return;
        };
        let future = FutureObj::new_callback(origin);
        let count = Value::Int(if second.is_some() { 2 } else { 1 });
        let second = second.unwrap_or_default();
        let stack = vec![Value::Func(entry.clone()), callback, count, value, second];
        self.start_task(entry, stack, 4, None, Value::Nil, None, future);
        self.sched.yield_now = true;
    }

    /// The running task's serial (see [`TaskMeta::serial`]).
    pub(crate) fn task_serial(&mut self) -> u64 {
        if self.task.meta.serial == 0 {
            self.task.meta.serial = self.sched.new_serial();
        }
        self.task.meta.serial
    }

    /// Parks the running task until a wake-up with the token it gets here.
    pub(crate) fn park_token(&mut self) -> u64 {
        let token = self.sched.token();
        self.task.meta.token = token;
        token
    }

    /// Wakes a parked task if `token` is still the one it waits with.
    pub(crate) fn wake(&mut self, id: usize, token: u64) {
        let Some(task) = self.sched.task_mut(id) else {
            return;
        };
        if task.meta.token != token || token == 0 {
            return;
        }
        task.meta.token = 0;
        let serial = task.meta.serial;
        self.sched.ready.push_back(id);
        if self.timeline.is_some() {
            self.timeline_woken(serial);
        }
    }

    /// Makes the task `id` throw `exc` where it waits, waking it if it is parked.
    pub(crate) fn throw_into(&mut self, id: usize, exc: Exc) {
        let Some(task) = self.sched.task_mut(id) else {
            return;
        };
        match task.meta.wake {
            Wake::Value(_) => task.meta.wake = Wake::Throw(Box::new(exc)),
            _ => task.meta.pending_throw = Some(Box::new(exc)),
        }
        task.meta.idle_waiter = false;
        let token = task.meta.token;
        self.sched.check_abandoned = true;
        self.wake(id, token);
    }
}

/// Turns the arguments at `stack[base..]` into a frame's slots (the call has `argc` of them).
pub(crate) fn bind_params(
    stack: &mut Vec<Value>,
    closure: &Closure,
    base: usize,
    argc: usize,
    props: Option<&Map>,
) {
    let proto = &closure.code.proto;
    let params = &proto.params;
    if params.simple {
        let n = params.slots.len();
        if argc > n {
            stack.truncate(base + n);
        }
    } else {
        let args = stack.split_off(base.min(stack.len()));
        let mut slots = vec![Value::Nil; proto.nslots as usize];
        if !params.ignore_all {
            let mut next = 0;
            for p in &params.slots {
                let missing = if p.has_default {
                    Value::NotGiven
                } else {
                    Value::Nil
                };
                let value = match &p.kind {
                    ParamKind::Positional => {
                        next += 1;
                        args.get(next - 1).cloned().unwrap_or(missing)
                    }
                    ParamKind::Skip => {
                        next += 1;
                        Value::Nil
                    }
                    ParamKind::Named(name) => match props.and_then(|m| m.get(&Sym::new(name))) {
                        Some(v) => v.clone(),
                        None => {
                            next += 1;
                            args.get(next - 1).cloned().unwrap_or(missing)
                        }
                    },
                    ParamKind::Rest => {
                        let rest = args.get(next..).map(|r| r.to_vec()).unwrap_or_default();
                        next = args.len();
                        Value::array(rest)
                    }
                };
                if let Some(slot) = slots.get_mut(p.slot as usize) {
                    *slot = value;
                }
            }
        }
        stack.extend(slots);
    }
    stack.resize(base + proto.nslots as usize, Value::Nil);
    for &slot in &proto.cell_params {
        if let Some(v) = stack.get_mut(base + slot as usize) {
            let inner = std::mem::take(v);
            *v = Value::Cell(Rc::new(std::cell::RefCell::new(inner)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CaptureOutput;

    fn vm() -> Vm {
        Vm::new(Box::new(CaptureOutput::new()))
    }

    /// A parked task in a fresh slot, and the token that wakes it.
    fn parked(vm: &mut Vm) -> (usize, u64) {
        let id = vm.sched.alloc();
        let token = vm.sched.token();
        let mut task = Task::default();
        task.meta.id = id;
        task.meta.token = token;
        vm.sched.tasks[id] = Some(Box::new(task));
        (id, token)
    }

    #[test]
    fn released_slots_are_reused_and_live_tasks_counted() {
        let mut s = Scheduler::default();
        let (a, b) = (s.alloc(), s.alloc());
        assert_eq!((a, b), (0, 1));
        assert_eq!(s.parked_or_ready(), 2);
        s.release(a);
        assert_eq!(s.parked_or_ready(), 1);
        assert_eq!(s.alloc(), a);
        // Releasing a slot that does not exist changes nothing.
        s.release(99);
        assert_eq!(s.parked_or_ready(), 2);
    }

    #[test]
    fn tasks_just_started_run_before_the_ready_queue_in_start_order() {
        let mut s = Scheduler::default();
        s.ready.extend([7, 8]);
        s.immediate.extend([3, 1, 2]);
        s.promote_immediate();
        assert_eq!(Vec::from(s.ready.clone()), [3, 1, 2, 7, 8]);
        assert!(s.immediate.is_empty());
    }

    #[test]
    fn tokens_are_never_zero_or_repeated() {
        let mut s = Scheduler::default();
        let (a, b) = (s.token(), s.token());
        assert!(a != 0 && b != 0 && a != b);
    }

    #[test]
    fn wake_ups_queue_in_order_and_stale_ones_are_ignored() {
        let mut vm = vm();
        let (a, token_a) = parked(&mut vm);
        let (b, token_b) = parked(&mut vm);
        // A wake-up with another token (an earlier wait's timer, say) is stale.
        vm.wake(a, token_b);
        vm.wake(a, 0);
        assert!(vm.sched.ready.is_empty());
        vm.wake(b, token_b);
        vm.wake(a, token_a);
        assert_eq!(Vec::from(vm.sched.ready.clone()), [b, a]);
        // Once woken a task holds no token: the same wake-up again does nothing.
        vm.wake(a, token_a);
        assert_eq!(vm.sched.ready.len(), 2);
        // Nor does a wake-up for a slot with no task.
        vm.wake(42, token_a);
        assert_eq!(vm.sched.ready.len(), 2);
    }

    #[test]
    fn throwing_into_a_parked_task_wakes_it_with_the_error() {
        let mut vm = vm();
        let (id, _) = parked(&mut vm);
        let e = vm.error("CancelledError", "cancelled");
        vm.throw_into(id, e);
        assert_eq!(Vec::from(vm.sched.ready.clone()), [id]);
        let task = vm.sched.task_mut(id).expect("the task is still there");
        assert!(task.meta.pending_throw.is_some());
        assert_eq!(task.meta.token, 0);
    }

    #[test]
    fn throwing_into_a_task_woken_with_a_value_replaces_the_value() {
        let mut vm = vm();
        let (id, token) = parked(&mut vm);
        if let Some(task) = vm.sched.task_mut(id) {
            task.meta.wake = Wake::Value(Value::Int(1));
        }
        vm.wake(id, token);
        let e = vm.error("CancelledError", "cancelled");
        vm.throw_into(id, e);
        let task = vm.sched.task_mut(id).expect("the task is still there");
        assert!(matches!(task.meta.wake, Wake::Throw(_)));
        // Already in the ready queue: not queued twice.
        assert_eq!(Vec::from(vm.sched.ready.clone()), [id]);
    }
}
