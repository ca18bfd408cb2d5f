//! Builtins written partly in Gene: a small Gene function, compiled once per process and
//! linked per use, for steps that are easiest said as Gene code (waiting without blocking
//! other tasks, a CancelledError where it waits, clean-up on every way out).

use std::rc::Rc;
use std::sync::{Arc, OnceLock};

use crate::bytecode::Proto;
use crate::value::{Closure, FuncKind, Value};
use crate::vm::code::{SourceInfo, link};
use crate::vm::native::{Resume, Step};
use crate::vm::{Exc, Vm};

/// The source of one Gene function (the first form of `text`), named `name` in traces.
pub(crate) struct GeneFn {
    name: &'static str,
    text: &'static str,
    proto: OnceLock<Arc<Proto>>,
}

impl GeneFn {
    pub const fn new(name: &'static str, text: &'static str) -> GeneFn {
        GeneFn {
            name,
            text,
            proto: OnceLock::new(),
        }
    }

    /// The function as a value of this VM.
    pub fn closure(&self, vm: &Vm) -> Result<Rc<Closure>, Exc> {
        let proto = self.proto.get_or_init(|| {
            let parse = gene_syntax::parse_text(self.text);
            Arc::new(crate::compiler::compile_module(&parse.forms(), self.name))
        });
        let source = SourceInfo::new(self.name, Arc::new(self.text.to_string()));
        let module = link(proto, &source, &[]);
        let Some(code) = module.protos.first().cloned() else {
            return Err(vm.error(
                "Exception",
                format!("internal error: {} did not compile", self.name),
            ));
        };
        let is_async = code.proto.is_async;
        Ok(Rc::new(Closure {
            code,
            captures: Vec::new(),
            ns: vm.gene_ns.clone(),
            self_val: Value::Nil,
            kind: FuncKind::Function,
            is_async,
        }))
    }
}

/// A native whose value is what its call of a Gene function gives.
pub(crate) struct GiveResult;

impl Resume for GiveResult {
    fn resume(&mut self, _vm: &mut Vm, result: Value) -> Result<Step, Exc> {
        Ok(Step::Return(result))
    }
}
