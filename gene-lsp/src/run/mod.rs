//! "Run file": `workspace/executeCommand` `gene.runFile` runs a document's text (unsaved
//! changes included) in a child process and streams its output to the client; `gene.stopRun`
//! stops it.
//!
//! The protocol (editors are built against it):
//! - `gene.runFile` with `[{"uri"}]` answers at once with `{"runId"}`;
//! - `gene/runOutput` `{runId, stream: "stdout"|"stderr", text}` notifications, batched, in
//!   the order the program wrote;
//! - one `gene/runEnd` `{runId, status: "ok"|"error"|"stopped", exitCode, durationMs}`;
//! - `gene.stopRun` with `[{"runId"}]` answers `{"stopped": bool}` (whether that run was
//!   still going) and the run ends within a fraction of a second, whatever the program does;
//! - `gene.runTests` with `[{"uri", "ids"?}]` runs the document's tests the same way (see
//!   [`test_run`]): `gene/testResult` notifications, then `gene/runEnd` with `tests` counts;
//! - the request `gene/tasks` `{runId}` answers `{runId, running, tasks: [{id, name, parent,
//!   state, site, created, waitingOn, waitingMs}]}`: the program's live tasks, which the child
//!   reports over its socket when asked (`running` false once the run has ended).
//!
//! Around it: `$/progress` while the run goes ([`progress`], cancellable: a cancel stops the
//! run), an uncaught error as a diagnostic of the document ([`diagnostics`]; a deadlock's
//! waiting tasks at their `await`s, unobserved failures with where their tasks were started,
//! from what the child adds to its `uncaught` event), and the output as
//! `window/logMessage` for clients that did not say they handle the notifications
//! (`initializationOptions.runNotifications`).
//!
//! Processes: the program runs in a child process ([`child`]: this executable again, in a
//! hidden mode), never in the server, so nothing it does (exhausting memory, reading stdin,
//! writing to `/dev/stdout`, crashing) reaches the server; a child that dies is a run that
//! ended with an error. The server starts it ([`process`]), talks to it over a socket of their
//! own ([`wire`]), and a tokio task per run (`forward`) passes its output on and reports its
//! end. Nothing in the server runs user code.

pub mod child;
pub mod diagnostics;
mod forward;
pub mod output;
pub mod process;
pub mod progress;
pub mod test_run;
pub mod wire;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use gene_vm::testing::golden;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::Notify;
use tower_lsp_server::jsonrpc::{self, Result};
use tower_lsp_server::lsp_types::notification::Notification;
use tower_lsp_server::lsp_types::{ProgressToken, Uri};

use crate::document::Stamp;
use crate::navigation::request_failed;
use crate::publish::Diagnostician;
use crate::workspace::uri_to_path;
use progress::{ProgressHook, TokenSource};
use wire::RunRequest;
pub use wire::{SiteEntry, Stream, TaskEntry};

pub const RUN_FILE_COMMAND: &str = "gene.runFile";
/// The request for a run's task tree.
pub const TASKS_METHOD: &str = "gene/tasks";

/// How long `gene/tasks` waits for the child's answer (the program gives it at its next
/// checkpoint; one stuck in a long native call gives nothing).
pub const TASKS_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TasksParams {
    pub run_id: String,
}
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
    /// A test run's counts (`gene.runTests`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tests: Option<test_run::TestCounts>,
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

/// The memory cap of a run unless the client sets one (`gene.run.maxMemoryMb`): generous, a
/// guard against a runaway program eating the machine.
pub const DEFAULT_MAX_MEMORY_MB: u64 = 4096;

/// How runs are started: `initializationOptions.run`, and `gene.run` in
/// `workspace/didChangeConfiguration` settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RunSettings {
    /// The `gene` or `gene-lsp` executable that runs programs (see [`process::executable`]).
    pub executable: Option<PathBuf>,
    /// The cap on a run's memory in MiB ([`DEFAULT_MAX_MEMORY_MB`] when unset; 0 for none).
    pub max_memory_mb: Option<u64>,
}

impl RunSettings {
    fn memory_cap(&self) -> Option<u64> {
        match self.max_memory_mb.unwrap_or(DEFAULT_MAX_MEMORY_MB) {
            0 => None,
            mb => Some(mb),
        }
    }
}

/// A run that has not ended yet.
pub struct ActiveRun {
    pub id: String,
    pub uri: Uri,
    /// The path the program runs as (imports resolve from it).
    pub path: String,
    /// The document version that was run; `None` for a file that is not open.
    pub stamp: Option<Stamp>,
    pub started: Instant,
    stop_requested: AtomicBool,
    /// Wakes the run's task for a stop.
    stop: Notify,
    /// The `$/progress` token, once the client has one.
    progress_token: Arc<Mutex<Option<ProgressToken>>>,
    /// Where the program's own progress reports go (see [`progress`]).
    pub progress: ProgressHook,
    /// Asks the run's task to send the child [`wire::Command::Tasks`].
    tasks_wanted: Notify,
    /// The child's last task tree.
    tasks: tokio::sync::watch::Sender<Vec<TaskEntry>>,
    /// A golden program's test run: what its output must be.
    pub golden: Option<golden::Expected>,
}

