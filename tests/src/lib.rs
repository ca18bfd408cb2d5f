//! Helpers for the workspace-level integration tests in `tests/tests/`.
//!
//! The tests drive the real binaries (`gene`, `gene-lsp`). Cargo only hands a package's tests the
//! paths of that package's own binaries, so these helpers build the binary once per test run
//! with the same cargo that runs the tests, and return its path.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The workspace root (the directory holding the top-level `Cargo.toml`).
pub fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap_or(Path::new("."))
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// Builds `bin` of `package` in the debug profile (once per test process) and returns its path.
pub fn built_binary(package: &str, bin: &str) -> PathBuf {
    static BUILT: OnceLock<std::sync::Mutex<Vec<String>>> = OnceLock::new();
    let built = BUILT.get_or_init(Default::default);
    let mut built = built
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let path = target_dir()
        .join("debug")
        .join(format!("{bin}{}", std::env::consts::EXE_SUFFIX));
    if !built.iter().any(|b| b == bin) {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--quiet", "--package", package, "--bin", bin])
            .current_dir(workspace_root())
            .status();
        match status {
            Ok(s) if s.success() => built.push(bin.to_string()),
            other => panic!("could not build `{bin}` for the integration tests: {other:?}"),
        }
    }
    path
}

/// The `gene` command-line binary.
pub fn gene_bin() -> PathBuf {
    built_binary("gene-cli", "gene")
}

/// A fresh temporary directory for one test, removed when the value is dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("gene-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `content` to `name` inside the directory and returns the file's path.
    pub fn write(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, content)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Copies a directory tree (the conformance corpus: programs, expected outputs, the modules
/// they import) into `to`, so programs can run with a working directory of their own.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", from.display()))
        .flatten()
    {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target)
                .unwrap_or_else(|e| panic!("cannot create {}: {e}", target.display()));
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target)
                .unwrap_or_else(|e| panic!("cannot copy to {}: {e}", target.display()));
        }
    }
}
