//! Reactor jobs seen from the VM: a builtin starts an async job (or hands work to a thread of its
//! own) and gets a pending future back; the job's [`JobValue`] comes back through the reactor
//! and a *finish* step turns it into a Gene value on the VM's thread (where the heap lives). Cancelling the future
//! aborts an async job (an HTTP request) or runs the job's `on_cancel` hook (SQLite's
//! interrupt); either way the VM forgets the operation and its result.
//!
//! A *stream* is a job that reports events while it runs (an HTTP server: one per request): each
//! is handed to the stream's event handler on the VM's thread, and its end (or its
//! cancellation) to its end handler. A running stream keeps the program alive.
//!
//! A job may also wait for Gene code (an SQLite statement queued behind a transaction that the
//! program has not ended yet): its `stalled` check says so, and when every task waits and only
//! such jobs are pending, they fail with the error it gives instead of the program hanging.

use std::any::Any;
use std::rc::Rc;

use crate::intern::Sym;
use crate::reactor::{AsyncJob, JobError, JobReporter, JobResult, JobValue, OpId};
use crate::value::future::{Producer, Reaction};
use crate::value::{FutureObj, Map, Value};
use crate::vm::Vm;
use crate::vm::futures::Outcome;
use crate::vm::sched::{OpEntry, OpTarget};

/// Turns a job's result into the future's value (or a thrown value). Runs on the VM's thread.
pub(crate) type Finish = Box<dyn FnOnce(&mut Vm, JobValue) -> Result<Value, Value>>;

/// What to do when the future of a running job is cancelled, besides forgetting it.
pub(crate) type OnCancel = Box<dyn FnOnce()>;

/// Whether a job can only go on after Gene code does something, and the error its future
/// fails with if nothing else can happen (see [`Vm::fail_stalled_jobs`]).
pub(crate) type Stalled = Box<dyn Fn() -> Option<JobError>>;

/// How a job runs.
pub(crate) enum JobKind {
    /// On the runtime's worker (HTTP): aborted when cancelled.
    Async(AsyncJob),
    /// On a thread the builtin keeps (an SQLite connection's worker): the closure gets the
    /// operation's id and hands the work over; the thread reports through the reporter.
    External(Box<dyn FnOnce(OpId, JobReporter)>),
}

/// Handles an event a stream reported (its payload is what the stream's own builtin sent).
pub(crate) type OnEvent = Rc<dyn Fn(&mut Vm, Box<dyn Any + Send>)>;

/// Runs once when a stream ends: with its result, or None when it was stopped (cancelled).
pub(crate) type OnEnd = Box<dyn FnOnce(&mut Vm, Option<JobResult>)>;

/// A stream the VM takes events from.
pub(crate) struct StreamEntry {
    pub on_event: OnEvent,
    pub on_end: OnEnd,
}

/// A job the VM waits for.
pub(crate) struct JobEntry {
    pub future: Rc<FutureObj>,
    pub finish: Finish,
    pub aborts: bool,
    pub on_cancel: Option<OnCancel>,
    pub stalled: Option<Stalled>,
    /// Its result is dropped, unseen, when nobody can observe the future any more (see
    /// [`Vm::start_job_returnable`]).
    pub returnable: bool,
    /// What it does, for the task dumps (`gene/http GET "url"`); without one they show the
    /// call that started it.
    pub label: Option<Box<str>>,
}

impl Vm {
    /// Starts a job whose result, plain data turned into Gene values as they are, settles the
    /// returned future.
    pub(crate) fn start_job(&mut self, job: JobKind) -> Value {
        self.start_job_with(job, Box::new(|vm, v| Ok(vm.job_value(v))), None)
    }

    /// Starts a job with its own finish step and cancel hook.
    pub(crate) fn start_job_with(
        &mut self,
        job: JobKind,
        finish: Finish,
        on_cancel: Option<OnCancel>,
    ) -> Value {
        self.start_job_stallable(job, finish, on_cancel, None)
    }

    /// Names the job behind `future` (a value [`Vm::start_job`] gave) for the task dumps.
    pub(crate) fn label_job(&mut self, future: &Value, label: String) {
        let Value::Future(f) = future else { return };
        let Producer::Op(op) = *f.producer.borrow() else {
            return;
        };
        if let Some(OpEntry {
            target: OpTarget::Job(job),
            ..
        }) = self.sched.ops.get_mut(&op)
        {
            job.label = Some(label.into_boxed_str());
        }
    }

