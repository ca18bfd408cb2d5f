//! The workspace: its folders and every file the database knows, open in the editor or read
//! from disk on demand.
//!
//! Files are read lazily, the first time something asks for them (a request on a file that is
//! not open; imports, once the analysis follows them), so opening a large folder costs nothing
//! up front. The registry has its own lock, held only for map look-ups and one file read, so
//! request threads that hold a database snapshot can load files without ever waiting for the
//! main state lock (which an edit holds while it waits for those snapshots to finish).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, RwLock};

use gene_syntax::db::{Db, SourceFile};
use tower_lsp_server::UriExt;
use tower_lsp_server::lsp_types::Uri;

/// The file extension of Gene sources.
pub const GENE_EXTENSION: &str = "gene";

#[derive(Default)]
pub struct Workspace {
    roots: RwLock<Vec<PathBuf>>,
    files: Mutex<HashMap<PathBuf, SourceFile>>,
}

/// Where a document lives: a file path, or for other URI schemes (`untitled:`) the URI text, so
/// every document has a distinct key and a name for messages.
pub fn uri_to_path(uri: &Uri) -> PathBuf {
    match uri.to_file_path() {
        Some(path) => path.into_owned(),
        None => PathBuf::from(uri.as_str()),
    }
}

pub fn path_to_uri(path: &Path) -> Option<Uri> {
    Uri::from_file_path(path)
}

/// Reads a file as text; bytes that are not UTF-8 become U+FFFD (the parser reports them when
/// the file is opened in the editor, which sends valid text).
pub fn read_source(path: &Path) -> std::io::Result<String> {
    let bytes = std::fs::read(path)?;
    Ok(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => gene_syntax::decode_utf8_lossy(e.as_bytes()).0,
    })
}

impl Workspace {
    pub fn set_roots(&self, roots: Vec<PathBuf>) {
        *self.roots.write().unwrap_or_else(|e| e.into_inner()) = roots;
    }

    pub fn add_root(&self, root: PathBuf) {
        let mut roots = self.roots.write().unwrap_or_else(|e| e.into_inner());
        if !roots.contains(&root) {
            roots.push(root);
        }
    }

    pub fn remove_root(&self, root: &Path) {
        self.roots
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|r| r != root);
    }

    pub fn roots(&self) -> Vec<PathBuf> {
        self.roots.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Is this a Gene source under one of the workspace folders?
    pub fn contains(&self, path: &Path) -> bool {
        path.extension().is_some_and(|e| e == GENE_EXTENSION)
            && self
                .roots
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .any(|root| path.starts_with(root))
    }

    fn files(&self) -> MutexGuard<'_, HashMap<PathBuf, SourceFile>> {
        self.files.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The database input for a path, if the database has one.
    pub fn get(&self, path: &Path) -> Option<SourceFile> {
        self.files().get(path).copied()
    }

    /// The input for a path, creating it with `text` if there is none yet. Returns the input and
    /// whether it already existed (then its text is left to the caller).
    pub fn get_or_insert(&self, db: &dyn Db, path: &Path, text: &str) -> (SourceFile, bool) {
        let mut files = self.files();
        if let Some(&file) = files.get(path) {
            return (file, true);
        }
        let file = SourceFile::new(db, path.to_path_buf(), text.to_string());
        files.insert(path.to_path_buf(), file);
        (file, false)
    }

    /// The input for a path, reading the file from disk the first time. Works on a snapshot:
    /// creating an input does not need exclusive access to the database.
    pub fn load(&self, db: &dyn Db, path: &Path) -> std::io::Result<SourceFile> {
        let mut files = self.files();
        if let Some(&file) = files.get(path) {
            return Ok(file);
        }
        let text = read_source(path)?;
        let file = SourceFile::new(db, path.to_path_buf(), text);
        files.insert(path.to_path_buf(), file);
        Ok(file)
    }

    /// Forgets a path (deleted on disk); returns its input so the caller can empty it.
    pub fn remove(&self, path: &Path) -> Option<SourceFile> {
        self.files().remove(path)
    }

    pub fn known_files(&self) -> usize {
        self.files().len()
    }

    /// Every Gene source under the workspace folders (hidden directories and `target` skipped).
    pub fn discover(&self) -> Vec<PathBuf> {
        let mut found = Vec::new();
        let mut stack = self.roots();
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                let name = entry.file_name();
                let hidden = name.to_string_lossy().starts_with('.');
                if kind.is_dir() {
                    if !hidden && name != "target" && name != "node_modules" {
                        stack.push(path);
                    }
                } else if kind.is_file() && path.extension().is_some_and(|e| e == GENE_EXTENSION) {
                    found.push(path);
                }
            }
        }
        found.sort();
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gene_syntax::db::RootDatabase;

    #[test]
    fn loads_on_demand_once_and_discovers_sources() {
        let dir = std::env::temp_dir().join(format!("gene-lsp-ws-{}", std::process::id()));
        let sub = dir.join("lib");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::create_dir_all(dir.join(".git")).unwrap();
        std::fs::write(dir.join("main.gene"), "(main)").unwrap();
        std::fs::write(sub.join("util.gene"), "(util)").unwrap();
        std::fs::write(dir.join(".git").join("x.gene"), "").unwrap();
        std::fs::write(dir.join("notes.txt"), "").unwrap();

        let ws = Workspace::default();
        ws.set_roots(vec![dir.clone()]);
        assert_eq!(
            ws.discover(),
            vec![sub.join("util.gene"), dir.join("main.gene")]
                .into_iter()
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>()
        );
        assert!(ws.contains(&dir.join("main.gene")));
        assert!(!ws.contains(&dir.join("notes.txt")));

        let db = RootDatabase::new();
        assert_eq!(ws.known_files(), 0);
        let file = ws.load(&db, &dir.join("main.gene")).unwrap();
        assert_eq!(file.text(&db), "(main)");
        assert_eq!(ws.load(&db, &dir.join("main.gene")).unwrap(), file);
        assert_eq!(ws.known_files(), 1);
        assert!(ws.load(&db, &dir.join("missing.gene")).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
