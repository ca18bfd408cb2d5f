//! Runtime errors as Gene exceptions, and stack traces.

use std::rc::Rc;

use gene_syntax::TextRange;

use super::code::SourceInfo;
use super::{Exc, Vm};
use crate::intern::Sym;
use crate::value::{Instance, Value, display, inspect};

/// Innermost and outermost frames kept in a trace (deep recursion elides the middle).
pub(crate) const TRACE_INNER: usize = 30;
pub(crate) const TRACE_OUTER: usize = 10;

pub struct TraceEntry {
    pub function: String,
    pub source: Rc<SourceInfo>,
    pub range: TextRange,
    /// The first frame of a task that awaited the failure of the frames before it (an async
    /// stack trace continues across the `await`).
    pub awaited: bool,
}

/// Where an exception was thrown: innermost frame first.
pub struct Trace {
    pub entries: Vec<TraceEntry>,
    /// Frames left out in the middle.
    pub omitted: usize,
}

impl TraceEntry {
    pub fn clone_entry(&self) -> TraceEntry {
        TraceEntry {
            function: self.function.clone(),
            source: self.source.clone(),
            range: self.range,
            awaited: self.awaited,
        }
    }

    /// `file:line:col` (1-based).
    pub fn location(&self) -> String {
        let lc = self.source.line_index.line_col_chars(self.range.start());
        format!("{}:{}:{}", self.source.path, lc.line + 1, lc.col + 1)
    }
}

impl Vm {
    /// A new exception instance of the `gene` class `class` (falling back to `Exception`).
    pub fn make_error_value(&self, class: &str, message: impl Into<String>) -> Value {
        let class = match self.gene_ns.get(Sym::new(class)) {
            Some(Value::Class(c)) => c,
            _ => match self.gene_ns.get(Sym::new("Exception")) {
                Some(Value::Class(c)) => c,
                // Before the prelude ran there is no class: the message alone.
                _ => return Value::str(message.into()),
            },
        };
        let mut props = crate::value::Props::with_capacity(1);
        props.insert(self.sym.message, Value::str(message.into()));
        Value::Instance(Rc::new(Instance::new(class, props)))
    }

    /// An error to return from a builtin: `Err(vm.error("TypeError", "..."))`.
    pub fn error(&self, class: &str, message: impl Into<String>) -> Exc {
        Exc::new(self.make_error_value(class, message))
    }

    pub fn type_error(&self, message: impl Into<String>) -> Exc {
        self.error("TypeError", message)
    }

    /// The trace of the current task, innermost first (the frames' `ip` must be up to date).
    pub(crate) fn capture_trace(&self) -> Rc<Trace> {
        let frames = &self.task.frames;
        let n = frames.len();
        let mut entries = Vec::new();
        let mut omitted = 0;
        let entry = self.callback_entry.as_ref().map(|c| Rc::as_ptr(&c.code));
        for (i, f) in frames.iter().enumerate().rev() {
            // The runtime's frame that calls a callback says nothing to the reader.
            if i == 0 && entry == Some(Rc::as_ptr(&f.closure.code)) {
                continue;
            }
            let from_top = n - 1 - i;
            if n > TRACE_INNER + TRACE_OUTER && from_top >= TRACE_INNER && i >= TRACE_OUTER {
                omitted += 1;
                continue;
            }
            let code = &f.closure.code;
            entries.push(TraceEntry {
                function: code.proto.name.clone(),
                source: code.source.clone(),
                range: code.proto.range_at(f.ip.saturating_sub(1) as usize),
                awaited: false,
            });
        }
        Rc::new(Trace { entries, omitted })
    }

    /// The message shown for an uncaught exception: `TypeError: ...` for exception instances,
    /// `Gene exception: <$ form>` for any other thrown value.
    pub fn describe_exception(&self, value: &Value) -> String {
        match value {
            Value::Instance(i) if i.class.is_exception => display(value),
            other => format!("Gene exception: {}", inspect(other)),
        }
    }
}
