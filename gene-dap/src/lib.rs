//! The Gene debugger: the Debug Adapter Protocol over stdio (`gene dap`), driving the VM's
//! debug hooks (`gene_vm::vm::debug`).
//!
//! - `transport.rs`: DAP's `Content-Length` framing; the shared writer numbering messages.
//! - `session.rs`: the request loop (initialize, launch, breakpoints, flow control, threads).
//! - `program.rs`: the program's VM on its own thread and the debug host that answers requests
//!   about its state while it is stopped (stack traces stitched across awaits, scopes,
//!   variables, evaluate, setVariable).
//! - `variables.rs`: values as DAP variables, expanded lazily.
//! - `conditions.rs`: breakpoint conditions, hit counts and log messages (line and function
//!   breakpoints).
//! - `completions.rs`: debug console completions (names in a frame, builtins, methods).
//! - `test_launch.rs`: a launch's `test`: the selected tests run after the top level.
//!
//! Tasks are DAP threads (thread id = task id + 1); all of them stop together, since a stop
//! blocks the VM's one thread.

mod completions;
mod conditions;
mod program;
mod session;
mod test_launch;
mod transport;
mod variables;

use std::io::Write;

/// Serves one debugging session over `input` and `output` until the client disconnects or
/// the input ends.
pub fn serve(input: impl std::io::BufRead, output: Box<dyn Write + Send>) {
    session::Session::new(transport::Sender::new(output)).serve(input);
}

/// `gene dap`: one session over standard input and output.
pub fn run_stdio() {
    serve(std::io::stdin().lock(), Box::new(std::io::stdout()));
}
