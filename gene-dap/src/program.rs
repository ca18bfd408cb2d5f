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

use crate::completions::{self, Wanted};
use crate::conditions::{FunctionSpecs, Part, Spec, Specs, hit_condition_holds, log_parts};
use crate::transport::Sender;
use crate::variables::{Refs, Scope, children, set_child};

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
    /// Which throws stop: every one, uncaught ones, those failing a future nothing observes.
    ExceptionFilters {
        raised: bool,
        uncaught: bool,
        unobserved: bool,
    },
    /// The function breakpoints changed (their names and specs are in [`Shared::functions`]).
    SetFunctionBreakpoints,
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
    /// The exception filters: stop at every throw, at uncaught ones, at unobserved failures.
    pub raised: bool,
    pub uncaught: bool,
    pub unobserved: bool,
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
    /// Function breakpoints: names with their specs.
    pub functions: FunctionSpecs,
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
        vm.debug_set_exception_filters(launch.raised, launch.uncaught, launch.unobserved);
        vm.debug_set_function_breakpoints(&shared.functions.names());
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
        if stop.reason == StopReason::Function && !self.function_breakpoint_stops(vm, &stop) {
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
            StopReason::Function => "function breakpoint",
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
                Ok(Command::ExceptionFilters {
                    raised,
                    uncaught,
                    unobserved,
                }) => {
                    vm.debug_set_exception_filters(raised, uncaught, unobserved);
                }
                Ok(Command::SetFunctionBreakpoints) => self.set_function_breakpoints(vm),
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
                Command::ExceptionFilters {
                    raised,
                    uncaught,
                    unobserved,
                } => {
                    vm.debug_set_exception_filters(raised, uncaught, unobserved);
                }
                Command::SetFunctionBreakpoints => self.set_function_breakpoints(vm),
                Command::Disconnect => vm.interrupt.store(true, Ordering::SeqCst),
                Command::Continue | Command::Step(_) => {}
            }
        }
    }

    /// Function breakpoints found in code loaded just now: the client hears they are verified.
    fn functions_bound(&mut self, names: &[String]) {
        for name in names {
            for id in self.shared.functions.ids_of(name) {
                self.sender.event(
                    "breakpoint",
                    json!({"reason": "changed", "breakpoint": {"id": id, "verified": true}}),
                );
            }
        }
    }
}

impl DapHost {
    fn set_function_breakpoints(&mut self, vm: &mut Vm) {
        let names = self.shared.functions.names();
        let bound: Vec<String> = names
            .iter()
            .zip(vm.debug_set_function_breakpoints(&names))
            .filter(|(_, bound)| *bound)
            .map(|(n, _)| n.clone())
            .collect();
        self.functions_bound(&bound);
    }

    /// A function breakpoint was reached: whether one of those naming the function stops (its
    /// condition and hit count as a line breakpoint's; a log message prints instead).
    fn function_breakpoint_stops(&mut self, vm: &mut Vm, stop: &Stop) -> bool {
        let name = stop.description.as_deref().unwrap_or("");
        let functions = self.shared.functions.clone();
        let mut stops = false;
        for index in functions.matching(name) {
            let Some(spec) = functions.with(index, |s| s.clone()) else {
                continue;
            };
            let counted = functions.clone();
            if self.spec_stops(vm, stop, &spec, move || {
                counted
                    .with(index, |s| {
                        s.hits += 1;
                        s.hits
                    })
                    .unwrap_or(1)
            }) {
                stops = true;
            }
        }
        stops
    }

    /// A line breakpoint was reached: false when its condition or hit count says go on, or
    /// when it is a logpoint (its message is printed).
    fn breakpoint_stops(&mut self, vm: &mut Vm, stop: &Stop) -> bool {
        let Some(spec) = self.shared.specs.with(&stop.path, stop.line, |s| s.clone()) else {
            return true;
        };
        let specs = self.shared.specs.clone();
        let (path, line) = (stop.path.clone(), stop.line);
        self.spec_stops(vm, stop, &spec, move || {
            specs
                .with(&path, line, |s| {
                    s.hits += 1;
                    s.hits
                })
                .unwrap_or(1)
        })
    }

