//! `gene run FILE [ARGS...]`: runs a program. Syntax errors are reported the way `gene check`
//! reports them and nothing runs; an uncaught exception prints `Error: ...`, the source line
//! with a caret and the Gene stack trace, and exits 1. So does a failed future nobody awaited
//! or handled (reported after the program and its pending tasks, timers and I/O have finished).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use gene_syntax::Severity;
use gene_syntax::db::syntax_diagnostics;
use gene_vm::{RunError, StdOutput, Vm};

use super::{EXIT_USAGE, render, source};

#[derive(Args)]
pub struct RunArgs {
    /// The Gene file to run.
    file: PathBuf,
    /// How many calls and loop iterations a task runs between two checkpoints, where it lets
    /// other ready tasks, timer and I/O callbacks run (and Ctrl-C is noticed).
    #[arg(long, value_name = "N", default_value_t = gene_vm::vm::CHECK_INTERVAL,
          value_parser = clap::value_parser!(u32).range(1..))]
    preempt_interval: u32,
    /// Arguments for the program (`$args` in Gene).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

pub fn run(args: RunArgs) -> ExitCode {
    let mut vm = Vm::new(Box::new(StdOutput::new()));
    vm.set_args(args.args);
    vm.preempt_interval = args.preempt_interval;
    let loaded = match source::load(&mut vm.db, &args.file) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let mut errors: Vec<_> = loaded.read_diagnostics.clone();
    errors.extend(
        syntax_diagnostics(&vm.db, loaded.file)
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .cloned(),
    );
    if errors.is_empty() {
        // Compile errors (`yield` outside a generator): reported the same way; nothing runs.
        errors.extend(
            gene_vm::vm::compile_file(&vm.db, loaded.file)
                .errors
                .iter()
                .cloned(),
        );
    }
    if !errors.is_empty() {
        let mut stderr = std::io::stderr().lock();
        for d in &errors {
            let _ =
                render::write_human(&mut stderr, &vm.db, loaded.file, d, render::stderr_color());
        }
        return ExitCode::from(1);
    }
    let result = vm.run_source_file(loaded.file);
    finish(&mut vm, result)
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
        Ok(handle) => handle.join().unwrap_or(ExitCode::from(101)),
        Err(e) => {
            eprintln!("error: cannot start the VM thread: {e}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// Prints an uncaught error (or a syntax error) and gives the exit status.
pub fn finish(vm: &mut Vm, result: Result<gene_vm::Value, RunError>) -> ExitCode {
    vm.out.flush();
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(RunError::Uncaught(exc)) => {
            eprint!("{}", gene_vm::report::render_uncaught(vm, &exc));
            ExitCode::from(1)
        }
        Err(RunError::Syntax {
            diagnostics,
            source,
        }) => {
            for d in diagnostics {
                let lc = source.line_index.line_col_chars(d.range.start());
                eprintln!(
                    "error[{}]: {} ({}:{}:{})",
                    d.code,
                    d.message,
                    source.path,
                    lc.line + 1,
                    lc.col + 1
                );
            }
            ExitCode::from(1)
        }
        Err(RunError::Io(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}
