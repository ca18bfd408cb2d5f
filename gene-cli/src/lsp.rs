//! `gene lsp`: the language server over standard input and output (the same as `gene-lsp`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

#[derive(Args)]
pub struct LspArgs {
    /// Write the server's log to this file instead of standard error.
    #[arg(long, value_name = "PATH")]
    log_file: Option<PathBuf>,
    /// Use standard input and output (the only transport; accepted because clients pass it).
    #[arg(long)]
    stdio: bool,
}

pub fn run(args: LspArgs) -> ExitCode {
    let _ = args.stdio;
    gene_lsp::run_stdio(args.log_file.as_deref())
}
