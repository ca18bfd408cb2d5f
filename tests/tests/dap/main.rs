//! `gene dap` driven over stdio by a small Debug Adapter Protocol client: launch, output,
//! breakpoints (moved to lines with code), stops, stack traces stitched across awaits, scopes,
//! variables, evaluate, setVariable, stepping, pause in an endless loop, the end events.

mod client;

use std::time::{Duration, Instant};

use client::{Client, TIMEOUT};
use gene_tests::TempDir;
use serde_json::{Value, json};

const PROGRAM: &str = "(fn add [a b]
  (var s (a + b))
  s)

(var x 1)
(var y (add x 2))
(println y)
(println (add y y))
";

#[test]
fn a_breakpoint_stops_shows_locals_evaluates_steps_and_the_program_ends() {
    let dir = TempDir::new("dap-basic");
    let program = dir.write("main.gene", PROGRAM);
    let mut c = Client::start();
    // Line 4 is blank: the breakpoint moves to line 5.
    let set = c.launch(&program, &[2, 4], json!({}));
    assert_eq!(set["breakpoints"][0]["line"], 2);
    assert_eq!(set["breakpoints"][0]["verified"], true);
    assert_eq!(set["breakpoints"][1]["line"], 5);

    let stopped = c.event("stopped");
    assert_eq!(stopped["body"]["reason"], "breakpoint");
    let thread = stopped["body"]["threadId"].clone();
    let threads = c.ok("threads", json!({}));
    assert_eq!(threads["threads"][0]["name"], "task 0: main");
    assert_eq!(c.top_frame(&thread)["line"], 5);

    c.ok("continue", json!({"threadId": thread}));
    let stopped = c.event("stopped");
    assert_eq!(stopped["body"]["reason"], "breakpoint");
    let trace = c.ok("stackTrace", json!({"threadId": thread}));
    assert_eq!(trace["stackFrames"][0]["name"], "add");
    assert_eq!(trace["stackFrames"][0]["line"], 2);
    assert_eq!(trace["stackFrames"][1]["line"], 6);
    let frame = trace["stackFrames"][0]["id"].clone();
    let locals = c.locals(&frame);
    assert_eq!(
        locals[..2],
        [("a".into(), "1".into()), ("b".into(), "2".into())]
    );

    let eval = c.ok(
        "evaluate",
        json!({"expression": "(a * 100)", "frameId": frame, "context": "watch"}),
    );
    assert_eq!(eval["result"], "100");
    let failed = c.request("evaluate", json!({"expression": "nope", "frameId": frame}));
    assert_eq!(failed["success"], false);

    // b = 20: the sum printed is 21.
    let scopes = c.ok("scopes", json!({"frameId": frame}));
    let reference = scopes["scopes"][0]["variablesReference"].clone();
    let set = c.ok(
        "setVariable",
        json!({"variablesReference": reference, "name": "b", "value": "20"}),
    );
    assert_eq!(set["value"], "20");

    c.ok("next", json!({"threadId": thread}));
    assert_eq!(c.event("stopped")["body"]["reason"], "step");
    assert_eq!(c.top_frame(&thread)["line"], 3);
    c.ok("stepOut", json!({"threadId": thread}));
    c.event("stopped");
    assert_eq!(c.top_frame(&thread)["line"], 7);
    // Clearing the breakpoints while stopped: the next call of add runs through.
    c.ok(
        "setBreakpoints",
        json!({"source": {"path": program.display().to_string()}, "breakpoints": []}),
    );
    c.ok("continue", json!({"threadId": thread}));
    let output_done = c.event("exited");
    assert_eq!(output_done["body"]["exitCode"], 0);
    assert_eq!(c.output("stdout"), "21\n42\n");
    c.event("terminated");
    let _ = c.request("disconnect", json!({}));
}

