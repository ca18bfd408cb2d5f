//! Futures: values that a task, a timer, an I/O operation or Gene code settles later.
//!
//! A future is plain single-threaded data. What reacts to its settling (callbacks, tasks
//! awaiting it, futures following it) is a list of [`Reaction`]s the VM runs through when it
//! settles (`vm/futures.rs`); the reactor only ever sends back an operation id and a result.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::Value;
use crate::vm::Trace;
use crate::vm::code::Code;

/// Where a future is in its life.
pub enum FutState {
    Pending,
    Success(Value),
    /// The thrown value and where it was thrown.
    Failure(Value, Option<Rc<Trace>>),
    Cancelled,
}

/// What settles a future (and what cancelling it has to stop).
#[derive(Default)]
pub(crate) enum Producer {
    /// Gene code (`new gene/Future`, `.complete`), a race, or nothing any more.
    #[default]
    Manual,
    /// The task with this id (its slot in the scheduler).
    Task(usize),
    /// An operation of the reactor (a sleep, a file operation, a `gene/timeout` timer).
    Op(u64),
    /// The future a finished task's body evaluated to: this one settles like it.
    Adopts(Rc<FutureObj>),
}

/// Something to do when a future settles.
pub(crate) enum Reaction {
    /// `.on_success` (`on_success: true`) or `.on_failure`: call `f` with the value.
    Callback {
        on_success: bool,
        f: Value,
        origin: Option<Origin>,
    },
    /// Wake the task parked with this token.
    Wake { task: usize, token: u64 },
    /// Settle that future the same way (adoption, `gene/race`, `gene/timeout`).
    Follow(Rc<FutureObj>),
}

/// The progress reports a future got (`gene/progress`) and who hears about the next ones.
#[derive(Default)]
pub(crate) struct Progress {
    /// The last report: a fraction in 0..=1 and its message (a string or nil).
    pub last: Option<(f64, Value)>,
    /// Dropped when the future settles: no report comes after that.
    pub listeners: Vec<ProgressListener>,
}

pub(crate) enum ProgressListener {
    /// `.on_progress`: call `f` with the fraction and the message.
    Callback { f: Value, origin: Option<Origin> },
    /// A future that settles like this one (adoption, `gene/timeout`) reports what it reports.
    Forward(Rc<FutureObj>),
}

/// Where a future was created (or a callback registered): a code object and the position of
/// the op, turned into `file:line:col (in fn)` only when a report needs it.
#[derive(Clone)]
pub(crate) struct Origin {
    pub code: Rc<Code>,
    pub ip: u32,
}

impl Origin {
    pub fn describe(&self) -> String {
        let range = self.code.proto.range_at(self.ip.saturating_sub(1) as usize);
        let source = &self.code.source;
        let lc = source.line_index.line_col_chars(range.start());
        format!(
            "{}:{}:{} (in {})",
            source.path,
            lc.line + 1,
            lc.col + 1,
            self.code.proto.name
        )
    }
}

pub struct FutureObj {
    pub state: RefCell<FutState>,
    /// Settled, and for a cancelled task's future, the task has finished unwinding: awaiting
    /// it no longer waits.
    pub(crate) done: Cell<bool>,
    /// Awaited, handled with `.on_failure`, followed or read: a failure is not reported.
    pub(crate) observed: Cell<bool>,
    pub(crate) producer: RefCell<Producer>,
    pub(crate) reactions: RefCell<Vec<Reaction>>,
    pub(crate) origin: Option<Origin>,
    /// The future of a callback's task: its failure is reported as the callback's.
    pub(crate) is_callback: bool,
    /// Settled by a hand-over (a channel's value, a permit, a lock, a send taken), or following
    /// one that was: what it carries must not be lost, so an `await` woken by it takes it even
    /// if a cancellation or timeout reached the task meanwhile (`vm/await_op.rs`).
    pub(crate) hand_over: Cell<bool>,
    /// Boxed and made on the first report or listener: most futures never have either.
    pub(crate) progress: RefCell<Option<Box<Progress>>>,
}

impl FutureObj {
    pub(crate) fn new(origin: Option<Origin>) -> Rc<FutureObj> {
        Rc::new(FutureObj {
            state: RefCell::new(FutState::Pending),
            done: Cell::new(false),
            observed: Cell::new(false),
            producer: RefCell::new(Producer::Manual),
            reactions: RefCell::new(Vec::new()),
            origin,
            is_callback: false,
            hand_over: Cell::new(false),
            progress: RefCell::new(None),
        })
    }

    pub(crate) fn new_callback(origin: Option<Origin>) -> Rc<FutureObj> {
        let mut f = FutureObj::new(origin);
        if let Some(inner) = Rc::get_mut(&mut f) {
            inner.is_callback = true;
        }
        f
    }

    /// A future already completed with `value`.
    pub(crate) fn completed(value: Value) -> Rc<FutureObj> {
        let f = FutureObj::new(None);
        *f.state.borrow_mut() = FutState::Success(value);
        f.done.set(true);
        f
    }

    pub fn is_pending(&self) -> bool {
        matches!(*self.state.borrow(), FutState::Pending)
    }

    /// The fraction of the last progress report, if there was one.
    pub fn progress_fraction(&self) -> Option<f64> {
        let progress = self.progress.borrow();
        progress
            .as_ref()?
            .last
            .as_ref()
            .map(|(fraction, _)| *fraction)
    }

    /// `pending`, `success`, `failure` or `cancelled`.
    pub fn state_name(&self) -> &'static str {
        match *self.state.borrow() {
            FutState::Pending => "pending",
            FutState::Success(_) => "success",
            FutState::Failure(..) => "failure",
            FutState::Cancelled => "cancelled",
        }
    }
}
