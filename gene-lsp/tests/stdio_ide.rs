//! The built `gene-lsp` binary over stdio: "Run file" (output in order, exit code, stopping an
//! endless loop, the error diagnostic), formatting and completion, as an editor sees them.

mod support;

use serde_json::{Value, json};
use support::stdio::{Server, apply};

fn start(init_options: Value) -> Server {
    let mut server = Server::start(&["--stdio"]);
    let init = server.request(
        "initialize",
        json!({
            "processId": null,
            "capabilities": {
                "textDocument": {
                    "publishDiagnostics": {"relatedInformation": true},
                    "completion": {"completionItem": {"snippetSupport": true}}
                }
            },
            "initializationOptions": init_options
        }),
    );
    assert!(init["result"]["capabilities"]["executeCommandProvider"].is_object());
    server.notify("initialized", json!({}));
    server
}

fn open(server: &mut Server, uri: &str, text: &str) {
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "gene", "version": 1, "text": text}}),
    );
}

fn run(server: &mut Server, uri: &str) -> (String, Vec<Value>) {
    let (answer, before) = server.request_keeping(
        "workspace/executeCommand",
        json!({"command": "gene.runFile", "arguments": [{"uri": uri}]}),
    );
    let run_id = answer["result"]["runId"]
        .as_str()
        .unwrap_or_else(|| panic!("a run id: {answer}"))
        .to_string();
    (run_id, before)
}

/// The run's output notifications (including any that came before the answer) up to its end,
/// the end, and the other messages that came meanwhile.
fn until_end(
    server: &mut Server,
    run_id: &str,
    mut seen: Vec<Value>,
) -> (Vec<Value>, Value, Vec<Value>) {
    let mut output = Vec::new();
    let mut others = Vec::new();
    loop {
        let message = if seen.is_empty() {
            server.next()
        } else {
            seen.remove(0)
        };
        let params = &message["params"];
        match message["method"].as_str() {
            Some("gene/runOutput") if params["runId"] == run_id => output.push(params.clone()),
            Some("gene/runEnd") if params["runId"] == run_id => {
                return (output, params.clone(), others);
            }
            _ => others.push(message),
        }
    }
}

fn shut_down(mut server: Server) {
    server.request("shutdown", Value::Null);
    server.notify("exit", Value::Null);
    assert_eq!(server.wait_for_exit(), Some(0));
}

#[test]
fn run_file_streams_output_and_reports_errors() {
    let mut server = start(json!({"runNotifications": true}));
    let uri = "file:///stdio/unsaved.gene";
    let text = "(for i in (range 1 3) (println i))\n(println ^^stderr \"warn\")\n(fn f [x]\n  (throw x))\n(f \"boom\")\n";
    open(&mut server, uri, text);
    let (run_id, before) = run(&mut server, uri);
    let (output, end, mut others) = until_end(&mut server, &run_id, before);
    let all: String = output.iter().map(|o| o["text"].as_str().unwrap()).collect();
    assert!(
        all.starts_with("1\n2\n3\nwarn\nError: Gene exception: \"boom\""),
        "{all}"
    );
    // The stdout text, then the stderr text (each in one or more notifications).
    let mut streams: Vec<&str> = output
        .iter()
        .map(|o| o["stream"].as_str().unwrap())
        .collect();
    streams.dedup();
    assert_eq!(streams, ["stdout", "stderr"]);
    assert_eq!(end["status"], "error");
    assert_eq!(end["exitCode"], 1);

    // The error as a diagnostic at the throwing form, with the trace.
    let error = loop {
        let message = if others.is_empty() {
            server.next()
        } else {
            others.remove(0)
        };
        if message["method"] != "textDocument/publishDiagnostics" {
            continue;
        }
        let diagnostics = message["params"]["diagnostics"].as_array().unwrap();
        if let Some(error) = diagnostics.iter().find(|d| d["source"] == "gene run") {
            break error.clone();
        }
    };
    assert_eq!(error["range"]["start"], json!({"line": 3, "character": 2}));
    assert_eq!(error["relatedInformation"].as_array().unwrap().len(), 2);
    shut_down(server);
}

