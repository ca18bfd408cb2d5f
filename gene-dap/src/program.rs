//! The debugged program: a VM on a thread of its own, and the [`DebugHost`] that serves the
//! client while the program is stopped. The host blocks the VM's thread at a stop, so no task
//! runs until the client continues or steps; requests about the program's state are answered
//! there, on the VM's thread, since values are not `Send`.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use gene_vm::reactor::Interrupt;
use gene_vm::vm::debug::{DebugHost, StepKind, Stop, StopReason};
use gene_vm::{HostServices, Output, Vm};
use serde_json::{Value as Json, json};

use crate::conditions::{Part, Specs, hit_condition_holds, log_parts};
use crate::transport::Sender;
use crate::variables::{Refs, Scope, children, shown};

/// What the request loop tells the program.
pub enum Command {
    Continue,
    Step(StepKind),
    Pause,
    /// 0-based lines, already moved to lines with code.
    SetBreakpoints {
        path: String,
        lines: Vec<u32>,
    },
    /// A request about the stopped program (stackTrace, scopes, variables, evaluate,
    /// setVariable), answered by the host.
    Request(Json),
    /// Which throws stop: every one, uncaught ones.
    ExceptionFilters {
        raised: bool,
        uncaught: bool,
    },
    Disconnect,
}

/// A `launch` request's arguments.
pub struct Launch {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub cwd: Option<PathBuf>,
    pub stop_on_entry: bool,
    pub no_debug: bool,
    /// Run this test (or `describe` group) after the top level: `test_launch.rs`.
    pub test: Option<String>,
    /// The exception filters: stop at every throw, at uncaught ones.
    pub raised: bool,
    pub uncaught: bool,
}

/// What both threads see.
#[derive(Clone, Default)]
pub struct Shared {
    /// The `threads` answer as of the last stop (the request loop answers it at any time).
    pub threads: Arc<Mutex<Vec<Json>>>,
    /// The program is stopped, waiting for the client.
    pub stopped: Arc<AtomicBool>,
    /// Conditions, hit counts and log messages of line breakpoints.
    pub specs: Specs,
}

/// A program started by [`start`].
pub struct Running {
    pub commands: mpsc::Sender<Command>,
    /// Raised after sending a command while the program runs: the VM looks at it at its next
    /// checkpoint. `None` without debugging (`noDebug`).
    pub attention: Option<Arc<AtomicBool>>,
    pub interrupt: Arc<Interrupt>,
    pub thread: JoinHandle<()>,
}

impl Running {
    /// Sends a command, waking the running program to look at it.
    pub fn send(&self, command: Command) {
        let _ = self.commands.send(command);
        if let Some(a) = &self.attention {
            a.store(true, Ordering::Relaxed);
        }
    }
}

/// Program output as `output` events.
struct DapOutput(Sender);

impl Output for DapOutput {
    fn out(&mut self, text: &str) {
        self.0.output("stdout", text);
    }

    fn err(&mut self, text: &str) {
        self.0.output("stderr", text);
    }
}

/// The VM's stack: deep recursion in a program must not overflow the thread (as `gene run`).
const VM_STACK: usize = 1 << 30;

/// Starts the program with `breakpoints` (path, 0-based lines) set; gives its handles once the
/// VM exists.
pub fn start(
    launch: Launch,
    breakpoints: Vec<(String, Vec<u32>)>,
    sender: Sender,
    shared: Shared,
) -> std::io::Result<Running> {
    let (commands, receiver) = mpsc::channel();
    let (handles, handles_rx) = mpsc::channel();
    let thread = std::thread::Builder::new()
        .name("gene-vm".into())
        .stack_size(VM_STACK)
        .spawn(move || run_program(launch, breakpoints, sender, shared, receiver, handles))?;
    match handles_rx.recv() {
        Ok((attention, interrupt)) => Ok(Running {
            commands,
            attention,
            interrupt,
            thread,
        }),
        Err(_) => Err(std::io::Error::other("the program's thread ended at once")),
    }
}

type Handles = (Option<Arc<AtomicBool>>, Arc<Interrupt>);

