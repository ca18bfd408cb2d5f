//! The body of a run's thread: a fresh VM runs the text, and what happened comes back as plain
//! data ([`Outcome`]) the server can send on.
//!
//! The VM is single-threaded (`Rc` inside), so it is created, used and dropped on this thread;
//! only its output ([`super::output`]) and the outcome cross to the server. The thread has a
//! large stack for the same reason `gene run` has one: dropping or printing data nested a
//! million deep recurses in Rust.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use gene_syntax::TextRange;
use gene_vm::reactor::Interrupt;
use gene_vm::{RunError, Vm};

use super::output::{BufferOutput, OutputBuffer};
use super::progress::{ProgramProgress, ProgressHook};

/// Stack size of a run's thread (address space; committed only as it is used).
pub const RUN_STACK: usize = 1 << 30;

/// One frame of an uncaught error's stack trace, innermost first.
#[derive(Clone, Debug)]
pub struct TraceFrame {
    pub function: String,
    /// The path the VM knows the source by (the run's own path for the file run).
    pub path: String,
    /// The text the range is in.
    pub text: Arc<String>,
    pub range: TextRange,
}

/// An exception nobody caught.
#[derive(Clone, Debug)]
pub struct Uncaught {
    /// `TypeError: ...`, as the first line of `gene run`'s report says it.
    pub message: String,
    pub frames: Vec<TraceFrame>,
    /// Frames left out of the middle of a deep trace.
    pub omitted: usize,
    /// What `gene run` prints on stderr: the message, the source line, the stack trace.
    pub report: String,
}

#[derive(Clone, Debug)]
pub enum Outcome {
    Finished,
    Uncaught(Uncaught),
    /// Nothing ran: the text does not parse. The report is `gene run`'s.
    Syntax(String),
    /// The VM itself failed (a bug); the message says where.
    Crashed(String),
}

/// Stops a run from another thread: sets the VM's interrupt flag (which its dispatch loop checks
/// and which wakes a VM waiting for timers or I/O). The VM, and so its flag, only exists on the
/// run's thread once it has started; a stop asked before that is passed on when it appears.
#[derive(Default)]
pub struct Interrupter {
    vm: Mutex<Option<Arc<Interrupt>>>,
    requested: AtomicBool,
}

impl Interrupter {
    fn slot(&self) -> std::sync::MutexGuard<'_, Option<Arc<Interrupt>>> {
        self.vm.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Called on the run's thread with the new VM's flag.
    fn install(&self, interrupt: Arc<Interrupt>) {
        let mut slot = self.slot();
        if self.requested.load(Ordering::SeqCst) {
            interrupt.store(true, Ordering::SeqCst);
        }
        *slot = Some(interrupt);
    }

    /// Asks the run to stop (again: the VM clears its flag when it acts on it, and code in a
    /// `finally` may run on).
    pub fn interrupt(&self) {
        self.requested.store(true, Ordering::SeqCst);
        if let Some(interrupt) = self.slot().as_ref() {
            interrupt.store(true, Ordering::SeqCst);
        }
    }

    /// Whether a stop was asked for.
    pub fn requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }
}

