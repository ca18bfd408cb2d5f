//! gene-vm: the bytecode compiler and virtual machine of the Gene language, and the `gene`
//! command's `run`, `eval` and `repl`.
//!
//! - [`compiler`]: lowered forms (from the shared salsa database) -> [`bytecode`].
//! - [`vm`]: the dispatch loop over an explicit frame stack ([`vm::Task`]), calls, exceptions.
//! - [`value`]: runtime values, printing, equality. [`builtins`]: the native functions and
//!   methods of the builtin catalogue (`gene_syntax::builtins`).
//! - [`output`]: where a program's output goes (stdout or captured buffers).

pub mod builtins;
pub mod bytecode;
pub mod compiler;
pub mod intern;
pub mod output;
pub mod reactor;
pub mod report;
pub mod value;
pub mod vm;

pub use output::{CaptureOutput, Output, StdOutput};
pub use value::Value;
pub use vm::progress::ProgressDisplay;
pub use vm::{Exc, RunError, Vm};