    /// Whether a breakpoint with `spec` stops: its condition holds, then its hit count (`hit`
    /// counts this hit and gives the count), and it is no logpoint (printed here).
    fn spec_stops(
        &mut self,
        vm: &mut Vm,
        stop: &Stop,
        spec: &Spec,
        hit: impl FnOnce() -> u64,
    ) -> bool {
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
        let hits = hit();
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
            "completions" => self.completions(vm, args),
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

    /// Sets a local of a frame of the stopped task, or a child of an expanded value (an
    /// instance's field, a map's entry, an array's element, a gene's prop or child). The new
    /// value is Gene source, evaluated in the frame (for a child: the stopped task's innermost).
    fn set_variable(&mut self, vm: &mut Vm, args: &Json) -> Result<Json, String> {
        let reference = args["variablesReference"].as_i64().unwrap_or(0);
        let name = args["name"].as_str().ok_or("no name")?;
        let text = args["value"].as_str().ok_or("no value")?;
        let scope = self
            .refs
            .get(reference)
            .cloned()
            .ok_or("no such variables reference")?;
        let current = vm.debug_current_task();
        let frame = match &scope {
            Scope::Locals { task, frame } if *task == current => *frame,
            Scope::Locals { .. } => {
                return Err("locals can be set in the stopped task only".to_string());
            }
            Scope::Value(_) => self.eval_frame(vm, &json!({}))?,
            Scope::Captured { .. } | Scope::Globals { .. } => {
                return Err("only locals and the parts of values can be set".to_string());
            }
        };
        let value = vm
            .debug_evaluate(frame, text)
            .map_err(|e| gene_vm::value::display(&e.value))?;
        match &scope {
            Scope::Value(container) => set_child(container, name, value.clone())?,
            _ => {
                if !vm.debug_set_local(current, frame, name, value.clone()) {
                    return Err(format!("no local named {name} here"));
                }
            }
        }
        let v = self.refs.variable(name, &value);
        let mut body = json!({
            "value": v["value"],
            "type": v["type"],
            "variablesReference": v["variablesReference"],
        });
        if let Some(n) = v.get("indexedVariables") {
            body["indexedVariables"] = n.clone();
        }
        Ok(body)
    }

    /// Debug console completions at `column` (1-based) of `text`, in the frame `frameId`
    /// (the stopped task's innermost by default).
    fn completions(&mut self, vm: &mut Vm, args: &Json) -> Result<Json, String> {
        let text = args["text"].as_str().unwrap_or("");
        let column = args["column"].as_u64().unwrap_or(u64::MAX);
        let cut = text
            .char_indices()
            .nth(usize::try_from(column.saturating_sub(1)).unwrap_or(usize::MAX))
            .map_or(text.len(), |(i, _)| i);
        let (task, frame) = match args["frameId"].as_i64().and_then(decode_frame) {
            Some(at) => at,
            None => {
                let task = vm.debug_current_task();
                let frame = vm.debug_frames(task).first().map(|f| f.index).unwrap_or(0);
                (task, frame)
            }
        };
        let (locals, captured) = vm.debug_locals(task, frame);
        let globals: Vec<(String, gene_vm::Value)> = match vm.debug_namespace(task, frame) {
            Some(ns) => ns
                .members
                .borrow()
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            None => Vec::new(),
        };
        let targets = match completions::wanted(&text[..cut]) {
            Wanted::Name(prefix) => {
                let mut visible: Vec<(String, &'static str)> = Vec::new();
                visible.extend(locals.iter().rev().map(|(n, _)| (n.clone(), "variable")));
                visible.extend(captured.iter().map(|(n, _)| (n.clone(), "variable")));
                let mut globals: Vec<(String, &'static str)> = globals
                    .iter()
                    .map(|(n, v)| {
                        let kind = match v {
                            gene_vm::Value::Func(_) | gene_vm::Value::Native(_) => "function",
                            gene_vm::Value::Class(_) => "class",
                            _ => "variable",
                        };
                        (n.clone(), kind)
                    })
                    .collect();
                globals.sort();
                visible.extend(globals);
                completions::names(prefix, &visible)
            }
            Wanted::Method { receiver, prefix } => {
                // Innermost binding first, as the name would resolve.
                let value = locals
                    .iter()
                    .rev()
                    .chain(captured.iter())
                    .chain(globals.iter())
                    .find(|(n, _)| n == receiver)
                    .map(|(_, v)| v.clone());
                match value {
                    Some(v) => completions::methods(&v, prefix),
                    None => Vec::new(),
                }
            }
        };
        Ok(json!({"targets": targets}))
    }
}