#[test]
fn an_async_stop_shows_tasks_as_threads_and_the_stack_stitched_across_awaits() {
    let dir = TempDir::new("dap-async");
    let program = dir.write(
        "main.gene",
        "(fn ^^async leaf [n]
  (await (gene/sleep_async 1))
  (var v (n * 2))
  v)

(fn ^^async middle [n]
  (var r (await (leaf n)))
  r)

(fn ^^async top []
  (await (middle 5)))

(println (await (top)))
",
    );
    let mut c = Client::start();
    c.launch(&program, &[3], json!({}));
    let stopped = c.event("stopped");
    let thread = stopped["body"]["threadId"].clone();
    let threads = c.ok("threads", json!({}));
    let names: Vec<String> = threads["threads"]
        .as_array()
        .expect("threads")
        .iter()
        .filter_map(|t| t["name"].as_str().map(str::to_string))
        .collect();
    assert!(names.iter().any(|n| n.ends_with(": leaf")), "{names:?}");
    assert!(names.iter().any(|n| n.ends_with(": middle")), "{names:?}");
    assert!(names.contains(&"task 0: main".to_string()), "{names:?}");

    let trace = c.ok("stackTrace", json!({"threadId": thread}));
    let frames = trace["stackFrames"].as_array().expect("frames").clone();
    let shown: Vec<String> = frames
        .iter()
        .map(|f| format!("{}:{}", f["name"].as_str().unwrap_or(""), f["line"]))
        .collect();
    let labels: Vec<&Value> = frames
        .iter()
        .filter(|f| f["presentationHint"] == "label")
        .collect();
    assert_eq!(labels.len(), 3, "{shown:?}");
    assert!(shown[0].starts_with("leaf:3"), "{shown:?}");
    assert!(
        labels[0]["name"]
            .as_str()
            .unwrap_or("")
            .ends_with(": middle"),
        "{shown:?}"
    );
    assert!(labels[2]["name"] == "awaited by task 0: main", "{shown:?}");
    assert!(shown.iter().any(|s| s == "middle:7"), "{shown:?}");
    assert!(shown.iter().any(|s| s == "top:11"), "{shown:?}");
    // The awaiting task's frame keeps its variables.
    let middle = frames
        .iter()
        .find(|f| f["name"] == "middle")
        .expect("middle's frame");
    let locals = c.locals(&middle["id"]);
    assert!(locals.contains(&("n".into(), "5".into())), "{locals:?}");

    c.ok("continue", json!({"threadId": thread}));
    assert_eq!(c.finish(), 0);
}

#[test]
fn next_over_an_await_stays_in_the_task() {
    let dir = TempDir::new("dap-next-await");
    let program = dir.write(
        "main.gene",
        "(fn ^^async other []
  (await (gene/sleep_async 1))
  (var k 1)
  k)

(fn ^^async work []
  (var f (other))
  (var r (await (gene/sleep_async 30)))
  (println \"after\")
  (await f))

(await (work))
",
    );
    let mut c = Client::start();
    c.launch(&program, &[8], json!({}));
    let thread = c.event("stopped")["body"]["threadId"].clone();
    c.ok("next", json!({"threadId": thread}));
    let stopped = c.event("stopped");
    assert_eq!(stopped["body"]["threadId"], thread);
    assert_eq!(c.top_frame(&thread)["line"], 9);
    c.ok("continue", json!({"threadId": thread}));
    assert_eq!(c.finish(), 0);
}

