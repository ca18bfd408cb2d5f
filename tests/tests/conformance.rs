//! The conformance corpus: every `tests/conformance/NAME.gene` runs in process through the
//! gene-vm library with captured output.
//!
//! - `NAME.out`: the exact expected stdout (required).
//! - `NAME.err`: text the stderr must contain (an uncaught error's report), optional.
//! - `NAME.status`: the expected exit status as `gene run` would give it (0 when absent; 1 for
//!   an uncaught error or a syntax error).
//!
//! All programs run; the failures are reported together.

use std::path::{Path, PathBuf};

use gene_vm::{CaptureOutput, RunError, Vm};

struct Outcome {
    stdout: String,
    stderr: String,
    status: i32,
}

fn run_program(path: &Path) -> Outcome {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let output = CaptureOutput::new();
    let mut vm = Vm::new(Box::new(output.clone()));
    vm.set_args(vec!["first".into(), "second".into()]);
    let display = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let result = vm.run_source(&display, text);
    let (stderr_extra, status) = match result {
        Ok(_) => (String::new(), 0),
        Err(RunError::Uncaught(exc)) => (gene_vm::report::render_uncaught(&vm, &exc), 1),
        Err(RunError::Syntax { diagnostics, .. }) => (
            diagnostics
                .iter()
                .map(|d| format!("error[{}]: {}\n", d.code, d.message))
                .collect(),
            1,
        ),
        Err(RunError::Io(m)) => (m, 2),
    };
    Outcome {
        stdout: output.stdout_text(),
        stderr: output.stderr_text() + &stderr_extra,
        status,
    }
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("conformance")
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
    let mut failures = Vec::new();
    // Programs run with the corpus directory as the working directory (imports, files).
    let _ = std::env::set_current_dir(corpus_dir());
    for path in &programs {
        let expected_out = std::fs::read_to_string(path.with_extension("out"))
            .unwrap_or_else(|_| panic!("{} has no .out file", path.display()));
        let expected_err = std::fs::read_to_string(path.with_extension("err")).ok();
        let expected_status: i32 = std::fs::read_to_string(path.with_extension("status"))
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0);
        let outcome = run_program(path);
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        if outcome.stdout != expected_out {
            failures.push(format!(
                "{name}: stdout differs\n--- expected\n{expected_out}--- actual\n{}--- stderr\n{}",
                outcome.stdout, outcome.stderr
            ));
            continue;
        }
        if outcome.status != expected_status {
            failures.push(format!(
                "{name}: exit status {} (expected {expected_status})\n--- stderr\n{}",
                outcome.status, outcome.stderr
            ));
            continue;
        }
        if let Some(err) = expected_err {
            let err = err.trim_end_matches('\n');
            if !outcome.stderr.contains(err) {
                failures.push(format!(
                    "{name}: stderr lacks {err:?}\n--- stderr\n{}",
                    outcome.stderr
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} programs failed:\n\n{}",
        failures.len(),
        programs.len(),
        failures.join("\n\n")
    );
}
