//! Building a VM: namespaces, native bindings, the builtin classes, the exception prelude.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use gene_syntax::db::RootDatabase;
use rustc_hash::FxHashMap;

use super::code::{SourceInfo, link};
use super::{Task, Vm};
use crate::compiler;
use crate::intern::Sym;
use crate::output::Output;
use crate::services::HostServices;
use crate::value::{Class, Closure, FuncKind, Namespace, Value};

/// Symbols the VM itself looks up.
pub(crate) struct WellKnown {
    pub message: Sym,
    pub ctor: Sym,
}

/// Exception classes, defined in Gene: each takes an optional message.
const PRELUDE: &str = r#"
(class Exception (.ctor [message = nil] (/message = message)))
(class TypeError < Exception)
(class NameError < Exception)
(class IndexError < Exception)
(class KeyError < Exception)
(class ArgumentError < Exception)
(class OverflowError < Exception)
(class ValueError < Exception)
(class IOError < Exception)
(class AssertionError < Exception)
(class StackOverflow < Exception)
(class MemoryError < Exception)
(class SyntaxError < Exception)
(class ImportError < Exception)
(class NotImplementedError < Exception)
(class Interrupted < Exception)
(class CancelledError < Exception)
(class TimeoutError < Exception)
(class DeadlockError < Exception)
(class HttpError < Exception)
(class JsonError < Exception)
(class DbError < Exception)
(class ChannelClosed < Exception)
(class LockError < Exception)
"#;

/// The first frame of a callback's task: calls `f` with `a` (`.on_success`, `.on_failure`: n = 1)
/// or with `a` and `b` (`.on_progress`: n = 2). Fixed arguments rather than a spread array:
/// no allocation per callback.
const CALLBACK_ENTRY: &str = "(fn callback [f n a b] (if (n == 1) (f a) (f a b)))";

/// Classes standing for the builtin value types (what `(1 .class)` gives).
const TYPE_CLASSES: &[&str] = &[
    "Nil",
    "Bool",
    "Int",
    "Float",
    "Char",
    "String",
    "Symbol",
    "Path",
    "Array",
    "Set",
    "Map",
    "Gene",
    "Range",
    "Function",
    "Macro",
    "Block",
    "NativeFunction",
    "Method",
    "Class",
    "Namespace",
    "Enum",
    "EnumMember",
    "Selector",
    "Placeholder",
    "Quote",
    "Unquote",
    "Spread",
    "Future",
    "Generator",
    "AsyncGenerator",
    "Bytes",
    "Database",
    "Transaction",
    "Regex",
    "Match",
    "Channel",
    "Semaphore",
    "Lock",
    "Event",
    "TcpServer",
    "TcpConn",
    "HttpServer",
];

impl Vm {
    /// A VM writing to `out`, with the default services for the rest (no progress display).
    pub fn new(out: Box<dyn Output>) -> Vm {
        Vm::with_services(HostServices::new(out))
    }

    /// A VM using `services` (output, progress display, ...): how a front end chooses them.
    pub fn with_services(services: HostServices) -> Vm {
        let global = Namespace::new("global", None);
        let gene_ns = Namespace::new("gene", None);
        let genex_ns = Namespace::new("genex", None);
        global.set(Sym::new("global"), Value::Ns(global.clone()));
        global.set(Sym::new("gene"), Value::Ns(gene_ns.clone()));
        global.set(Sym::new("genex"), Value::Ns(genex_ns.clone()));
        let reactor = crate::reactor::Reactor::new();
        let mut vm = Vm {
            task: Task::default(),
            global,
            gene_ns,
            genex_ns,
            db: RootDatabase::new(),
            methods: FxHashMap::default(),
            modules: FxHashMap::default(),
            interrupt: reactor.interrupt.clone(),
            preempt_interval: super::CHECK_INTERVAL,
            native_call_budget: super::CHECK_INTERVAL,
            sched: Default::default(),
            reactor,
            callback_entry: None,
            exports: Vec::new(),
            native_props: None,
            arg_buf: Vec::new(),
            prelude_source: SourceInfo::new("<prelude>", Arc::new(PRELUDE.to_string())),
            sym: WellKnown {
                message: Sym::new("message"),
                ctor: Sym::new("ctor"),
            },
            main_awaited: None,
            services,
            random: Default::default(),
            timeline: None,
            trouble: Default::default(),
            slow: None,
            debug: None,
        };
        vm.install_natives();
        vm.install_type_classes();
        vm.run_prelude();
        vm.set_args(Vec::new());
        vm
    }

    /// `$args`: the program's arguments.
    pub fn set_args(&mut self, args: Vec<String>) {
        self.gene_ns.set(
            Sym::new("args"),
            Value::array(args.into_iter().map(Value::str).collect()),
        );
    }