#[test]
fn pause_stops_an_endless_loop_and_disconnect_ends_it() {
    let dir = TempDir::new("dap-pause");
    let program = dir.write(
        "main.gene",
        "(var i 0)\n(println \"start\")\n(while true\n  (i += 1))\n",
    );
    let mut c = Client::start();
    c.launch(&program, &[], json!({}));
    // Wait until it runs, then pause.
    let deadline = Instant::now() + TIMEOUT;
    while !c.output("stdout").contains("start") {
        assert!(Instant::now() < deadline, "the program never started");
        let m = c.next_message(deadline);
        if m["type"] == "event" {
            c.events.push(m);
        }
    }
    c.ok("pause", json!({"threadId": 1}));
    let stopped = c.event("stopped");
    assert_eq!(stopped["body"]["reason"], "pause");
    let frame = c.top_frame(&stopped["body"]["threadId"].clone());
    assert!(frame["line"] == 3 || frame["line"] == 4, "{frame}");
    c.ok("disconnect", json!({}));
    let started = Instant::now();
    let status = c.child.wait().expect("wait");
    assert!(status.success());
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn stop_on_entry_and_program_arguments() {
    let dir = TempDir::new("dap-entry");
    let program = dir.write("main.gene", "(println $args)\n(gene/exit 3)\n");
    let mut c = Client::start();
    c.launch(
        &program,
        &[],
        json!({"stopOnEntry": true, "args": ["a", "b"]}),
    );
    let stopped = c.event("stopped");
    assert_eq!(stopped["body"]["reason"], "entry");
    c.ok("continue", json!({"threadId": stopped["body"]["threadId"]}));
    let output_code = c.event("exited")["body"]["exitCode"].clone();
    assert_eq!(output_code, 3);
    assert_eq!(c.output("stdout"), "[a b]\n");
}

#[test]
fn an_uncaught_error_is_reported_on_stderr_with_exit_code_one() {
    let dir = TempDir::new("dap-uncaught");
    let program = dir.write("main.gene", "(println 1)\n(throw \"boom\")\n");
    let mut c = Client::start();
    c.launch(&program, &[], json!({"noDebug": true}));
    let code = c.event("exited")["body"]["exitCode"].clone();
    assert_eq!(code, 1);
    assert!(
        c.output("stderr").contains("boom"),
        "{}",
        c.output("stderr")
    );
    assert_eq!(c.output("stdout"), "1\n");
}

const LOOP: &str = "(var total 0)
(for i in [1 2 3 4 5 6]
  (total += i))
(println total)
";

/// Launches LOOP with one breakpoint on line 3 described by `bp`; gives the value of `i` at
/// each stop and the client (to read the output).
fn loop_stops(name: &str, bp: Value) -> (Vec<String>, Client) {
    let dir = TempDir::new(name);
    let program = dir.write("main.gene", LOOP);
    let mut c = Client::start();
    c.ok("initialize", json!({"adapterID": "gene"}));
    c.ok("launch", json!({"program": program.display().to_string()}));
    let mut bp = bp;
    bp["line"] = json!(3);
    c.ok(
        "setBreakpoints",
        json!({"source": {"path": program.display().to_string()}, "breakpoints": [bp]}),
    );
    c.ok("configurationDone", json!({}));
    let mut seen = Vec::new();
    loop {
        let deadline = Instant::now() + TIMEOUT;
        let m = c.next_message(deadline);
        if m["type"] != "event" {
            continue;
        }
        match m["event"].as_str() {
            Some("stopped") => {
                let thread = m["body"]["threadId"].clone();
                let frame = c.top_frame(&thread);
                let locals = c.locals(&frame["id"]);
                let i = locals
                    .iter()
                    .find(|(n, _)| n == "i")
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default();
                seen.push(i);
                c.ok("continue", json!({"threadId": thread}));
            }
            Some("exited") => {
                c.events.push(m);
                break;
            }
            _ => c.events.push(m),
        }
    }
    drop(dir);
    (seen, c)
}

#[test]
fn a_conditional_breakpoint_stops_only_where_its_condition_holds() {
    let (seen, c) = loop_stops("dap-condition", json!({"condition": "(i == 4)"}));
    assert_eq!(seen, ["4"]);
    assert_eq!(c.output("stdout"), "21\n");
}

#[test]
fn a_hit_count_stops_on_the_hits_it_names() {
    let (seen, _) = loop_stops("dap-hits", json!({"hitCondition": "% 2"}));
    assert_eq!(seen, ["2", "4", "6"]);
    let (seen, _) = loop_stops("dap-hits-eq", json!({"hitCondition": "5"}));
    assert_eq!(seen, ["5"]);
}

#[test]
fn a_logpoint_prints_its_message_and_does_not_stop() {
    let (seen, c) = loop_stops("dap-log", json!({"logMessage": "i={i} total={total}"}));
    assert!(seen.is_empty(), "{seen:?}");
    assert_eq!(
        c.output("console"),
        "i=1 total=0\ni=2 total=1\ni=3 total=3\ni=4 total=6\ni=5 total=10\ni=6 total=15\n"
    );
}

#[test]
fn the_uncaught_filter_stops_at_the_throw_with_its_frame() {
    let dir = TempDir::new("dap-exception");
    let program = dir.write(
        "main.gene",
        "(fn check [n]\n  (throw (new ValueError #\"bad #{n}\")))\n(try (check 1) catch * (println \"caught\"))\n(check 2)\n",
    );
    let mut c = Client::start();
    c.ok("initialize", json!({"adapterID": "gene"}));
    c.ok("launch", json!({"program": program.display().to_string()}));
    c.ok("setExceptionBreakpoints", json!({"filters": ["uncaught"]}));
    c.ok("configurationDone", json!({}));
    let stopped = c.event("stopped");
    assert_eq!(stopped["body"]["reason"], "exception");
    assert!(
        stopped["body"]["text"]
            .as_str()
            .unwrap_or("")
            .contains("bad 2"),
        "{stopped}"
    );
    let thread = stopped["body"]["threadId"].clone();
    let frame = c.top_frame(&thread);
    assert_eq!(frame["line"], 2);
    assert_eq!(c.locals(&frame["id"]), [("n".to_string(), "2".to_string())]);
    c.ok("continue", json!({"threadId": thread}));
    assert_eq!(c.finish(), 1);
}

/// Launches `text` with `function_breakpoints` (DAP `FunctionBreakpoint` objects) and
/// `filters`: gives the client after `configurationDone` and the function breakpoints' answer.
fn launch_with(
    name: &str,
    text: &str,
    function_breakpoints: Value,
    filters: &[&str],
) -> (Client, Value, TempDir) {
    let dir = TempDir::new(name);
    let program = dir.write("main.gene", text);
    let mut c = Client::start();
    let caps = c.ok("initialize", json!({"adapterID": "gene"}));
    assert_eq!(caps["supportsFunctionBreakpoints"], true);
    c.ok("launch", json!({"program": program.display().to_string()}));
    let set = c.ok(
        "setFunctionBreakpoints",
        json!({"breakpoints": function_breakpoints}),
    );
    c.ok("setExceptionBreakpoints", json!({"filters": filters}));
    c.ok("configurationDone", json!({}));
    (c, set, dir)
}

const CLIENT: &str = "(class Client
  (.fn fetch [url]
    (var size (url .length))
    size))

