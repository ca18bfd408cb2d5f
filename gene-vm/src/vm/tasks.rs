//! What the async program is doing: a snapshot of every live task (its id, name, parent,
//! state, where it was started and where it waits, and on what), and the one-line-per-task
//! tree that `gene run` prints on SIGQUIT, on a deadlock and when the program fails with tasks
//! still alive.
//!
//! Almost nothing is recorded for this while the program runs: a task's serial and its
//! parent's when it starts, and a coarse timestamp when it parks. Everything else is read off
//! the tasks when a snapshot is taken: the name from the first frame's function, the await site
//! from the op the parked frame stopped at, what it waits for from the future on its stack
//! and that future's producer (a task, a reactor operation, Gene code).

use std::fmt::Write as _;
use std::rc::Rc;
use std::time::Instant;

use super::sched::OpTarget;
use super::{Task, Vm};
use crate::bytecode::{Op, await_operands};
use crate::value::future::{Origin, Producer};
use crate::value::{FutureObj, Value};

/// Where a task is in its life (a task that ended is no longer live, so a snapshot holds the
/// first three only; the others are for records of ended tasks, as the timeline keeps).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TaskState {
    Running,
    Ready,
    Waiting,
    Done,
    Failed,
    Cancelled,
}

impl TaskState {
    pub fn name(self) -> &'static str {
        match self {
            TaskState::Running => "running",
            TaskState::Ready => "ready",
            TaskState::Waiting => "waiting",
            TaskState::Done => "done",
            TaskState::Failed => "failed",
            TaskState::Cancelled => "cancelled",
        }
    }
}

/// A place in a source file, 1-based line and column (in characters).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Site {
    pub path: String,
    pub line: u32,
    pub col: u32,
}

impl std::fmt::Display for Site {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.path, self.line, self.col)
    }
}

/// One live task.
#[derive(Clone, Debug)]
pub struct TaskInfo {
    /// Its serial: unique for the whole run (slots are reused, serials are not).
    pub id: u64,
    /// The `^^async` function's name, `async@file:line` for an `async` block, `main` for the
    /// program.
    pub name: String,
    /// The task that started it (it may have ended since).
    pub parent: Option<u64>,
    pub state: TaskState,
    /// Where it was started (the call or `async` form); none for the main program.
    pub created_at: Option<Site>,
    /// Where it is: the `await` it waits at, or the code it runs or resumes at.
    pub site: Option<Site>,
    /// What it waits for, in words (`gene/sleep_async (40 ms left)`, `task 3`...).
    pub waiting_on: Option<String>,
    /// How long it has been waiting.
    pub waiting_ms: Option<u64>,
}

/// What went wrong with the tasks of a run, kept for hosts that show it (the editor's run
/// shows these tasks as diagnostics where they wait or failed): the tasks waiting when a
/// deadlock was found, and the failures nobody observed.
#[derive(Clone, Default)]
pub struct TaskTrouble {
    /// The live tasks (all waiting) when the first deadlock was found.
    pub deadlock: Vec<TaskInfo>,
    pub unobserved: Vec<UnobservedFailure>,
}

/// A failed future nobody awaited or handled.
#[derive(Clone)]
pub struct UnobservedFailure {
    /// `TypeError: ...`, as the report's first line says it.
    pub message: String,
    /// Where it was thrown.
    pub trace: Option<Rc<super::Trace>>,
    /// Where its future was made (the call of the task, the `async` form, the callback).
    pub created_at: Option<Site>,
    /// It is the error the run ended with (the others were reported on stderr before it).
    pub ends_run: bool,
}

impl Vm {
    /// Every live task, by id: the running one, the ready ones and the waiting ones.
    pub fn task_snapshot(&self) -> Vec<TaskInfo> {
        let now = super::clock::coarse_ms();
        let mut out = Vec::new();
        if !self.task.frames.is_empty() {
            out.push(self.task_info(&self.task, TaskState::Running, now));
        }
        for task in self.sched.tasks.iter().flatten() {
            let state = if task.meta.token != 0 {
                TaskState::Waiting
            } else {
                TaskState::Ready
            };
            out.push(self.task_info(task, state, now));
        }
        out.sort_by_key(|t| t.id);
        out
    }

