//! The conformance corpus: every `tests/conformance/NAME.gene` runs as `gene run NAME.gene
//! ARGS...` does for a user.
//!
//! - `NAME.args`: the program's arguments, separated by whitespace (none when absent).
//! - `NAME.out`: the exact expected stdout (required).
//! - `NAME.err`: text the stderr must contain (an uncaught error's report), optional.
//! - `NAME.status`: the expected exit status (0 when absent; 1 for an uncaught error or a
//!   syntax error).
//!
//! The corpus is copied into a temporary directory, which is each program's working directory:
//! programs that write files write there, never into the repository, and the test process's
//! own working directory is never changed. All programs run (two at a time); the failures are
//! reported together.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use gene_tests::{TempDir, copy_tree, gene_bin};

struct Outcome {
    stdout: String,
    stderr: String,
    status: i32,
}

fn run_program(gene: &Path, dir: &Path, name: &str, args: &[String]) -> Outcome {
    match Command::new(gene)
        .args(["run", "--no-progress", name])
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
    {
        Ok(out) => Outcome {
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            status: out.status.code().unwrap_or(-1),
        },
        Err(e) => Outcome {
            stdout: String::new(),
            stderr: format!("cannot start {}: {e}", gene.display()),
            status: -1,
        },
    }
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("conformance")
}

/// The failure of one program, or None when it behaved as expected.
fn check(gene: &Path, dir: &Path, path: &Path) -> Option<String> {
    let expected_out = std::fs::read_to_string(path.with_extension("out"))
        .unwrap_or_else(|_| panic!("{} has no .out file", path.display()));
    let expected_err = std::fs::read_to_string(path.with_extension("err")).ok();
    let expected_status: i32 = std::fs::read_to_string(path.with_extension("status"))
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0);
    let file_name = path.file_name()?.to_string_lossy().to_string();
    let args: Vec<String> = std::fs::read_to_string(path.with_extension("args"))
        .map(|s| s.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    let outcome = run_program(gene, dir, &file_name, &args);
    let name = path.file_stem()?.to_string_lossy().to_string();
    if outcome.stdout != expected_out {
        return Some(format!(
            "{name}: stdout differs\n--- expected\n{expected_out}--- actual\n{}--- stderr\n{}",
            outcome.stdout, outcome.stderr
        ));
    }
    if outcome.status != expected_status {
        return Some(format!(
            "{name}: exit status {} (expected {expected_status})\n--- stderr\n{}",
            outcome.status, outcome.stderr
        ));
    }
    let err = expected_err?;
    let err = err.trim_end_matches('\n');
    (!outcome.stderr.contains(err)).then(|| {
        format!(
            "{name}: stderr lacks {err:?}\n--- stderr\n{}",
            outcome.stderr
        )
    })
}

#[test]
fn conformance_corpus() {
    let mut programs: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("tests/conformance exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "gene"))
        .collect();
    programs.sort();
    assert!(
        programs.len() >= 150,
        "the corpus has only {} programs",
        programs.len()
    );
    let gene = gene_bin();
    let work = TempDir::new("conformance");
    copy_tree(&corpus_dir(), work.path());
    let next = Mutex::new(programs.iter());
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                while let Some(path) = next.lock().map(|mut it| it.next()).ok().flatten() {
                    if let Some(failure) = check(&gene, work.path(), path) {
                        failures
                            .lock()
                            .expect("no test thread panicked")
                            .push(failure);
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().expect("no test thread panicked");
    failures.sort();
    assert!(
        failures.is_empty(),
        "{} of {} programs failed:\n\n{}",
        failures.len(),
        programs.len(),
        failures.join("\n\n")
    );
}
