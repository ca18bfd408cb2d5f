//! Tests written in Gene (`gene test`): the registry that `test` and `describe` forms fill as
//! a file's top level runs, and running one registered test as its own task with a timeout.
//!
//! A front end (gene-cli's `gene test`) runs the file with [`Vm::run_source_file`], reads
//! [`Vm::declared_tests`], and calls [`Vm::run_test`] for each test it wants, in order. The
//! assertions are ordinary builtins (`builtins/testing.rs`), usable in any program.

pub mod diff;
pub mod golden;

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use crate::compiler::{self, Env};
use crate::value::{Namespace, Value};
use crate::vm::code::{SourceInfo, link};
use crate::vm::{Exc, Trace, Vm};

/// How long a test may run when its form gives no `^timeout`.
pub const DEFAULT_TIMEOUT_MS: u64 = 10_000;

/// The name under which the runner's code sees the test's function.
const BODY: &str = "gene_test_body";

/// Where the runner's own code says it is (its frames are left out of failure reports).
pub(crate) const RUNNER_SOURCE: &str = "<test runner>";

/// One `test` form met while the top level ran.
struct Declared {
    info: TestInfo,
    /// A `^^async` function of the test's body.
    body: Value,
}

/// What a front end knows of a declared test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestInfo {
    /// The name, prefixed by the enclosing `describe` groups (`group > name`).
    pub name: String,
    pub skip: bool,
    pub timeout_ms: u64,
    /// The byte offset of the `test` form in its file.
    pub offset: u32,
}

/// The tests declared so far and the `describe` groups open now.
#[derive(Default)]
pub struct TestRegistry {
    tests: Vec<Declared>,
    groups: Vec<String>,
}

impl TestRegistry {
    pub(crate) fn declare(
        &mut self,
        name: &str,
        skip: bool,
        timeout_ms: u64,
        offset: u32,
        body: Value,
    ) {
        let mut full = String::new();
        for g in &self.groups {
            full.push_str(g);
            full.push_str(" > ");
        }
        full.push_str(name);
        self.tests.push(Declared {
            info: TestInfo {
                name: full,
                skip,
                timeout_ms,
                offset,
            },
            body,
        });
    }

    pub(crate) fn enter_group(&mut self, name: String) {
        self.groups.push(name);
    }

    pub(crate) fn leave_group(&mut self) {
        self.groups.pop();
    }
}

/// Why a test failed.
pub struct TestFailure {
    /// `AssertionError: ...`, as an uncaught exception's first line says it.
    pub message: String,
    /// The report `gene run` would print for the exception (message, source line with a
    /// caret, stack trace), without the runner's own frames.
    pub report: String,
    /// Where it was thrown: (path, 1-based line, 1-based column) of each frame, innermost
    /// first. Empty for a timeout, which belongs to the test form itself.
    pub frames: Vec<(String, u32, u32)>,
    /// The test did not finish within its timeout.
    pub timed_out: bool,
}

impl Vm {
    /// The tests the code run so far declared, in the order their forms ran.
    pub fn declared_tests(&self) -> Vec<TestInfo> {
        self.services
            .tests
            .tests
            .iter()
            .map(|t| t.info.clone())
            .collect()
    }

    /// Runs declared test `index` as its own task, with everything it starts, until it ends
    /// or its timeout passes (then it is cancelled). The tasks of other tests never overlap
    /// it: each runs to the end first.
    pub fn run_test(&mut self, index: usize) -> Result<(), TestFailure> {
        let Some(test) = self.services.tests.tests.get(index) else {
            return Err(TestFailure {
                message: format!("no test number {index}"),
                report: String::new(),
                frames: Vec::new(),
                timed_out: false,
            });
        };
        let body = test.body.clone();
        let timeout = test.info.timeout_ms;
        let text = format!("(await (gene/timeout {timeout} ({BODY})))");
        let env = Env {
            names: vec![BODY.to_string()],
            export_top_level: false,
        };
        let proto = Arc::new(compiler::compile_eval(
            &gene_syntax::parse_text(&text).forms(),
            &env,
        ));
        let code = link(&proto, &SourceInfo::new(RUNNER_SOURCE, Arc::new(text)), &[]);
        let cell = Rc::new(RefCell::new(body));
        let (result, _) = self.run_unit(code, Namespace::new("main", None), &[cell]);
        match result {
            Ok(_) => Ok(()),
            Err(exc) => Err(self.failure(exc, timeout)),
        }
    }

    fn failure(&self, exc: Exc, timeout: u64) -> TestFailure {
        let trace = exc.trace.clone().or_else(|| match &exc.value {
            Value::Instance(i) => i.trace.borrow().clone(),
            _ => None,
        });
        let entries: Vec<_> = trace
            .as_ref()
            .map(|t| {
                t.entries
                    .iter()
                    .filter(|e| e.source.path != RUNNER_SOURCE)
                    .map(|e| e.clone_entry())
                    .collect()
            })
            .unwrap_or_default();
        // Thrown by the runner's own code: only `gene/timeout` does that.
        if entries.is_empty() && trace.is_some_and(|t| !t.entries.is_empty()) {
            let message = format!("timed out after {timeout} ms (the test was cancelled)");
            return TestFailure {
                report: format!("Error: {message}\n"),
                message,
                frames: Vec::new(),
                timed_out: true,
            };
        }
        let frames = entries
            .iter()
            .map(|e| {
                let lc = e.source.line_index.line_col_chars(e.range.start());
                (e.source.path.clone(), lc.line + 1, lc.col + 1)
            })
            .collect();
        let shown = Exc {
            trace: Some(Rc::new(Trace {
                entries,
                omitted: 0,
            })),
            ..exc
        };
        TestFailure {
            message: self.describe_exception(&shown.value),
            report: crate::report::render_uncaught(self, &shown),
            frames,
            timed_out: false,
        }
    }
}