fn run_program(
    launch: Launch,
    breakpoints: Vec<(String, Vec<u32>)>,
    sender: Sender,
    shared: Shared,
    commands: Receiver<Command>,
    handles: mpsc::Sender<Handles>,
) {
    if let Some(cwd) = &launch.cwd
        && let Err(e) = std::env::set_current_dir(cwd)
    {
        sender.output(
            "stderr",
            &format!("cannot change to {}: {e}\n", cwd.display()),
        );
    }
    let mut vm = Vm::with_services(HostServices::new(Box::new(DapOutput(sender.clone()))));
    vm.set_args(launch.args);
    let attention = (!launch.no_debug).then(|| {
        let host = DapHost {
            sender: sender.clone(),
            commands,
            refs: Refs::default(),
            shared: shared.clone(),
        };
        vm.enable_debugging(Box::new(host), launch.stop_on_entry)
    });
    if attention.is_some() {
        for (path, lines) in &breakpoints {
            vm.debug_set_breakpoints(path, lines);
        }
        vm.debug_set_exception_filters(launch.raised, launch.uncaught);
    }
    *shared.threads.lock().unwrap_or_else(|e| e.into_inner()) = vec![main_thread()];
    let _ = handles.send((attention, vm.interrupt.clone()));
    let path = launch.program.display().to_string();
    let result = vm.run_file(&path);
    vm.services.output().flush();
    let code = match &result {
        Ok(_) => match &launch.test {
            Some(test) => crate::test_launch::run_selected(&mut vm, test, &sender),
            None => 0,
        },
        Err(e) => {
            let report = gene_vm::report::render_run_error(&vm, e, false);
            if !report.is_empty() {
                sender.output("stderr", &report);
            }
            e.exit_status().unwrap_or(1)
        }
    };
    sender.event("exited", json!({"exitCode": code}));
    sender.event("terminated", json!({}));
}

/// The thread list before the program first stops: the main program alone.
pub fn main_thread() -> Json {
    json!({"id": 1, "name": "task 0: main"})
}

struct DapHost {
    sender: Sender,
    commands: Receiver<Command>,
    refs: Refs,
    shared: Shared,
}

/// DAP ids: thread = task + 1; frame = task * FRAME_SPAN + frame index + 1 (a label frame
/// takes index FRAME_SPAN - 1).
const FRAME_SPAN: i64 = 1_000_000;

fn frame_id(task: usize, index: usize) -> i64 {
    task as i64 * FRAME_SPAN + index as i64 + 1
}

fn decode_frame(id: i64) -> Option<(usize, usize)> {
    let id = id.checked_sub(1)?;
    Some((
        usize::try_from(id / FRAME_SPAN).ok()?,
        usize::try_from(id % FRAME_SPAN).ok()?,
    ))
}

impl DebugHost for DapHost {
    fn stopped(&mut self, vm: &mut Vm, stop: Stop) {
        if stop.reason == StopReason::Breakpoint && !self.breakpoint_stops(vm, &stop) {
            return;
        }
        self.publish_threads(vm);
        self.shared.stopped.store(true, Ordering::SeqCst);
        let reason = match stop.reason {
            StopReason::Breakpoint => "breakpoint",
            StopReason::Step => "step",
            StopReason::Pause => "pause",
            StopReason::Entry => "entry",
            StopReason::Exception => "exception",
        };
        let mut body =
            json!({"reason": reason, "threadId": stop.task + 1, "allThreadsStopped": true});
        if let Some(d) = &stop.description {
            body["description"] = json!(d);
            body["text"] = json!(d);
        }
        self.sender.event("stopped", body);
        loop {
            match self.commands.recv() {
                Ok(Command::Continue) => break,
                Ok(Command::Step(kind)) => {
                    vm.debug_step(kind);
                    break;
                }
                Ok(Command::Pause) => {}
                Ok(Command::SetBreakpoints { path, lines }) => {
                    vm.debug_set_breakpoints(&path, &lines);
                }
                Ok(Command::Request(request)) => self.answer(vm, &request),
                Ok(Command::ExceptionFilters { raised, uncaught }) => {
                    vm.debug_set_exception_filters(raised, uncaught);
                }
                Ok(Command::Disconnect) | Err(_) => {
                    vm.interrupt.store(true, Ordering::SeqCst);
                    break;
                }
            }
        }
        self.refs.clear();
        self.shared.stopped.store(false, Ordering::SeqCst);
    }

    fn attend(&mut self, vm: &mut Vm) {
        while let Ok(command) = self.commands.try_recv() {
            match command {
                Command::Pause => vm.debug_pause(),
                Command::SetBreakpoints { path, lines } => {
                    vm.debug_set_breakpoints(&path, &lines);
                }
                Command::Request(request) => self.sender.fail(&request, "the program is running"),
                Command::ExceptionFilters { raised, uncaught } => {
                    vm.debug_set_exception_filters(raised, uncaught);
                }
                Command::Disconnect => vm.interrupt.store(true, Ordering::SeqCst),
                Command::Continue | Command::Step(_) => {}
            }
        }
    }
}

