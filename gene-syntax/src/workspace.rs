//! The files the database knows by path, and the one import resolver every tool asks.
//!
//! # Which file `(import ... from "spec")` names
//! 1. The file name: `spec` with `.gene` appended (`"utils"` -> `utils.gene`, `"utils.v2"` ->
//!    `utils.v2.gene`); a spec that already ends in `.gene` is taken as it is.
//! 2. Where: first the importing file's folder, then the importer's project root, the nearest
//!    folder at or above the importer's holding a `gene.toml`. An absolute spec names one path.
//! 3. The first of these that exists is the import. Only a regular file of at most
//!    [`MAX_MODULE_BYTES`] in UTF-8 is read: one that exists but is anything else (a FIFO, a
//!    device, a folder, a bigger or unreadable file) is an import error, never read and never
//!    skipped for the next place, so an import cannot block and cannot silently mean another
//!    file.
//!
//! # Who asks
//! - [`resolve_import`] (a salsa query, no disk access) answers from the database: analysis and
//!   the IDE features.
//! - Loading reads what the database lacks from disk. [`scan_imports`] only reads (the language
//!   server runs it on a snapshot and applies the [`DiskScan`] between rounds); [`load_imports`]
//!   scans and applies until nothing is missing (`gene check` and `gene run`, through
//!   `source::load`); [`load_import`] resolves one import, loading it if needed (the VM, for
//!   imports nothing loaded before: `eval`, the REPL, an import inside a function).
//!
//! The loader records what it learned from disk in the workspace ([`DiskFacts`]: the project
//! root of each importing folder, the files it refused), so that [`resolve_import`] gives the
//! answer the loader gave.

use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::analysis::config::CONFIG_FILE;
use crate::analysis::symbols;
use crate::db::{Db, RootDatabase, SourceFile};

/// The file extension of Gene sources, appended to an import spec without it.
pub const GENE_EXTENSION: &str = "gene";

/// The largest module an import reads (64 MiB): a bigger file is refused with a diagnostic
/// instead of filling memory.
pub const MAX_MODULE_BYTES: u64 = 64 << 20;

#[salsa::input(debug)]
pub struct Workspace {
    #[returns(ref)]
    pub files: Arc<BTreeMap<PathBuf, SourceFile>>,
    /// What loading found on disk (see [`DiskFacts`]).
    #[returns(ref)]
    pub disk: Arc<DiskFacts>,
}

/// What import loading learned from the file system, kept so that resolution inside the
/// database agrees with it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DiskFacts {
    /// The project root of each importing folder the loader looked at (`None`: no `gene.toml`
    /// at or above it). Folders are normalized; a root inside the working directory is relative
    /// to it when the folder is.
    pub roots: BTreeMap<PathBuf, Option<PathBuf>>,
    /// Paths an import named that exist but cannot be imported, and why.
    pub refused: BTreeMap<PathBuf, Refusal>,
}

/// Why an existing path cannot be imported.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Refusal {
    /// Not a regular file: "a FIFO", "a directory", "a character device", ...
    NotAFile(&'static str),
    /// Bigger than [`MAX_MODULE_BYTES`] (the size in bytes).
    TooBig(u64),
    /// Not UTF-8 text.
    NotUtf8,
    /// The system refused to open or read it (permission denied, ...).
    Unreadable(String),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::NotAFile(kind) => write!(f, "it is {kind}, not a regular file"),
            Refusal::TooBig(size) => write!(
                f,
                "it is {} MiB, more than the {} MiB a module may have",
                size.div_ceil(1 << 20),
                MAX_MODULE_BYTES >> 20
            ),
            Refusal::NotUtf8 => write!(f, "it is not UTF-8 text"),
            Refusal::Unreadable(reason) => write!(f, "{reason}"),
        }
    }
}

/// Why an import names no module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportError {
    /// No candidate exists (the places looked at, in order).
    NotFound { spec: String, looked: Vec<PathBuf> },
    /// The first candidate that exists cannot be imported.
    Refused { path: PathBuf, refusal: Refusal },
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportError::NotFound { spec, looked } => {
                let looked: Vec<String> = looked.iter().map(|p| p.display().to_string()).collect();
                write!(
                    f,
                    "module '{spec}' not found (looked for {})",
                    looked.join(" and ")
                )
            }
            ImportError::Refused { path, refusal } => {
                write!(f, "cannot import '{}': {refusal}", path.display())
            }
        }
    }
}

