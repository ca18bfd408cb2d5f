//! Pushing diagnostics (`textDocument/publishDiagnostics`) without ever showing stale ones.
//!
//! Each edit starts a job computing the new version's diagnostics. A job that an even newer
//! edit cancels publishes nothing. One that finishes publishes only if its document is still
//! at the version (and the opening) it computed, checked under the publisher's lock, which it
//! holds until the notification is queued; so notifications leave in version order and a
//! result for an older text never follows one for a newer text.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::Mutex;
use tower_lsp_server::Client;
use tower_lsp_server::lsp_types::{Diagnostic, MessageType, Uri};

use crate::diagnostics::{all_to_lsp, diagnostics_for};
use crate::document::Stamp;
use crate::job::JobError;
use crate::runner::{RunError, run_document};
use crate::state::{DocSnapshot, ServerState, Snapshot};

#[derive(Default)]
pub struct Publisher {
    /// What was last published per document, to skip sending the same list twice.
    published: Mutex<HashMap<Uri, (Stamp, Vec<Diagnostic>)>>,
}

impl Publisher {
    /// Publishes `diagnostics`, computed for `stamp`, if that is still the document's text.
    /// Returns whether it did.
    pub async fn publish(
        &self,
        state: &ServerState,
        client: &Client,
        uri: Uri,
        stamp: Stamp,
        diagnostics: Vec<Diagnostic>,
    ) -> bool {
        let mut published = self.published.lock().await;
        if state.stamp(&uri) != Some(stamp) {
            return false;
        }
        if published
            .get(&uri)
            .is_some_and(|(s, d)| *s == stamp && *d == diagnostics)
        {
            return false;
        }
        client
            .publish_diagnostics(uri.clone(), diagnostics.clone(), Some(stamp.version))
            .await;
        published.insert(uri, (stamp, diagnostics));
        true
    }

    /// Clears a closed document's diagnostics.
    pub async fn clear(&self, client: &Client, uri: Uri) {
        let mut published = self.published.lock().await;
        published.remove(&uri);
        client.publish_diagnostics(uri, Vec::new(), None).await;
    }
}

/// Computes and pushes diagnostics; shared by the protocol handlers and runs.
#[derive(Clone)]
pub struct Diagnostician {
    pub state: Arc<ServerState>,
    pub publisher: Arc<Publisher>,
    pub client: Client,
}

/// Shows the user each new problem with a `gene.toml` (once).
pub async fn report_config_problems(state: &ServerState, client: &Client) {
    for problem in state.configs.take_problems() {
        client
            .show_message(
                MessageType::WARNING,
                format!("gene.toml: {problem} (using the default lint settings)"),
            )
            .await;
    }
}

impl Diagnostician {
    /// Starts computing an open document's diagnostics and publishes them if still current.
    /// A computation cancelled by a write that was not an edit of this document (a file read
    /// for an import, the workspace loaded) starts again; one cancelled by an edit leaves the
    /// publishing to the run that edit scheduled. In pull mode the client asks instead.
    pub fn schedule(&self, uri: Uri) {
        let features = self.state.features();
        if features.pull_diagnostics {
            return;
        }
        let Some(scheduled_for) = self.state.stamp(&uri) else {
            return;
        };
        let compute = move |snapshot: &Snapshot, doc: &DocSnapshot| {
            let config = snapshot.configs.for_file(&doc.path());
            let diagnostics = diagnostics_for(&snapshot.db, doc.file, &config);
            let map = doc.line_map(snapshot.encoding);
            Ok(all_to_lsp(
                &diagnostics,
                &doc.uri,
                &map,
                &features.diagnostics,
            ))
        };
        let mut run = run_document(self.state.clone(), uri.clone(), compute.clone());
        let this = self.clone();
        tokio::spawn(async move {
            loop {
                match run.await {
                    Ok((Some(stamp), mut diagnostics)) => {
                        diagnostics.extend(this.state.run_diagnostics.for_text(&uri, Some(stamp)));
                        report_config_problems(&this.state, &this.client).await;
                        this.publisher
                            .publish(&this.state, &this.client, uri, stamp, diagnostics)
                            .await;
                        return;
                    }
                    // Closed meanwhile.
                    Ok((None, _)) => return,
                    Err(RunError::Job(JobError::Cancelled)) => {
                        if this.state.stamp(&uri) != Some(scheduled_for) {
                            return;
                        }
                        run = run_document(this.state.clone(), uri.clone(), compute.clone());
                    }
                    Err(RunError::Job(JobError::Panicked(message))) => {
                        tracing::error!("diagnostics of {} failed: {message}", uri.as_str());
                        return;
                    }
                    Err(RunError::Rpc(e)) => {
                        tracing::warn!("diagnostics of {}: {}", uri.as_str(), e.message);
                        return;
                    }
                }
            }
        });
    }

    /// After something every document's diagnostics may depend on changed (files on disk, the
    /// workspace): all of them again, or a refresh request to a pulling client.
    pub fn refresh_all(&self) {
        let features = self.state.features();
        if features.pull_diagnostics {
            if features.diagnostic_refresh {
                let client = self.client.clone();
                tokio::spawn(async move {
                    let _ = client.workspace_diagnostic_refresh().await;
                });
            }
        } else {
            for uri in self.state.open_documents() {
                self.schedule(uri);
            }
        }
    }

    /// The run diagnostics of `uri` changed: show the document's diagnostics again. A file
    /// that is not open has no other diagnostics, so its run diagnostics are pushed alone.
    pub fn run_diagnostics_changed(&self, uri: Uri) {
        let features = self.state.features();
        if self.state.stamp(&uri).is_none() {
            let items = self.state.run_diagnostics.for_text(&uri, None);
            let client = self.client.clone();
            tokio::spawn(async move { client.publish_diagnostics(uri, items, None).await });
        } else if features.pull_diagnostics {
            self.refresh_all();
        } else {
            self.schedule(uri);
        }
    }
}
