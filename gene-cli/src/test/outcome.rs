//! What running one test gives, whatever the kind of test.

use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Passed,
    Failed,
    Skipped,
}

impl Status {
    /// The word of the JSON output.
    pub fn json_name(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
        }
    }
}

/// One test's result.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Which job (file) it belongs to, in discovery order.
    pub job: usize,
    /// The file, as the user named it.
    pub file: String,
    /// The test's full name (`group > name`); a golden test's is its file name.
    pub name: String,
    pub status: Status,
    pub duration: Duration,
    /// Why it failed, in a line or a few (the assertion's message).
    pub message: Option<String>,
    /// Everything about the failure: the message, diff, source line with a caret and stack
    /// trace, then what the test printed.
    pub details: Option<String>,
    /// 1-based line and column: where a failure was thrown in the file, else the test form.
    pub line: Option<u32>,
    pub column: Option<u32>,
}