impl DapHost {
    /// A line breakpoint was reached: false when its condition or hit count says go on, or
    /// when it is a logpoint (its message is printed).
    fn breakpoint_stops(&mut self, vm: &mut Vm, stop: &Stop) -> bool {
        let Some(spec) = self.shared.specs.with(&stop.path, stop.line, |s| s.clone()) else {
            return true;
        };
        let frame = vm
            .debug_frames(stop.task)
            .first()
            .map(|f| f.index)
            .unwrap_or(0);
        if let Some(condition) = &spec.condition {
            match vm.debug_evaluate(frame, condition) {
                Ok(v) if !v.truthy() => return false,
                Ok(_) => {}
                Err(e) => {
                    let message = gene_vm::value::display(&e.value);
                    self.sender.output(
                        "console",
                        &format!("breakpoint condition {condition} failed: {message}\n"),
                    );
                }
            }
        }
        let hits = self
            .shared
            .specs
            .with(&stop.path, stop.line, |s| {
                s.hits += 1;
                s.hits
            })
            .unwrap_or(1);
        if let Some(hit) = &spec.hit_condition
            && !hit_condition_holds(hit, hits)
        {
            return false;
        }
        if let Some(message) = &spec.log_message {
            let mut text = String::new();
            for part in log_parts(message) {
                match part {
                    Part::Text(t) => text.push_str(&t),
                    Part::Expr(e) => match vm.debug_evaluate(frame, &e) {
                        Ok(v) => text.push_str(&gene_vm::value::display(&v)),
                        Err(err) => {
                            text.push_str(&format!("<{}>", gene_vm::value::display(&err.value)))
                        }
                    },
                }
            }
            text.push('\n');
            self.sender.output("console", &text);
            return false;
        }
        true
    }

    fn publish_threads(&self, vm: &Vm) {
        let mut tasks = vm.debug_tasks();
        tasks.sort_by_key(|t| t.id);
        let threads = tasks
            .iter()
            .map(|t| json!({"id": t.id + 1, "name": format!("task {}: {}", t.id, t.name)}))
            .collect();
        *self
            .shared
            .threads
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = threads;
    }

    fn answer(&mut self, vm: &mut Vm, request: &Json) {
        let args = &request["arguments"];
        let body = match request["command"].as_str().unwrap_or("") {
            "stackTrace" => self.stack_trace(vm, args),
            "scopes" => self.scopes(vm, args),
            "variables" => self.variables(vm, args),
            "evaluate" => self.evaluate(vm, args),
            "setVariable" => self.set_variable(vm, args),
            _ => Err("unsupported request".to_string()),
        };
        match body {
            Ok(body) => self.sender.respond(request, body),
            Err(message) => self.sender.fail(request, &message),
        }
    }

    /// The task's frames, then for each task awaiting it a label frame and its frames, up to
    /// a task nobody awaits.
    fn stack_trace(&mut self, vm: &Vm, args: &Json) -> Result<Json, String> {
        let thread = args["threadId"].as_u64().ok_or("no threadId")?;
        let mut task = usize::try_from(thread).map_err(|e| e.to_string())? - 1;
        let tasks = vm.debug_tasks();
        let mut frames = Vec::new();
        let mut seen = HashSet::new();
        while seen.insert(task) {
            for f in vm.debug_frames(task) {
                let name = std::path::Path::new(&f.path)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                frames.push(json!({
                    "id": frame_id(task, f.index),
                    "name": f.name,
                    "source": {"path": f.path, "name": name},
                    "line": f.line + 1,
                    "column": f.column + 1,
                }));
            }
            let Some(waiter) = tasks
                .iter()
                .find(|t| t.id == task)
                .and_then(|t| t.awaited_by)
            else {
                break;
            };
            let waiter_name = tasks
                .iter()
                .find(|t| t.id == waiter)
                .map(|t| t.name.clone())
                .unwrap_or_default();
            frames.push(json!({
                "id": frame_id(task, FRAME_SPAN as usize - 1),
                "name": format!("awaited by task {waiter}: {waiter_name}"),
                "presentationHint": "label",
                "line": 0,
                "column": 0,
            }));
            task = waiter;
        }
        let total = frames.len();
        let start = args["startFrame"].as_u64().unwrap_or(0) as usize;
        let levels = match args["levels"].as_u64() {
            Some(0) | None => total,
            Some(n) => n as usize,
        };
        let page: Vec<Json> = frames.into_iter().skip(start).take(levels).collect();
        Ok(json!({"stackFrames": page, "totalFrames": total}))
    }