(fn fetch [n]
  (n * 2))

(var c (new Client))
(for u in [\"a\" \"bb\" \"ccc\"]
  (println (c .fetch u)))
(println (fetch 21))
";

#[test]
fn a_function_breakpoint_stops_on_entry_of_the_functions_it_names() {
    let (mut c, set, _dir) = launch_with(
        "dap-function-bp",
        CLIENT,
        json!([{"name": "Client.fetch"}, {"name": "nothing_here"}]),
        &[],
    );
    assert_eq!(set["breakpoints"][0]["verified"], true, "{set}");
    assert_eq!(set["breakpoints"][1]["verified"], false, "{set}");
    for url in ["\"a\"", "\"bb\"", "\"ccc\""] {
        let stopped = c.event("stopped");
        assert_eq!(stopped["body"]["reason"], "function breakpoint");
        let thread = stopped["body"]["threadId"].clone();
        let frame = c.top_frame(&thread);
        assert_eq!(frame["name"], "fetch");
        assert_eq!(frame["line"], 3);
        let locals = c.locals(&frame["id"]);
        assert!(locals.contains(&("url".into(), url.into())), "{locals:?}");
        c.ok("continue", json!({"threadId": thread}));
    }
    // The plain function `fetch` is not `Client.fetch`: the program runs to its end.
    assert_eq!(c.event("exited")["body"]["exitCode"], 0);
    assert_eq!(c.output("stdout"), "1\n2\n3\n42\n");
}

/// Runs CLIENT with `breakpoints` (function breakpoints): the locals at each stop.
fn function_stops(name: &str, breakpoints: Value) -> Vec<Vec<(String, String)>> {
    let (mut c, _, _dir) = launch_with(name, CLIENT, breakpoints, &[]);
    let mut seen = Vec::new();
    loop {
        let deadline = Instant::now() + TIMEOUT;
        let m = c.next_message(deadline);
        match m["event"].as_str() {
            Some("stopped") => {
                let thread = m["body"]["threadId"].clone();
                let frame = c.top_frame(&thread);
                seen.push(c.locals(&frame["id"]));
                c.ok("continue", json!({"threadId": thread}));
            }
            Some("exited") => break,
            _ => c.events.push(m),
        }
    }
    seen
}

#[test]
fn a_function_breakpoint_by_plain_name_takes_methods_too_with_conditions_and_hit_counts() {
    let url = |v: &str| ("url".to_string(), v.to_string());
    // `fetch` names the method and the function.
    let seen = function_stops("dap-function-bp-plain", json!([{"name": "fetch"}]));
    assert_eq!(seen.len(), 4, "{seen:?}");
    assert!(seen[0].contains(&url("\"a\"")), "{seen:?}");
    assert_eq!(seen[3], [("n".to_string(), "21".to_string())]);
    let seen = function_stops(
        "dap-function-bp-hits",
        json!([{"name": "Client/fetch", "hitCondition": "2"}]),
    );
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].contains(&url("\"bb\"")), "{seen:?}");
    let seen = function_stops(
        "dap-function-bp-condition",
        json!([{"name": "Client.fetch", "condition": "(url == \"ccc\")"}]),
    );
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].contains(&url("\"ccc\"")), "{seen:?}");
}

