//! The virtual machine: an explicit frame stack per [`Task`], no Rust recursion per Gene call.
//!
//! The main program runs as a task; a task can be parked between two instructions (the async
//! runtime builds on that). Builtins that call back into Gene code (`.map`, `.sort` ...) do so
//! through resumable native frames ([`native::Resume`]), so they never re-enter the dispatch
//! loop either.

mod call;
pub mod code;
mod errors;
mod eval;
mod exec;
mod run_support;
pub mod native;
mod ops;
pub(crate) use ops::resolve_index;
mod setup;

use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use gene_syntax::TextRange;
use gene_syntax::db::RootDatabase;
use rustc_hash::FxHashMap;

use crate::intern::Sym;
use crate::output::Output;
use crate::value::{CellRef, Class, Closure, Map, Namespace, NativeFn, Value};
use code::SourceInfo;

pub use errors::{Trace, TraceEntry};
pub use eval::{RunError, compile_file};

/// Gene call frames a task may hold; one more raises a catchable `StackOverflow`.
pub const MAX_FRAMES: usize = 100_000;

/// Instructions between two checks for an interrupt (Ctrl-C) — and, with the async runtime,
/// between two chances for timers and callbacks to run.
pub const CHECK_INTERVAL: u32 = 10_000;

/// A thrown value on its way to a handler.
pub struct Exc {
    pub value: Value,
    pub trace: Option<Rc<Trace>>,
    /// Interrupts (Ctrl-C) pass every `try`.
    pub uncatchable: bool,
}

impl Exc {
    pub fn new(value: Value) -> Exc {
        Exc {
            value,
            trace: None,
            uncatchable: false,
        }
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
#[derive(Default)]
pub struct Task {
    pub stack: Vec<Value>,
    pub frames: Vec<Frame>,
    pub handlers: Vec<Handler>,
    pub natives: Vec<NativeCont>,
}

/// Which table a native method lives in.
pub(crate) type MethodKey = (&'static str, Sym);

pub struct Vm {
    pub task: Task,
    pub global: Rc<Namespace>,
    pub gene_ns: Rc<Namespace>,
    pub genex_ns: Rc<Namespace>,
    pub out: Box<dyn Output>,
    pub db: RootDatabase,
    pub(crate) methods: FxHashMap<MethodKey, &'static NativeFn>,
    /// Modules by canonical path, run once.
    pub(crate) modules: FxHashMap<std::path::PathBuf, Rc<Namespace>>,
    /// Set from another thread (a Ctrl-C handler) to stop the running evaluation.
    pub interrupt: Arc<AtomicBool>,
    /// Variables published by the last REPL input.
    pub(crate) exports: Vec<(String, CellRef)>,
    /// Props given to the native function being called (`(println ^^stderr ...)`).
    pub(crate) native_props: Option<Map>,
    pub(crate) arg_buf: Vec<Value>,
    pub(crate) prelude_source: Rc<SourceInfo>,
    pub(crate) sym: setup::WellKnown,
    /// The main module's namespace (REPL inputs run in it too).
    pub(crate) main_ns: Option<Rc<Namespace>>,
    pub(crate) session: Option<eval::Session>,
}

impl Vm {
    /// The namespace a frame resolves names in.
    pub(crate) fn frame_ns(&self) -> Rc<Namespace> {
        match self.task.frames.last() {
            Some(f) => f.closure.ns.clone(),
            None => self.global.clone(),
        }
    }

    /// [`Vm::lookup_name`] for the name `names[n]` of `code`, cached until a namespace changes.
    #[inline]
    pub(crate) fn lookup_cached(
        &self,
        code: &code::Code,
        n: u32,
        ns: &Rc<Namespace>,
    ) -> Option<Value> {
        let version = crate::value::ns_version();
        let ns_ptr = Rc::as_ptr(ns);
        if let Ok(cache) = code.name_cache.try_borrow() {
            if let Some(Some((v, p, value))) = cache.get(n as usize) {
                if *v == version && *p == ns_ptr {
                    return Some(value.clone());
                }
            }
        }
        let value = self.lookup_name(ns, code.name(n))?;
        if let Ok(mut cache) = code.name_cache.try_borrow_mut() {
            if let Some(slot) = cache.get_mut(n as usize) {
                *slot = Some((version, ns_ptr, value.clone()));
            }
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