    fn scopes(&mut self, vm: &Vm, args: &Json) -> Result<Json, String> {
        let (task, frame) = args["frameId"]
            .as_i64()
            .and_then(decode_frame)
            .ok_or("no such frame")?;
        let (_, captured) = vm.debug_locals(task, frame);
        let mut scopes = vec![json!({
            "name": "Locals",
            "presentationHint": "locals",
            "variablesReference": self.refs.add(Scope::Locals { task, frame }),
            "expensive": false,
        })];
        if !captured.is_empty() {
            scopes.push(json!({
                "name": "Captured",
                "variablesReference": self.refs.add(Scope::Captured { task, frame }),
                "expensive": false,
            }));
        }
        scopes.push(json!({
            "name": "Globals",
            "variablesReference": self.refs.add(Scope::Globals { task, frame }),
            "expensive": true,
        }));
        Ok(json!({"scopes": scopes}))
    }

    fn variables(&mut self, vm: &Vm, args: &Json) -> Result<Json, String> {
        let reference = args["variablesReference"].as_i64().unwrap_or(0);
        let scope = self
            .refs
            .get(reference)
            .cloned()
            .ok_or("no such variables reference")?;
        let pairs = match scope {
            Scope::Locals { task, frame } => vm.debug_locals(task, frame).0,
            Scope::Captured { task, frame } => vm.debug_locals(task, frame).1,
            Scope::Globals { task, frame } => match vm.debug_namespace(task, frame) {
                Some(ns) => {
                    let mut members: Vec<(String, gene_vm::Value)> = ns
                        .members
                        .borrow()
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.clone()))
                        .collect();
                    members.sort_by(|a, b| a.0.cmp(&b.0));
                    members
                }
                None => Vec::new(),
            },
            Scope::Value(v) => {
                let start = args["start"].as_u64().unwrap_or(0) as usize;
                let count = args["count"]
                    .as_u64()
                    .filter(|&c| c > 0)
                    .map(|c| c as usize);
                children(&v, start, count)
            }
        };
        let variables: Vec<Json> = pairs
            .iter()
            .map(|(name, value)| self.refs.variable(name, value))
            .collect();
        Ok(json!({"variables": variables}))
    }

    /// The stopped task's frame a request names (`frameId`), innermost by default.
    fn eval_frame(&self, vm: &Vm, args: &Json) -> Result<usize, String> {
        let current = vm.debug_current_task();
        match args["frameId"].as_i64() {
            None => vm
                .debug_frames(current)
                .first()
                .map(|f| f.index)
                .ok_or_else(|| "no frame to evaluate in".to_string()),
            Some(id) => match decode_frame(id) {
                Some((task, frame)) if task == current => Ok(frame),
                Some(_) => Err("evaluation runs in the stopped task's frames only".to_string()),
                None => Err("no such frame".to_string()),
            },
        }
    }

    fn evaluate(&mut self, vm: &mut Vm, args: &Json) -> Result<Json, String> {
        let expression = args["expression"].as_str().ok_or("no expression")?;
        let frame = self.eval_frame(vm, args)?;
        match vm.debug_evaluate(frame, expression) {
            Ok(value) => {
                let v = self.refs.variable("", &value);
                Ok(json!({
                    "result": v["value"],
                    "type": v["type"],
                    "variablesReference": v["variablesReference"],
                    "indexedVariables": v.get("indexedVariables").cloned().unwrap_or(json!(0)),
                }))
            }
            Err(e) => Err(gene_vm::value::display(&e.value)),
        }
    }

    fn set_variable(&mut self, vm: &mut Vm, args: &Json) -> Result<Json, String> {
        let reference = args["variablesReference"].as_i64().unwrap_or(0);
        let name = args["name"].as_str().ok_or("no name")?;
        let text = args["value"].as_str().ok_or("no value")?;
        let Some(Scope::Locals { task, frame }) = self.refs.get(reference).cloned() else {
            return Err("only locals can be set".to_string());
        };
        if task != vm.debug_current_task() {
            return Err("locals can be set in the stopped task only".to_string());
        }
        let value = vm
            .debug_evaluate(frame, text)
            .map_err(|e| gene_vm::value::display(&e.value))?;
        if !vm.debug_set_local(task, frame, name, value.clone()) {
            return Err(format!("no local named {name} here"));
        }
        Ok(json!({"value": shown(&value), "type": value.type_name()}))
    }
}
