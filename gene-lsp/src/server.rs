//! The server's state holder and its plumbing: requests run as [`job`]s on snapshots, the
//! workspace folders are read in the background, files on disk are watched. The protocol
//! methods themselves are in [`crate::handlers`].
//!
//! Notification handlers change the state synchronously, before their first `.await`: the
//! transport polls handlers in arrival order, so edits apply in the order the client sent them,
//! and a request sees every edit that came before it. Requests take a snapshot and run their
//! work as a [`job`]; nothing computes analysis on the protocol task.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use tower_lsp_server::Client;
use tower_lsp_server::jsonrpc::{self, Result};
use tower_lsp_server::lsp_types::*;
use tracing::warn;

use crate::job::{self, JobError};
use crate::publish::{Diagnostician, Publisher};
use crate::raw_init::RawInitParams;
use crate::run::Runs;
use crate::runner::{RunError, run_document};
use crate::semantic_tokens::TokenCache;
use crate::state::{DocSnapshot, ServerState, Snapshot};
use crate::workspace::read_sources_under;

/// Why a request on a document got no result.
pub(crate) enum Failure {
    /// The document changed while the request ran (salsa cancelled it, or it finished for a
    /// text that is no longer current).
    Modified,
    Rpc(jsonrpc::Error),
}

impl From<jsonrpc::Error> for Failure {
    fn from(e: jsonrpc::Error) -> Failure {
        Failure::Rpc(e)
    }
}

/// `ServerCancelled`: the diagnostic request should be sent again (LSP 3.17).
const SERVER_CANCELLED: i64 = -32802;

/// How many times a request cancelled by writes that did not change its document runs again.
const MAX_ATTEMPTS: usize = 8;

pub struct Backend {
    pub(crate) client: Client,
    pub(crate) state: Arc<ServerState>,
    pub(crate) diagnostics: Diagnostician,
    pub(crate) runs: Arc<Runs>,
    pub(crate) tokens: Arc<TokenCache>,
    pub(crate) shutdown_requested: Arc<AtomicBool>,
    pub(crate) raw_init: RawInitParams,
}

impl Backend {
    pub fn new(client: Client, raw_init: RawInitParams) -> Backend {
        let state: Arc<ServerState> = Arc::default();
        Backend {
            diagnostics: Diagnostician {
                state: state.clone(),
                publisher: Arc::new(Publisher::default()),
                client: client.clone(),
            },
            client,
            raw_init,
            state,
            runs: Arc::default(),
            tokens: Arc::default(),
            shutdown_requested: Arc::default(),
        }
    }

    /// Set once `shutdown` was received; the exit status depends on it.
    pub fn shutdown_flag(&self) -> Arc<AtomicBool> {
        self.shutdown_requested.clone()
    }

    pub fn state(&self) -> &Arc<ServerState> {
        &self.state
    }

    /// Runs `compute` on a snapshot of the document `uri` (open, or read from disk) as a job.
    /// A result computed for a text that is no longer current is refused as `Modified`.
    pub(crate) async fn on_document<T, F>(
        &self,
        method: &'static str,
        uri: Uri,
        compute: F,
    ) -> std::result::Result<T, Failure>
    where
        T: Send + 'static,
        F: Fn(&Snapshot, &DocSnapshot) -> Result<T> + Send + Sync + 'static,
    {
        // A file that is not open is read into the database first (a write, so before the
        // snapshot).
        self.state
            .load(&uri)
            .map_err(|e| Failure::Rpc(jsonrpc::Error::invalid_params(e)))?;
        let asked_for = self.state.stamp(&uri);
        let compute = Arc::new(compute);
        let mut attempts = 0;
        let (stamp, value) = loop {
            let compute = compute.clone();
            let run = run_document(self.state.clone(), uri.clone(), move |s, d| compute(s, d));
            match run.await {
                Ok(done) => break done,
                Err(RunError::Rpc(e)) => return Err(Failure::Rpc(e)),
                // Cancelled by a write that did not change this document (a file read for an
                // import, the workspace folders read in): the question still stands.
                Err(RunError::Job(JobError::Cancelled))
                    if attempts < MAX_ATTEMPTS && self.state.stamp(&uri) == asked_for =>
                {
                    attempts += 1;
                }
                Err(RunError::Job(JobError::Cancelled)) => return Err(Failure::Modified),
                Err(RunError::Job(e)) => return Err(Failure::Rpc(e.into_rpc_error(method))),
            }
        };
        match stamp {
            Some(stamp) if self.state.stamp(&uri) != Some(stamp) => Err(Failure::Modified),
            _ => Ok(value),
        }
    }

