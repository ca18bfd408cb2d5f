//! "Run file": `workspace/executeCommand` `gene.runFile` runs a document's text (unsaved
//! changes included) through the VM on a thread of its own and streams its output to the
//! client; `gene.stopRun` stops it.
//!
//! The protocol (editors are built against it):
//! - `gene.runFile` with `[{"uri"}]` answers at once with `{"runId"}`;
//! - `gene/runOutput` `{runId, stream: "stdout"|"stderr", text}` notifications, batched
//!   ([`output`]), in the order the program wrote;
//! - one `gene/runEnd` `{runId, status: "ok"|"error"|"stopped", exitCode, durationMs}`;
//! - `gene.stopRun` with `[{"runId"}]` answers `{"stopped": bool}` (whether that run was
//!   still going) and the run ends within a fraction of a second, an endless loop included.
//!
//! Around it: `$/progress` while the run goes ([`progress`], cancellable: a cancel stops the
//! run), an uncaught error as a diagnostic of the document ([`diagnostics`]), and the output as
//! `window/logMessage` for clients that did not say they handle the notifications
//! (`initializationOptions.runNotifications`).
//!
//! Threads: the VM runs on a thread of its own ([`execute`]); a tokio task per run
//! ([`forward`]) sends its output and its end. Nothing else in the server runs user code.

pub mod diagnostics;
pub mod execute;
mod forward;
pub mod output;
pub mod progress;

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tower_lsp_server::jsonrpc::{self, Result};
use tower_lsp_server::lsp_types::notification::Notification;
use tower_lsp_server::lsp_types::{ProgressToken, Uri};

use crate::document::Stamp;
use crate::navigation::request_failed;
use crate::publish::Diagnostician;
use crate::workspace::uri_to_path;
use execute::Interrupter;
use output::{OutputBuffer, Stream};
use progress::{ProgressHook, TokenSource};

pub const RUN_FILE_COMMAND: &str = "gene.runFile";
pub const STOP_RUN_COMMAND: &str = "gene.stopRun";