    /// What went wrong with the tasks since the last call (a deadlock, unobserved failures).
    pub fn take_task_trouble(&mut self) -> TaskTrouble {
        std::mem::take(&mut self.trouble)
    }

    pub(super) fn task_info(&self, task: &Task, state: TaskState, now: u64) -> TaskInfo {
        let meta = &task.meta;
        let waiting = state == TaskState::Waiting;
        TaskInfo {
            id: meta.serial,
            name: self.task_name(task),
            parent: (meta.parent != 0).then_some(meta.parent),
            state,
            created_at: meta
                .future
                .as_ref()
                .and_then(|f| f.origin.as_ref())
                .and_then(origin_site),
            site: task_site(task),
            waiting_on: if waiting {
                Some(self.waited_for(task, true))
            } else {
                None
            },
            waiting_ms: waiting.then(|| now.saturating_sub(meta.waiting_since)),
        }
    }

    pub(super) fn task_name(&self, task: &Task) -> String {
        if task.meta.future.is_none() {
            return "main".to_string();
        }
        let Some(first) = task.frames.first() else {
            return "task".to_string();
        };
        let closure = &first.closure;
        if self
            .callback_entry
            .as_ref()
            .is_some_and(|entry| Rc::ptr_eq(entry, closure))
        {
            // `(fnx [cb v] (cb v))` with the callback in slot 1.
            return match task.stack.get(1) {
                Some(Value::Func(f)) => format!("callback {}", f.name()),
                _ => "callback".to_string(),
            };
        }
        let proto = &closure.code.proto;
        if proto.name == "<async>" {
            let source = &closure.code.source;
            let line = source.line_index.line_col(proto.range.start()).line + 1;
            return format!("async@{}:{line}", source.path);
        }
        proto.name.clone()
    }

    /// What a parked task waits for; with `time_left`, a timer says how long it has to go.
    pub(super) fn waited_for(&self, task: &Task, time_left: bool) -> String {
        if task.meta.idle_waiter {
            return "gene/await_all (until nothing else can run)".to_string();
        }
        match awaited_future(task) {
            Some((future, others)) => {
                let what = self.describe_future(&future, 0, time_left);
                match others {
                    0 => what,
                    n => format!("{what} (and {n} more)"),
                }
            }
            None => "an async generator's close".to_string(),
        }
    }

    /// A future in words: who will settle it.
    fn describe_future(&self, future: &FutureObj, depth: u32, time_left: bool) -> String {
        match &*future.producer.borrow() {
            Producer::Task(slot) => match self.serial_of_slot(*slot) {
                Some(id) => format!("task {id}"),
                None => "a task".to_string(),
            },
            Producer::Op(op) => match self.sched.ops.get(op) {
                Some(entry) => {
                    let deadline = entry.deadline.filter(|_| time_left);
                    describe_op(&entry.target, deadline, future)
                }
                None => "an operation".to_string(),
            },
            Producer::Adopts(inner) if depth < 8 => {
                self.describe_future(inner, depth + 1, time_left)
            }
            Producer::Adopts(_) | Producer::Manual => match &future.origin {
                Some(origin) => match origin_site(origin) {
                    Some(site) => format!("gene/Future created at {site}"),
                    None => "gene/Future".to_string(),
                },
                None => "gene/Future".to_string(),
            },
        }
    }
}

impl Vm {
    /// The serial of the task in slot `slot` (the running one or a parked or ready one).
    pub(super) fn serial_of_slot(&self, slot: usize) -> Option<u64> {
        if self.task.meta.id == slot && !self.task.frames.is_empty() {
            Some(self.task.meta.serial)
        } else {
            self.sched
                .tasks
                .get(slot)
                .and_then(|t| t.as_ref())
                .map(|t| t.meta.serial)
        }
    }
}