    /// [`Backend::on_document`] for an ordinary request: a stale result is ContentModified.
    pub(crate) async fn document_request<T, F>(
        &self,
        method: &'static str,
        uri: Uri,
        compute: F,
    ) -> Result<T>
    where
        T: Send + 'static,
        F: Fn(&Snapshot, &DocSnapshot) -> Result<T> + Send + Sync + 'static,
    {
        self.on_document(method, uri, compute)
            .await
            .map_err(request_failure)
    }

    /// Runs `compute` on a snapshot of the whole database as a job (workspace-wide requests).
    pub(crate) async fn workspace_request<T, F>(
        &self,
        method: &'static str,
        compute: F,
    ) -> Result<T>
    where
        T: Send + 'static,
        F: Fn(&Snapshot) -> Result<T> + Send + Sync + 'static,
    {
        let compute = Arc::new(compute);
        let mut attempts = 0;
        loop {
            let (snapshot, _) = self.state.snapshot(None);
            let token = salsa::Database::cancellation_token(&snapshot.db);
            let compute = compute.clone();
            match job::spawn(token, move || compute(&snapshot)).await {
                Ok(result) => return result,
                // A write cancelled it (an edit, a file read): the answer is about the whole
                // workspace, so ask the new state.
                Err(JobError::Cancelled) if attempts < MAX_ATTEMPTS => attempts += 1,
                Err(e) => return Err(e.into_rpc_error(method)),
            }
        }
    }

    /// Runs a state change, logging instead of unwinding if it panics.
    pub(crate) fn guarded<T>(&self, what: &str, f: impl FnOnce() -> T) -> Option<T> {
        match job::catch(f) {
            Ok(v) => Some(v),
            Err(e) => {
                tracing::error!("{what} failed: {e:?}");
                None
            }
        }
    }

    pub(crate) fn log_to_client(&self, kind: MessageType, message: String) {
        let client = self.client.clone();
        tokio::spawn(async move { client.log_message(kind, message).await });
    }

    /// Reads the Gene sources under `roots` into the database, off the protocol task, so that
    /// references, rename and workspace symbols see every file. Reading sources runs no code.
    pub(crate) fn load_workspace(&self, roots: Vec<PathBuf>) {
        if roots.is_empty() {
            return;
        }
        let state = self.state.clone();
        tokio::spawn(async move {
            let files = tokio::task::spawn_blocking(move || read_sources_under(roots))
                .await
                .unwrap_or_default();
            let count = files.len();
            // Diagnostics cancelled by this write compute again by themselves.
            state.add_files(files);
            tracing::info!("workspace: {count} Gene sources read");
        });
    }

    pub(crate) async fn register_file_watcher(client: Client) {
        let watch = |glob: &str| FileSystemWatcher {
            glob_pattern: GlobPattern::String(glob.to_string()),
            kind: None,
        };
        let options = DidChangeWatchedFilesRegistrationOptions {
            watchers: vec![watch("**/*.gene"), watch("**/gene.toml")],
        };
        let registration = Registration {
            id: "gene-watch-sources".to_string(),
            method: "workspace/didChangeWatchedFiles".to_string(),
            register_options: serde_json::to_value(options).ok(),
        };
        if let Err(e) = client.register_capability(vec![registration]).await {
            warn!("could not register the file watcher: {e}");
        }
    }

    /// `window/workDoneProgress/cancel` (not in tower-lsp-server's trait, so registered as a
    /// custom method): the user cancelled the progress of a run, which stops it.
    pub async fn work_done_progress_cancel(&self, params: WorkDoneProgressCancelParams) {
        self.runs.stop_by_progress(&params.token);
    }

    /// `gene/discoverTests` (`test_discovery.rs`).
    pub async fn discover_tests(
        &self,
        params: crate::test_discovery::DiscoverTestsParams,
    ) -> Result<Vec<crate::test_discovery::DiscoveredTest>> {
        self.document_request(
            "gene/discoverTests",
            params.uri,
            crate::test_discovery::discover,
        )
        .await
    }

