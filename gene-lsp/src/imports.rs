//! Reading imported files on demand, without holding up edits.
//!
//! Which file an import names is decided by the one resolver, `gene_syntax::workspace` (the
//! same for `gene run` and `gene check`). When a job finds that the document it analyses
//! imports files the database does not have yet, it scans them from disk
//! ([`gene_syntax::workspace::scan_imports`]: it runs on a blocking thread, so it may; only
//! regular files are read, so a FIFO cannot block it) and hands the scan back; the caller
//! applies it to the database (a write) and runs the job again on a fresh snapshot. Edits
//! themselves never touch the disk or the analysis.

use gene_syntax::db::{RootDatabase, SourceFile};
pub use gene_syntax::workspace::DiskScan;

/// How many rounds of reading imports one request or diagnostics run may take: an import
/// chain is followed one file deeper per round.
pub const MAX_ROUNDS: usize = 16;

/// A file read from disk for the database.
pub type LoadedFile = (std::path::PathBuf, String);

/// What `file`'s imports, directly or through files the database already has, need from disk:
/// the files the database lacks, read; the files refused; project roots looked up.
pub fn missing_imports(db: &RootDatabase, file: SourceFile) -> DiskScan {
    gene_syntax::workspace::scan_imports(db, file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("gene-lsp-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn finds_unknown_imports_on_disk_one_level_at_a_time() {
        let dir = temp_dir("imports");
        std::fs::write(dir.join("a.gene"), "(import g from \"b\")\n(fn f [] (g))\n").unwrap();
        std::fs::write(dir.join("b.gene"), "(fn g [] 1)\n").unwrap();
        let mut db = RootDatabase::new();
        let main = db.set_file(
            dir.join("main.gene"),
            "(import f from \"a\")\n(import h from \"nowhere\")\n(f)\n".into(),
        );
        let first = missing_imports(&db, main);
        assert_eq!(first.files.len(), 1);
        assert_eq!(first.files[0].0, dir.join("a.gene"));
        first.apply(&mut db);
        let second = missing_imports(&db, main);
        assert_eq!(second.files.len(), 1);
        assert_eq!(second.files[0].0, dir.join("b.gene"));
        second.apply(&mut db);
        assert!(missing_imports(&db, main).is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    #[cfg(unix)]
    fn a_fifo_import_is_refused_not_waited_on() {
        let dir = temp_dir("fifo");
        let pipe = dir.join("pipe.gene");
        let status = std::process::Command::new("mkfifo")
            .arg(&pipe)
            .status()
            .unwrap();
        assert!(status.success());
        let mut db = RootDatabase::new();
        let main = db.set_file(dir.join("main.gene"), "(import p from \"pipe\")\n".into());
        let scan = missing_imports(&db, main);
        assert!(scan.files.is_empty());
        assert_eq!(scan.refused.len(), 1);
        scan.apply(&mut db);
        assert!(missing_imports(&db, main).is_empty());
        let diagnostics = crate::diagnostics::diagnostics_for(&db, main, &Default::default());
        let i001: Vec<_> = diagnostics.iter().filter(|d| d.code == "I001").collect();
        assert_eq!(i001.len(), 1, "{diagnostics:?}");
        assert!(i001[0].message.contains("a FIFO"), "{}", i001[0].message);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