impl ActiveRun {
    pub fn stop_requested(&self) -> bool {
        self.stop_requested.load(Ordering::SeqCst)
    }

    fn request_stop(&self) {
        self.stop_requested.store(true, Ordering::SeqCst);
        self.stop.notify_one();
    }
}

/// The runs going on.
#[derive(Default)]
pub struct Runs {
    next_id: AtomicU64,
    active: Mutex<HashMap<String, Arc<ActiveRun>>>,
    settings: Mutex<RunSettings>,
}

impl Runs {
    fn active(&self) -> MutexGuard<'_, HashMap<String, Arc<ActiveRun>>> {
        self.active.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn settings(&self) -> MutexGuard<'_, RunSettings> {
        self.settings.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The settings from `initializationOptions.run`.
    pub fn configure(&self, settings: RunSettings) {
        *self.settings() = settings;
    }

    /// A new memory cap (`gene.run.maxMemoryMb` changed), for the runs started from now on.
    pub fn set_max_memory_mb(&self, mb: Option<u64>) {
        self.settings().max_memory_mb = mb;
    }

    /// `gene.runFile`: starts the run and answers `{"runId"}`.
    pub fn start(
        self: &Arc<Self>,
        ctx: &Diagnostician,
        arguments: &[Value],
        work_done_token: Option<ProgressToken>,
    ) -> Result<Value> {
        let RunFileArgs { uri } = argument(RUN_FILE_COMMAND, arguments, r#"{"uri": "..."}"#)?;
        self.launch(ctx, uri, None, None, work_done_token)
    }

    /// `gene.runTests`: starts a test run (see [`test_run`]) and answers `{"runId"}`.
    pub fn start_tests(
        self: &Arc<Self>,
        ctx: &Diagnostician,
        arguments: &[Value],
        work_done_token: Option<ProgressToken>,
    ) -> Result<Value> {
        let test_run::RunTestsArgs { uri, ids } = argument(
            test_run::RUN_TESTS_COMMAND,
            arguments,
            r#"{"uri": "...", "ids"?: ["..."]}"#,
        )?;
        // A golden program (`NAME.out` beside it) is one test: the run, judged by its output.
        let program = uri_to_path(&uri);
        if golden::is_golden(&program) {
            let expected = golden::expected(&program).map_err(request_failed)?;
            return self.launch(ctx, uri, None, Some(expected), work_done_token);
        }
        self.launch(
            ctx,
            uri,
            Some(test_run::selection(ids)),
            None,
            work_done_token,
        )
    }

    fn launch(
        self: &Arc<Self>,
        ctx: &Diagnostician,
        uri: Uri,
        tests: Option<wire::TestSelection>,
        golden: Option<golden::Expected>,
        work_done_token: Option<ProgressToken>,
    ) -> Result<Value> {
        let (text, stamp) = ctx.state.current_text(&uri).map_err(request_failed)?;
        let settings = self.settings().clone();
        let executable = process::executable(settings.executable.as_deref())
            .map_err(|e| request_failed(format!("Gene: cannot find the executable to run: {e}")))?;
        // A golden program runs in its folder, as `gene test` runs it.
        let program = uri_to_path(&uri);
        let cwd = golden.as_ref().and(program.parent());
        let spawned = process::spawn(&executable, cwd).map_err(|e| {
            request_failed(format!(
                "Gene: cannot start {} to run the program: {e}",
                executable.display()
            ))
        })?;
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
            format!(
                "{} {name}",
                if tests.is_some() || golden.is_some() {
                    "Testing"
                } else {
                    "Running"
                }
            ),
            {
                let slot = progress_token.clone();
                move |token| *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(token)
            },
        );
        let request = RunRequest {
            path: path.clone(),
            text,
            max_memory_mb: settings.memory_cap(),
            tests,
        };
        let run = Arc::new(ActiveRun {
            id: id.clone(),
            uri,
            path,
            stamp,
            started: Instant::now(),
            stop_requested: AtomicBool::new(false),
            stop: Notify::new(),
            progress_token,
            progress,
            tasks_wanted: Notify::new(),
            tasks: tokio::sync::watch::Sender::new(Vec::new()),
            golden,
        });
        self.active().insert(id.clone(), run.clone());
        tokio::spawn(forward::follow(
            self.clone(),
            ctx.clone(),
            run,
            spawned,
            request,
        ));
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

    /// `gene/tasks`: asks the run's child for its task tree and waits (up to [`TASKS_WAIT`])
    /// for the answer; a run that has ended has none.
    pub async fn tasks(&self, run_id: &str) -> Value {
        let Some(run) = self.active().get(run_id).cloned() else {
            return json!({ "runId": run_id, "running": false, "tasks": [] });
        };
        let mut answers = run.tasks.subscribe();
        answers.borrow_and_update();
        run.tasks_wanted.notify_one();
        let answered = tokio::time::timeout(TASKS_WAIT, answers.changed()).await;
        let tasks = match answered {
            Ok(Ok(())) => answers.borrow().clone(),
            _ => Vec::new(),
        };
        json!({
            "runId": run_id,
            "running": !run.stop_requested() && self.active().contains_key(run_id),
            "tasks": tasks,
        })
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
