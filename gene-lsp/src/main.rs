//! `gene-lsp`: the Gene language server over standard input and output. The same server as
//! `gene lsp`, kept as its own binary for editors configured with it.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// mimalloc rather than the system allocator: parsing and the VM allocate many small,
/// short-lived objects (tree nodes, tokens, values), which it serves faster than glibc's
/// allocator (the parser benchmarks, which use it too, measure the difference).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "gene-lsp",
    version,
    about = "The Gene language server (LSP over stdio); the same as `gene lsp`"
)]
struct Args {
    /// Write the server's log to this file instead of standard error.
    #[arg(long, value_name = "PATH")]
    log_file: Option<PathBuf>,
    /// Use standard input and output (the only transport; accepted because clients pass it).
    #[arg(long)]
    stdio: bool,
}

fn main() -> ExitCode {
    // A "Run file" child process (see gene_lsp::run::child): not the server.
    if let Some(code) = gene_lsp::run::child::dispatch() {
        return code;
    }
    let args = Args::parse();
    gene_lsp::run_stdio(args.log_file.as_deref())
}
