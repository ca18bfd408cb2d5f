//! The `gene` command: run, check and inspect Gene programs, and serve editors. Each
//! subcommand lives in its own module; all of them load files
//! through the shared salsa database ([`source`]) and print diagnostics the same way
//! (`gene_vm::report`).

mod check;
mod check_fix;
mod check_output;
mod dap;
mod disasm;
mod eval;
mod fmt;
mod lsp;
mod parse;
mod progress_bar;
mod repl;
mod rules;
mod run;
mod signals;
mod source;
mod test;

use std::process::ExitCode;

/// mimalloc rather than the system allocator: parsing and the VM allocate many small,
/// short-lived objects (tree nodes, tokens, values), which it serves faster than glibc's
/// allocator (the parser benchmarks, which use it too, measure the difference).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "gene",
    version,
    about = "The Gene language toolchain",
    propagate_version = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the syntax tree of a file.
    Parse(parse::ParseArgs),
    /// Print the bytecode of a file's functions, with the source lines they come from.
    Disasm(disasm::DisasmArgs),
    /// Report syntax errors and lint diagnostics of files.
    Check(check::CheckArgs),
    /// List the lint rules.
    Rules(rules::RulesArgs),
    /// Format files in place (`--check` only reports).
    Fmt(fmt::FmtArgs),
    /// Run a Gene program: `gene run FILE [ARGS...]` (the arguments are `$args`).
    Run(run::RunArgs),
    /// Run the tests under the paths: `*_test.gene` files and golden pairs (`NAME.gene` with
    /// `NAME.out`).
    Test(test::TestArgs),
    /// Evaluate Gene code and print its value.
    Eval(eval::EvalArgs),
    /// Start an interactive session.
    Repl(repl::ReplArgs),
    /// Serve an editor: the language server over standard input and output.
    Lsp(lsp::LspArgs),
    /// Serve a debugger client: the Debug Adapter Protocol over standard input and output.
    Dap(dap::DapArgs),
}

/// Exit status for failures of the tool itself (unreadable file, bad arguments), as opposed to
/// problems found in the program (status 1).
pub const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    // A child process of the language server's "Run file" (`gene lsp` starts this executable
    // again with a hidden argument): it runs one program and reports to the server.
    if let Some(code) = gene_lsp::run::child::dispatch() {
        return code;
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with status 0; usage errors to stderr with status 2.
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(EXIT_USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        Command::Parse(args) => parse::run(args),
        Command::Disasm(args) => disasm::run(args),
        Command::Check(args) => check::run(args),
        Command::Rules(args) => rules::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Run(args) => run::on_big_stack(move || run::run(args)),
        Command::Test(args) => test::run(args),
        Command::Eval(args) => run::on_big_stack(move || eval::run(args)),
        Command::Repl(args) => run::on_big_stack(move || repl::run(args)),
        Command::Lsp(args) => lsp::run(args),
        Command::Dap(args) => dap::run(args),
    }
}
