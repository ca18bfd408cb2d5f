//! Reactor jobs seen from the VM: a builtin starts a blocking or async job and gets a pending
//! future back; the job's [`JobValue`] comes back through the reactor and a *finish* step turns
//! it into a Gene value on the VM's thread (where the heap lives). Cancelling the future
//! aborts an async job (an HTTP request) or runs the job's `on_cancel` hook (SQLite's
//! interrupt); either way the VM forgets the operation and its result.

use std::rc::Rc;

use crate::intern::Sym;
use crate::reactor::{AsyncJob, BlockingJob, JobError, JobResult, JobValue, OpId};
use crate::value::future::Producer;
use crate::value::{FutureObj, Map, Value};
use crate::vm::Vm;
use crate::vm::futures::Outcome;
use crate::vm::sched::{OpEntry, OpTarget};

/// Turns a job's result into the future's value (or a thrown value). Runs on the VM's thread.
pub(crate) type Finish = Box<dyn FnOnce(&mut Vm, JobValue) -> Result<Value, Value>>;

/// What to do when the future of a running job is cancelled, besides forgetting it.
pub(crate) type OnCancel = Box<dyn FnOnce()>;

/// How a job runs.
pub(crate) enum JobKind {
    /// On the blocking pool (SQLite): runs to the end; `on_cancel` may cut it short.
    Blocking(BlockingJob),
    /// On the runtime's worker (HTTP): aborted when cancelled.
    Async(AsyncJob),
}

/// A job the VM waits for.
pub(crate) struct JobEntry {
    pub future: Rc<FutureObj>,
    pub finish: Finish,
    pub aborts: bool,
    pub on_cancel: Option<OnCancel>,
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
        let future = FutureObj::new(self.origin_here());
        let (op, aborts) = match job {
            JobKind::Blocking(job) => (self.reactor.blocking(job), false),
            JobKind::Async(job) => (self.reactor.spawn(job), true),
        };
        self.sched.ops.insert(
            op,
            OpEntry {
                target: OpTarget::Job(Box::new(JobEntry {
                    future: future.clone(),
                    finish,
                    aborts,
                    on_cancel,
                })),
                deadline: None,
            },
        );
        *future.producer.borrow_mut() = Producer::Op(op);
        Value::Future(future)
    }

    /// A job completed: settle its future.
    pub(super) fn job_done(&mut self, entry: Box<JobEntry>, result: JobResult) {
        let JobEntry { future, finish, .. } = *entry;
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
    pub(super) fn job_cancelled(&mut self, id: OpId, entry: Box<JobEntry>) {
        if entry.aborts {
            self.reactor.abort(id);
        }
        if let Some(hook) = entry.on_cancel {
            hook();
        }
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
