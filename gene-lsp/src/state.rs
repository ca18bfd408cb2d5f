//! The server's state: the one database, the open documents, and snapshots of them.
//!
//! Writes (opening, editing, closing documents, files changed on disk, files read on demand)
//! happen under the `world` lock: notification handlers make theirs in the order the client
//! sent them, before their first `.await`. Reads take a [`Snapshot`] under the same lock (a
//! cheap clone of the salsa database and of the document's rope) and run on it elsewhere (see
//! [`crate::job`]). Salsa makes a write wait until every snapshot is gone, cancelling the
//! computations that still hold one; so nothing that holds a snapshot may ever take the
//! `world` lock.
//!
//! The files the database knows by path are its workspace input (`RootDatabase::set_file`,
//! `file_at`), which is what `import ... from` resolves against. An open document is the file
//! at its path with the editor's text; the files it imports are read from disk by the jobs
//! that need them and added here ([`ServerState::add_files`], see [`crate::imports`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use gene_syntax::db::{RootDatabase, SourceFile};
use ropey::Rope;
use salsa::Setter;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::lsp_types::{TextDocumentContentChangeEvent, Uri};

use crate::capabilities::ClientFeatures;
use crate::document::{ChangeWarning, Document, Stamp};
use crate::imports::LoadedFile;
use crate::lint_config::ConfigCache;
use crate::position::{LineMap, PositionEncoding};
use crate::run::diagnostics::RunDiagnostics;
use crate::workspace::{Workspace, read_source, uri_to_path};

/// Everything a write needs exclusive access to.
#[derive(Default)]
pub struct World {
    pub db: RootDatabase,
    pub docs: HashMap<Uri, Document>,
}

impl World {
    fn is_open(&self, path: &Path) -> bool {
        let Some(file) = self.db.file_at(path) else {
            return false;
        };
        self.docs.values().any(|d| d.file == file)
    }
}

#[derive(Default)]
pub struct ServerState {
    world: Mutex<World>,
    pub workspace: Arc<Workspace>,
    pub configs: Arc<ConfigCache>,
    features: OnceLock<ClientFeatures>,
    next_open_id: AtomicU64,
    /// Uncaught errors of runs, shown with the document's other diagnostics.
    pub run_diagnostics: RunDiagnostics,
}

/// A read-only view of the database, for one job.
pub struct Snapshot {
    pub db: RootDatabase,
    pub configs: Arc<ConfigCache>,
    pub encoding: PositionEncoding,
    /// Every open document, so results in other files use the editor's URI and text.
    pub open: Vec<DocSnapshot>,
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

    pub fn path(&self) -> PathBuf {
        uri_to_path(&self.uri)
    }
}

