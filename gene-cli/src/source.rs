//! Loading source files into the database, with clear errors for what cannot be read.

use std::path::{Path, PathBuf};

use gene_syntax::db::{RootDatabase, SourceFile};
use gene_syntax::{Diagnostic, SyntaxError};

/// A file loaded into the database, plus the diagnostics that come from reading it (invalid
/// UTF-8), which are not part of the text the database holds.
pub struct Loaded {
    pub file: SourceFile,
    pub read_diagnostics: Vec<Diagnostic>,
}

/// Why a path could not be loaded, worded for the user.
#[derive(Debug)]
pub struct LoadError(pub String);

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// [`load`] for a command that works on one file: a file that cannot be loaded is reported on
/// stderr and gives the usage exit status.
pub fn load_one(db: &mut RootDatabase, path: &Path) -> Result<Loaded, std::process::ExitCode> {
    load(db, path).map_err(|e| {
        eprintln!("error: {e}");
        std::process::ExitCode::from(super::EXIT_USAGE)
    })
}

/// Loads `path` into the database's workspace, and the files it imports through the one import
/// resolver (`gene_syntax::workspace`), so the analysis can follow them and the VM runs them
/// from the database without reading them again.
pub fn load(db: &mut RootDatabase, path: &Path) -> Result<Loaded, LoadError> {
    load_with(db, path, |_, _| {})
}

/// [`load`], running `before_imports` once the file is in the database, before its imports are
/// followed (which reads the file's definitions: `gene check` has them computed a few chunks at
/// a time first, rather than every chunk's tree at once).
pub fn load_with(
    db: &mut RootDatabase,
    path: &Path,
    before_imports: impl FnOnce(&mut RootDatabase, SourceFile),
) -> Result<Loaded, LoadError> {
    if path.is_dir() {
        return Err(LoadError(format!(
            "`{}` is a directory; pass Gene source files (for example `{}/*.gene`)",
            path.display(),
            path.display()
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => e.to_string(),
        };
        LoadError(format!("cannot read `{}`: {reason}", path.display()))
    })?;
    // Valid UTF-8 (nearly every file) becomes the text without a copy: a big file's bytes
    // would otherwise be held twice while it is checked.
    let (text, utf8_errors) = match String::from_utf8(bytes) {
        Ok(text) => (text, Vec::new()),
        Err(invalid) => gene_syntax::decode_utf8_lossy(invalid.as_bytes()),
    };
    let file = db.set_file(PathBuf::from(path), text);
    before_imports(db, file);
    gene_syntax::workspace::load_imports(db, file);
    Ok(Loaded {
        file,
        read_diagnostics: utf8_errors
            .iter()
            .map(|e: &SyntaxError| Diagnostic::from(e))
            .collect(),
    })
}
