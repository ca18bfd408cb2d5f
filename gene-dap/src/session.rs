//! The request loop: reads the client's requests, answers what it can itself (initialize,
//! breakpoints, threads, flow control) and hands requests about the program's state to the
//! program's thread (`program.rs`), which answers them while the program is stopped.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use gene_vm::vm::debug::{
    StepKind, function_matches, function_names, lines_with_code, nearest_line,
};
use serde_json::{Value as Json, json};

use crate::conditions::{FUNCTION_IDS, Spec};
use crate::program::{self, Command, Launch, Running, Shared};
use crate::transport::{Sender, read_message};

/// How long a disconnect waits for the program to stop before the adapter leaves anyway (a
/// program blocked in a native call never reaches a checkpoint).
const STOP_GRACE: Duration = Duration::from_secs(2);

pub struct Session {
    sender: Sender,
    shared: Shared,
    launch: Option<Launch>,
    configured: bool,
    /// Breakpoint lines (0-based, moved to lines with code) by path, as the client set them.
    breakpoints: BTreeMap<String, Vec<u32>>,
    running: Option<Running>,
    /// The exception filters (`raised`, `uncaught`, `unobserved`); uncaught is on until the
    /// client says.
    filters: (bool, bool, bool),
    /// The launched program's functions (`Class.f` for methods), to verify function
    /// breakpoints before its code is loaded.
    functions: std::collections::BTreeSet<String>,
}

#[derive(PartialEq)]
enum Next {
    Go,
    Stop,
}

impl Session {
    pub fn new(sender: Sender) -> Session {
        Session {
            sender,
            shared: Shared::default(),
            launch: None,
            configured: false,
            breakpoints: BTreeMap::new(),
            running: None,
            filters: (false, true, false),
            functions: Default::default(),
        }
    }

    /// Serves requests until the input ends or the client disconnects.
    pub fn serve(mut self, mut input: impl BufRead) {
        while let Some(message) = read_message(&mut input) {
            if message["type"] == "request" && self.handle(&message) == Next::Stop {
                break;
            }
        }
        self.stop_program();
    }

    fn handle(&mut self, request: &Json) -> Next {
        let args = &request["arguments"];
        match request["command"].as_str().unwrap_or("") {
            "initialize" => {
                self.sender.respond(request, capabilities());
                self.sender.event("initialized", json!({}));
            }
            "launch" => match launch_args(args) {
                Ok(launch) => {
                    self.functions = std::fs::read_to_string(&launch.program)
                        .map(|text| function_names(&text))
                        .unwrap_or_default();
                    self.launch = Some(launch);
                    self.sender.respond(request, json!({}));
                    if self.configured {
                        self.start();
                    }
                }
                Err(message) => self.sender.fail(request, &message),
            },
            "configurationDone" => {
                self.configured = true;
                self.sender.respond(request, json!({}));
                if self.launch.is_some() {
                    self.start();
                }
            }
            "setBreakpoints" => self.set_breakpoints(request),
            "setFunctionBreakpoints" => self.set_function_breakpoints(request),
            "setExceptionBreakpoints" => {
                let filters: Vec<&str> = args["filters"]
                    .as_array()
                    .map(|f| f.iter().filter_map(Json::as_str).collect())
                    .unwrap_or_default();
                let (raised, uncaught, unobserved) = (
                    filters.contains(&"raised"),
                    filters.contains(&"uncaught"),
                    filters.contains(&"unobserved"),
                );
                self.filters = (raised, uncaught, unobserved);
                self.send(Command::ExceptionFilters {
                    raised,
                    uncaught,
                    unobserved,
                });
                self.sender.respond(request, json!({}));
            }
            "threads" => {
                let threads = match &self.running {
                    Some(_) => self
                        .shared
                        .threads
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .clone(),
                    None => vec![program::main_thread()],
                };
                self.sender.respond(request, json!({"threads": threads}));
            }
            // The response goes out before the program resumes: the events the resumed
            // program sends (output, stopped, exited) must follow it, as clients expect.
            "continue" => {
                self.sender
                    .respond(request, json!({"allThreadsContinued": true}));
                self.send(Command::Continue);
            }
            "next" | "stepIn" | "stepOut" => {
                let kind = match request["command"].as_str() {
                    Some("next") => StepKind::Over,
                    Some("stepIn") => StepKind::In,
                    _ => StepKind::Out,
                };
                self.sender.respond(request, json!({}));
                self.send(Command::Step(kind));
            }
            "pause" => {
                self.sender.respond(request, json!({}));
                self.send(Command::Pause);
            }
            "stackTrace" | "scopes" | "variables" | "evaluate" | "setVariable" | "completions" => {
                match &self.running {
                    Some(r) if self.shared.stopped.load(Ordering::SeqCst) => {
                        r.send(Command::Request(request.clone()));
                    }
                    _ => self.sender.fail(request, "the program is not stopped"),
                }
            }
            "disconnect" => {
                self.stop_program();
                self.sender.respond(request, json!({}));
                return Next::Stop;
            }
            "terminate" => {
                self.sender.respond(request, json!({}));
                self.stop_program();
            }
            other => self
                .sender
                .fail(request, &format!("unsupported request {other}")),
        }
        Next::Go
    }

