//! What the server and a run's child process say to each other, as newline-delimited JSON over
//! a socket of their own (never the program's stdin, stdout or stderr).
//!
//! - The server sends one line, the [`RunRequest`], then [`Command`]s (`{"command":"tasks"}`:
//!   send the task tree); closing its side of the socket asks the run to stop.
//! - The child sends [`Event`]s: the program's output in the order it was written, its progress
//!   reports, the task tree when asked ([`Event::Tasks`]), and at the end one of [`Event::Finished`], [`Event::Uncaught`] or
//!   [`Event::Failed`]. A child that dies before it sends one of those (a signal, an abort when
//!   memory runs out) is reported from its exit status.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What to run and how.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunRequest {
    /// The path the program runs as (imports resolve from it; traces name it).
    pub path: String,
    /// The program: the editor's text, unsaved changes included.
    pub text: String,
    /// The cap on the child's memory, in MiB; `None` for none.
    pub max_memory_mb: Option<u64>,
    /// Run the tests the program declares (after its top level), not only the program.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tests: Option<TestSelection>,
}

/// Which declared tests a test run runs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestSelection {
    /// Full names (`group > name`, as `gene/discoverTests` gives them as ids): a test runs
    /// when its name is one of them or lies inside one (a `describe` group). `None`: all.
    pub ids: Option<Vec<String>>,
}

impl TestSelection {
    pub fn selects(&self, name: &str) -> bool {
        match &self.ids {
            None => true,
            Some(ids) => ids.iter().any(|id| {
                name == id
                    || name
                        .strip_prefix(id.as_str())
                        .is_some_and(|rest| rest.starts_with(" > "))
            }),
        }
    }
}

/// One test's result, in a test run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestEvent {
    /// The test's full name.
    pub id: String,
    /// `passed`, `failed` or `skipped`.
    pub status: String,
    pub duration_ms: u64,
    /// Why it failed (the assertion's message, its diff included).
    pub message: Option<String>,
    /// Byte offset of the `test` form in the program.
    pub offset: u32,
    /// 1-based line in the program where the failure was thrown (the assertion, or the call
    /// in this file that led to it); `None` when it belongs to the test form (a timeout).
    pub failed_line: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stream {
    Stdout,
    Stderr,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "camelCase")]
pub enum Event {
    /// Text the program wrote (consecutive writes to one stream come as one event).
    Output { stream: Stream, text: String },
    /// A progress report of the program (`gene/progress`), percentage in 0..=100.
    Progress {
        message: Option<String>,
        percentage: Option<u32>,
    },
    /// The live tasks, answering [`Command::Tasks`].
    Tasks { tasks: Vec<TaskEntry> },
    /// A test ended (test runs only; they come after the top level ran, before `Finished`).
    Test(TestEvent),
    /// The program ran to its end.
    Finished,
    /// The program ended itself with a non-zero status (`(gene/exit n)`), nothing to report.
    Exited { status: i32 },
    /// The program ended with an exception nobody caught. Its report (as `gene run` prints
    /// it) came before as stderr output.
    Uncaught(Uncaught),
    /// The program did not run (syntax or compile errors) or could not go on (the VM failed).
    /// Its report came before as stderr output.
    Failed,
}

impl Event {
    /// Whether this event ends the run.
    pub fn is_end(&self) -> bool {
        matches!(
            self,
            Event::Finished | Event::Exited { .. } | Event::Uncaught(_) | Event::Failed
        )
    }
}

/// An exception nobody caught.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Uncaught {
    /// `TypeError: ...`, as the first line of `gene run`'s report says it.
    pub message: String,
    /// The stack trace, innermost frame first.
    pub frames: Vec<TraceFrame>,
    /// Frames left out of the middle of a deep trace.
    pub omitted: usize,
    /// The text of each file the frames are in (byte ranges need it to become positions),
    /// and of the file run when tasks below point into it.
    pub sources: BTreeMap<String, String>,
    /// The tasks that were waiting when a deadlock was found (each at its `await`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deadlocked: Vec<TaskEntry>,
    /// Where the failed future was made, when this is a failure nobody observed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<SiteEntry>,
    /// The other failures nobody observed (their reports came before as stderr output).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unobserved: Vec<Uncaught>,
}

/// One frame of an uncaught error's stack trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TraceFrame {
    pub function: String,
    /// The path the VM knows the source by (the run's own path for the file run).
    pub path: String,
    /// Byte offsets into the source.
    pub start: u32,
    pub end: u32,
}

/// What the server asks of a running child after the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "camelCase")]
pub enum Command {
    /// Send the task tree ([`Event::Tasks`]) at the program's next checkpoint.
    Tasks,
}

/// One live task of the program (`gene/tasks` in the protocol, and the deadlocked ones of
/// [`Uncaught`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskEntry {
    pub id: u64,
    pub name: String,
    pub parent: Option<u64>,
    /// `running`, `ready` or `waiting`.
    pub state: String,
    /// Where it is: the `await` it waits at, or where it runs.
    pub site: Option<SiteEntry>,
    /// Where it was started (none for the main program).
    pub created: Option<SiteEntry>,
    pub waiting_on: Option<String>,
    pub waiting_ms: Option<u64>,
}

/// A place in a file: 1-based line and column (characters).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteEntry {
    pub path: String,
    pub line: u32,
    pub col: u32,
}

impl From<gene_vm::Site> for SiteEntry {
    fn from(s: gene_vm::Site) -> SiteEntry {
        SiteEntry {
            path: s.path,
            line: s.line,
            col: s.col,
        }
    }
}

impl From<gene_vm::TaskInfo> for TaskEntry {
    fn from(t: gene_vm::TaskInfo) -> TaskEntry {
        let site = SiteEntry::from;
        TaskEntry {
            id: t.id,
            name: t.name,
            parent: t.parent,
            state: t.state.name().to_string(),
            site: t.site.map(site),
            created: t.created_at.map(site),
            waiting_on: t.waiting_on,
            waiting_ms: t.waiting_ms,
        }
    }
}