/// The future a task parked in `await` waits for (the first one not settled) and how many
/// more that `await` waits for after it.
pub(super) fn awaited_future(task: &Task) -> Option<(Rc<FutureObj>, usize)> {
    let frame = task.frames.last()?;
    let Some(Op::Await(flags)) = frame.closure.code.proto.ops.get(frame.ip as usize) else {
        return None;
    };
    let (count, spread, has_timeout) = await_operands(*flags);
    let operands = if spread { 1 } else { count as usize };
    let first = task
        .stack
        .len()
        .checked_sub(operands + has_timeout as usize)?;
    let index = task.meta.await_index as usize;
    if spread {
        match task.stack.get(first)? {
            Value::Array(a) => pending_among(&a.borrow(), index),
            _ => None,
        }
    } else {
        pending_among(task.stack.get(first..first + operands)?, index)
    }
}

/// The first future of `items` from `index` on that is not settled, and how many more after it.
fn pending_among(items: &[Value], index: usize) -> Option<(Rc<FutureObj>, usize)> {
    let pending = items
        .iter()
        .skip(index)
        .position(|v| matches!(v, Value::Future(f) if !f.done.get()))?
        + index;
    let Some(Value::Future(f)) = items.get(pending) else {
        return None;
    };
    let more = items
        .iter()
        .skip(pending + 1)
        .filter(|v| matches!(v, Value::Future(f) if !f.done.get()))
        .count();
    Some((f.clone(), more))
}

fn describe_op(target: &OpTarget, deadline: Option<Instant>, future: &FutureObj) -> String {
    let left = || match deadline {
        Some(d) => {
            let ms = d.saturating_duration_since(Instant::now()).as_millis();
            format!(" ({ms} ms left)")
        }
        None => String::new(),
    };
    match target {
        OpTarget::Sleep(_) => format!("gene/sleep_async{}", left()),
        OpTarget::FutureTimeout { ms, .. } => {
            format!("gene/timeout {}{}", super::fmt_ms(*ms), left())
        }
        OpTarget::AwaitTimeout { .. } => format!("await ^timeout{}", left()),
        OpTarget::Io { action, path, .. } => format!("file {action} {path:?}"),
        OpTarget::Job(job) => match &job.label {
            Some(label) => label.to_string(),
            None => call_text(future).unwrap_or_else(|| "a background job".to_string()),
        },
        OpTarget::Stream(_) => "a stream (a server)".to_string(),
    }
}

/// The source text of the call that made a future (`(db .exec_async "...")`), on one line and
/// cut short.
fn call_text(future: &FutureObj) -> Option<String> {
    const MAX: usize = 80;
    let origin = future.origin.as_ref()?;
    let range = origin
        .code
        .proto
        .range_at(origin.ip.saturating_sub(1) as usize);
    let text = origin
        .code
        .source
        .text
        .get(usize::from(range.start())..usize::from(range.end()))?;
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= MAX {
        return Some(one_line);
    }
    let cut: String = one_line.chars().take(MAX).collect();
    Some(format!("{cut}..."))
}

/// Where a task is: its top frame's op (the `await` a parked task stopped at; the op before
/// the next one otherwise).
pub(super) fn task_site(task: &Task) -> Option<Site> {
    let frame = task.frames.last()?;
    let code = &frame.closure.code;
    let at_await = matches!(code.proto.ops.get(frame.ip as usize), Some(Op::Await(_)));
    let ip = if at_await {
        frame.ip
    } else {
        frame.ip.saturating_sub(1)
    };
    Some(code_site(code, ip))
}

pub(crate) fn origin_site(origin: &Origin) -> Option<Site> {
    Some(code_site(&origin.code, origin.ip.saturating_sub(1)))
}