#[test]
fn a_function_breakpoint_set_while_running_binds_in_code_loaded_later() {
    let dir = TempDir::new("dap-function-bp-later");
    dir.write("lib.gene", "(fn helper [x]\n  (var y (x + 1))\n  y)\n");
    let program = dir.write(
        "main.gene",
        "(import helper from \"./lib\")\n(println (helper 1))\n",
    );
    let mut c = Client::start();
    c.ok("initialize", json!({"adapterID": "gene"}));
    c.ok("launch", json!({"program": program.display().to_string()}));
    let set = c.ok(
        "setFunctionBreakpoints",
        json!({"breakpoints": [{"name": "helper"}]}),
    );
    // Not in the main file: verified only once lib.gene is loaded.
    assert_eq!(set["breakpoints"][0]["verified"], false, "{set}");
    let id = set["breakpoints"][0]["id"].clone();
    c.ok("configurationDone", json!({}));
    let changed = c.event("breakpoint");
    assert_eq!(changed["body"]["breakpoint"]["id"], id);
    assert_eq!(changed["body"]["breakpoint"]["verified"], true);
    let stopped = c.event("stopped");
    assert_eq!(stopped["body"]["reason"], "function breakpoint");
    let frame = c.top_frame(&stopped["body"]["threadId"].clone());
    assert_eq!(frame["name"], "helper");
    assert_eq!(frame["line"], 2);
    c.ok("continue", json!({"threadId": stopped["body"]["threadId"]}));
    assert_eq!(c.event("exited")["body"]["exitCode"], 0);
    assert_eq!(c.output("stdout"), "2\n");
}

