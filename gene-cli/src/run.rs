//! `gene run FILE [ARGS...]`: runs a program. Syntax errors are reported the way `gene check`
//! reports them and nothing runs; an uncaught exception prints `Error: ...`, the source line
//! with a caret and the Gene stack trace, and exits 1. So does a failed future nobody awaited
//! or handled (reported after the program and its pending tasks, timers and I/O have finished).
//!
//! Ctrl-C, SIGTERM and SIGHUP stop the program cleanly: its output so far is flushed, and the
//! process then dies of the signal (`signals.rs`). SIGQUIT (Ctrl-\) prints the task tree on
//! stderr and the program goes on.
//!
//! While the program awaits a future that reports progress (or reports its own), a progress
//! bar shows on stderr if stderr is a terminal (`progress_bar.rs`); `--no-progress` turns it off.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use gene_vm::{HostServices, Output, RunError, StdOutput, Vm};

use super::progress_bar::{BarDisplay, BarOutput, BarSlot};
use gene_vm::report::diagnostic as render;

use super::{EXIT_USAGE, source};

#[derive(Args)]
pub struct RunArgs {
    /// The Gene file to run.
    file: PathBuf,
    /// How many calls and loop iterations a task runs between two checkpoints, where it lets
    /// other ready tasks, timer and I/O callbacks run (and Ctrl-C is noticed).
    #[arg(long, value_name = "N", default_value_t = gene_vm::vm::CHECK_INTERVAL,
          value_parser = clap::value_parser!(u32).range(1..))]
    preempt_interval: u32,
    /// Never show a progress bar. Without this flag, one shows on stderr when it is a terminal,
    /// while the program reports progress or awaits work that does (`gene/progress`).
    #[arg(long)]
    no_progress: bool,
    /// Write a timeline of the run to PATH in the Chrome Trace Event format (JSON, for
    /// Perfetto UI or chrome://tracing): a track per task with the times it ran and awaited,
    /// arrows from a task to the tasks it started and woke, failures and cancellations.
    #[arg(long, value_name = "PATH")]
    timeline: Option<PathBuf>,
    /// Warn on stderr when a task runs more than MS milliseconds without reaching an `await`
    /// (every other task waits meanwhile), naming the task and where it was.
    #[arg(long, value_name = "MS")]
    warn_slow: Option<u64>,
    /// Arguments for the program (`$args` in Gene).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

pub fn run(args: RunArgs) -> ExitCode {
    let bar = (!args.no_progress && bar_fits_stderr()).then(BarSlot::default);
    let out: Box<dyn Output> = match &bar {
        Some(bar) => Box::new(BarOutput::new(bar.clone())),
        None => Box::new(StdOutput::new()),
    };
    let mut services = HostServices::new(out);
    if let Some(bar) = &bar {
        services = services.with_progress_display(Box::new(BarDisplay(bar.clone())));
    }
    let mut vm = Vm::with_services(services);
    vm.set_args(args.args);
    vm.preempt_interval = args.preempt_interval;
    if let Some(path) = &args.timeline {
        match std::fs::File::create(path) {
            Ok(file) => vm.start_timeline(Box::new(file)),
            Err(e) => eprintln!("gene: cannot write the timeline to {}: {e}", path.display()),
        }
    }
    if let Some(ms) = args.warn_slow {
        vm.warn_slow_tasks(ms);
    }
    let signals = super::signals::SignalStop::install(vm.interrupt.clone());
    super::signals::dump_tasks_on_sigquit(vm.interrupt.clone());
    let loaded = match source::load_one(&mut vm.db, &args.file) {
        Ok(loaded) => loaded,
        Err(status) => return status,
    };
    // Text that was not valid UTF-8 (read with replacement characters) does not run. Syntax
    // and compile errors are checked once, by `run_source_file`, and rendered like these.
    if !loaded.read_diagnostics.is_empty() {
        let mut stderr = std::io::stderr().lock();
        for d in &loaded.read_diagnostics {
            let _ =
                render::write_human(&mut stderr, &vm.db, loaded.file, d, render::stderr_color());
        }
        return ExitCode::from(1);
    }
    let result = vm.run_source_file(loaded.file);
    if let Some(bar) = &bar {
        bar.clear();
    }
    if let Some(path) = &args.timeline {
        write_timeline(&mut vm, path);
    }
    if let Some(signal) = signals.received() {
        // Stopped by Ctrl-C or a kill: what it printed shows, and it ends as the signal says.
        vm.services.output().flush();
        super::signals::die_of(signal);
    }
    finish(&mut vm, result)
}

/// Writes what `--timeline` recorded; a file that cannot be written is reported, and the
/// run's own outcome stands.
fn write_timeline(vm: &mut Vm, path: &std::path::Path) {
    let Some(timeline) = vm.take_timeline() else {
        return;
    };
    if let Err(e) = timeline.finish() {
        eprintln!("gene: cannot write the timeline to {}: {e}", path.display());
    }
}

/// A bar can be drawn on stderr: it is a terminal that understands cursor movement.
fn bar_fits_stderr() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
}

/// Runs the VM on a thread with a large stack. Gene calls never use the Rust stack, but
/// dropping (or printing) data nested a million levels deep recurses; 1 GiB of address space
/// (committed only as it is used) keeps that from overflowing.
pub fn on_big_stack(f: impl FnOnce() -> ExitCode + Send + 'static) -> ExitCode {
    const STACK: usize = 1 << 30;
    match std::thread::Builder::new()
        .name("gene".into())
        .stack_size(STACK)
        .spawn(f)
    {
        Ok(handle) => handle.join().unwrap_or_else(|_| {
            // A panic (a bug): what the program printed still shows.
            gene_vm::output::stdout::flush();
            ExitCode::from(101)
        }),
        Err(e) => {
            eprintln!("error: cannot start the VM thread: {e}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// Prints why a run failed (syntax or compile errors, an uncaught exception) and gives the
/// exit status.
pub fn finish(vm: &mut Vm, result: Result<gene_vm::Value, RunError>) -> ExitCode {
    vm.services.output().flush();
    if let Some(status) = result.as_ref().err().and_then(RunError::exit_status) {
        return ExitCode::from(u8::try_from(status).unwrap_or(1));
    }
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(error) => {
            eprint!(
                "{}",
                gene_vm::report::render_run_error(vm, &error, render::stderr_color())
            );
            match error {
                RunError::Io(_) => ExitCode::from(EXIT_USAGE),
                _ => ExitCode::from(1),
            }
        }
    }
}