/// Runs `text` as the main module at `path`, its output going to `buffer`, stoppable through
/// `interrupter`; the program's own progress (`gene/progress`) goes to `progress`.
pub fn execute(
    path: &str,
    text: String,
    buffer: Arc<OutputBuffer>,
    interrupter: &Interrupter,
    progress: Option<ProgressHook>,
) -> Outcome {
    let run = || {
        let mut vm = Vm::new(Box::new(BufferOutput(buffer)));
        interrupter.install(vm.interrupt.clone());
        if let Some(hook) = progress {
            vm.set_progress_display(Box::new(ProgramProgress::new(hook)));
        }
        let result = vm.run_source(path, text);
        vm.out.flush();
        match result {
            Ok(_) => Outcome::Finished,
            Err(RunError::Uncaught(exc)) => {
                let (frames, omitted) = match &exc.trace {
                    Some(trace) => (
                        trace
                            .entries
                            .iter()
                            .map(|e| TraceFrame {
                                function: e.function.clone(),
                                path: e.source.path.clone(),
                                text: e.source.text.clone(),
                                range: e.range,
                            })
                            .collect(),
                        trace.omitted,
                    ),
                    None => (Vec::new(), 0),
                };
                Outcome::Uncaught(Uncaught {
                    message: vm.describe_exception(&exc.value),
                    frames,
                    omitted,
                    report: gene_vm::report::render_uncaught(&vm, &exc),
                })
            }
            Err(error @ RunError::Syntax { .. }) => {
                Outcome::Syntax(gene_vm::report::render_run_error(&vm, &error, false))
            }
            Err(RunError::Io(message)) => Outcome::Crashed(message),
        }
    };
    catch_unwind(AssertUnwindSafe(run))
        .unwrap_or_else(|payload| Outcome::Crashed(crate::job::panic_message(payload.as_ref())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> (Outcome, String) {
        let buffer = Arc::new(OutputBuffer::default());
        let outcome = execute(
            "/w/t.gene",
            text.to_string(),
            buffer.clone(),
            &Interrupter::default(),
            None,
        );
        let output = buffer.take().into_iter().map(|(_, t)| t).collect();
        (outcome, output)
    }

    #[test]
    fn output_and_uncaught_errors_with_their_trace() {
        let (outcome, output) = run("(println \"hi\")\n(fn f [x] (x + 1))\n(f \"s\")\n");
        assert_eq!(output, "hi\n");
        let Outcome::Uncaught(error) = outcome else {
            panic!("an uncaught error, got {outcome:?}")
        };
        assert!(error.message.contains("TypeError"), "{}", error.message);
        let top = &error.frames[0];
        assert_eq!(top.path, "/w/t.gene");
        assert_eq!(
            &top.text[std::ops::Range::<usize>::from(top.range)],
            "(x + 1)"
        );
        assert!(error.frames.len() >= 2, "{:?}", error.frames);
        assert!(error.report.contains("Stack trace"), "{}", error.report);
    }

    #[test]
    fn syntax_errors_run_nothing() {
        let (outcome, output) = run("(println 1)\n(println 2");
        assert!(output.is_empty());
        assert!(
            matches!(&outcome, Outcome::Syntax(r) if r.contains("E001")),
            "{outcome:?}"
        );
    }

    /// Starts `program`, interrupts it once it runs, and gives how it ended.
    fn interrupted(program: &str) -> Outcome {
        let buffer = Arc::new(OutputBuffer::default());
        let interrupter = Arc::new(Interrupter::default());
        let thread = {
            let interrupter = interrupter.clone();
            let buffer = buffer.clone();
            let program = program.to_string();
            std::thread::spawn(move || execute("/w/stop.gene", program, buffer, &interrupter, None))
        };
        // The program prints once it is where it should be stopped.
        while buffer.take().is_empty() {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        interrupter.interrupt();
        thread.join().unwrap()
    }

    fn is_interrupted(outcome: &Outcome) -> bool {
        matches!(outcome, Outcome::Uncaught(e) if e.message.contains("Interrupted"))
    }

    #[test]
    fn an_interrupt_stops_an_endless_loop() {
        let outcome = interrupted("(println 1)\n(while true 1)");
        assert!(is_interrupted(&outcome), "{outcome:?}");
    }

    #[test]
    fn an_interrupt_wakes_a_program_waiting_for_a_timer() {
        let outcome = interrupted("(println 1)\n(await (gene/sleep_async 600000))");
        assert!(is_interrupted(&outcome), "{outcome:?}");
    }

    #[test]
    fn a_stop_asked_before_the_vm_exists_is_not_lost() {
        let interrupter = Interrupter::default();
        interrupter.interrupt();
        let outcome = execute(
            "/w/early.gene",
            "(while true 1)".into(),
            Arc::default(),
            &interrupter,
            None,
        );
        assert!(is_interrupted(&outcome), "{outcome:?}");
    }
}