/// The exit code of a stopped run (as a shell reports a program ended by Ctrl-C).
pub const EXIT_STOPPED: i32 = 130;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunOutputParams {
    pub run_id: String,
    pub stream: Stream,
    pub text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    Ok,
    Error,
    Stopped,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunEndParams {
    pub run_id: String,
    pub status: RunStatus,
    pub exit_code: i32,
    pub duration_ms: u64,
}

/// `gene/runOutput`.
pub enum RunOutput {}

impl Notification for RunOutput {
    type Params = RunOutputParams;
    const METHOD: &'static str = "gene/runOutput";
}

/// `gene/runEnd`.
pub enum RunEnd {}

impl Notification for RunEnd {
    type Params = RunEndParams;
    const METHOD: &'static str = "gene/runEnd";
}

#[derive(Deserialize)]
struct RunFileArgs {
    uri: Uri,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StopRunArgs {
    run_id: String,
}

/// The single argument of a command, or InvalidParams saying what it should be.
fn argument<T: serde::de::DeserializeOwned>(
    command: &str,
    arguments: &[Value],
    shape: &str,
) -> Result<T> {
    let wrong = || jsonrpc::Error::invalid_params(format!("{command} takes [{shape}]"));
    let first = arguments.first().ok_or_else(wrong)?;
    serde_json::from_value(first.clone()).map_err(|_| wrong())
}

/// A run that has not ended yet.
pub struct ActiveRun {
    pub id: String,
    pub uri: Uri,
    /// The path the VM runs the text under (imports resolve from it).
    pub path: String,
    /// The document version that was run; `None` for a file that is not open.
    pub stamp: Option<Stamp>,
    pub started: Instant,
    pub buffer: Arc<OutputBuffer>,
    pub interrupter: Interrupter,
    /// The `$/progress` token, once the client has one.
    progress_token: Arc<Mutex<Option<ProgressToken>>>,
    /// Where the program's own progress reports go (see [`progress`]).
    pub progress: ProgressHook,
}

impl ActiveRun {
    pub fn stop_requested(&self) -> bool {
        self.interrupter.requested()
    }

    fn request_stop(&self) {
        self.interrupter.interrupt();
        self.buffer.wake.notify_one();
    }
}

/// The runs going on.
#[derive(Default)]
pub struct Runs {
    next_id: AtomicU64,
    active: Mutex<HashMap<String, Arc<ActiveRun>>>,
}

impl Runs {
    fn active(&self) -> MutexGuard<'_, HashMap<String, Arc<ActiveRun>>> {
        self.active.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `gene.runFile`: starts the run and answers `{"runId"}`.
    pub fn start(
        self: &Arc<Self>,
        ctx: &Diagnostician,
        arguments: &[Value],
        work_done_token: Option<ProgressToken>,
    ) -> Result<Value> {
        let RunFileArgs { uri } = argument(RUN_FILE_COMMAND, arguments, r#"{"uri": "..."}"#)?;
        let (text, stamp) = ctx.state.current_text(&uri).map_err(request_failed)?;
        // The last run's error goes with the last run.
        if ctx.state.run_diagnostics.clear(&uri) {
            ctx.run_diagnostics_changed(uri.clone());
        }
        let n = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let id = format!("run-{n}");
        let path = uri_to_path(&uri).display().to_string();
        let features = ctx.state.features();
        let token_source = match work_done_token {
            Some(token) => TokenSource::Given(token),
            None if features.work_done_progress => TokenSource::Create(format!("gene/{id}")),
            None => TokenSource::None,
        };
        let name = Path::new(&path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.clone());
        let progress_token: Arc<Mutex<Option<ProgressToken>>> = Arc::default();
        let progress = progress::start(
            ctx.client.clone(),
            token_source,
            format!("Running {name}"),
            {
                let slot = progress_token.clone();
                move |token| *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(token)
            },
        );
        let run = Arc::new(ActiveRun {
            id: id.clone(),
            uri,
            path,
            stamp,
            started: Instant::now(),
            buffer: Arc::default(),
            interrupter: Interrupter::default(),
            progress_token,
            progress,
        });
        let (done, outcome) = tokio::sync::oneshot::channel();
        let thread = {
            let run = run.clone();
            std::thread::Builder::new()
                .name(format!("gene-{id}"))
                .stack_size(execute::RUN_STACK)
                .spawn(move || {
                    let outcome = execute::execute(
                        &run.path,
                        text,
                        run.buffer.clone(),
                        &run.interrupter,
                        Some(run.progress.clone()),
                    );
                    let _ = done.send(outcome);
                })
        };
        if let Err(e) = thread {
            run.progress.end("could not start".into());
            return Err(request_failed(format!(
                "Gene: cannot start a thread for the run: {e}"
            )));
        }
        self.active().insert(id.clone(), run.clone());
        tokio::spawn(forward::forward(self.clone(), ctx.clone(), run, outcome));
        Ok(json!({ "runId": id }))
    }

    /// `gene.stopRun`: asks the run to stop; answers whether it was still going.
    pub fn stop(&self, arguments: &[Value]) -> Result<Value> {
        let StopRunArgs { run_id } = argument(STOP_RUN_COMMAND, arguments, r#"{"runId": "..."}"#)?;
        let run = self.active().get(&run_id).cloned();
        if let Some(run) = &run {
            run.request_stop();
        }
        Ok(json!({ "stopped": run.is_some() }))
    }

    /// The client cancelled a progress: stop the run it belongs to.
    pub fn stop_by_progress(&self, token: &ProgressToken) {
        let runs: Vec<Arc<ActiveRun>> = self.active().values().cloned().collect();
        for run in runs {
            let matches = run
                .progress_token
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .as_ref()
                == Some(token);
            if matches {
                run.request_stop();
            }
        }
    }

    /// Stops every run (the server is shutting down).
    pub fn stop_all(&self) {
        for run in self.active().values() {
            run.request_stop();
        }
    }

    fn finished(&self, id: &str) {
        self.active().remove(id);
    }
}
