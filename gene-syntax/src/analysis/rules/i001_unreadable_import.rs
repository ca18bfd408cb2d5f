use super::declare_rule;
use crate::analysis::symbols::FileSymbols;
use crate::db::{Db, SourceFile};
use crate::diagnostic::Diagnostic;
use crate::workspace::{ImportError, ImportSpec, Resolution, import_resolution};

declare_rule! {
    /// ## What it flags
    /// An `import` whose module exists but cannot be read as one: a FIFO, a device, a socket or
    /// a folder where the module file should be, a file bigger than 64 MiB, a file that is not
    /// UTF-8 text, or one the system does not let us read.
    ///
    /// ## Why it matters
    /// Only regular files are imported. Reading a FIFO or a device could wait forever, so the
    /// tools refuse it; `gene run` fails with an `ImportError` at this import. The next place an
    /// import is looked for (the project root) is not tried, so the import never silently means
    /// another file.
    ///
    /// ## How to fix
    /// Put the module's source in a regular file at that path, or import another path.
    ///
    /// ## Example
    /// ```gene
    /// (import read_all from "input")   # I001 when input.gene is a FIFO (mkfifo input.gene)
    /// ```
    pub(crate) static RULE = { code: "I001", name: "unreadable-import", severity: Error, fix: None };
}

/// The imports of `file` that name a path loading refused.
pub(crate) fn check_file(db: &dyn Db, file: SourceFile, symbols: &FileSymbols) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for import in &symbols.imports {
        let spec = ImportSpec::new(db, import.path.clone());
        if let Resolution::Failed(error @ ImportError::Refused { .. }) =
            import_resolution(db, file, spec)
        {
            out.push(RULE.diagnostic(import.path_range, error.to_string()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::db::RootDatabase;
    use crate::workspace::load_imports;

    #[test]
    #[cfg(unix)]
    fn flags_imports_of_what_is_not_a_regular_file() {
        let dir = crate::workspace::tests::temp_dir("i001");
        std::fs::create_dir_all(dir.join("folder.gene")).unwrap();
        crate::workspace::tests::mkfifo(&dir.join("pipe.gene"));
        std::fs::write(dir.join("fine.gene"), "(var x 1)\n").unwrap();
        let mut db = RootDatabase::new();
        let text =
            "(import a from \"pipe\")\n(import b from \"folder\")\n(import x from \"fine\")\n";
        let main = db.set_file(dir.join("main.gene"), text.into());
        load_imports(&mut db, main);
        let found: Vec<(String, String)> = crate::analysis::lint_diagnostics(&db, main)
            .iter()
            .filter(|d| d.code == "I001")
            .map(|d| (text[d.range].to_string(), d.message.clone()))
            .collect();
        let pipe = dir.join("pipe.gene");
        let folder = dir.join("folder.gene");
        assert_eq!(
            found,
            [
                (
                    "\"pipe\"".to_string(),
                    format!(
                        "cannot import '{}': it is a FIFO, not a regular file",
                        pipe.display()
                    )
                ),
                (
                    "\"folder\"".to_string(),
                    format!(
                        "cannot import '{}': it is a directory, not a regular file",
                        folder.display()
                    )
                ),
            ]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
