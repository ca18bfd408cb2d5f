//! Reading imported files on demand, without holding up edits.
//!
//! `import ... from "lib"` resolves against the files the database knows by path. When a job
//! finds that the document it analyses imports a file the database does not have yet, it reads
//! the file from disk (it runs on a blocking thread, so it may) and hands the text back; the
//! caller adds it to the database (a write) and runs the job again on a fresh snapshot. Edits
//! themselves never touch the disk or the analysis.

use std::collections::HashSet;
use std::path::PathBuf;

use gene_syntax::analysis::symbols::file_symbols;
use gene_syntax::db::{Db, RootDatabase, SourceFile};
use gene_syntax::workspace::import_candidates;

use crate::workspace::read_source;

/// How many rounds of reading imports one request or diagnostics run may take: an import
/// chain is followed one file deeper per round.
pub const MAX_ROUNDS: usize = 16;

/// A file read from disk for the database.
pub type LoadedFile = (PathBuf, String);

/// The files `file` imports, directly or through files the database already has, that the
/// database does not have, read from disk. Imports that name no readable file are left out.
pub fn missing_imports(db: &RootDatabase, file: SourceFile) -> Vec<LoadedFile> {
    let mut missing: Vec<LoadedFile> = Vec::new();
    let mut queue = vec![file];
    let mut seen = HashSet::new();
    while let Some(current) = queue.pop() {
        if !seen.insert(current) {
            continue;
        }
        let from = current.path(db as &dyn Db).clone();
        for import in &file_symbols(db, current).imports {
            let candidates = import_candidates(&from, &import.path);
            if let Some(known) = candidates.iter().find_map(|p| db.file_at(p)) {
                queue.push(known);
                continue;
            }
            let already = candidates
                .iter()
                .any(|c| missing.iter().any(|(p, _)| p == c));
            if already {
                continue;
            }
            if let Some(found) = candidates
                .into_iter()
                .find_map(|c| read_source(&c).ok().map(|text| (c, text)))
            {
                missing.push(found);
            }
        }
    }
    missing
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_unknown_imports_on_disk_one_level_at_a_time() {
        let dir = std::env::temp_dir().join(format!("gene-lsp-imports-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.gene"), "(import g from \"b\")\n(fn f [] (g))\n").unwrap();
        std::fs::write(dir.join("b.gene"), "(fn g [] 1)\n").unwrap();
        let mut db = RootDatabase::new();
        let main = db.set_file(
            dir.join("main.gene"),
            "(import f from \"a\")\n(import h from \"nowhere\")\n(f)\n".into(),
        );
        let first = missing_imports(&db, main);
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].0, dir.join("a.gene"));
        db.set_file(first[0].0.clone(), first[0].1.clone());
        let second = missing_imports(&db, main);
        assert_eq!(second.len(), 1);
        assert_eq!(second[0].0, dir.join("b.gene"));
        db.set_file(second[0].0.clone(), second[0].1.clone());
        assert!(missing_imports(&db, main).is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
