//! gene-vm: the bytecode compiler and virtual machine of the Gene language, and the `gene`
//! command's `run`, `eval` and `repl`.
//!
//! - [`compiler`]: lowered forms (from the shared salsa database) -> [`bytecode`].
//! - [`vm`]: the dispatch loop over an explicit frame stack ([`vm::Task`]), calls, exceptions.
//! - [`value`]: runtime values, printing, equality. [`builtins`]: the native functions and
//!   methods of the builtin catalogue (`gene_syntax::builtins`).
//! - [`services`]: what the VM reaches outside the interpreter core ([`HostServices`]: output,
//!   progress display, HTTP client, open transactions), chosen by whoever builds the VM.
//!   [`output`]: where a program's output goes (stdout or captured buffers).
//! - [`session`]: a REPL session driving a VM, input after input.

pub mod builtins;
pub mod bytecode;
pub mod compiler;
pub mod intern;
pub mod output;
pub mod reactor;
pub mod report;
pub mod services;
pub mod session;
pub mod testing;
pub mod value;
pub mod vm;

pub use output::{CaptureOutput, Output, StdOutput};
pub use services::{HostServices, ProgressDisplay};
pub use session::Session;
pub use value::Value;
pub use vm::{
    Exc, RunError, Site, TaskInfo, TaskState, TaskTrouble, Trace, UnobservedFailure, Vm,
    render_task_tree,
};
