//! The virtual machine: an explicit frame stack per [`Task`], no Rust recursion per Gene call.
//!
//! The main program runs as a task, and so does every `(async ...)` and `^^async` call; the
//! scheduler (`sched.rs`, `driver.rs`) swaps them in and out between instructions. Builtins
//! that call back into Gene code (`.map`, `.sort` ...) do so through resumable native frames
//! ([`native::Resume`]), so they never re-enter the dispatch loop either, and a callback may
//! suspend like any call.

mod args;
mod await_op;
mod build;
pub(crate) use await_op::deadline_after;
mod call;
mod clock;
pub mod code;
mod cursor;
pub mod debug;
mod driver;
pub(crate) use driver::fmt_ms;
mod errors;
mod eval;
mod exec;
mod exec_cold;
mod frames;
pub(crate) mod futures;
mod generator;
mod items;
pub(crate) use generator::step_map;
pub(crate) mod jobs;
mod locals;
mod members;
pub mod native;
mod ops;
mod progress;
pub(crate) use ops::resolve_index;
pub(crate) mod sched;
mod setup;
mod slow;
mod stack;
mod tasks;
pub mod timeline;
mod unwind;
pub use tasks::{Site, TaskInfo, TaskState, TaskTrouble, UnobservedFailure, render_task_tree};

use std::rc::Rc;
use std::sync::Arc;

use gene_syntax::TextRange;
use gene_syntax::db::RootDatabase;
use rustc_hash::FxHashMap;

use crate::intern::Sym;
use crate::services::HostServices;
use crate::value::{CellRef, Class, Closure, FutureObj, Map, Namespace, NativeFn, Value};
use code::SourceInfo;

pub use errors::{Trace, TraceEntry};
pub use eval::{RunError, compile_file};

/// Gene call frames a task may hold; one more raises a catchable `StackOverflow`. A `^^async`
/// call counts the frames of the tasks that started one another without waiting since (each
/// start is a call whose caller resumes when the new task first waits), so endless async
/// recursion stops here too.
pub const MAX_FRAMES: usize = 100_000;

/// The default preemption interval ([`Vm::preempt_interval`]): calls and loop iterations
/// (backward jumps) between two checkpoints. At a checkpoint the VM looks at its interrupt flag
/// and, when another task is ready or a timer or I/O operation has completed, lets them run.
/// Code between two checkpoints is straight-line code, so this bounds the time between them.
pub const CHECK_INTERVAL: u32 = 10_000;

/// A thrown value on its way to a handler — or, with a [`sched::Signal`], the running task
/// leaving the dispatch loop to let others run.
pub struct Exc {
    pub value: Value,
    pub trace: Option<Rc<Trace>>,
    /// Interrupts (Ctrl-C) pass every `try`.
    pub uncatchable: bool,
    /// A line printed under the error (an unobserved failure says where its future was made).
    pub note: Option<Box<str>>,
    pub(crate) signal: sched::Signal,
}

impl Exc {
    pub fn new(value: Value) -> Exc {
        Exc {
            value,
            trace: None,
            uncatchable: false,
            note: None,
            signal: sched::Signal::None,
        }
    }

    pub(crate) fn signal(signal: sched::Signal) -> Exc {
        Exc {
            signal,
            ..Exc::new(Value::Nil)
        }
    }

    /// The status when this is `gene/exit`'s request to end the program.
    pub fn exit_status(&self) -> Option<i32> {
        crate::builtins::exit_code(&self.value)
    }

    pub(crate) fn is_signal(&self) -> bool {
        self.signal != sched::Signal::None
    }
}

pub struct Frame {
    pub closure: Rc<Closure>,
    pub ip: u32,
    /// Stack index of slot 0 (the callee, or receiver, sits just below).
    pub base: u32,
    pub self_val: Value,
    /// The class whose method is running (for `super`).
    pub home: Option<Rc<Class>>,
    /// A constructor: the call's value is self.
    pub is_ctor: bool,
}

pub struct Handler {
    pub frames: u32,
    pub stack: u32,
    pub natives: u32,
    pub ip: u32,
}

/// A native builtin waiting for a Gene call it made to return.
pub struct NativeCont {
    /// `frames.len()` when the call was made: the call returns when the frames are back to it.
    pub depth: usize,
    pub cont: Box<dyn native::Resume>,
}

/// One line of execution: its value stack, frames, handlers and waiting natives.
// In declaration order: the dispatch loop's most used fields first (see `Vm`).
#[derive(Default)]
#[repr(C)]
pub struct Task {
    pub stack: Vec<Value>,
    pub frames: Vec<Frame>,
    pub handlers: Vec<Handler>,
    pub natives: Vec<NativeCont>,
    pub(crate) meta: sched::TaskMeta,
}