fn code_site(code: &super::code::Code, ip: u32) -> Site {
    let range = code.proto.range_at(ip as usize);
    let lc = code.source.line_index.line_col_chars(range.start());
    Site {
        path: code.source.path.clone(),
        line: lc.line + 1,
        col: lc.col + 1,
    }
}

/// The tree, one task a line, children indented under their parent:
/// `task 7 fetch_page  waiting 1.204s  at crawler.gene:14:5  on gene/http GET "http://..."`.
/// A task whose parent is not in the list (it ended, or failed) sits at the top, saying who
/// started it.
pub fn render_task_tree(tasks: &[TaskInfo]) -> String {
    let mut out = String::new();
    let live = |id: u64| tasks.iter().any(|t| t.id == id);
    for root in tasks.iter().filter(|t| t.parent.is_none_or(|p| !live(p))) {
        render_subtree(&mut out, tasks, root, 0);
    }
    out
}

fn render_subtree(out: &mut String, tasks: &[TaskInfo], task: &TaskInfo, depth: usize) {
    // A cycle cannot happen (a parent is always older), but the depth bound costs nothing.
    if depth > 256 {
        return;
    }
    let _ = write!(
        out,
        "{}task {} {}  {}",
        "  ".repeat(depth),
        task.id,
        task.name,
        task.state.name()
    );
    if let Some(ms) = task.waiting_ms {
        let _ = write!(out, " {}.{:03}s", ms / 1000, ms % 1000);
    }
    if let Some(site) = &task.site {
        let _ = write!(out, "  at {site}");
    }
    if let Some(on) = &task.waiting_on {
        let _ = write!(out, "  on {on}");
    }
    if depth == 0
        && let Some(parent) = task.parent
    {
        let _ = write!(out, "  (started by task {parent}, no longer running)");
    }
    out.push('\n');
    for child in tasks.iter().filter(|t| t.parent == Some(task.id)) {
        render_subtree(out, tasks, child, depth + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CaptureOutput;

    fn site(line: u32, col: u32) -> Option<Site> {
        Some(Site {
            path: "crawler.gene".to_string(),
            line,
            col,
        })
    }

    fn task(id: u64, name: &str, parent: Option<u64>, state: TaskState) -> TaskInfo {
        TaskInfo {
            id,
            name: name.to_string(),
            parent,
            state,
            created_at: None,
            site: site(id as u32, 5),
            waiting_on: None,
            waiting_ms: None,
        }
    }

    #[test]
    fn the_tree_has_one_task_a_line_with_children_under_their_parent() {
        let mut fetch = task(7, "fetch_page", Some(3), TaskState::Waiting);
        fetch.waiting_ms = Some(1204);
        fetch.waiting_on = Some("gene/http GET \"http://example.com/\"".to_string());
        let tasks = vec![
            task(1, "main", None, TaskState::Running),
            task(3, "crawler", Some(1), TaskState::Ready),
            fetch,
            task(9, "orphan", Some(4), TaskState::Ready),
        ];
        assert_eq!(
            render_task_tree(&tasks),
            "task 1 main  running  at crawler.gene:1:5\n\
             \x20 task 3 crawler  ready  at crawler.gene:3:5\n\
             \x20   task 7 fetch_page  waiting 1.204s  at crawler.gene:7:5  on gene/http GET \"http://example.com/\"\n\
             task 9 orphan  ready  at crawler.gene:9:5  (started by task 4, no longer running)\n"
        );
    }

    /// Runs `src` and gives what it printed and the uncaught error's note.
    fn run(src: &str) -> (String, Option<String>) {
        let out = CaptureOutput::new();
        let mut vm = Vm::new(Box::new(out.clone()));
        let result = vm.run_source("t.gene", src.to_string());
        let note = match result {
            Err(crate::RunError::Uncaught(e)) => e.note.map(|n| n.to_string()),
            _ => None,
        };
        (out.stdout_text(), note)
    }

    #[test]
    fn a_snapshot_names_tasks_and_says_where_they_wait_and_on_what() {
        let src = r#"(var gate (new gene/Future))
(fn ^^async worker [] (await gate))
(var w (worker))
(var s (async (await (gene/sleep_async 60000))))
(for t in (gene/tasks)
  (println (t .get "name") (t .get "state") (t .get "site") (t .get "waiting_on")))
(s .cancel)
(gate .complete 1)
"#;
        let (out, _) = run(src);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "main running t.gene:5:11 ");
        assert_eq!(
            lines[1],
            "worker waiting t.gene:2:23 gene/Future created at t.gene:1:11"
        );
        assert!(
            lines[2].starts_with("async@t.gene:4 waiting t.gene:4:15 gene/sleep_async ("),
            "{out}"
        );
    }

    fn first_serial(line: &str) -> u64 {
        line.split_whitespace()
            .nth(1)
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no serial in {line}"))
    }

    #[test]
    fn an_uncaught_deadlock_lists_the_waiting_tasks() {
        let src = "(var never (new gene/Future))\n(fn ^^async stuck [] (await never))\n(var t (stuck))\n(await t)\n";
        let (_, note) = run(src);
        let note = note.expect("the DeadlockError has a note");
        let lines: Vec<&str> = note.lines().collect();
        assert_eq!(lines[0], "the waiting tasks when the deadlock was found:");
        // Serials count every task of the VM (its prelude's too): the main program's is the
        // first of the program's, its child the next.
        let main = first_serial(lines[1]);
        assert!(
            lines[1].starts_with(&format!("    task {main} main  waiting 0.")),
            "{note}"
        );
        assert!(
            lines[1].ends_with(&format!("at t.gene:4:1  on task {}", main + 1)),
            "{note}"
        );
        assert!(
            lines[2].starts_with(&format!("      task {} stuck  waiting 0.", main + 1)),
            "{note}"
        );
        assert!(
            lines[2].ends_with("at t.gene:2:22  on gene/Future created at t.gene:1:12"),
            "{note}"
        );
    }

    #[test]
    fn a_deadlock_and_unobserved_failures_are_kept_for_the_host() {
        let mut vm = Vm::new(Box::new(CaptureOutput::new()));
        let src = "(var never (new gene/Future))\n(fn ^^async stuck [] (await never))\n(var t (stuck))\n(await t)\n";
        assert!(vm.run_source("t.gene", src.to_string()).is_err());
        let trouble = vm.take_task_trouble();
        let waiting: Vec<(String, String, Option<String>)> = trouble
            .deadlock
            .iter()
            .map(|t| {
                (
                    t.name.clone(),
                    t.site.as_ref().map(ToString::to_string).unwrap_or_default(),
                    t.created_at.as_ref().map(ToString::to_string),
                )
            })
            .collect();
        assert_eq!(
            waiting,
            [
                ("main".to_string(), "t.gene:4:1".to_string(), None),
                (
                    "stuck".to_string(),
                    "t.gene:2:22".to_string(),
                    Some("t.gene:3:8".to_string())
                ),
            ]
        );
        assert!(vm.take_task_trouble().deadlock.is_empty(), "taken");

        let mut vm = Vm::new(Box::new(CaptureOutput::new()));
        let src = "(fn ^^async bad [x] (throw x))\n(bad \"one\")\n(bad \"two\")\n";
        assert!(vm.run_source("u.gene", src.to_string()).is_err());
        let failures = vm.take_task_trouble().unobserved;
        let seen: Vec<(String, Option<String>, bool)> = failures
            .iter()
            .map(|f| {
                (
                    f.message.clone(),
                    f.created_at.as_ref().map(ToString::to_string),
                    f.ends_run,
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                (
                    "Gene exception: \"one\"".to_string(),
                    Some("u.gene:2:1".to_string()),
                    false
                ),
                (
                    "Gene exception: \"two\"".to_string(),
                    Some("u.gene:3:1".to_string()),
                    true
                ),
            ]
        );
        assert!(failures.iter().all(|f| f.trace.is_some()));
    }
}