    fn send(&self, command: Command) {
        if let Some(r) = &self.running {
            r.send(command);
        }
    }

    fn start(&mut self) {
        let Some(mut launch) = self.launch.take() else {
            return;
        };
        (launch.raised, launch.uncaught, launch.unobserved) = self.filters;
        let breakpoints = self
            .breakpoints
            .iter()
            .map(|(p, l)| (p.clone(), l.clone()))
            .collect();
        match program::start(
            launch,
            breakpoints,
            self.sender.clone(),
            self.shared.clone(),
        ) {
            Ok(running) => self.running = Some(running),
            Err(e) => {
                self.sender
                    .output("stderr", &format!("cannot start the program: {e}\n"));
                self.sender.event("terminated", json!({}));
            }
        }
    }

    /// Verifies each line against the file's code (moved to the next line with code), keeps
    /// them for a program started later and hands them to a running one.
    fn set_breakpoints(&mut self, request: &Json) {
        let args = &request["arguments"];
        let Some(path) = args["source"]["path"].as_str() else {
            self.sender
                .fail(request, "setBreakpoints needs source.path");
            return;
        };
        let requested: Vec<(u64, Spec)> = match args["breakpoints"].as_array() {
            Some(bps) => bps
                .iter()
                .filter_map(|b| Some((b["line"].as_u64()?, spec_of(b))))
                .collect(),
            None => args["lines"]
                .as_array()
                .map(|ls| {
                    ls.iter()
                        .filter_map(|l| Some((l.as_u64()?, Spec::default())))
                        .collect()
                })
                .unwrap_or_default(),
        };
        let code_lines = std::fs::read_to_string(path)
            .map(|text| lines_with_code(&text))
            .unwrap_or_default();
        let mut used = Vec::new();
        let mut specs = Vec::new();
        let breakpoints: Vec<Json> = requested
            .into_iter()
            .enumerate()
            .map(|(i, (line, spec))| {
                let wanted = u32::try_from(line.saturating_sub(1)).unwrap_or(u32::MAX);
                match nearest_line(&code_lines, wanted) {
                    Some(at) => {
                        used.push(at);
                        specs.push((at, spec));
                        json!({"id": i + 1, "verified": true, "line": at + 1})
                    }
                    None => json!({
                        "id": i + 1,
                        "verified": false,
                        "line": line,
                        "message": "no code at or after this line",
                    }),
                }
            })
            .collect();
        self.shared.specs.set(path, specs);
        self.breakpoints.insert(path.to_string(), used.clone());
        self.send(Command::SetBreakpoints {
            path: path.to_string(),
            lines: used,
        });
        self.sender
            .respond(request, json!({"breakpoints": breakpoints}));
    }