#[test]
fn the_unobserved_filter_stops_where_a_task_fails_that_nothing_awaits() {
    let (mut c, _, _dir) = launch_with(
        "dap-unobserved",
        "(fn ^^async check [n]
  (await (gene/sleep_async 1))
  (throw (new ValueError #\"bad #{n}\")))

(fn ^^async fine [n]
  (await (gene/sleep_async 1))
  (throw (new ValueError #\"awaited #{n}\")))

(var f (fine 1))
(check 2)
(try (await f) catch * (println \"caught\"))
(await (gene/sleep_async 20))
(println \"end\")
",
        json!([]),
        &["unobserved"],
    );
    let caps_stop = c.event("stopped");
    assert_eq!(caps_stop["body"]["reason"], "exception");
    let text = caps_stop["body"]["text"].as_str().unwrap_or("").to_string();
    assert!(
        text.contains("bad 2") && text.contains("unobserved"),
        "{text}"
    );
    let thread = caps_stop["body"]["threadId"].clone();
    assert_ne!(thread, 1, "the failing task stops, not main");
    let frame = c.top_frame(&thread);
    assert_eq!(frame["name"], "check");
    assert_eq!(frame["line"], 3);
    assert_eq!(c.locals(&frame["id"]), [("n".to_string(), "2".to_string())]);
    c.ok("continue", json!({"threadId": thread}));
    // `fine`'s failure is awaited: no stop for it; the unobserved one fails the program.
    assert_eq!(c.event("exited")["body"]["exitCode"], 1);
    assert_eq!(c.output("stdout"), "caught\nend\n");
}

#[test]
fn the_unobserved_filter_stops_at_the_end_for_a_failure_something_still_held() {
    let (mut c, _, _dir) = launch_with(
        "dap-unobserved-held",
        "(fn ^^async check []
  (throw (new ValueError \"kept\")))

(var kept (check))
(await (gene/sleep_async 5))
(println \"end\")
",
        json!([]),
        &["unobserved"],
    );
    let stopped = c.event("stopped");
    assert_eq!(stopped["body"]["reason"], "exception");
    let text = stopped["body"]["text"].as_str().unwrap_or("").to_string();
    assert!(
        text.contains("kept") && text.contains("main.gene:4"),
        "{text}"
    );
    assert_eq!(c.output("stdout"), "end\n");
    c.ok("continue", json!({"threadId": stopped["body"]["threadId"]}));
    assert_eq!(c.finish(), 1);
}

#[test]
fn without_the_unobserved_filter_a_failing_task_runs_through() {
    let (c, _, _dir) = launch_with(
        "dap-unobserved-off",
        "(fn ^^async check []\n  (throw \"x\"))\n(check)\n(println \"end\")\n",
        json!([]),
        &[],
    );
    assert_eq!(c.finish(), 1);
}

/// Runs CLIENT to a breakpoint on line 11 (in the loop: `c` a Client, `u` = "a").
fn stopped_in_loop(name: &str) -> (Client, Value, Value, TempDir) {
    let dir = TempDir::new(name);
    let program = dir.write("main.gene", CLIENT);
    let mut c = Client::start();
    c.launch(&program, &[11], json!({}));
    let thread = c.event("stopped")["body"]["threadId"].clone();
    let frame = c.top_frame(&thread)["id"].clone();
    (c, thread, frame, dir)
}

#[test]
fn completions_offer_frame_names_builtins_and_methods_of_a_known_class() {
    let (mut c, thread, frame, _dir) = stopped_in_loop("dap-completions");
    let labels = |body: &Value| -> Vec<String> {
        body["targets"]
            .as_array()
            .expect("targets")
            .iter()
            .filter_map(|t| t["label"].as_str().map(str::to_string))
            .collect()
    };
    let names = c.ok(
        "completions",
        json!({"frameId": frame, "text": "(println u", "column": 11}),
    );
    assert_eq!(labels(&names)[0], "u", "{names}");
    let names = c.ok("completions", json!({"text": "(printl", "column": 8}));
    assert!(labels(&names).contains(&"println".to_string()), "{names}");
    let names = c.ok("completions", json!({"text": "(c", "column": 3}));
    assert!(labels(&names).contains(&"c".to_string()), "{names}");
    // `c` is a Client: its method; `u` a string: the string methods.
    let methods = c.ok("completions", json!({"text": "(c .fe", "column": 7}));
    assert_eq!(labels(&methods), ["fetch"], "{methods}");
    let methods = c.ok("completions", json!({"text": "(u .len", "column": 8}));
    assert!(
        labels(&methods).contains(&"length".to_string()),
        "{methods}"
    );
    let _ = thread;
}

#[test]
fn set_variable_changes_fields_map_entries_and_array_elements() {
    let dir = TempDir::new("dap-set-fields");
    let program = dir.write(
        "main.gene",
        "(class Point
  (.ctor [x y]
    (/x = x)
    (/y = y)))
(var p (new Point 1 2))
(var m {^a 1 ^b 2})
(var xs [10 20 30])
(println (p/x + p/y) m/a xs/1)
",
    );
    let mut c = Client::start();
    c.launch(&program, &[8], json!({}));
    let thread = c.event("stopped")["body"]["threadId"].clone();
    let frame = c.top_frame(&thread)["id"].clone();
    let scopes = c.ok("scopes", json!({"frameId": frame}));
    let locals = scopes["scopes"][0]["variablesReference"].clone();
    let vars = c.ok("variables", json!({"variablesReference": locals}));
    let reference = |name: &str| {
        vars["variables"]
            .as_array()
            .and_then(|v| v.iter().find(|v| v["name"] == name))
            .unwrap_or_else(|| panic!("no {name} in {vars}"))["variablesReference"]
            .clone()
    };
    let (p, m, xs) = (reference("p"), reference("m"), reference("xs"));
    let set = c.ok(
        "setVariable",
        json!({"variablesReference": p, "name": "x", "value": "(40 + 1)"}),
    );
    assert_eq!(set["value"], "41");
    assert_eq!(set["variablesReference"], 0);
    let set = c.ok(
        "setVariable",
        json!({"variablesReference": m, "name": "^a", "value": "[1 2]"}),
    );
    assert_eq!(set["value"], "[1 2]");
    assert_ne!(set["variablesReference"], 0, "an array can be expanded");
    c.ok(
        "setVariable",
        json!({"variablesReference": xs, "name": "[1]", "value": "7"}),
    );
    let bad = c.request(
        "setVariable",
        json!({"variablesReference": xs, "name": "[9]", "value": "7"}),
    );
    assert_eq!(bad["success"], false);
    let bad = c.request(
        "setVariable",
        json!({"variablesReference": p, "name": "nope", "value": "7"}),
    );
    assert_eq!(bad["success"], false);
    c.ok("continue", json!({"threadId": thread}));
    assert_eq!(c.event("exited")["body"]["exitCode"], 0);
    assert_eq!(c.output("stdout"), "43 [1 2] 7\n");
}

/// A test file for launches with `test`.
const TESTS: &str = r#"(fn add [a b] (a + b))
(println "top level")
(describe "math"
  (test "adds"
    (var sum (add 1 2))
    (assert_eq sum 3))
  (test "other" (assert_eq 1 1)))
(test "outside" (assert_eq 1 2))
"#;

#[test]
fn a_launched_test_runs_after_the_top_level_and_stops_at_a_breakpoint_in_its_body() {
    let dir = TempDir::new("dap-test-launch");
    let program = dir.write("math_test.gene", TESTS);
    let mut c = Client::start();
    let set = c.launch(&program, &[6], json!({"test": "math > adds"}));
    assert_eq!(set["breakpoints"][0]["verified"], true, "{set}");

    let stopped = c.event("stopped");
    assert_eq!(stopped["body"]["reason"], "breakpoint");
    let thread = stopped["body"]["threadId"].clone();
    let top = c.top_frame(&thread);
    assert_eq!(top["line"], 6, "{top}");
    let sum = c.ok(
        "evaluate",
        json!({"expression": "sum", "frameId": top["id"], "context": "watch"}),
    );
    assert_eq!(sum["result"], "3");
    c.ok("continue", json!({"threadId": thread}));

    // Only the selected test ran: "outside" would fail and make the exit code 1.
    let exited = c.event("exited");
    assert_eq!(exited["body"]["exitCode"], 0, "{:#?}", c.events);
    assert_eq!(c.output("stdout"), "top level\n");
    assert_eq!(c.output("console"), "test math > adds ... ok\n");
}

/// A failing assertion stops as an uncaught exception (the default filter) in the test's
/// body, then the run ends with exit code 1; a name no test has ends it at once.
#[test]
fn a_failing_or_missing_launched_test_ends_with_exit_code_one() {
    let dir = TempDir::new("dap-test-fail");
    let program = dir.write("math_test.gene", TESTS);
    for (test, console) in [("nothing", ""), ("outside", "test outside ... FAILED\n")] {
        let mut c = Client::start();
        c.launch(&program, &[], json!({"test": test}));
        if test == "outside" {
            let stopped = c.event("stopped");
            assert_eq!(stopped["body"]["reason"], "exception", "{stopped}");
            let thread = stopped["body"]["threadId"].clone();
            assert_eq!(c.top_frame(&thread)["line"], 8);
            c.ok("continue", json!({"threadId": thread}));
        }
        let exited = c.event("exited");
        assert_eq!(exited["body"]["exitCode"], 1, "{test}");
        assert_eq!(c.output("console"), console);
        let stderr = c.output("stderr");
        if test == "nothing" {
            assert!(stderr.contains("no test named \"nothing\""), "{stderr}");
        } else {
            assert!(stderr.contains("AssertionError"), "{stderr}");
        }
    }
}
