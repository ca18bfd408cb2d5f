//! The set of files the database knows by path, so that `import ... from "path"` can be
//! followed from one file into another.
//!
//! The workspace is a salsa input: queries that resolve an import read it and are recomputed
//! when a file is added. Tools fill it: `gene check` loads each file's imports before checking
//! ([`load_imports`]), the language server adds the files of its workspace folders.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::analysis::symbols;
use crate::db::{Db, SourceFile};

#[salsa::input(debug)]
pub struct Workspace {
    #[returns(ref)]
    pub files: Arc<BTreeMap<PathBuf, SourceFile>>,
}

/// Joins and normalizes a path without touching the file system (`a/./b/../c` -> `a/c`), so
/// the same file is found under one key however an import spells it.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The paths an import spec may name, relative to the importing file: `lib` -> `dir/lib.gene`,
/// then `dir/lib`.
pub fn import_candidates(from: &Path, spec: &str) -> Vec<PathBuf> {
    let dir = from.parent().unwrap_or(Path::new(""));
    let base = dir.join(spec);
    let mut candidates = Vec::new();
    if !spec.ends_with(".gene") {
        let mut with_ext = base.clone().into_os_string();
        with_ext.push(".gene");
        candidates.push(normalize(Path::new(&with_ext)));
    }
    candidates.push(normalize(&base));
    candidates
}

/// The file an `import ... from "spec"` in `from` refers to, if the workspace has it.
#[salsa::tracked]
pub fn resolve_import(db: &dyn Db, from: SourceFile, spec: ImportSpec<'_>) -> Option<SourceFile> {
    let files = db.workspace().files(db);
    import_candidates(from.path(db), spec.text(db))
        .into_iter()
        .find_map(|p| files.get(&p).copied())
}

/// An import path as written, interned so it can key a query.
#[salsa::interned(debug)]
pub struct ImportSpec<'db> {
    #[returns(ref)]
    pub text: String,
}

/// Loads the files `file` imports, and theirs, into the workspace, reading each with `read`
/// (which returns `None` for a file that cannot be read). Returns the files it added.
pub fn load_imports(
    db: &mut crate::db::RootDatabase,
    file: SourceFile,
    read: &dyn Fn(&Path) -> Option<String>,
) -> Vec<SourceFile> {
    let mut added = Vec::new();
    let mut queue = vec![file];
    let mut seen = std::collections::HashSet::new();
    while let Some(current) = queue.pop() {
        if !seen.insert(current) {
            continue;
        }
        let from = current.path(db).clone();
        let specs: Vec<String> = symbols::file_symbols(db, current)
            .imports
            .iter()
            .map(|i| i.path.clone())
            .collect();
        for spec in specs {
            let known = import_candidates(&from, &spec)
                .into_iter()
                .find_map(|p| db.file_at(&p));
            if let Some(known) = known {
                queue.push(known);
                continue;
            }
            for candidate in import_candidates(&from, &spec) {
                if let Some(text) = read(&candidate) {
                    let loaded = db.set_file(candidate, text);
                    added.push(loaded);
                    queue.push(loaded);
                    break;
                }
            }
        }
    }
    added
}
