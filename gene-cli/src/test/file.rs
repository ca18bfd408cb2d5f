//! A file of `test` forms: its top level runs once in a fresh VM (declaring the tests), then
//! each test that the filter selects runs as its own task, in order. What a test prints is
//! captured and shown with its failure.

use std::path::Path;
use std::time::{Duration, Instant};

use gene_syntax::line_index::LineIndex;
use gene_vm::testing::TestInfo;
use gene_vm::{CaptureOutput, HostServices, Vm};

use super::outcome::{Outcome, Status};

/// What the runner asks of one file.
pub struct Selection<'a> {
    pub filter: Option<&'a str>,
    /// Stop before the next test (`--fail-fast` after a failure anywhere).
    pub stop: &'a dyn Fn() -> bool,
}

/// Runs the file's tests, handing each result to `report` as it comes.
pub fn run(job: usize, path: &Path, select: &Selection, report: &mut dyn FnMut(Outcome)) {
    let file = path.display().to_string();
    let capture = CaptureOutput::new();
    let (stdout, stderr) = (capture.stdout.clone(), capture.stderr.clone());
    let mut vm = Vm::with_services(HostServices::new(Box::new(capture)));
    let started = Instant::now();
    let whole_file = |message: String, details: String, duration: Duration| Outcome {
        job,
        file: file.clone(),
        name: "(top level)".to_string(),
        status: Status::Failed,
        duration,
        message: Some(message),
        details: Some(details),
        line: None,
        column: None,
    };
    let loaded = match crate::source::load(&mut vm.db, path) {
        Ok(loaded) => loaded,
        Err(e) => return report(whole_file(e.to_string(), String::new(), started.elapsed())),
    };
    let text = loaded.file.text(&vm.db).clone();
    // The name the VM gives the file in traces.
    let traced = loaded.file.path(&vm.db).display().to_string();
    if let Err(error) = vm.run_source_file(loaded.file) {
        let rendered = gene_vm::report::render_run_error(&vm, &error, false);
        let message = rendered.lines().next().unwrap_or("").to_string();
        let details = with_output(rendered, &stdout.borrow(), &stderr.borrow());
        return report(whole_file(message, details, started.elapsed()));
    }
    let lines = LineIndex::new(&text);
    let tests: Vec<TestInfo> = vm.declared_tests();
    for (index, test) in tests.iter().enumerate() {
        if select.filter.is_some_and(|f| !test.name.contains(f)) {
            continue;
        }
        if (select.stop)() {
            return;
        }
        let at = lines.line_col_chars(test.offset.into());
        let mut outcome = Outcome {
            job,
            file: file.clone(),
            name: test.name.clone(),
            status: Status::Skipped,
            duration: Duration::ZERO,
            message: None,
            details: None,
            line: Some(at.line + 1),
            column: Some(at.col + 1),
        };
        if !test.skip {
            stdout.borrow_mut().clear();
            stderr.borrow_mut().clear();
            let started = Instant::now();
            let result = vm.run_test(index);
            outcome.duration = started.elapsed();
            outcome.status = Status::Passed;
            if let Err(failure) = result {
                outcome.status = Status::Failed;
                // The innermost frame in this file: the assertion, or the call that led to it.
                if let Some((_, line, col)) = failure.frames.iter().find(|(p, _, _)| *p == traced) {
                    outcome.line = Some(*line);
                    outcome.column = Some(*col);
                }
                let mut report = failure.report;
                if failure.timed_out {
                    report.push_str(&format!(
                        "  --> {file}:{}:{} (the test)\n",
                        at.line + 1,
                        at.col + 1
                    ));
                }
                outcome.message = Some(failure.message);
                outcome.details = Some(with_output(report, &stdout.borrow(), &stderr.borrow()));
            }
        }
        report(outcome);
    }
}

/// A failure's report followed by what the test printed.
fn with_output(mut report: String, stdout: &str, stderr: &str) -> String {
    for (label, text) in [("stdout", stdout), ("stderr", stderr)] {
        if !text.is_empty() {
            report.push_str(&format!("--- {label}\n{text}"));
            if !text.ends_with('\n') {
                report.push('\n');
            }
        }
    }
    report
}