impl Snapshot {
    /// The document `uri` as the snapshot has it: the open document `open` if there is one,
    /// otherwise the file the database read from disk (see [`ServerState::load`]).
    pub fn document(
        &self,
        uri: &Uri,
        open: Option<DocSnapshot>,
    ) -> Result<DocSnapshot, jsonrpc::Error> {
        if let Some(doc) = open {
            return Ok(doc);
        }
        let file = self.db.file_at(&uri_to_path(uri)).ok_or_else(|| {
            jsonrpc::Error::invalid_params(format!(
                "{} is neither open nor a readable file",
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
        // (each write is one `set_text` or `set_file`), so a poisoned lock is taken over.
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
        let doc_snapshot = |uri: &Uri, d: &Document| DocSnapshot {
            uri: uri.clone(),
            stamp: Some(d.stamp()),
            rope: d.rope.clone(),
            file: d.file,
        };
        let doc = uri.and_then(|uri| world.docs.get(uri).map(|d| doc_snapshot(uri, d)));
        let snapshot = Snapshot {
            db: world.db.clone(),
            configs: self.configs.clone(),
            encoding: self.encoding(),
            open: world
                .docs
                .iter()
                .map(|(uri, d)| doc_snapshot(uri, d))
                .collect(),
        };
        (snapshot, doc)
    }

    /// The text of the document `uri` as the editor has it (or as it is on disk) and which
    /// version that is (`None` for a file that is not open).
    pub fn current_text(&self, uri: &Uri) -> Result<(String, Option<Stamp>), String> {
        {
            let world = self.world();
            if let Some(doc) = world.docs.get(uri) {
                return Ok((doc.text(), Some(doc.stamp())));
            }
        }
        let path = uri_to_path(uri);
        read_source(&path)
            .map(|text| (text, None))
            .map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Which text of an open document is current.
    pub fn stamp(&self, uri: &Uri) -> Option<Stamp> {
        self.world().docs.get(uri).map(Document::stamp)
    }

    pub fn open_documents(&self) -> Vec<Uri> {
        self.world().docs.keys().cloned().collect()
    }

    /// Makes sure the database has the file `uri` names, reading it from disk if it is neither
    /// open nor read yet. A write: call it before taking a snapshot.
    pub fn load(&self, uri: &Uri) -> Result<(), String> {
        let path = uri_to_path(uri);
        {
            let world = self.world();
            if world.docs.contains_key(uri) || world.db.file_at(&path).is_some() {
                return Ok(());
            }
        }
        let text = read_source(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        self.add_files(vec![(path, text)]);
        Ok(())
    }

    /// Adds files read from disk (imports a job found missing, the workspace folders' sources),
    /// unless the database got them meanwhile. Returns whether any was added.
    pub fn add_files(&self, files: Vec<LoadedFile>) -> bool {
        let mut world = self.world();
        let mut added = false;
        for (path, text) in files {
            if world.db.file_at(&path).is_none() {
                world.db.set_file(path, text);
                added = true;
            }
        }
        added
    }

    /// Adds what a job's scan of imports found on disk (files, refused paths, project roots);
    /// files the database got meanwhile keep their text.
    pub fn add_import_scan(&self, scan: crate::imports::DiskScan) {
        scan.apply(&mut self.world().db);
    }

    /// Opens a document: the file at its path now holds the editor's text.
    pub fn open(&self, uri: Uri, version: i32, text: String) {
        let path = uri_to_path(&uri);
        let open_id = self.next_open_id.fetch_add(1, Ordering::Relaxed);
        let mut world = self.world();
        let file = world.db.set_file(path, text.clone());
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
        doc.file.set_text(db).to(doc.text().into());
        Some(warnings)
    }

    /// Closes a document. The file at its path goes back to its text on disk (what imports
    /// see), or leaves the database if it is not on disk.
    pub fn close(&self, uri: &Uri) -> bool {
        let mut world = self.world();
        let Some(doc) = world.docs.remove(uri) else {
            return false;
        };
        let path = uri_to_path(uri);
        match read_source(&path) {
            Ok(text) => {
                world.db.set_file(path, text);
            }
            Err(_) => {
                world.db.remove_file(&path);
                doc.file.set_text(&mut world.db).to("".into());
            }
        }
        true
    }

    /// Files changed, appeared or disappeared on disk. Open documents are the editor's
    /// business; other files the database has are re-read or dropped; new sources under the
    /// workspace folders are added (others are read when an import needs them). Returns whether
    /// the database changed.
    pub fn files_changed_on_disk(&self, paths: impl IntoIterator<Item = PathBuf>) -> bool {
        let mut world = self.world();
        let mut changed = false;
        for path in paths {
            if world.is_open(&path) {
                continue;
            }
            let Some(file) = world.db.file_at(&path) else {
                if self.workspace.contains(&path)
                    && let Ok(text) = read_source(&path)
                {
                    world.db.set_file(path, text);
                    changed = true;
                }
                continue;
            };
            match read_source(&path) {
                Ok(text) => {
                    if **file.text(&world.db) != *text {
                        world.db.set_file(path, text);
                        changed = true;
                    }
                }
                Err(_) => {
                    world.db.remove_file(&path);
                    file.set_text(&mut world.db).to("".into());
                    changed = true;
                }
            }
        }
        changed
    }
}
