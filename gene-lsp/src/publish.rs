//! Pushing diagnostics (`textDocument/publishDiagnostics`) without ever showing stale ones.
//!
//! Each edit starts a job computing the new version's diagnostics. A job that an even newer
//! edit cancels publishes nothing. One that finishes publishes only if its document is still
//! at the version (and the opening) it computed, checked under the publisher's lock, which it
//! holds until the notification is queued; so notifications leave in version order and a
//! result for an older text never follows one for a newer text.

use std::collections::HashMap;

use tokio::sync::Mutex;
use tower_lsp_server::Client;
use tower_lsp_server::lsp_types::{Diagnostic, Uri};

use crate::document::Stamp;
use crate::state::ServerState;

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