    /// `gene/tasks` `{runId}`: the live task tree of a running program (see
    /// [`crate::run::Runs::tasks`]).
    pub async fn run_tasks(&self, params: crate::run::TasksParams) -> Result<serde_json::Value> {
        Ok(self.runs.tasks(&params.run_id).await)
    }
}

pub(crate) fn roots_from(params: &InitializeParams) -> Vec<std::path::PathBuf> {
    if let Some(folders) = &params.workspace_folders {
        return folders
            .iter()
            .map(|f| crate::workspace::uri_to_path(&f.uri))
            .collect();
    }
    #[allow(deprecated)]
    let root_uri = params
        .root_uri
        .as_ref()
        .and_then(tower_lsp_server::UriExt::to_file_path);
    #[allow(deprecated)]
    let root_path = params.root_path.as_ref().map(std::path::PathBuf::from);
    root_uri
        .map(|p| p.into_owned())
        .or(root_path)
        .into_iter()
        .collect()
}

pub(crate) fn diagnostic_failure(failure: Failure) -> jsonrpc::Error {
    match failure {
        Failure::Modified => jsonrpc::Error {
            code: jsonrpc::ErrorCode::ServerError(SERVER_CANCELLED),
            message: "the document changed; ask again".into(),
            data: serde_json::to_value(DiagnosticServerCancellationData {
                retrigger_request: true,
            })
            .ok(),
        },
        Failure::Rpc(e) => e,
    }
}

pub(crate) fn request_failure(failure: Failure) -> jsonrpc::Error {
    match failure {
        Failure::Modified => jsonrpc::Error::content_modified(),
        Failure::Rpc(e) => e,
    }
}

pub(crate) fn invalid_position(e: crate::position::LineOutOfRange) -> jsonrpc::Error {
    jsonrpc::Error::invalid_params(e.to_string())
}

/// A result id for pulled diagnostics: equal lists get equal ids.
pub(crate) fn result_id(items: &[Diagnostic]) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    serde_json::to_string(items)
        .unwrap_or_default()
        .hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;
    use serde_json::json;
    use tower::{Service, ServiceExt};
    use tower_lsp_server::LspService;
    use tower_lsp_server::jsonrpc::Request;

    impl Backend {
        /// A request whose analysis panics, standing for a bug in a future analysis.
        async fn panicking_request(&self, params: TextDocumentIdentifier) -> Result<()> {
            self.on_document("test/panic", params.uri, |_, _| -> Result<()> {
                panic!("injected failure")
            })
            .await
            .map_err(request_failure)
        }
    }

    async fn call(
        service: &mut LspService<Backend>,
        id: i64,
        method: &'static str,
        params: serde_json::Value,
    ) -> std::result::Result<serde_json::Value, jsonrpc::Error> {
        let request = Request::build(method).id(id).params(params).finish();
        let response = service.ready().await.unwrap().call(request).await.unwrap();
        response.unwrap().into_parts().1
    }

    #[tokio::test]
    async fn a_panicking_request_fails_alone() {
        let (mut service, socket) =
            LspService::build(|client| Backend::new(client, RawInitParams::default()))
                .custom_method("test/panic", Backend::panicking_request)
                .finish();
        tokio::spawn(socket.for_each(|_| async {}));
        call(&mut service, 1, "initialize", json!({"capabilities": {}}))
            .await
            .unwrap();
        let uri = "file:///p.gene";
        let open = Request::build("textDocument/didOpen")
            .params(json!({"textDocument": {"uri": uri, "languageId": "gene", "version": 1, "text": "(a))"}}))
            .finish();
        service.ready().await.unwrap().call(open).await.unwrap();

        let failed = call(&mut service, 2, "test/panic", json!({"uri": uri}))
            .await
            .unwrap_err();
        assert_eq!(failed.code, jsonrpc::ErrorCode::InternalError);
        assert!(
            failed.message.contains("injected failure"),
            "{}",
            failed.message
        );

        // The server goes on answering.
        let actions = call(
            &mut service,
            3,
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": uri},
                "range": {"start": {"line": 0, "character": 3}, "end": {"line": 0, "character": 3}},
                "context": {"diagnostics": []}
            }),
        )
        .await
        .unwrap();
        assert_eq!(actions[0]["title"], "Remove the unmatched `)`");
    }
}
