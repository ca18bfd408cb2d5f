//! Test runs: `gene.runTests` `[{uri, ids?}]` runs a document's tests in a run's child process
//! (the text as the editor has it, as "Run file" does), answering `{runId}` at once. The child
//! runs the top level, then each selected test as its own task through `gene_vm::testing`, and
//! sends a [`TestEvent`] per test; the server passes each on as a `gene/testResult`
//! `{runId, id, status, durationMs, message, location}` notification, and the run ends with
//! `gene/runEnd` (its `tests` counts; status `error` when a test failed). What the tests print
//! streams as `gene/runOutput`, as a run's output does.
//!
//! A golden program (`NAME.out` beside it) is one test: the run itself, in the program's
//! folder, its output judged by `gene_vm::testing::golden` at the end (`forward.rs`).
//!
//! A failed test becomes a diagnostic (source `gene test`) at the line its failure was thrown
//! (else its `test` form), kept apart from the analysis and run diagnostics and merged with
//! them when published, until the next test run of the document.

use std::time::Instant;

use gene_syntax::TextRange;
use ropey::Rope;
use serde::{Deserialize, Serialize};
use tower_lsp_server::lsp_types::notification::Notification;
use tower_lsp_server::lsp_types::{Diagnostic, DiagnosticSeverity, Location, Range, Uri};

use super::child::Queue;
use super::wire::{Event, TestEvent, TestSelection};
use crate::position::{LineMap, PositionEncoding};

pub const RUN_TESTS_COMMAND: &str = "gene.runTests";

/// The `source` of test diagnostics.
pub const TEST_SOURCE: &str = "gene test";

#[derive(Deserialize)]
pub(super) struct RunTestsArgs {
    pub uri: Uri,
    pub ids: Option<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestResultParams {
    pub run_id: String,
    /// The id `gene/discoverTests` gives the test: its full name.
    pub id: String,
    /// `passed`, `failed` or `skipped`.
    pub status: String,
    pub duration_ms: u64,
    pub message: Option<String>,
    /// Where the failure was thrown, else the test form's line.
    pub location: Location,
}

/// `gene/testResult`.
pub enum TestResult {}

impl Notification for TestResult {
    type Params = TestResultParams;
    const METHOD: &'static str = "gene/testResult";
}

/// How the tests of a run went, in its `gene/runEnd`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestCounts {
    pub passed: u32,
    pub failed: u32,
    pub skipped: u32,
}

impl TestCounts {
    pub fn add(&mut self, status: &str) {
        match status {
            "passed" => self.passed += 1,
            "failed" => self.failed += 1,
            _ => self.skipped += 1,
        }
    }
}

/// In the child, once the top level ran: runs the selected tests in order, sending an event
/// for each.
pub fn run_declared(vm: &mut gene_vm::Vm, path: &str, selection: &TestSelection, queue: &Queue) {
    for (index, test) in vm.declared_tests().into_iter().enumerate() {
        if !selection.selects(&test.name) {
            continue;
        }
        let mut event = TestEvent {
            id: test.name,
            status: "skipped".to_string(),
            duration_ms: 0,
            message: None,
            offset: test.offset,
            failed_line: None,
        };
        if !test.skip {
            let started = Instant::now();
            let result = vm.run_test(index);
            vm.services.output().flush();
            event.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            event.status = "passed".to_string();
            if let Err(failure) = result {
                event.status = "failed".to_string();
                event.failed_line = failure
                    .frames
                    .iter()
                    .find(|(p, _, _)| p == path)
                    .map(|(_, line, _)| *line);
                event.message = Some(failure.message);
            }
        }
        queue.send(Event::Test(event));
    }
}

/// The server's side of a test run: the program's text, to place results.
pub(super) struct Placer {
    text: Rope,
    encoding: PositionEncoding,
}

impl Placer {
    pub fn new(text: &str, encoding: PositionEncoding) -> Placer {
        Placer {
            text: Rope::from_str(text),
            encoding,
        }
    }

    /// The result as the client sees it, and the diagnostic of a failure.
    pub fn place(
        &self,
        run_id: &str,
        uri: &Uri,
        event: TestEvent,
    ) -> (TestResultParams, Option<Diagnostic>) {
        let map = LineMap::new(&self.text, self.encoding);
        let form_line = map.position((event.offset.min(self.text.len_bytes() as u32)).into());
        let line = event
            .failed_line
            .map_or(form_line.line as usize, |l| l.saturating_sub(1) as usize);
        let range = self.line_range(&map, line);
        let diagnostic = (event.status == "failed").then(|| Diagnostic {
            range,
            severity: Some(DiagnosticSeverity::ERROR),
            source: Some(TEST_SOURCE.to_string()),
            message: format!(
                "test \"{}\" failed: {}",
                event.id,
                event.message.as_deref().unwrap_or("")
            ),
            ..Default::default()
        });
        let params = TestResultParams {
            run_id: run_id.to_string(),
            id: event.id,
            status: event.status,
            duration_ms: event.duration_ms,
            message: event.message,
            location: Location::new(uri.clone(), range),
        };
        (params, diagnostic)
    }

    /// Line `line` (0-based) without its indentation and line break.
    fn line_range(&self, map: &LineMap<'_>, line: usize) -> Range {
        let line = line.min(self.text.len_lines().saturating_sub(1));
        let start = self.text.line_to_byte(line);
        let text = self.text.line(line).to_string();
        let body = text.trim_end_matches(['\n', '\r']);
        let indent = body.len() - body.trim_start().len();
        let range = TextRange::new(
            ((start + indent) as u32).into(),
            ((start + body.len()) as u32).into(),
        );
        map.range(range)
    }
}

/// The arguments of a test run, for the child.
pub(super) fn selection(ids: Option<Vec<String>>) -> TestSelection {
    TestSelection { ids }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_select_a_test_or_the_tests_of_a_group() {
        let only = |ids: &[&str]| TestSelection {
            ids: Some(ids.iter().map(|s| s.to_string()).collect()),
        };
        assert!(TestSelection::default().selects("anything"));
        assert!(only(&["adds"]).selects("adds"));
        assert!(!only(&["adds"]).selects("adds more"));
        assert!(only(&["group"]).selects("group > inner"));
        assert!(!only(&["group"]).selects("groups > inner"));
        assert!(only(&["a", "b > c"]).selects("b > c"));
    }

    #[test]
    fn a_failure_sits_on_the_line_it_was_thrown() {
        let text = "(test \"t\"\n  (assert_eq 1 2))\n";
        let placer = Placer::new(text, PositionEncoding::Utf16);
        let uri: Uri = "file:///w/a_test.gene".parse().unwrap();
        let (params, diagnostic) = placer.place(
            "run-1",
            &uri,
            TestEvent {
                id: "t".into(),
                status: "failed".into(),
                duration_ms: 1,
                message: Some("AssertionError: no".into()),
                offset: 0,
                failed_line: Some(2),
            },
        );
        let range = params.location.range;
        assert_eq!(
            (range.start.line, range.start.character, range.end.character),
            (1, 2, 18)
        );
        let diagnostic = diagnostic.unwrap();
        assert_eq!(diagnostic.range, range);
        assert_eq!(diagnostic.source.as_deref(), Some("gene test"));
        assert!(diagnostic.message.contains("AssertionError: no"));
        let (passed, none) = placer.place(
            "run-1",
            &uri,
            TestEvent {
                id: "t".into(),
                status: "passed".into(),
                duration_ms: 1,
                message: None,
                offset: 0,
                failed_line: None,
            },
        );
        assert!(none.is_none());
        assert_eq!(passed.location.range.start.line, 0);
    }
}