/// Joins and normalizes a path without touching the file system (`a/./b/../c` -> `a/c`), so
/// the same file is found under one key however an import spells it.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                let last_is_normal =
                    matches!(out.components().next_back(), Some(Component::Normal(_)));
                if last_is_normal {
                    out.pop();
                } else if !matches!(out.components().next_back(), Some(Component::RootDir)) {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The file name an import spec names: `utils` -> `utils.gene`, `utils.v2` -> `utils.v2.gene`,
/// `x.gene` as it is.
pub fn module_file_name(spec: &str) -> PathBuf {
    let suffix = format!(".{GENE_EXTENSION}");
    if spec.ends_with(&suffix) {
        PathBuf::from(spec)
    } else {
        PathBuf::from(format!("{spec}{suffix}"))
    }
}

/// The folder of an importing file, normalized (`""` for a file in the working directory).
fn importer_dir(from: &Path) -> PathBuf {
    normalize(from.parent().unwrap_or(Path::new("")))
}

/// The paths an import may name, in the order they are tried: beside the importer, then in its
/// project root `root` (if it has one and it is another folder).
pub fn import_candidates(from: &Path, spec: &str, root: Option<&Path>) -> Vec<PathBuf> {
    let name = module_file_name(spec);
    let mut candidates = vec![normalize(&importer_dir(from).join(&name))];
    if let Some(root) = root {
        let at_root = normalize(&root.join(&name));
        if !candidates.contains(&at_root) {
            candidates.push(at_root);
        }
    }
    candidates
}

/// How an import resolves against the database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    Found(SourceFile),
    Failed(ImportError),
}

/// Resolves `spec` imported from the file at `from` with what the database holds: the first
/// candidate the database has or the loader refused. Candidates the loader did not find are
/// absent from both, so the answer is the loader's.
pub fn resolve_in(db: &dyn Db, from: &Path, spec: &str) -> Resolution {
    let workspace = db.workspace();
    let files = workspace.files(db);
    let disk = workspace.disk(db);
    let root = disk.roots.get(&importer_dir(from)).cloned().flatten();
    let looked = import_candidates(from, spec, root.as_deref());
    for candidate in &looked {
        if let Some(file) = files.get(candidate) {
            return Resolution::Found(*file);
        }
        if let Some(refusal) = disk.refused.get(candidate) {
            return Resolution::Failed(ImportError::Refused {
                path: candidate.clone(),
                refusal: refusal.clone(),
            });
        }
    }
    Resolution::Failed(ImportError::NotFound {
        spec: spec.to_string(),
        looked,
    })
}

/// [`resolve_in`] as a query, for an import of `from`.
#[salsa::tracked(returns(ref))]
pub fn import_resolution(db: &dyn Db, from: SourceFile, spec: ImportSpec<'_>) -> Resolution {
    resolve_in(db, from.path(db), spec.text(db))
}

/// The file an `import ... from "spec"` in `from` refers to, if the workspace has it.
#[salsa::tracked]
pub fn resolve_import(db: &dyn Db, from: SourceFile, spec: ImportSpec<'_>) -> Option<SourceFile> {
    match import_resolution(db, from, spec) {
        Resolution::Found(file) => Some(*file),
        Resolution::Failed(_) => None,
    }
}

/// An import path as written, interned so it can key a query.
#[salsa::interned(debug)]
pub struct ImportSpec<'db> {
    #[returns(ref)]
    pub text: String,
}

// ---- reading from disk ----------------------------------------------------------------------

/// Why a path was not read.
#[derive(Debug)]
pub enum ReadOutcome {
    /// Nothing is there: the next candidate is tried.
    Missing,
    /// Something is there that is not importable.
    Refused(Refusal),
}

/// Reads a module: a regular file of at most [`MAX_MODULE_BYTES`], in UTF-8. The file type is
/// checked before opening, and the file is opened without blocking and checked again, so a
/// FIFO or a device (even one swapped in between) is refused, never waited on.
pub fn read_module(path: &Path) -> Result<String, ReadOutcome> {
    let metadata = std::fs::metadata(path).map_err(not_read)?;
    check_regular(&metadata)?;
    let file = open_nonblocking(path).map_err(not_read)?;
    let metadata = file.metadata().map_err(not_read)?;
    check_regular(&metadata)?;
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    file.take(MAX_MODULE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(not_read)?;
    if bytes.len() as u64 > MAX_MODULE_BYTES {
        return Err(ReadOutcome::Refused(Refusal::TooBig(bytes.len() as u64)));
    }
    String::from_utf8(bytes).map_err(|_| ReadOutcome::Refused(Refusal::NotUtf8))
}

fn not_read(e: std::io::Error) -> ReadOutcome {
    match e.kind() {
        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory => ReadOutcome::Missing,
        std::io::ErrorKind::PermissionDenied => {
            ReadOutcome::Refused(Refusal::Unreadable("permission denied".into()))
        }
        _ => ReadOutcome::Refused(Refusal::Unreadable(e.to_string())),
    }
}

fn check_regular(metadata: &std::fs::Metadata) -> Result<(), ReadOutcome> {
    let kind = metadata.file_type();
    if kind.is_file() {
        if metadata.len() > MAX_MODULE_BYTES {
            return Err(ReadOutcome::Refused(Refusal::TooBig(metadata.len())));
        }
        return Ok(());
    }
    Err(ReadOutcome::Refused(Refusal::NotAFile(file_kind(&kind))))
}

fn file_kind(kind: &std::fs::FileType) -> &'static str {
    if kind.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
    }
    "not a file"
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

