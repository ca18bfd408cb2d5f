//! Finding tests under the paths given to `gene test`: `*_test.gene` files, and golden pairs
//! (`NAME.gene` with `NAME.out` beside it). Hidden folders, `target` and `node_modules` are
//! skipped; a path naming a file is taken as it is.

use std::path::{Path, PathBuf};

/// One file to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Job {
    /// A file of `test` forms.
    Tests(PathBuf),
    /// A program whose stdout must match `NAME.out` (and `NAME.err`, `NAME.status`).
    Golden(PathBuf),
}

impl Job {
    pub fn path(&self) -> &Path {
        match self {
            Job::Tests(p) | Job::Golden(p) => p,
        }
    }
}

fn is_test_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with("_test.gene"))
}

fn is_golden(path: &Path) -> bool {
    path.extension().is_some_and(|x| x == "gene") && path.with_extension("out").is_file()
}

/// What a file given by name is: a golden program when it has a `.out`, else a test file.
fn classify(path: &Path) -> Option<Job> {
    if is_test_file(path) {
        Some(Job::Tests(path.to_path_buf()))
    } else if is_golden(path) {
        Some(Job::Golden(path.to_path_buf()))
    } else if path.extension().is_some_and(|x| x == "gene") {
        Some(Job::Tests(path.to_path_buf()))
    } else {
        None
    }
}

fn skipped_dir(name: &str) -> bool {
    name.starts_with('.') || name == "target" || name == "node_modules"
}

/// The jobs under `paths`, each folder's in name order, none twice. A path that does not
/// exist is an error.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<Job>, String> {
    let mut jobs = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut jobs);
        } else if path.is_file() {
            jobs.extend(classify(path));
        } else {
            return Err(format!("`{}`: no such file or folder", path.display()));
        }
    }
    let mut seen = std::collections::HashSet::new();
    jobs.retain(|j| seen.insert(j.path().to_path_buf()));
    Ok(jobs)
}

fn walk(dir: &Path, jobs: &mut Vec<Job>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    // `gene test` in a folder names its files `x_test.gene`, not `./x_test.gene`.
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .map(|p| p.strip_prefix(".").map(Path::to_path_buf).unwrap_or(p))
        .collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if !skipped_dir(name) {
                walk(&path, jobs);
            }
        } else if is_test_file(&path) {
            jobs.push(Job::Tests(path));
        } else if is_golden(&path) {
            jobs.push(Job::Golden(path));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_test_files_and_golden_pairs_skipping_hidden_and_build_folders() {
        let root = std::env::temp_dir().join(format!("gene-discover-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for dir in ["a", ".hidden", "target", "node_modules", "a/b"] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
        }
        for file in [
            "a/x_test.gene",
            "a/prog.gene",
            "a/prog.out",
            "a/lonely.gene",
            "a/b/y_test.gene",
            ".hidden/h_test.gene",
            "target/t_test.gene",
            "node_modules/n_test.gene",
        ] {
            std::fs::write(root.join(file), "").unwrap();
        }
        let jobs = discover(std::slice::from_ref(&root)).unwrap();
        let _ = std::fs::remove_dir_all(&root);
        assert_eq!(
            jobs,
            vec![
                Job::Tests(root.join("a/b/y_test.gene")),
                Job::Golden(root.join("a/prog.gene")),
                Job::Tests(root.join("a/x_test.gene")),
            ]
        );
    }
}