/// Which table a native method lives in.
pub(crate) type MethodKey = (&'static str, Sym);

/// The interpreter: the running task and the scheduler's others, the namespaces, the method
/// table, loaded modules, the reactor; and the [`HostServices`] it was built with (output,
/// progress display, HTTP client, open transactions), which it reaches only through
/// `services`.
// `repr(C)` keeps the running task's value stack at offset 0: the dispatch loop addresses it
// on almost every op, and a zero offset saves an instruction there (see `Task`).
#[repr(C)]
pub struct Vm {
    pub task: Task,
    pub global: Rc<Namespace>,
    pub gene_ns: Rc<Namespace>,
    pub genex_ns: Rc<Namespace>,
    /// The source files of the program and its modules (imports load into it).
    pub db: RootDatabase,
    pub(crate) methods: FxHashMap<MethodKey, &'static NativeFn>,
    /// Modules by their file in `db` (one per normalized path, as the import resolver names
    /// them), run once.
    pub(crate) modules: FxHashMap<gene_syntax::db::SourceFile, Rc<Namespace>>,
    /// Set from another thread (a Ctrl-C handler, a language server's "stop") to stop the
    /// running evaluation; it also wakes a program waiting for timers or I/O.
    pub interrupt: Arc<crate::reactor::Interrupt>,
    /// Calls and loop iterations between two checkpoints (see [`CHECK_INTERVAL`]).
    pub preempt_interval: u32,
    /// Calls made by builtins (a `.sort` comparison, a `.map` callback) left before the next
    /// look at the interrupt flag: a callback without loops or calls of its own never reaches
    /// the dispatch loop's checkpoint.
    pub(crate) native_call_budget: u32,
    pub(crate) sched: sched::Scheduler,
    pub(crate) reactor: crate::reactor::Reactor,
    /// `(fnx [cb v] (cb v))`: the first frame of a callback's task.
    pub(crate) callback_entry: Option<Rc<Closure>>,
    /// Cells published by the `Export` ops of the code running now (a REPL input's top-level
    /// variables); whoever ran it takes them (`crate::session`).
    pub(crate) exports: Vec<(String, CellRef)>,
    /// Props given to the native function being called (`(println ^^stderr ...)`).
    pub(crate) native_props: Option<Map>,
    pub(crate) arg_buf: Vec<Value>,
    pub(crate) prelude_source: Rc<SourceInfo>,
    pub(crate) sym: setup::WellKnown,
    /// The future the main task awaits while a progress display is installed: its reports
    /// are shown (`progress.rs`).
    pub(crate) main_awaited: Option<Rc<FutureObj>>,
    pub services: HostServices,
    /// `gene/math/random` and friends: this VM's generator.
    pub(crate) random: crate::builtins::Random,
    /// What every task did when, while `gene run --timeline` records it (`timeline/`).
    pub(crate) timeline: Option<Box<timeline::Timeline>>,
    /// Deadlocked tasks and unobserved failures, for the host (`Vm::take_task_trouble`).
    pub(crate) trouble: tasks::TaskTrouble,
    /// `gene run --warn-slow MS`: the running task's time since it last started running,
    /// checked at each checkpoint (`slow.rs`).
    pub(crate) slow: Option<Box<slow::SlowWatch>>,
    /// A debugger's breakpoints, steps and host (`debug.rs`); `None` without one.
    pub(crate) debug: Option<Box<debug::Debugger>>,
}

impl Vm {
    /// The namespace a frame resolves names in.
    pub(crate) fn frame_ns(&self) -> Rc<Namespace> {
        match self.task.frames.last() {
            Some(f) => f.closure.ns.clone(),
            None => self.global.clone(),
        }
    }

    /// [`Vm::lookup_name`] for the name `names[n]` of `code`, cached until a namespace changes
    /// (every namespace write bumps the version).
    #[inline(always)]
    pub(crate) fn lookup_cached(
        &self,
        code: &code::Code,
        n: u32,
        ns: &Rc<Namespace>,
    ) -> Option<Value> {
        let version = crate::value::ns_version();
        let entry = code.name_cache.get(n as usize);
        if let Some(v) = entry.and_then(|e| e.get(version, Rc::as_ptr(ns))) {
            return Some(v);
        }
        self.lookup_and_cache(code, n, ns, version)
    }

    #[inline(never)]
    fn lookup_and_cache(
        &self,
        code: &code::Code,
        n: u32,
        ns: &Rc<Namespace>,
        version: u64,
    ) -> Option<Value> {
        let value = self.lookup_name(ns, code.name(n))?;
        if let Some(entry) = code.name_cache.get(n as usize) {
            entry.set(version, Rc::as_ptr(ns), value.clone());
        }
        Some(value)
    }

    /// Looks a namespace name up from `ns`: its chain, then global, gene, genex.
    pub(crate) fn lookup_name(&self, ns: &Namespace, name: Sym) -> Option<Value> {
        ns.lookup(name)
            .or_else(|| self.global.get(name))
            .or_else(|| self.gene_ns.get(name))
            .or_else(|| self.genex_ns.get(name))
    }

    /// The value at a namespace path such as `gene/io/read` or `global/complete_future`.
    pub fn lookup_path(&self, path: &str) -> Option<Value> {
        let mut segs = path.split('/');
        let first = segs.next()?;
        let mut v = self.global.get(Sym::new(first))?;
        for seg in segs {
            v = match &v {
                Value::Ns(ns) => ns.get(Sym::new(seg))?,
                _ => return None,
            };
        }
        Some(v)
    }

    pub(crate) fn source_range(&self) -> Option<(Rc<SourceInfo>, TextRange)> {
        let f = self.task.frames.last()?;
        let code = &f.closure.code;
        Some((
            code.source.clone(),
            code.proto.range_at(f.ip.saturating_sub(1) as usize),
        ))
    }
}
