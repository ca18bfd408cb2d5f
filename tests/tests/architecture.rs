//! ARCHITECTURE.md stays true: every file or folder it names in backticks exists. A path with a
//! `/` is looked up from the repository root, then inside each crate, its `src/` and `tests/`
//! (the crate tables name files relative to their crate's sources); a bare file name (`emit.rs`
//! in the row of `compiler/`) must name some file in the repository.

use std::path::Path;

use gene_tests::workspace_root;

/// Backticked spans that look like paths: a known extension, or a trailing `/`.
fn named_paths(text: &str) -> Vec<String> {
    const EXTENSIONS: [&str; 8] = [
        ".rs", ".md", ".toml", ".sh", ".gene", ".ts", ".lua", ".json",
    ];
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|span| !span.contains(char::is_whitespace) && !span.is_empty())
        // `.gene` alone is an extension, not a file.
        .filter(|span| !span.starts_with('.') || span.starts_with("./"))
        .filter(|span| !span.contains(['*', '<', '>', '(', ')', '$', '{', '}', '|', '"']))
        .filter(|span| span.ends_with('/') || EXTENSIONS.iter().any(|e| span.ends_with(e)))
        .map(str::to_string)
        .collect()
}

/// The places a path in ARCHITECTURE.md may be relative to.
fn bases(root: &Path) -> Vec<std::path::PathBuf> {
    let mut bases = vec![root.to_path_buf()];
    for entry in std::fs::read_dir(root).into_iter().flatten().flatten() {
        let dir = entry.path();
        if dir.join("Cargo.toml").is_file() || dir.join("package.json").is_file() {
            for sub in [
                "src",
                "src/vm",
                "src/analysis",
                "src/builtins",
                "tests",
                ".",
            ] {
                bases.push(dir.join(sub));
            }
        }
    }
    for sub in [
        "editors/vscode",
        "editors/nvim",
        "editors/vscode/src",
        "editors/nvim/lua/gene",
    ] {
        bases.push(root.join(sub));
    }
    bases
}

/// Names in backticks that look like paths but name no repository file on purpose.
const NOT_REPOSITORY_FILES: [&str; 3] = [
    // The project file users write; the analysis and the resolver look for it.
    "gene.toml",
    // A code action kind of the language server.
    "source.fixAll.gene",
    // An example in the import resolver's rules.
    "utils.v2.gene",
];

/// Every file name in the repository (build output and installed packages aside).
fn file_names(dir: &Path, names: &mut std::collections::HashSet<String>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if matches!(name.as_str(), "target" | "node_modules" | ".git") {
            continue;
        }
        if entry.path().is_dir() {
            file_names(&entry.path(), names);
        }
        names.insert(name);
    }
}

fn exists(
    path: &str,
    bases: &[std::path::PathBuf],
    names: &std::collections::HashSet<String>,
) -> bool {
    let path = path.trim_start_matches("./");
    if NOT_REPOSITORY_FILES.contains(&path) {
        return true;
    }
    if !path.trim_end_matches('/').contains('/') && names.contains(path.trim_end_matches('/')) {
        return true;
    }
    bases.iter().any(|b| b.join(path).exists())
}

#[test]
fn every_path_in_architecture_md_exists() {
    let root = workspace_root();
    let text = std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let bases = bases(root);
    let mut names = std::collections::HashSet::new();
    file_names(root, &mut names);
    let missing: Vec<String> = named_paths(&text)
        .into_iter()
        .filter(|p| !exists(p, &bases, &names))
        .collect();
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md names paths that do not exist:\n  {}",
        missing.join("\n  ")
    );
}

#[test]
fn the_path_finder_sees_paths_and_skips_code() {
    let found = named_paths("`parser/mod.rs` holds `(fn f [])`, `vm/` and `gene run FILE`");
    assert_eq!(found, vec!["parser/mod.rs".to_string(), "vm/".to_string()]);
}