/// The project root of a folder: the nearest folder at or above it holding a `gene.toml`.
/// Relative to the working directory when `dir` is relative and the root is inside it.
pub fn find_project_root(dir: &Path) -> Option<PathBuf> {
    let start = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let absolute = normalize(&std::path::absolute(start).ok()?);
    let root = absolute
        .ancestors()
        .find(|folder| folder.join(CONFIG_FILE).is_file())?;
    if dir.is_relative()
        && let Ok(cwd) = std::env::current_dir()
        && let Ok(inside) = root.strip_prefix(normalize(&cwd))
    {
        return Some(inside.to_path_buf());
    }
    Some(root.to_path_buf())
}

// ---- loading ---------------------------------------------------------------------------------

/// What a scan of imports found on disk that the database lacks.
#[derive(Debug, Default)]
pub struct DiskScan {
    /// Files read, to add.
    pub files: Vec<(PathBuf, String)>,
    /// Project roots of importing folders looked up.
    pub roots: Vec<(PathBuf, Option<PathBuf>)>,
    /// Paths refused.
    pub refused: Vec<(PathBuf, Refusal)>,
}

impl DiskScan {
    pub fn is_empty(&self) -> bool {
        self.files.is_empty() && self.roots.is_empty() && self.refused.is_empty()
    }

    /// Adds what the scan found to the database. A file the database got meanwhile (an open
    /// document, a file read by another scan) keeps its text. Returns the files added.
    pub fn apply(self, db: &mut RootDatabase) -> Vec<SourceFile> {
        use salsa::Setter;
        if !self.roots.is_empty() || !self.refused.is_empty() {
            let workspace = db.workspace();
            let mut facts = (**workspace.disk(db)).clone();
            facts.roots.extend(self.roots);
            facts.refused.extend(self.refused);
            if **workspace.disk(db) != facts {
                workspace.set_disk(db).to(Arc::new(facts));
            }
        }
        let mut added = Vec::new();
        for (path, text) in self.files {
            if db.file_at(&path).is_none() {
                added.push(db.set_file(path, text));
            }
        }
        added
    }
}

/// One round of loading: follows the imports of `file` through the files the database has, and
/// reads from disk the imported files it lacks (their own imports are followed by the next
/// round, once they are in the database). Only reads; see [`DiskScan::apply`].
pub fn scan_imports(db: &dyn Db, file: SourceFile) -> DiskScan {
    let mut scan = DiskScan::default();
    let mut queue = vec![file];
    let mut seen = HashSet::new();
    while let Some(current) = queue.pop() {
        if !seen.insert(current) {
            continue;
        }
        let from = current.path(db).clone();
        for import in &symbols::file_symbols(db, current).imports {
            if let Some(found) = scan_one(db, &from, &import.path, &mut scan) {
                queue.push(found);
            }
        }
    }
    scan
}

/// Resolves one import for a scan: the database's file if the first candidate that exists is
/// there; otherwise reads (or refuses) that candidate into `scan`.
fn scan_one(db: &dyn Db, from: &Path, spec: &str, scan: &mut DiskScan) -> Option<SourceFile> {
    let workspace = db.workspace();
    let disk = workspace.disk(db);
    let dir = importer_dir(from);
    let root = match disk.roots.get(&dir) {
        Some(root) => root.clone(),
        None => match scan.roots.iter().find(|(d, _)| *d == dir) {
            Some((_, root)) => root.clone(),
            None => {
                let root = find_project_root(&dir);
                scan.roots.push((dir, root.clone()));
                root
            }
        },
    };
    for candidate in import_candidates(from, spec, root.as_deref()) {
        if let Some(file) = workspace.files(db).get(&candidate) {
            return Some(*file);
        }
        let known = disk.refused.contains_key(&candidate)
            || scan.refused.iter().any(|(p, _)| *p == candidate)
            || scan.files.iter().any(|(p, _)| *p == candidate);
        if known {
            return None;
        }
        match read_module(&candidate) {
            Ok(text) => {
                scan.files.push((candidate, text));
                return None;
            }
            Err(ReadOutcome::Refused(refusal)) => {
                scan.refused.push((candidate, refusal));
                return None;
            }
            Err(ReadOutcome::Missing) => {}
        }
    }
    None
}

