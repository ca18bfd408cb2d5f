//! Generators: a `^^generator` function's body, suspended between two `yield`s.
//!
//! A generator owns a saved stack segment: its one frame, that frame's slots and temporaries,
//! and the exception handlers the frame had installed. Resuming moves the segment onto the
//! running task's stack (or, for an async generator, into a task of its own); `yield` moves it
//! back. Nothing recurses on the Rust stack, and while the body runs it is an ordinary frame:
//! stack traces show it, deep recursion inside it counts against the task's frame limit.
//!
//! The VM side (resuming, `yield`, closing, `for` loops) is in `vm/generator.rs`.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use super::{Closure, FutureObj, Value};
use crate::vm::{Exc, Frame, Handler};

pub struct GeneratorObj {
    /// The generator function (for printing).
    pub closure: Rc<Closure>,
    /// `^^async ^^generator`: `.next` gives futures and the body runs in a task.
    pub is_async: bool,
    pub(crate) state: RefCell<GenState>,
    /// How the next resume through `call_at` runs (set by `.next` / `.close` just before they
    /// ask the VM to call the generator; a direct call of a generator value finds it empty).
    pub(crate) armed: RefCell<Option<Mode>>,
    /// Async generators: `.next` / `.close` requests not yet served, in order (like JS, a
    /// second `.next` while the body runs waits for the first).
    pub(crate) requests: RefCell<VecDeque<Request>>,
}

/// Where a generator is in its life.
pub(crate) enum GenState {
    /// Not running: the saved segment (not started yet, or stopped at a `yield`).
    Suspended(Box<Segment>),
    /// Its frame is on a task's stack; `shell` is the emptied segment, kept for its buffers.
    Running {
        mode: Mode,
        shell: Box<Segment>,
        /// The running task's native-continuation count when it was resumed (handlers saved
        /// in the segment count natives from there).
        natives_base: u32,
    },
    Done,
}

/// A generator's frame and everything above it, off the stack.
pub(crate) struct Segment {
    pub frame: Option<Frame>,
    /// `stack[0]` is the frame's callee slot (nil here; the generator while it runs), then
    /// the frame's slots and temporaries.
    pub stack: Vec<Value>,
    /// The frame's handlers, with `stack` relative to `stack[0]` and `natives` relative to
    /// the resuming task's count.
    pub handlers: Vec<Handler>,
    /// The body has run up to a `yield` (else it starts at the frame's ip).
    pub started: bool,
    /// Where a `.next` continues (after the `yield`, with the sent value pushed).
    pub resume_ip: u32,
    /// Where a `.close` continues: the `yield`'s close path (its `finally` blocks, then the
    /// generator returns).
    pub close_ip: u32,
}

impl Segment {
    pub(crate) fn new(frame: Frame, stack: Vec<Value>) -> Segment {
        Segment {
            frame: Some(frame),
            stack,
            handlers: Vec::new(),
            started: false,
            resume_ip: 0,
            close_ip: 0,
        }
    }
}

/// What the running body's next `yield` or return hands to whom.
pub(crate) enum Mode {
    /// `(g .next)`: `{^value v ^done false}`, then `{^done true}`, as the call's value.
    Next,
    /// A `for` loop: the value itself; when the body returns, the loop ends at `exit`. In a
    /// `for await` loop (`skip_plain` = 2) a yielded value that is not a future skips the
    /// loop's `await` ops.
    Iter { exit: u32, skip_plain: u32 },
    /// Running its close path (`finally` blocks) until it returns (or yields again).
    Close(CloseThen),
    /// An async generator's body running in its own task: yields and returns settle the
    /// request being served.
    Task,
}

/// What happens once a closing generator has returned or yielded.
pub(crate) enum CloseThen {
    /// `(g .close)`: the result map is the call's value.
    Result,
    /// A `break` or `return` leaving a loop: the loop's code goes on, `skip` ops further.
    Continue { skip: u32 },
    /// An exception leaving a loop: it goes on its way.
    Rethrow(Box<Exc>),
}

/// One `.next` or `.close` of an async generator.
pub(crate) struct Request {
    pub close: bool,
    pub sent: Value,
    pub future: Rc<FutureObj>,
}

impl GeneratorObj {
    pub(crate) fn new(closure: Rc<Closure>, is_async: bool, segment: Segment) -> Rc<GeneratorObj> {
        Rc::new(GeneratorObj {
            closure,
            is_async,
            state: RefCell::new(GenState::Suspended(Box::new(segment))),
            armed: RefCell::new(None),
            requests: RefCell::new(VecDeque::new()),
        })
    }

    pub fn name(&self) -> &str {
        self.closure.name()
    }

    pub fn type_name(&self) -> &'static str {
        if self.is_async {
            "AsyncGenerator"
        } else {
            "Generator"
        }
    }

    /// `suspended`, `running` or `done`.
    pub fn state_name(&self) -> &'static str {
        match &*self.state.borrow() {
            GenState::Suspended(_) => "suspended",
            GenState::Running { .. } => "running",
            GenState::Done => "done",
        }
    }

    pub fn is_done(&self) -> bool {
        matches!(&*self.state.borrow(), GenState::Done)
    }

    pub fn is_running(&self) -> bool {
        matches!(&*self.state.borrow(), GenState::Running { .. })
    }
}