    /// Function breakpoints by name: verified when the program (or code loaded so far)
    /// defines a function of that name; one in code loaded later is verified then (a
    /// `breakpoint` event).
    fn set_function_breakpoints(&mut self, request: &Json) {
        let requested: Vec<(String, Spec)> = request["arguments"]["breakpoints"]
            .as_array()
            .map(|bps| {
                bps.iter()
                    .filter_map(|b| Some((b["name"].as_str()?.trim().to_string(), spec_of(b))))
                    .collect()
            })
            .unwrap_or_default();
        let breakpoints: Vec<Json> = requested
            .iter()
            .enumerate()
            .map(|(i, (name, _))| {
                let known = self.functions.iter().any(|f| function_matches(name, f));
                let mut b = json!({"id": FUNCTION_IDS + i, "verified": known});
                if !known {
                    b["message"] = json!(format!("no function {name} is loaded yet"));
                }
                b
            })
            .collect();
        self.shared.functions.set(requested);
        self.send(Command::SetFunctionBreakpoints);
        self.sender
            .respond(request, json!({"breakpoints": breakpoints}));
    }

    /// Stops a running program: interrupted at its next checkpoint (a stopped one is released
    /// first), waited for a little while.
    fn stop_program(&mut self) {
        let Some(running) = self.running.take() else {
            return;
        };
        running.interrupt.store(true, Ordering::SeqCst);
        running.send(Command::Disconnect);
        let deadline = Instant::now() + STOP_GRACE;
        while !running.thread.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        if running.thread.is_finished() {
            let _ = running.thread.join();
        }
    }
}

fn capabilities() -> Json {
    json!({
        "supportsConfigurationDoneRequest": true,
        "supportsConditionalBreakpoints": true,
        "supportsHitConditionalBreakpoints": true,
        "supportsLogPoints": true,
        "supportsEvaluateForHovers": true,
        "supportsSetVariable": true,
        "supportsTerminateRequest": true,
        "supportsDelayedStackTraceLoading": true,
        "supportsFunctionBreakpoints": true,
        "supportsCompletionsRequest": true,
        "completionTriggerCharacters": ["."],
        "exceptionBreakpointFilters": [
            {"filter": "uncaught", "label": "Uncaught Exceptions", "default": true,
             "description": "Stop where a throw no handler of its task catches happens."},
            {"filter": "raised", "label": "Raised Exceptions", "default": false,
             "description": "Stop at every throw."},
            {"filter": "unobserved", "label": "Unobserved Failures", "default": false,
             "description": "Stop where a task fails whose future nothing awaits, follows or handles (at the end of the program when something still held it)."},
        ],
    })
}

/// A source breakpoint's condition, hit condition and log message (empty ones are none).
fn spec_of(b: &Json) -> Spec {
    let text = |k: &str| {
        b[k].as_str()
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string)
    };
    Spec {
        condition: text("condition"),
        hit_condition: text("hitCondition"),
        log_message: text("logMessage"),
        hits: 0,
    }
}

fn launch_args(args: &Json) -> Result<Launch, String> {
    let program = args["program"]
        .as_str()
        .filter(|p| !p.is_empty())
        .ok_or("launch needs a program")?;
    let cwd = args["cwd"]
        .as_str()
        .filter(|c| !c.is_empty())
        .map(PathBuf::from);
    let mut program = PathBuf::from(program);
    if program.is_relative()
        && let Some(cwd) = &cwd
    {
        program = cwd.join(program);
    }
    if !program.is_file() {
        return Err(format!("cannot find the program {}", program.display()));
    }
    Ok(Launch {
        program,
        args: args["args"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        cwd,
        stop_on_entry: args["stopOnEntry"].as_bool().unwrap_or(false),
        no_debug: args["noDebug"].as_bool().unwrap_or(false),
        test: args["test"].as_str().map(str::to_string),
        raised: false,
        uncaught: true,
        unobserved: false,
    })
}