    /// Starts a job that may wait for Gene code (see [`Stalled`]).
    pub(crate) fn start_job_stallable(
        &mut self,
        job: JobKind,
        finish: Finish,
        on_cancel: Option<OnCancel>,
        stalled: Option<Stalled>,
    ) -> Value {
        let future = FutureObj::new(self.origin_here());
        let (op, aborts) = match job {
            JobKind::Async(job) => (self.reactor.spawn(job), true),
            JobKind::External(start) => {
                let (op, reporter) = self.reactor.reserve();
                start(op, reporter);
                (op, false)
            }
        };
        self.sched.ops.insert(
            op,
            OpEntry {
                target: OpTarget::Job(Box::new(JobEntry {
                    future: future.clone(),
                    finish,
                    aborts,
                    on_cancel,
                    stalled,
                    returnable: false,
                    label: None,
                })),
                deadline: None,
            },
        );
        *future.producer.borrow_mut() = Producer::Op(op);
        Value::Future(future)
    }

    /// Starts a stream (see [`crate::reactor::Reactor::spawn_stream`]); gives its id, which
    /// [`Vm::cancel_op`] stops.
    pub(crate) fn start_stream(
        &mut self,
        make: impl FnOnce(OpId, JobReporter) -> AsyncJob,
        on_event: OnEvent,
        on_end: OnEnd,
    ) -> OpId {
        let op = self.reactor.spawn_stream(make);
        self.sched.ops.insert(
            op,
            OpEntry {
                target: OpTarget::Stream(Box::new(StreamEntry { on_event, on_end })),
                deadline: None,
            },
        );
        op
    }

    /// A stream reported an event: its handler takes it (an event of a stream that is gone is
    /// dropped, and with it whatever reply channel it carried).
    pub(super) fn stream_event(&mut self, id: OpId, payload: Box<dyn Any + Send>) {
        let handler = match self.sched.ops.get(&id) {
            Some(OpEntry {
                target: OpTarget::Stream(stream),
                ..
            }) => stream.on_event.clone(),
            _ => return,
        };
        handler(self, payload);
    }

    /// A stream ended (`Some` result) or was stopped (`None`).
    pub(super) fn stream_ended(&mut self, entry: StreamEntry, result: Option<JobResult>) {
        (entry.on_end)(self, result);
    }

    /// Starts a job whose result the builtin can take back when nobody wants it: when it
    /// completes after the future was awaited and abandoned (its waiter cancelled, no Gene value
    /// referring to it), the result is dropped without its finish step running, and the future
    /// is cancelled. A TCP read gives its bytes back to the connection that way.
    pub(crate) fn start_job_returnable(
        &mut self,
        job: JobKind,
        finish: Finish,
        on_cancel: Option<OnCancel>,
    ) -> Value {
        let value = self.start_job_with(job, finish, on_cancel);
        if let Value::Future(f) = &value
            && let Producer::Op(op) = &*f.producer.borrow()
            && let Some(OpEntry {
                target: OpTarget::Job(job),
                ..
            }) = self.sched.ops.get_mut(op)
        {
            job.returnable = true;
        }
        value
    }

    /// A job completed: settle its future.
    pub(super) fn job_done(&mut self, entry: JobEntry, result: JobResult) {
        if entry.returnable
            && entry.future.observed.get()
            && Rc::strong_count(&entry.future) == 1
            && self.nobody_waits(&entry.future)
        {
            // Dropping the result unseen gives it back (see `start_job_returnable`).
            self.settle(&entry.future, Outcome::Cancelled);
            return;
        }
        let JobEntry { future, finish, .. } = entry;
        let outcome = match result {
            Ok(value) => match finish(self, value) {
                Ok(v) => Outcome::Success(v),
                Err(e) => Outcome::Failure(e, None),
            },
            Err(JobError { class, message }) => {
                Outcome::Failure(self.make_error_value(class, message), None)
            }
        };
        self.settle(&future, outcome);
    }

    /// The future of a running job was cancelled (or settled another way): stop the job.
    pub(super) fn job_cancelled(&mut self, id: OpId, entry: JobEntry) {
        if entry.aborts {
            self.reactor.abort(id);
        }
        if let Some(hook) = entry.on_cancel {
            hook();
        }
    }