#[test]
fn stop_run_ends_an_endless_loop() {
    let mut server = start(json!({"runNotifications": true}));
    let uri = "file:///stdio/loop.gene";
    open(&mut server, uri, "(println \"go\")\n(while true 1)\n");
    let (run_id, mut before) = run(&mut server, uri);
    // The program is running once its first line is out.
    loop {
        let message = if before.is_empty() {
            server.next()
        } else {
            before.remove(0)
        };
        if message["method"] == "gene/runOutput" && message["params"]["text"] == "go\n" {
            break;
        }
    }
    let asked = std::time::Instant::now();
    let (stopped, before) = server.request_keeping(
        "workspace/executeCommand",
        json!({"command": "gene.stopRun", "arguments": [{"runId": run_id}]}),
    );
    assert_eq!(stopped["result"], json!({"stopped": true}));
    let (_, end, _) = until_end(&mut server, &run_id, before);
    eprintln!("stop to runEnd over stdio: {:?}", asked.elapsed());
    assert_eq!(end["status"], "stopped");
    assert_eq!(end["exitCode"], 130);

    // The server runs the next program as usual.
    open(
        &mut server,
        "file:///stdio/next.gene",
        "(println \"next\")\n",
    );
    let (next, before) = run(&mut server, "file:///stdio/next.gene");
    let (output, end, _) = until_end(&mut server, &next, before);
    assert_eq!(output[0]["text"], "next\n");
    assert_eq!(end["status"], "ok");
    shut_down(server);
}

#[test]
fn formatting_and_completion_over_stdio() {
    let mut server = start(Value::Null);
    let uri = "file:///stdio/format.gene";
    let text = "(fn   greet [name]\n      (println   name))\n(gree)\n";
    open(&mut server, uri, text);
    let formatted = server.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    let edits = formatted["result"].as_array().unwrap();
    assert_eq!(
        apply(text, edits),
        "(fn greet [name] (println name))\n(gree)\n"
    );

    let completion = server.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": {"line": 2, "character": 5}}),
    );
    let items = completion["result"]["items"].as_array().unwrap();
    let greet = items
        .iter()
        .find(|i| i["label"] == "greet")
        .unwrap_or_else(|| panic!("greet in {items:?}"));
    assert_eq!(greet["kind"], 3);
    assert_eq!(
        greet["textEdit"]["range"],
        json!({"start": {"line": 2, "character": 1}, "end": {"line": 2, "character": 5}})
    );
    shut_down(server);
}

/// What a run should end with, given its status, exit code and output.
type Expected = dyn Fn(&str, i64, &str) -> bool;

/// Runs that took the server down when programs ran inside it: one that exhausts memory in one
/// value (now a catchable MemoryError), one that exhausts it in many small ones (a list of small
/// arrays: the allocator aborts the child), endless async recursion (now a StackOverflow), one that reads stdin (the
/// editor's messages), one that writes to `/dev/stdout` (the protocol stream). Each now runs in a
/// child process: the run ends, and the server answers the next request.
#[test]
fn runs_that_abort_or_touch_stdio_leave_the_server_serving() {
    let mut server = start(json!({"runNotifications": true, "run": {"maxMemoryMb": 256}}));
    let killed = |status: &str, code: i64, text: &str| {
        status == "error" && code == 134 && text.contains("killed by SIGABRT")
    };
    let cases: [(&str, &str, &Expected); 5] = [
        (
            "memory",
            "(var s \"x\")\n(while true (s = (s .append s)))\n",
            &|status, code, text| status == "error" && code == 1 && text.contains("MemoryError"),
        ),
        (
            "abort",
            "(var head nil)\n(while true (head = [head]))\n",
            &killed,
        ),
        (
            "async",
            "(fn ^^async f [] (await (f)))\n(await (f))\n",
            &|status, code, text| status == "error" && code == 1 && text.contains("StackOverflow"),
        ),
        // The child's stdin is empty.
        (
            "stdin",
            "(println \"read\" (gene/io/read \"/dev/stdin\") \"end\")\n",
            &|status, _, text| status == "ok" && text == "read  end\n",
        ),
        // What the program writes to /dev/stdout is its output, not a protocol message.
        (
            "stdout",
            "(gene/io/append \"/dev/stdout\" \"Content-Length: 5\\r\\n\\r\\nraw\\n\")\n(println \"after\")\n",
            &|status, _, text| {
                status == "ok"
                    && text.contains("Content-Length: 5\r\n\r\nraw\n")
                    && text.contains("after\n")
            },
        ),
    ];
    for (name, text, expected) in cases {
        let uri = format!("file:///stdio/{name}.gene");
        open(&mut server, &uri, text);
        let (run_id, before) = run(&mut server, &uri);
        let (output, end, _) = until_end(&mut server, &run_id, before);
        let all: String = output.iter().map(|o| o["text"].as_str().unwrap()).collect();
        let status = end["status"].as_str().unwrap_or("");
        let code = end["exitCode"].as_i64().unwrap_or(-1);
        assert!(expected(status, code, &all), "{name}: {end}\n{all}");
        let symbols = server.request("workspace/symbol", json!({"query": ""}));
        assert!(symbols["result"].is_array(), "after {name}: {symbols}");
    }
    shut_down(server);
}
