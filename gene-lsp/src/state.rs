//! The server's state: the one database, the open documents, and snapshots of them.
//!
//! Writes (opening, editing, closing documents, files changed on disk) happen in notification
//! handlers, in the order the client sent them, under the `world` lock. Reads take a
//! [`Snapshot`] under the same lock (a cheap clone of the salsa database and of the document's
//! rope) and run on it elsewhere (see [`crate::job`]). Salsa makes a write wait until every
//! snapshot is gone, cancelling the computations that still hold one; so nothing that holds a
//! snapshot may ever take the `world` lock.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use gene_syntax::db::{RootDatabase, SourceFile};
use ropey::Rope;
use salsa::Setter;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::lsp_types::{TextDocumentContentChangeEvent, Uri};

use crate::capabilities::ClientFeatures;
use crate::document::{ChangeWarning, Document, Stamp};
use crate::position::{LineMap, PositionEncoding};
use crate::workspace::{Workspace, read_source, uri_to_path};

/// Everything a write needs exclusive access to.
#[derive(Default)]
pub struct World {
    pub db: RootDatabase,
    pub docs: HashMap<Uri, Document>,
}

#[derive(Default)]
pub struct ServerState {
    world: Mutex<World>,
    pub workspace: Arc<Workspace>,
    features: OnceLock<ClientFeatures>,
    next_open_id: AtomicU64,
}

/// A read-only view of the database, for one job.
pub struct Snapshot {
    pub db: RootDatabase,
    pub workspace: Arc<Workspace>,
    pub encoding: PositionEncoding,
}

/// One document as a job sees it: the text of one version and its input.
#[derive(Clone)]
pub struct DocSnapshot {
    pub uri: Uri,
    /// The open document's version; `None` for a file read from disk.
    pub stamp: Option<Stamp>,
    pub rope: Rope,
    pub file: SourceFile,
}

impl DocSnapshot {
    pub fn line_map(&self, encoding: PositionEncoding) -> LineMap<'_> {
        LineMap::new(&self.rope, encoding)
    }
}

impl Snapshot {
    /// The document `uri` as the snapshot has it: the open document `open` if there is one,
    /// otherwise the file read from disk through the workspace (on demand).
    pub fn document(
        &self,
        uri: &Uri,
        open: Option<DocSnapshot>,
    ) -> Result<DocSnapshot, jsonrpc::Error> {
        if let Some(doc) = open {
            return Ok(doc);
        }
        let path = uri_to_path(uri);
        let file = self.workspace.load(&self.db, &path).map_err(|e| {
            jsonrpc::Error::invalid_params(format!(
                "{} is neither open nor readable: {e}",
                uri.as_str()
            ))
        })?;
        Ok(DocSnapshot {
            uri: uri.clone(),
            stamp: None,
            rope: Rope::from_str(file.text(&self.db)),
            file,
        })
    }
}

impl ServerState {
    pub fn world(&self) -> MutexGuard<'_, World> {
        // A panic while holding the lock leaves the state as consistent as any edit does
        // (each write is one `set_text`), so a poisoned lock is taken over, not propagated.
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn set_features(&self, features: ClientFeatures) {
        let _ = self.features.set(features);
    }

    pub fn features(&self) -> ClientFeatures {
        self.features.get().cloned().unwrap_or_default()
    }

    pub fn encoding(&self) -> PositionEncoding {
        self.features.get().map(|f| f.encoding).unwrap_or_default()
    }

    /// A snapshot of the database and, if `uri` is open, of that document.
    pub fn snapshot(&self, uri: Option<&Uri>) -> (Snapshot, Option<DocSnapshot>) {
        let world = self.world();
        let doc = uri.and_then(|uri| {
            world.docs.get(uri).map(|d| DocSnapshot {
                uri: uri.clone(),
                stamp: Some(d.stamp()),
                rope: d.rope.clone(),
                file: d.file,
            })
        });
        let snapshot = Snapshot {
            db: world.db.clone(),
            workspace: self.workspace.clone(),
            encoding: self.encoding(),
        };
        (snapshot, doc)
    }

    /// Which text of an open document is current.
    pub fn stamp(&self, uri: &Uri) -> Option<Stamp> {
        self.world().docs.get(uri).map(Document::stamp)
    }

    pub fn open_documents(&self) -> Vec<Uri> {
        self.world().docs.keys().cloned().collect()
    }

    /// Opens a document: its input is the workspace's input for that path (created if new), now
    /// holding the editor's text.
    pub fn open(&self, uri: Uri, version: i32, text: String) {
        let path = uri_to_path(&uri);
        let open_id = self.next_open_id.fetch_add(1, Ordering::Relaxed);
        let mut world = self.world();
        let (file, existed) = self.workspace.get_or_insert(&world.db, &path, &text);
        if existed && file.text(&world.db) != &text {
            file.set_text(&mut world.db).to(text.clone());
        }
        world
            .docs
            .insert(uri, Document::new(version, open_id, &text, file));
    }

    /// Applies the client's changes, in order; returns what had to be clamped, or `None` when
    /// the document is not open (a client bug, logged by the caller).
    pub fn change(
        &self,
        uri: &Uri,
        version: i32,
        changes: &[TextDocumentContentChangeEvent],
    ) -> Option<Vec<ChangeWarning>> {
        let encoding = self.encoding();
        let mut world = self.world();
        let World { db, docs } = &mut *world;
        let doc = docs.get_mut(uri)?;
        let warnings = changes
            .iter()
            .filter_map(|c| doc.apply_change(c, encoding))
            .collect();
        doc.version = version;
        // Waits for running jobs to notice the cancellation and drop their snapshots.
        doc.file.set_text(db).to(doc.text());
        Some(warnings)
    }

    /// Closes a document. Its input goes back to the file's text on disk (what imports see), or
    /// is forgotten if the file is not on disk.
    pub fn close(&self, uri: &Uri) -> bool {
        let mut world = self.world();
        let Some(doc) = world.docs.remove(uri) else {
            return false;
        };
        let path = uri_to_path(uri);
        match read_source(&path) {
            Ok(text) => {
                if doc.file.text(&world.db) != &text {
                    doc.file.set_text(&mut world.db).to(text);
                }
            }
            Err(_) => {
                self.workspace.remove(&path);
                doc.file.set_text(&mut world.db).to(String::new());
            }
        }
        true
    }

    /// A file changed, appeared or disappeared on disk. Open documents are the editor's
    /// business; other files the database knows are re-read or emptied. Files it has not read
    /// yet stay unread until something asks for them. Returns whether the database changed.
    pub fn file_changed_on_disk(&self, path: PathBuf) -> bool {
        let mut world = self.world();
        let open = world
            .docs
            .values()
            .any(|d| self.workspace.get(&path).is_some_and(|f| f == d.file));
        if open {
            return false;
        }
        let Some(file) = self.workspace.get(&path) else {
            return false;
        };
        match read_source(&path) {
            Ok(text) => {
                if file.text(&world.db) == &text {
                    return false;
                }
                file.set_text(&mut world.db).to(text);
            }
            Err(_) => {
                self.workspace.remove(&path);
                file.set_text(&mut world.db).to(String::new());
            }
        }
        true
    }
}
