//! The protocol layer: `LanguageServer` methods that update the state or start jobs.
//!
//! Notification handlers change the state synchronously, before their first `.await`: the
//! transport polls handlers in arrival order, so edits apply in the order the client sent them,
//! and a request sees every edit that came before it. Requests take a snapshot and run their
//! work as a [`job`]; nothing here computes analysis on the protocol task.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tower_lsp_server::jsonrpc::{self, Result};
use tower_lsp_server::lsp_types::*;
use tower_lsp_server::{Client, LanguageServer, UriExt};
use tracing::{info, warn};

use crate::capabilities::{ClientFeatures, server_capabilities};
use crate::code_actions::{Target, code_actions};
use crate::diagnostics::{all_to_lsp, diagnostics_for};
use crate::job::{self, JobError};
use crate::publish::Publisher;
use crate::raw_init::RawInitParams;
use crate::runner::{RunError, run_document};
use crate::state::{DocSnapshot, ServerState, Snapshot};
use crate::workspace::uri_to_path;
use gene_syntax::analysis::config::CONFIG_FILE;

/// Why a request on a document got no result.
enum Failure {
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

pub struct Backend {
    client: Client,
    state: Arc<ServerState>,
    publisher: Arc<Publisher>,
    shutdown_requested: Arc<AtomicBool>,
    raw_init: RawInitParams,
}

impl Backend {
    pub fn new(client: Client, raw_init: RawInitParams) -> Backend {
        Backend {
            client,
            raw_init,
            state: Arc::default(),
            publisher: Arc::default(),
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
    async fn on_document<T, F>(
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
        let (stamp, value) = match run_document(self.state.clone(), uri.clone(), compute).await {
            Ok(done) => done,
            Err(RunError::Rpc(e)) => return Err(Failure::Rpc(e)),
            Err(RunError::Job(JobError::Cancelled)) => return Err(Failure::Modified),
            Err(RunError::Job(e)) => return Err(Failure::Rpc(e.into_rpc_error(method))),
        };
        match stamp {
            Some(stamp) if self.state.stamp(&uri) != Some(stamp) => Err(Failure::Modified),
            _ => Ok(value),
        }
    }

    /// Starts computing a document's diagnostics and publishes them if still current. In pull
    /// mode the client asks instead.
    fn schedule_diagnostics(&self, uri: Uri) {
        let features = self.state.features();
        if features.pull_diagnostics || self.state.stamp(&uri).is_none() {
            return;
        }
        let run = run_document(self.state.clone(), uri.clone(), move |snapshot, doc| {
            let config = snapshot.configs.for_file(&doc.path());
            let diagnostics = diagnostics_for(&snapshot.db, doc.file, &config);
            let map = doc.line_map(snapshot.encoding);
            Ok(all_to_lsp(
                &diagnostics,
                &doc.uri,
                &map,
                &features.diagnostics,
            ))
        });
        let state = self.state.clone();
        let publisher = self.publisher.clone();
        let client = self.client.clone();
        tokio::spawn(async move {
            match run.await {
                Ok((Some(stamp), diagnostics)) => {
                    report_config_problems(&state, &client).await;
                    publisher
                        .publish(&state, &client, uri, stamp, diagnostics)
                        .await;
                }
                // Closed meanwhile.
                Ok((None, _)) => {}
                // A newer edit cancelled it and scheduled its own run.
                Err(RunError::Job(JobError::Cancelled)) => {}
                Err(RunError::Job(JobError::Panicked(message))) => {
                    tracing::error!("diagnostics of {} failed: {message}", uri.as_str());
                }
                Err(RunError::Rpc(e)) => {
                    tracing::warn!("diagnostics of {}: {}", uri.as_str(), e.message);
                }
            }
        });
    }

    /// Runs a state change, logging instead of unwinding if it panics.
    fn guarded<T>(&self, what: &str, f: impl FnOnce() -> T) -> Option<T> {
        match job::catch(f) {
            Ok(v) => Some(v),
            Err(e) => {
                tracing::error!("{what} failed: {e:?}");
                None
            }
        }
    }

    fn log_to_client(&self, kind: MessageType, message: String) {
        let client = self.client.clone();
        tokio::spawn(async move { client.log_message(kind, message).await });
    }

    async fn register_file_watcher(client: Client) {
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

    /// After files changed on disk: diagnostics may depend on them (imports).
    fn refresh_all_diagnostics(&self) {
        if self.state.features().pull_diagnostics {
            if self.state.features().diagnostic_refresh {
                let client = self.client.clone();
                tokio::spawn(async move {
                    let _ = client.workspace_diagnostic_refresh().await;
                });
            }
        } else {
            for uri in self.state.open_documents() {
                self.schedule_diagnostics(uri);
            }
        }
    }
}

/// Shows the user each new problem with a `gene.toml` (once).
async fn report_config_problems(state: &ServerState, client: &Client) {
    for problem in state.configs.take_problems() {
        client
            .show_message(
                MessageType::WARNING,
                format!("gene.toml: {problem} (using the default lint settings)"),
            )
            .await;
    }
}

fn roots_from(params: &InitializeParams) -> Vec<std::path::PathBuf> {
    if let Some(folders) = &params.workspace_folders {
        return folders.iter().map(|f| uri_to_path(&f.uri)).collect();
    }
    #[allow(deprecated)]
    let root_uri = params.root_uri.as_ref().and_then(|u| u.to_file_path());
    #[allow(deprecated)]
    let root_path = params.root_path.as_ref().map(std::path::PathBuf::from);
    root_uri
        .map(|p| p.into_owned())
        .or(root_path)
        .into_iter()
        .collect()
}

fn diagnostic_failure(failure: Failure) -> jsonrpc::Error {
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

fn request_failure(failure: Failure) -> jsonrpc::Error {
    match failure {
        Failure::Modified => jsonrpc::Error::content_modified(),
        Failure::Rpc(e) => e,
    }
}

fn invalid_position(e: crate::position::LineOutOfRange) -> jsonrpc::Error {
    jsonrpc::Error::invalid_params(e.to_string())
}

/// A result id for pulled diagnostics: equal lists get equal ids.
fn result_id(items: &[Diagnostic]) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    serde_json::to_string(items)
        .unwrap_or_default()
        .hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let features = ClientFeatures::from_params(&params, self.raw_init.get().as_ref());
        let capabilities = server_capabilities(&features);
        self.state.workspace.set_roots(roots_from(&params));
        info!(
            "initialize: encoding {:?}, {} diagnostics, roots {:?}",
            features.encoding,
            if features.pull_diagnostics {
                "pull"
            } else {
                "push"
            },
            self.state.workspace.roots()
        );
        self.state.set_features(features);
        Ok(InitializeResult {
            capabilities,
            server_info: Some(ServerInfo {
                name: "gene-lsp".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        if self.state.features().dynamic_file_watching {
            tokio::spawn(Self::register_file_watcher(self.client.clone()));
        }
    }

    async fn shutdown(&self) -> Result<()> {
        self.shutdown_requested.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let uri = doc.uri.clone();
        if self
            .guarded("didOpen", || {
                self.state.open(doc.uri, doc.version, doc.text)
            })
            .is_some()
        {
            self.schedule_diagnostics(uri);
        }
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let changed = self.guarded("didChange", || {
            self.state.change(&uri, version, &params.content_changes)
        });
        match changed {
            Some(Some(warnings)) => {
                for w in warnings {
                    warn!("{}: {}", uri.as_str(), w.0);
                    self.log_to_client(MessageType::WARNING, format!("{}: {}", uri.as_str(), w.0));
                }
                self.schedule_diagnostics(uri);
            }
            Some(None) => warn!("didChange for {}, which is not open", uri.as_str()),
            None => {}
        }
    }

    async fn did_save(&self, _: DidSaveTextDocumentParams) {
        // The editor's buffer is already the document's text; saving changes nothing here.
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let closed = self.guarded("didClose", || self.state.close(&uri));
        if closed == Some(true) && !self.state.features().pull_diagnostics {
            self.publisher.clear(&self.client, uri).await;
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let paths: Vec<_> = params
            .changes
            .iter()
            .map(|event| uri_to_path(&event.uri))
            .collect();
        let config_changed = paths
            .iter()
            .any(|p| p.file_name().is_some_and(|n| n == CONFIG_FILE));
        if config_changed {
            self.state.configs.invalidate();
        }
        // A new file may be one an open document imports: run the diagnostics again.
        let created = params
            .changes
            .iter()
            .any(|event| event.typ == FileChangeType::CREATED);
        let sources_changed = self
            .guarded("didChangeWatchedFiles", || {
                self.state.files_changed_on_disk(paths)
            })
            .unwrap_or(false);
        if config_changed || sources_changed || created {
            self.refresh_all_diagnostics();
        }
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        for removed in &params.event.removed {
            self.state.workspace.remove_root(&uri_to_path(&removed.uri));
        }
        for added in &params.event.added {
            self.state.workspace.add_root(uri_to_path(&added.uri));
        }
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let features = self.state.features();
        let uri = params.text_document.uri;
        let items = self
            .on_document("textDocument/diagnostic", uri, move |snapshot, doc| {
                let config = snapshot.configs.for_file(&doc.path());
                let diagnostics = diagnostics_for(&snapshot.db, doc.file, &config);
                let map = doc.line_map(snapshot.encoding);
                Ok(all_to_lsp(
                    &diagnostics,
                    &doc.uri,
                    &map,
                    &features.diagnostics,
                ))
            })
            .await
            .map_err(diagnostic_failure)?;
        report_config_problems(&self.state, &self.client).await;
        let id = result_id(&items);
        let report = if params.previous_result_id.as_deref() == Some(id.as_str()) {
            DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
                related_documents: None,
                unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                    result_id: id,
                },
            })
        } else {
            DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: Some(id),
                    items,
                },
            })
        };
        Ok(DocumentDiagnosticReportResult::Report(report))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let features = self.state.features();
        let uri = params.text_document.uri;
        let actions = self
            .on_document("textDocument/codeAction", uri, move |snapshot, doc| {
                let map = doc.line_map(snapshot.encoding);
                let range = map.text_range(params.range).map_err(invalid_position)?;
                let config = snapshot.configs.for_file(&doc.path());
                let diagnostics = diagnostics_for(&snapshot.db, doc.file, &config);
                let target = Target {
                    uri: &doc.uri,
                    version: doc.stamp.map(|s| s.version),
                    map,
                    document_changes: features.document_changes,
                };
                Ok(code_actions(
                    &diagnostics,
                    range,
                    params.context.only.as_deref(),
                    &target,
                    &features.diagnostics,
                ))
            })
            .await
            .map_err(request_failure)?;
        Ok(Some(actions))
    }
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
