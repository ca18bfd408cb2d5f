//! `gene-lsp`: the Gene language server, speaking LSP over standard input and output.

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
    about = "The Gene language server (LSP over stdio)"
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
    let args = Args::parse();
    if let Err(e) = gene_lsp::logging::init(args.log_file.as_deref()) {
        eprintln!("gene-lsp: cannot open the log file: {e}");
        return ExitCode::from(2);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("gene-lsp: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let clean = runtime.block_on(gene_lsp::serve(tokio::io::stdin(), tokio::io::stdout()));
    // Jobs still running hold nothing the client waits for; do not wait for them.
    runtime.shutdown_background();
    if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
