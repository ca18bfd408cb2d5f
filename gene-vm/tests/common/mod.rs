//! Helpers shared by the VM's integration tests.

use gene_vm::{CaptureOutput, RunError, Session, Vm};

/// A REPL session on a VM whose output is captured.
pub fn vm() -> (Session, CaptureOutput) {
    let out = CaptureOutput::new();
    (Session::new(Vm::new(Box::new(out.clone()))), out)
}

/// Evaluates one input and describes the outcome as text: the value, or the error.
pub fn value(vm: &mut Session, text: &str) -> String {
    match vm.eval(text) {
        Ok(v) => gene_vm::value::inspect(&v),
        Err(RunError::Uncaught(e)) => format!("error: {}", vm.describe_exception(&e.value)),
        Err(RunError::Syntax { diagnostics, .. }) => format!("syntax: {}", diagnostics.len()),
        Err(RunError::Io(m)) => m,
    }
}
