//! Rendering for people: diagnostics ([`diagnostic`]: human reports through ariadne and JSON for
//! tools) and runtime failures ([`uncaught`]). `gene check`, `gene run` and the language
//! server's Run File all print through here, so a user sees one format everywhere.

pub mod diagnostic;
pub mod uncaught;

pub use uncaught::render_uncaught;

use crate::vm::{RunError, Vm};

/// The report of a run that did not finish normally, as `gene run` prints it on stderr: the
/// syntax and compile errors that kept it from starting, or the uncaught exception with its
/// source line and trace.
pub fn render_run_error(vm: &Vm, error: &RunError, color: bool) -> String {
    match error {
        // `gene/exit`: the program ended as it asked, nothing to report.
        RunError::Uncaught(exc) if exc.exit_status().is_some() => String::new(),
        RunError::Uncaught(exc) => render_uncaught(vm, exc),
        RunError::Syntax {
            diagnostics,
            source,
        } => {
            let mut out = Vec::new();
            for d in diagnostics {
                let _ =
                    diagnostic::write_human_text(&mut out, &source.path, &source.text, d, color);
            }
            String::from_utf8_lossy(&out).into_owned()
        }
        RunError::Io(message) => format!("error: {message}\n"),
    }
}
