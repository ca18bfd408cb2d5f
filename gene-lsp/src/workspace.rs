//! The workspace folders, and reading Gene sources from disk.
//!
//! Which files the database knows, by path, is the database's own workspace input
//! (`gene_syntax::workspace`): open documents are in it, and files are read into it on demand
//! (the imports of open documents, a file a request names). Nothing is read up front, so opening
//! a large folder costs nothing.

use std::path::{Path, PathBuf};
use std::sync::RwLock;

use tower_lsp_server::UriExt;
use tower_lsp_server::lsp_types::Uri;

/// The file extension of Gene sources.
pub const GENE_EXTENSION: &str = "gene";

#[derive(Default)]
pub struct Workspace {
    roots: RwLock<Vec<PathBuf>>,
}

/// Where a document lives: a file path, or for other URI schemes (`untitled:`) the URI text, so
/// every document has a distinct key and a name for messages.
pub fn uri_to_path(uri: &Uri) -> PathBuf {
    // `to_file_path` takes the path of any URI; only `file:` URIs name files.
    let is_file = uri
        .scheme()
        .is_some_and(|s| s.as_str().eq_ignore_ascii_case("file"));
    match uri.to_file_path().filter(|_| is_file) {
        Some(path) => path.into_owned(),
        None => PathBuf::from(uri.as_str()),
    }
}

pub fn path_to_uri(path: &Path) -> Option<Uri> {
    Uri::from_file_path(path)
}

/// The largest file the server reads from disk: far above any source anyone edits, far below
/// what would hurt the server.
pub const MAX_SOURCE: u64 = 64 << 20;

/// Reads a file as text; bytes that are not UTF-8 become U+FFFD (the parser reports them when
/// the file is opened in the editor, which sends valid text).
///
/// Only regular files up to [`MAX_SOURCE`] bytes are read: a path may name anything (a URI of
/// `/dev/zero` or of a FIFO), and reading a device would never end, opening a FIFO would block
/// until someone writes to it. The file is opened without blocking and checked again once
/// open, in case it was replaced in between.
pub fn read_source(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    check_source(&std::fs::metadata(path)?)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(nix::fcntl::OFlag::O_NONBLOCK.bits());
    }
    let file = options.open(path)?;
    let metadata = file.metadata()?;
    check_source(&metadata)?;
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    file.take(MAX_SOURCE + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_SOURCE {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => gene_syntax::decode_utf8_lossy(e.as_bytes()).0,
    })
}

/// Whether a file with this metadata may be read as a source.
fn check_source(metadata: &std::fs::Metadata) -> std::io::Result<()> {
    if !metadata.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    if metadata.len() > MAX_SOURCE {
        return Err(too_large(metadata.len()));
    }
    Ok(())
}

fn too_large(size: u64) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::FileTooLarge,
        format!(
            "too large to read ({} MiB; the limit is {} MiB)",
            size >> 20,
            MAX_SOURCE >> 20
        ),
    )
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

    /// Every Gene source under the workspace folders (hidden directories and `target` skipped).
    pub fn discover(&self) -> Vec<PathBuf> {
        discover_under(self.roots())
    }
}

/// Sources larger than this are not read with the workspace (a generated file of that size is
/// no one's code to navigate); opening one in the editor still works.
pub const MAX_WORKSPACE_SOURCE: u64 = 8 << 20;

/// Reads every Gene source under `roots` (see [`discover_under`]); unreadable and oversized
/// files are left out.
pub fn read_sources_under(roots: Vec<PathBuf>) -> Vec<(PathBuf, String)> {
    discover_under(roots)
        .into_iter()
        .filter(|path| std::fs::metadata(path).is_ok_and(|m| m.len() <= MAX_WORKSPACE_SOURCE))
        .filter_map(|path| read_source(&path).ok().map(|text| (path, text)))
        .collect()
}

/// Every Gene source under `roots` (hidden directories, `target` and `node_modules` skipped).
pub fn discover_under(roots: Vec<PathBuf>) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = roots;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovers_sources_under_the_folders() {
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
        let mut expected = vec![sub.join("util.gene"), dir.join("main.gene")];
        expected.sort();
        assert_eq!(ws.discover(), expected);
        assert!(ws.contains(&dir.join("main.gene")));
        assert!(!ws.contains(&dir.join("notes.txt")));
        assert_eq!(read_source(&dir.join("main.gene")).unwrap(), "(main)");
        std::fs::write(dir.join("bad.gene"), b"(a \xff)").unwrap();
        assert_eq!(read_source(&dir.join("bad.gene")).unwrap(), "(a \u{FFFD})");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn only_regular_files_of_a_sane_size_are_read() {
        let refused = |path: &Path| {
            let error = read_source(path).expect_err("refused");
            error.to_string()
        };
        assert_eq!(refused(Path::new("/dev/zero")), "not a regular file");
        assert_eq!(refused(Path::new("/")), "not a regular file");

        let dir = std::env::temp_dir().join(format!("gene-lsp-special-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // Opening a FIFO nobody writes to would block the server for good.
        let fifo = dir.join("pipe.gene");
        let _ = std::fs::remove_file(&fifo);
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        assert_eq!(refused(&fifo), "not a regular file");
        // A sparse file: large, costing no disk.
        let big = dir.join("big.gene");
        std::fs::File::create(&big)
            .unwrap()
            .set_len(MAX_SOURCE + 1)
            .unwrap();
        assert!(refused(&big).starts_with("too large to read"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn uris_and_paths() {
        let uri: Uri = "file:///w/a%20b.gene".parse().unwrap();
        assert_eq!(uri_to_path(&uri), PathBuf::from("/w/a b.gene"));
        let untitled: Uri = "untitled:Untitled-1".parse().unwrap();
        assert_eq!(uri_to_path(&untitled), PathBuf::from("untitled:Untitled-1"));
        assert_eq!(
            path_to_uri(Path::new("/w/a b.gene")).map(|u| u.as_str().to_string()),
            Some("file:///w/a%20b.gene".to_string())
        );
    }
}