    fn install_natives(&mut self) {
        for f in crate::builtins::all_natives() {
            if let Some((receiver, method)) = f.name.split_once('.') {
                let receiver: &'static str = receiver_name(receiver);
                self.methods.insert((receiver, Sym::new(method)), f);
                continue;
            }
            self.bind_path(f.name, Value::Native(f));
        }
        for (path, value) in crate::builtins::all_constants() {
            self.bind_path(path, value);
        }
    }

    /// Binds `value` at a catalogue path (`gene/io/read`), making the namespaces on the way.
    fn bind_path(&mut self, path: &str, value: Value) {
        let mut segs: Vec<&str> = path.split('/').collect();
        let Some(name) = segs.pop() else { return };
        let mut ns = self.global.clone();
        for (i, seg) in segs.iter().enumerate() {
            ns = match (i, *seg) {
                (0, "global") => self.global.clone(),
                (0, "gene") => self.gene_ns.clone(),
                (0, "genex") => self.genex_ns.clone(),
                _ => match ns.get(Sym::new(seg)) {
                    Some(Value::Ns(n)) => n,
                    _ => {
                        let n = Namespace::new(*seg, Some(ns.clone()));
                        ns.set(Sym::new(seg), Value::Ns(n.clone()));
                        n
                    }
                },
            };
        }
        ns.set(Sym::new(name), value);
    }

    fn install_type_classes(&mut self) {
        for name in TYPE_CLASSES {
            let class = Class {
                name: name.to_string(),
                is_exception: false,
                parent: None,
                methods: RefCell::default(),
                ctor: RefCell::default(),
                ns: Namespace::new(*name, None),
                props_hint: Default::default(),
            };
            self.gene_ns
                .set(Sym::new(name), Value::Class(Rc::new(class)));
        }
    }

    fn run_prelude(&mut self) {
        let parse = gene_syntax::parse_text(PRELUDE);
        let proto = Arc::new(compiler::compile_module(&parse.forms(), "<prelude>"));
        let code = link(&proto, &self.prelude_source.clone(), &[]);
        let ns = self.gene_ns.clone();
        // The prelude is fixed text that runs without error; a failure would show up in every
        // test that raises an exception.
        let _ = self.run_code(code, ns, Vec::new());
    }

    /// The function a callback's task starts with (compiled the first time a callback runs, so
    /// programs without callbacks do not pay for it at start-up). Nothing runs to make it: the
    /// closure is built from the compiled function directly.
    pub(crate) fn callback_entry(&mut self) -> Option<Rc<Closure>> {
        if self.callback_entry.is_none() {
            let parse = gene_syntax::parse_text(CALLBACK_ENTRY);
            let proto = Arc::new(compiler::compile_module(&parse.forms(), "<callbacks>"));
            let source = SourceInfo::new("<callbacks>", Arc::new(CALLBACK_ENTRY.to_string()));
            let module = link(&proto, &source, &[]);
            let code = module.protos.first()?.clone();
            self.callback_entry = Some(Rc::new(Closure {
                code,
                captures: Vec::new(),
                ns: self.gene_ns.clone(),
                self_val: Value::Nil,
                kind: FuncKind::Function,
                is_async: false,
            }));
        }
        self.callback_entry.clone()
    }

    /// The class of any value (instances: their class; builtin values: the type's class).
    pub(crate) fn class_of(&self, v: &Value) -> Value {
        match v {
            Value::Instance(i) => Value::Class(i.class.clone()),
            other => self
                .gene_ns
                .get(Sym::new(&other.type_name()))
                .unwrap_or_default(),
        }
    }

    pub(crate) fn is_a(&self, v: &Value, class: &Value) -> bool {
        match (self.class_of(v), class) {
            (Value::Class(c), Value::Class(k)) => c.is_subclass_of(k),
            _ => false,
        }
    }
}

/// The `'static` receiver names the method table is keyed by.
fn receiver_name(r: &str) -> &'static str {
    match r {
        "String" => "String",
        "Array" => "Array",
        "Set" => "Set",
        "Map" => "Map",
        "Int" => "Int",
        "Float" => "Float",
        "Range" => "Range",
        "Gene" => "Gene",
        "Class" => "Class",
        "Symbol" => "Symbol",
        "EnumMember" => "EnumMember",
        "Exception" => "Exception",
        "Future" => "Future",
        "Generator" => "Generator",
        "AsyncGenerator" => "AsyncGenerator",
        "Bytes" => "Bytes",
        "Database" => "Database",
        "Transaction" => "Transaction",
        "Regex" => "Regex",
        "Match" => "Match",
        "Channel" => "Channel",
        "Semaphore" => "Semaphore",
        "Lock" => "Lock",
        "Event" => "Event",
        "TcpServer" => "TcpServer",
        "TcpConn" => "TcpConn",
        "HttpServer" => "HttpServer",
        _ => "Any",
    }
}