    /// Called when no task can run: if every pending operation is a job waiting for Gene code
    /// (see [`Stalled`]), nothing will ever let them go on, so each is dropped (its cancel hook
    /// runs) and its future fails with the error its check gives. True when it failed any.
    pub(crate) fn fail_stalled_jobs(&mut self) -> bool {
        let mut errors = Vec::new();
        for (id, entry) in &self.sched.ops {
            let OpTarget::Job(job) = &entry.target else {
                return false;
            };
            match job.stalled.as_ref().and_then(|check| check()) {
                Some(e) => errors.push((*id, e)),
                None => return false,
            }
        }
        if errors.is_empty() {
            return false;
        }
        for (id, JobError { class, message }) in errors {
            let Some(entry) = self.sched.ops.remove(&id) else {
                continue;
            };
            let OpTarget::Job(job) = entry.target else {
                continue;
            };
            let JobEntry {
                future, on_cancel, ..
            } = *job;
            if let Some(hook) = on_cancel {
                hook();
            }
            let e = self.make_error_value(class, message);
            self.settle(&future, Outcome::Failure(e, None));
        }
        true
    }

    /// Called when every task waits, before the VM sleeps in the reactor: stops the operations
    /// nobody can observe any more, so that they neither keep the program alive nor run for
    /// nothing. True when it stopped any.
    ///
    /// - A job (an HTTP request, an SQLite statement) that something awaited and that nothing
    ///   waits for now: its waiter gave up (`await ^timeout`, a cancelled task) and no Gene value
    ///   refers to its future, or the program is over (the main program and every task ended).
    ///   The request is aborted, the statement interrupted. A job nobody ever awaited (an
    ///   `INSERT` left running) is not abandoned: the program waits for it, as before.
    /// - A sleep nothing refers to, or that was awaited and the program is over.
    /// - File operations are never stopped (they cannot be, and their effect is wanted).
    pub(crate) fn cancel_abandoned_ops(&mut self, main_done: bool) -> bool {
        if !std::mem::take(&mut self.sched.check_abandoned) {
            return false;
        }
        // A REPL input's end is not the program's: a later input may await what it started.
        let program_over =
            main_done && !self.sched.program_continues && self.sched.parked_or_ready() == 0;
        let abandoned: Vec<OpId> = self
            .sched
            .ops
            .iter()
            .filter(|(_, entry)| match &entry.target {
                OpTarget::Sleep(f) => {
                    (Rc::strong_count(f) == 1 || (program_over && f.observed.get()))
                        && self.nobody_waits(f)
                }
                OpTarget::Job(job) => {
                    job.future.observed.get()
                        && (Rc::strong_count(&job.future) == 1 || program_over)
                        && self.nobody_waits(&job.future)
                }
                _ => false,
            })
            .map(|(id, _)| *id)
            .collect();
        for id in &abandoned {
            self.cancel_op(*id);
        }
        !abandoned.is_empty()
    }

    /// No callback, follower or progress listener is registered on `f`, and no task waits for
    /// it (a wake-up whose task no longer waits with that token is stale).
    fn nobody_waits(&self, f: &FutureObj) -> bool {
        let listened = f
            .progress
            .borrow()
            .as_ref()
            .is_some_and(|p| !p.listeners.is_empty());
        !listened
            && f.reactions.borrow().iter().all(|r| match r {
                Reaction::Wake { task, token } => self
                    .sched
                    .tasks
                    .get(*task)
                    .and_then(|t| t.as_ref())
                    .is_none_or(|t| t.meta.token != *token),
                _ => false,
            })
    }

    /// Plain job data as Gene values: maps keyed by symbols in the order given; a host object
    /// nobody claimed becomes nil.
    pub(crate) fn job_value(&mut self, v: JobValue) -> Value {
        match v {
            JobValue::Nil | JobValue::Host(_) => Value::Nil,
            JobValue::Bool(b) => Value::Bool(b),
            JobValue::Int(n) => Value::Int(n),
            JobValue::Float(f) => Value::Float(f),
            JobValue::Str(s) => Value::str(s),
            JobValue::Bytes(b) => Value::Bytes(std::rc::Rc::new(b)),
            JobValue::Array(items) => {
                let items: Vec<Value> = items.into_iter().map(|v| self.job_value(v)).collect();
                Value::array(items)
            }
            JobValue::Map(entries) => {
                let mut map = Map::default();
                for (k, v) in entries {
                    let v = self.job_value(v);
                    map.insert(Sym::new(&k), v);
                }
                Value::map(map)
            }
        }
    }
}