/// Loads the files `file` imports, and theirs, into the database. Returns the files it added.
pub fn load_imports(db: &mut RootDatabase, file: SourceFile) -> Vec<SourceFile> {
    let mut added = Vec::new();
    loop {
        let scan = scan_imports(db, file);
        if scan.is_empty() {
            return added;
        }
        added.extend(scan.apply(db));
    }
}

/// Resolves one import of the file at `from`, loading the module (and what it imports) into the
/// database if the database does not have it yet.
pub fn load_import(
    db: &mut RootDatabase,
    from: &Path,
    spec: &str,
) -> Result<SourceFile, ImportError> {
    let mut scan = DiskScan::default();
    let found = scan_one(db, from, spec, &mut scan);
    scan.apply(db);
    match found {
        Some(file) => Ok(file),
        None => match resolve_in(db, from, spec) {
            Resolution::Found(file) => Ok(file),
            Resolution::Failed(error) => Err(error),
        },
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A fresh folder under the system's temporary folder, unique to this test process.
    pub(crate) fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("gene-ws-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[cfg(unix)]
    pub(crate) fn mkfifo(path: &Path) {
        let status = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap();
        assert!(status.success(), "mkfifo {}", path.display());
    }

    #[test]
    fn spec_names_one_file() {
        assert_eq!(module_file_name("utils"), Path::new("utils.gene"));
        assert_eq!(module_file_name("utils.v2"), Path::new("utils.v2.gene"));
        assert_eq!(module_file_name("x.gene"), Path::new("x.gene"));
        assert_eq!(module_file_name("lib/x"), Path::new("lib/x.gene"));
    }

    #[test]
    fn candidates_beside_the_importer_then_at_the_root() {
        let from = Path::new("/p/src/app/main.gene");
        assert_eq!(
            import_candidates(from, "utils", Some(Path::new("/p"))),
            [
                PathBuf::from("/p/src/app/utils.gene"),
                PathBuf::from("/p/utils.gene")
            ]
        );
        assert_eq!(
            import_candidates(from, "../lib/x.gene", None),
            [PathBuf::from("/p/src/lib/x.gene")]
        );
        // The root is the importer's folder: one candidate.
        assert_eq!(
            import_candidates(from, "u", Some(Path::new("/p/src/app"))),
            [PathBuf::from("/p/src/app/u.gene")]
        );
        assert_eq!(
            import_candidates(from, "/abs/m", Some(Path::new("/p"))),
            [PathBuf::from("/abs/m.gene")]
        );
        assert_eq!(
            import_candidates(Path::new("main.gene"), "u", Some(Path::new(""))),
            [PathBuf::from("u.gene")]
        );
    }

    #[test]
    fn normalizing_keeps_leading_parents() {
        assert_eq!(normalize(Path::new("a/./b/../c")), Path::new("a/c"));
        assert_eq!(normalize(Path::new("../../x")), Path::new("../../x"));
        assert_eq!(normalize(Path::new("a/../../x")), Path::new("../x"));
        assert_eq!(normalize(Path::new("/../x")), Path::new("/x"));
    }

    /// The project layout of the resolution tests: a `gene.toml` at the root, a module only
    /// at the root, one both beside the importer and at the root, dotted names.
    fn project(name: &str) -> PathBuf {
        let root = temp_dir(name);
        let app = root.join("src/app");
        std::fs::create_dir_all(&app).unwrap();
        std::fs::write(root.join(CONFIG_FILE), "").unwrap();
        std::fs::write(root.join("shared.gene"), "(var shared 1)\n").unwrap();
        std::fs::write(root.join("both.gene"), "(var at_root 1)\n").unwrap();
        std::fs::write(app.join("both.gene"), "(var beside 1)\n").unwrap();
        std::fs::write(app.join("utils.v2.gene"), "(var v2 1)\n").unwrap();
        std::fs::write(app.join("utils.gene"), "(import v2 from \"utils.v2\")\n").unwrap();
        std::fs::write(app.join("plain.gene"), "(var plain 1)\n").unwrap();
        root
    }

    fn resolved(db: &RootDatabase, file: SourceFile, spec: &str) -> Option<PathBuf> {
        let spec = ImportSpec::new(db, spec.to_string());
        resolve_import(db, file, spec).map(|f| f.path(db).clone())
    }

    #[test]
    fn loading_and_resolution_follow_the_rule() {
        let root = project("rule");
        let app = root.join("src/app");
        let mut db = RootDatabase::new();
        let text = "(import shared from \"shared\")\n(import at_root beside from \"both\")\n\
                    (import v2 from \"utils.v2\")\n(import plain from \"plain.gene\")\n\
                    (import x from \"utils\")\n(import y from \"nowhere\")\n";
        let main = db.set_file(app.join("main.gene"), text.into());
        let added: Vec<PathBuf> = load_imports(&mut db, main)
            .iter()
            .map(|f| f.path(&db).clone())
            .collect();
        assert_eq!(added.len(), 5, "{added:?}");
        assert_eq!(
            resolved(&db, main, "shared"),
            Some(root.join("shared.gene"))
        );
        assert_eq!(resolved(&db, main, "both"), Some(app.join("both.gene")));
        assert_eq!(
            resolved(&db, main, "utils.v2"),
            Some(app.join("utils.v2.gene"))
        );
        assert_eq!(
            resolved(&db, main, "plain.gene"),
            Some(app.join("plain.gene"))
        );
        assert_eq!(resolved(&db, main, "utils"), Some(app.join("utils.gene")));
        assert_eq!(resolved(&db, main, "nowhere"), None);
        assert_eq!(
            resolve_in(&db, &app.join("main.gene"), "nowhere"),
            Resolution::Failed(ImportError::NotFound {
                spec: "nowhere".into(),
                looked: vec![app.join("nowhere.gene"), root.join("nowhere.gene")],
            })
        );
        // Nothing left to read: a second load reads nothing.
        assert!(scan_imports(&db, main).is_empty());
        // One import at a time (the VM's way) finds the same file.
        let mut fresh = RootDatabase::new();
        let found = load_import(&mut fresh, &app.join("main.gene"), "shared").unwrap();
        assert_eq!(found.path(&fresh), &root.join("shared.gene"));
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn without_a_project_root_only_the_importers_folder() {
        let dir = temp_dir("noroot");
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("top.gene"), "").unwrap();
        let mut db = RootDatabase::new();
        let main = db.set_file(dir.join("sub/main.gene"), "(import t from \"top\")".into());
        // The temporary folder is not inside a project (no gene.toml up to `/`).
        if find_project_root(&dir).is_none() {
            assert!(load_imports(&mut db, main).is_empty());
            assert_eq!(resolved(&db, main, "top"), None);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    #[cfg(unix)]
    fn a_fifo_is_refused_without_blocking() {
        let dir = temp_dir("fifo");
        mkfifo(&dir.join("pipe.gene"));
        assert!(matches!(
            read_module(&dir.join("pipe.gene")),
            Err(ReadOutcome::Refused(Refusal::NotAFile("a FIFO")))
        ));
        let mut db = RootDatabase::new();
        let main = db.set_file(dir.join("main.gene"), "(import p from \"pipe\")".into());
        assert!(load_imports(&mut db, main).is_empty());
        assert_eq!(
            resolve_in(&db, &dir.join("main.gene"), "pipe"),
            Resolution::Failed(ImportError::Refused {
                path: dir.join("pipe.gene"),
                refusal: Refusal::NotAFile("a FIFO"),
            })
        );
        let error = load_import(&mut db, &dir.join("main.gene"), "pipe").unwrap_err();
        assert!(error.to_string().contains("a FIFO"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn big_and_non_utf8_files_are_refused() {
        let dir = temp_dir("big");
        let big = std::fs::File::create(dir.join("big.gene")).unwrap();
        big.set_len(MAX_MODULE_BYTES + 1).unwrap();
        assert!(matches!(
            read_module(&dir.join("big.gene")),
            Err(ReadOutcome::Refused(Refusal::TooBig(_)))
        ));
        std::fs::write(dir.join("bad.gene"), b"(a \xff)").unwrap();
        assert!(matches!(
            read_module(&dir.join("bad.gene")),
            Err(ReadOutcome::Refused(Refusal::NotUtf8))
        ));
        assert!(matches!(
            read_module(&dir.join("none.gene")),
            Err(ReadOutcome::Missing)
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
