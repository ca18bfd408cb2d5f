//! gene-lsp: the Gene language server.
//!
//! - [`handlers`]: the protocol methods (`tower_lsp_server::LanguageServer`), thin: they update
//!   the [`state`] on notifications and run requests as [`job`]s on database snapshots
//!   ([`server`]: the plumbing; [`runner`]: one document's analysis, reading its [`imports`] on
//!   demand between rounds).
//! - The IDE features, each a conversion of a `gene_syntax::ide` function to LSP: [`hover`],
//!   [`navigation`] (definition, references, highlights, rename), [`completion`] (and signature
//!   help), [`outline`] (symbols, folding, selection), [`semantic_tokens`] (full and delta),
//!   [`hints`] (inlay hints, code lenses), [`formatting`]; [`locations`] names results in other
//!   files.
//! - [`run`]: "Run file": the program in a child process (this executable in a hidden mode,
//!   [`run::child`]), its output streamed to the client.
//! - [`state`]: the one salsa database, the open [`document`]s, snapshots; [`workspace`]: the
//!   workspace folders and reading sources; [`lint_config`]: each file's `gene.toml`.
//! - [`diagnostics`]: `diagnostics_for(db, file, config)`, the one source of a file's
//!   diagnostics (syntax errors and lint rules), and their LSP form; [`publish`]: pushing them
//!   without ever showing stale ones; [`code_actions`]: quick fixes and `source.fixAll.gene`
//!   from the fixes diagnostics carry; [`syntax_fixes`]: the fixes for syntax errors.
//! - [`position`]: LSP positions in UTF-8 or UTF-16 <-> byte offsets.
//! - [`transport`]: stdin filtered so a malformed message cannot end the session, nor a wrong
//!   length leave the server deaf;
//!   [`raw_init`]: the `initialize` parameters as JSON; [`capabilities`]: what the client can
//!   do and what the server offers.

pub mod capabilities;
pub mod code_actions;
pub mod completion;
pub mod diagnostics;
pub mod document;
pub mod formatting;
pub mod handlers;
pub mod hints;
pub mod hover;
pub mod imports;
pub mod job;
pub mod lint_config;
pub mod locations;
pub mod logging;
pub mod navigation;
pub mod outline;
pub mod position;
pub mod publish;
pub mod raw_init;
pub mod run;
pub mod runner;
pub mod semantic_tokens;
pub mod server;
pub mod state;
pub mod syntax_fixes;
pub mod test_discovery;
pub mod test_lenses;
pub mod transport;
pub mod workspace;

use std::sync::atomic::Ordering;

use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::{ClientSocket, LspService, Server};

use raw_init::{CaptureInitialize, RawInitParams};

pub use diagnostics::diagnostics_for;
pub use server::Backend;

/// How many requests may run at once. Generous, so that a few slow requests never hold back
/// the edits queued behind them (edits are what cancel those requests).
pub const MAX_CONCURRENT_REQUESTS: usize = 32;

/// The server as a tower service.
pub type GeneService = CaptureInitialize<LspService<Backend>>;

/// The server as a tower service and the socket of its client side.
pub fn service() -> (GeneService, ClientSocket) {
    let raw = RawInitParams::default();
    let backend_raw = raw.clone();
    let (service, socket) = LspService::build(move |client| Backend::new(client, backend_raw))
        .custom_method(
            "window/workDoneProgress/cancel",
            Backend::work_done_progress_cancel,
        )
        .custom_method("gene/discoverTests", Backend::discover_tests)
        .custom_method(run::TASKS_METHOD, Backend::run_tasks)
        .finish();
    (CaptureInitialize::new(service, raw), socket)
}

/// Serves one client over `input`/`output` until `exit` or the end of the input. Returns
/// whether `shutdown` came first (then the process should exit with status 0, else 1).
/// Malformed input messages are dropped (see [`transport`]) instead of ending the session.
pub async fn serve<I, O>(input: I, output: O) -> bool
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite,
{
    let (service, socket) = service();
    let shutdown = service.inner().inner().shutdown_flag();
    Server::new(transport::filtered(input), output, socket)
        .concurrency_level(MAX_CONCURRENT_REQUESTS)
        .serve(service)
        .await;
    shutdown.load(Ordering::SeqCst)
}

/// The whole language server process over standard input and output: the log set up, a
/// runtime started, one client served. Both `gene lsp` and the `gene-lsp` binary are this.
pub fn run_stdio(log_file: Option<&std::path::Path>) -> std::process::ExitCode {
    use std::process::ExitCode;
    if let Err(e) = logging::init(log_file) {
        eprintln!("gene lsp: cannot open the log file: {e}");
        return ExitCode::from(2);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("gene lsp: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let clean = runtime.block_on(serve(tokio::io::stdin(), tokio::io::stdout()));
    // Jobs still running hold nothing the client waits for; do not wait for them.
    runtime.shutdown_background();
    if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
