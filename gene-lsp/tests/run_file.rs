//! "Run file" through the server in process: output streamed in order, the end of a run,
//! stopping, progress, the error diagnostic, the log fallback, and that nothing runs unasked.

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{TestClient, file_uri, temp_dir};

const URI: &str = "file:///work/never-saved/run.gene";

/// A client that handles the run notifications itself, takes pushed diagnostics and shows
/// related information.
async fn runner(capabilities: Value) -> TestClient {
    let mut client = TestClient::new();
    client
        .initialize_with(json!({
            "capabilities": capabilities,
            "initializationOptions": {"runNotifications": true}
        }))
        .await;
    client
}

fn push_caps() -> Value {
    json!({"textDocument": {"publishDiagnostics": {"relatedInformation": true}}})
}

async fn run_file(client: &mut TestClient, uri: &str) -> String {
    let answer = client
        .request(
            "workspace/executeCommand",
            json!({"command": "gene.runFile", "arguments": [{"uri": uri}]}),
        )
        .await
        .expect("gene.runFile answers");
    answer["runId"].as_str().expect("a run id").to_string()
}

/// Everything a run sent until its end: the output segments and the `gene/runEnd` params.
async fn until_end(client: &mut TestClient, run_id: &str) -> (Vec<(String, String)>, Value) {
    let mut output = Vec::new();
    loop {
        let message = client.next_any().await;
        let params = message.params().cloned().unwrap_or(Value::Null);
        match message.method() {
            "gene/runOutput" if params["runId"] == run_id => output.push((
                params["stream"].as_str().unwrap().to_string(),
                params["text"].as_str().unwrap().to_string(),
            )),
            "gene/runEnd" if params["runId"] == run_id => return (output, params),
            _ => {}
        }
    }
}

fn text_of(output: &[(String, String)], stream: &str) -> String {
    output
        .iter()
        .filter(|(s, _)| s == stream)
        .map(|(_, t)| t.as_str())
        .collect()
}

#[tokio::test]
async fn the_buffer_runs_with_its_output_in_order() {
    let mut client = runner(push_caps()).await;
    // Never saved: the file does not exist, the editor's text is what runs.
    client
        .open(
            URI,
            1,
            "(println \"one\")\n(println ^^stderr \"two\")\n(for i in (range 3 5) (println i))\n",
        )
        .await;
    let run_id = run_file(&mut client, URI).await;
    let (output, end) = until_end(&mut client, &run_id).await;
    let all: String = output.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(all, "one\ntwo\n3\n4\n5\n");
    assert_eq!(text_of(&output, "stderr"), "two\n");
    // stdout, then stderr, then stdout again: the streams keep their interleaving.
    let streams: Vec<&str> = output.iter().map(|(s, _)| s.as_str()).collect();
    let switches = streams.windows(2).filter(|w| w[0] != w[1]).count();
    assert_eq!(switches, 2, "{output:?}");
    assert_eq!(end["status"], "ok");
    assert_eq!(end["exitCode"], 0);
    assert!(end["durationMs"].is_u64());
}

#[tokio::test]
async fn a_flood_of_output_goes_out_in_few_messages() {
    let mut client = runner(json!({})).await;
    client
        .open(URI, 1, "(for i in (range 1 100000) (println i))\n")
        .await;
    let run_id = run_file(&mut client, URI).await;
    let (output, end) = until_end(&mut client, &run_id).await;
    let text = text_of(&output, "stdout");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 100_000);
    assert_eq!((lines[0], lines[99_999]), ("1", "100000"));
    assert!(
        output.len() < 1000,
        "{} notifications for 100,000 lines",
        output.len()
    );
    assert_eq!(end["status"], "ok");
}

#[tokio::test]
async fn stop_ends_an_endless_loop_and_the_server_answers_meanwhile() {
    let mut client = runner(json!({})).await;
    client
        .open(URI, 1, "(var n 0)\n(while true (n += 1))\n")
        .await;
    let run_id = run_file(&mut client, URI).await;
    // The server answers while the program runs.
    let hover = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": URI}, "position": {"line": 1, "character": 13}}),
        )
        .await
        .unwrap();
    assert!(hover["contents"]["value"].as_str().unwrap().contains('n'));
    let asked = Instant::now();
    let stopped = client
        .request(
            "workspace/executeCommand",
            json!({"command": "gene.stopRun", "arguments": [{"runId": run_id}]}),
        )
        .await
        .unwrap();
    assert_eq!(stopped, json!({"stopped": true}));
    let (_, end) = until_end(&mut client, &run_id).await;
    let took = asked.elapsed();
    assert_eq!(end["status"], "stopped");
    assert_eq!(end["exitCode"], 130);
    println!("stop to runEnd: {took:?}");

    // A stop for a run that has ended is no error, and says so.
    let again = client
        .request(
            "workspace/executeCommand",
            json!({"command": "gene.stopRun", "arguments": [{"runId": run_id}]}),
        )
        .await
        .unwrap();
    assert_eq!(again, json!({"stopped": false}));
}

#[tokio::test]
async fn stop_ends_a_run_blocked_in_a_long_sleep() {
    let mut client = runner(json!({})).await;
    client
        .open(URI, 1, "(println \"before\")\n(gene/sleep 600000)\n")
        .await;
    let run_id = run_file(&mut client, URI).await;
    // Wait for the output, so the program is in its sleep.
    loop {
        let message = client.next_message("gene/runOutput").await;
        if message["text"] == "before\n" {
            break;
        }
    }
    client
        .request(
            "workspace/executeCommand",
            json!({"command": "gene.stopRun", "arguments": [{"runId": run_id}]}),
        )
        .await
        .unwrap();
    let (_, end) = until_end(&mut client, &run_id).await;
    assert_eq!(end["status"], "stopped");
}

#[tokio::test]
async fn an_uncaught_error_is_a_diagnostic_until_the_next_edit() {
    let mut client = runner(push_caps()).await;
    let text = "(fn f [x]\n  (throw x))\n(println \"start\")\n(f \"bad\")\n";
    client.open(URI, 1, text).await;
    assert!(client.diagnostics_at(URI, 1).await.is_empty());
    let run_id = run_file(&mut client, URI).await;
    let (output, end) = until_end(&mut client, &run_id).await;
    assert_eq!(end["status"], "error");
    assert_eq!(end["exitCode"], 1);
    assert_eq!(text_of(&output, "stdout"), "start\n");
    let stderr = text_of(&output, "stderr");
    assert!(
        stderr.starts_with("Error: Gene exception: \"bad\""),
        "{stderr}"
    );
    assert!(stderr.contains("Stack trace"), "{stderr}");

    let diagnostics = client.diagnostics_at(URI, 1).await;
    let run_error = diagnostics
        .iter()
        .find(|d| d["source"] == "gene run")
        .expect("the run's error");
    assert_eq!(run_error["severity"], 1);
    // At the `(throw ...)` form, where it was thrown.
    assert_eq!(
        run_error["range"],
        json!({"start": {"line": 1, "character": 2}, "end": {"line": 1, "character": 11}})
    );
    let related = run_error["relatedInformation"].as_array().unwrap();
    assert_eq!(related.len(), 2, "{related:?}");
    assert_eq!(related[0]["message"], "thrown in f");
    assert_eq!(related[1]["location"]["range"]["start"]["line"], 3);

    // An edit clears it.
    client.edit(URI, 2, (2, 0), (2, 0), " ").await;
    let after_edit = client.diagnostics_at(URI, 2).await;
    assert!(
        after_edit.iter().all(|d| d["source"] != "gene run"),
        "{after_edit:?}"
    );
}

#[tokio::test]
async fn the_next_run_clears_the_last_error() {
    let mut client = runner(push_caps()).await;
    // The program waits before it fails, so the second run's start (which clears the error) is
    // published before its end brings the error back: a run that fails at once can end before
    // the clearing push goes out, and then only the final state is published.
    client
        .open(URI, 1, "(gene/sleep 300)\n(throw \"no\")\n")
        .await;
    client.diagnostics_at(URI, 1).await;
    let first = run_file(&mut client, URI).await;
    until_end(&mut client, &first).await;
    let diagnostics = client.diagnostics_at(URI, 1).await;
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    // The same text again: the error goes when the run starts, and comes back when it fails.
    let second = run_file(&mut client, URI).await;
    let cleared = client.diagnostics_at(URI, 1).await;
    assert!(cleared.is_empty(), "{cleared:?}");
    until_end(&mut client, &second).await;
    assert_eq!(client.diagnostics_at(URI, 1).await.len(), 1);
}

#[tokio::test]
async fn pulled_diagnostics_include_the_run_error() {
    let mut caps = push_caps();
    caps["textDocument"]["diagnostic"] = json!({});
    let mut client = runner(caps).await;
    client.open(URI, 1, "(throw \"no\")\n").await;
    let run_id = run_file(&mut client, URI).await;
    until_end(&mut client, &run_id).await;
    let report = client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": URI}}),
        )
        .await
        .unwrap();
    let items = report["items"].as_array().unwrap();
    assert!(items.iter().any(|d| d["source"] == "gene run"), "{items:?}");
}

#[tokio::test]
async fn progress_shows_the_run_and_cancelling_it_stops_the_run() {
    let mut client = runner(json!({"window": {"workDoneProgress": true}})).await;
    client.open(URI, 1, "(while true 1)\n").await;
    let run_id = run_file(&mut client, URI).await;
    let created = client.next_message("window/workDoneProgress/create").await;
    let token = created["token"].clone();
    let begin = client.next_message("$/progress").await;
    assert_eq!(begin["token"], token);
    assert_eq!(begin["value"]["kind"], "begin");
    assert_eq!(begin["value"]["cancellable"], true);
    assert_eq!(begin["value"]["title"], "Running run.gene");

    client
        .notify("window/workDoneProgress/cancel", json!({ "token": token }))
        .await;
    let (_, end) = until_end(&mut client, &run_id).await;
    assert_eq!(end["status"], "stopped");
    let done = client.next_message("$/progress").await;
    assert_eq!(done["value"]["kind"], "end");
    assert!(
        done["value"]["message"]
            .as_str()
            .unwrap()
            .starts_with("stopped after"),
        "{done}"
    );
}

#[tokio::test]
async fn a_token_from_the_client_is_used_as_given() {
    let mut client = runner(json!({})).await;
    client.open(URI, 1, "(println 1)\n").await;
    client
        .request(
            "workspace/executeCommand",
            json!({"command": "gene.runFile", "arguments": [{"uri": URI}], "workDoneToken": "mine"}),
        )
        .await
        .unwrap();
    let begin = client.next_message("$/progress").await;
    assert_eq!(begin["token"], "mine");
    let end = client.next_message("$/progress").await;
    assert_eq!(end["token"], "mine");
    let message = end["value"]["message"].as_str().unwrap();
    assert!(message.starts_with("exited with code 0 in "), "{message}");
}

#[tokio::test]
async fn clients_without_the_notifications_get_the_output_as_log_messages() {
    let mut client = TestClient::new();
    client.initialize(json!({})).await;
    client
        .open(
            URI,
            1,
            "(print \"par\")\n(println \"tial\")\n(println ^^stderr \"oops\")\n",
        )
        .await;
    let run_id = run_file(&mut client, URI).await;
    let mut logs = Vec::new();
    loop {
        let message = client.next_any().await;
        let params = message.params().cloned().unwrap_or(Value::Null);
        match message.method() {
            "window/logMessage" => logs.push((
                params["type"].as_i64().unwrap(),
                params["message"].as_str().unwrap().to_string(),
            )),
            "gene/runEnd" => break,
            _ => {}
        }
    }
    // Whole lines, stdout as log (4) and stderr as error (1) messages.
    assert!(logs.contains(&(4, "partial".to_string())), "{logs:?}");
    assert!(logs.contains(&(1, "oops".to_string())), "{logs:?}");
    assert!(
        logs.iter()
            .any(|(_, m)| m == &format!("gene {run_id}: running /work/never-saved/run.gene")),
        "{logs:?}"
    );
    // The end line comes right after runEnd.
    let last = client.next_message("window/logMessage").await;
    assert!(
        last["message"]
            .as_str()
            .unwrap()
            .starts_with(&format!("gene {run_id}: exited with code 0")),
        "{last}"
    );
}

#[tokio::test]
async fn bad_command_arguments_are_invalid_params() {
    let mut client = runner(json!({})).await;
    for params in [
        json!({"command": "gene.runFile", "arguments": []}),
        json!({"command": "gene.runFile", "arguments": [{"path": "x"}]}),
        json!({"command": "gene.stopRun", "arguments": [{}]}),
        json!({"command": "gene.somethingElse", "arguments": []}),
    ] {
        let error = client
            .request("workspace/executeCommand", params.clone())
            .await
            .unwrap_err();
        assert_eq!(error.code.code(), -32602, "{params}");
    }
    // A file that is neither open nor on disk cannot run.
    let missing = client
        .request(
            "workspace/executeCommand",
            json!({"command": "gene.runFile", "arguments": [{"uri": "file:///nowhere/x.gene"}]}),
        )
        .await
        .unwrap_err();
    assert!(missing.message.contains("nowhere"), "{}", missing.message);
}

/// Opening a folder and asking every question never runs the program: only `gene.runFile`
/// does (and then the marker file appears, so the test can tell).
#[tokio::test]
async fn no_user_code_runs_unless_a_run_is_asked_for() {
    let dir = temp_dir("unasked");
    let marker = dir.join("ran.txt");
    let program = format!(
        "(gene/io/write \"{0}\" \"ran\")\n(macro m [x] (gene/io/write \"{0}\" \"macro\"))\n(m 1)\n(eval :(gene/io/write \"{0}\" \"eval\"))\n(import x from \"other\")\n",
        marker.display()
    );
    std::fs::write(dir.join("main.gene"), &program).unwrap();
    std::fs::write(
        dir.join("other.gene"),
        format!(
            "(gene/io/write \"{}\" \"import\")\n(fn x [] 1)\n",
            marker.display()
        ),
    )
    .unwrap();
    let uri = file_uri(&dir.join("main.gene"));
    let mut client = TestClient::new();
    client
        .initialize_with(json!({
            "capabilities": {"textDocument": {"diagnostic": {}}},
            "workspaceFolders": [{"uri": file_uri(&dir), "name": "unasked"}]
        }))
        .await;
    client.open(&uri, 1, &program).await;
    let doc = json!({"uri": uri});
    let at = json!({"textDocument": doc, "position": {"line": 2, "character": 1}});
    let whole = json!({"start": {"line": 0, "character": 0}, "end": {"line": 5, "character": 0}});
    let requests = [
        ("textDocument/diagnostic", json!({"textDocument": doc})),
        ("textDocument/hover", at.clone()),
        ("textDocument/definition", at.clone()),
        ("textDocument/completion", at.clone()),
        ("textDocument/signatureHelp", at.clone()),
        ("textDocument/documentSymbol", json!({"textDocument": doc})),
        (
            "textDocument/semanticTokens/full",
            json!({"textDocument": doc}),
        ),
        (
            "textDocument/inlayHint",
            json!({"textDocument": doc, "range": whole}),
        ),
        ("textDocument/codeLens", json!({"textDocument": doc})),
        (
            "textDocument/formatting",
            json!({"textDocument": doc, "options": {"tabSize": 2, "insertSpaces": true}}),
        ),
        ("workspace/symbol", json!({"query": ""})),
    ];
    for (method, params) in requests {
        let _ = client.request(method, params).await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!marker.exists(), "analysis ran the program");

    let run_id = {
        let answer = client
            .request(
                "workspace/executeCommand",
                json!({"command": "gene.runFile", "arguments": [{"uri": uri}]}),
            )
            .await
            .unwrap();
        answer["runId"].as_str().unwrap().to_string()
    };
    until_end(&mut client, &run_id).await;
    assert!(marker.exists(), "the run ran the program");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn async_programs_run_and_stop_while_waiting_for_a_timer() {
    let mut client = runner(json!({})).await;
    client
        .open(
            URI,
            1,
            "(await (gene/sleep_async 5))\n(println \"woke\")\n(await (gene/sleep_async 600000))\n",
        )
        .await;
    let run_id = run_file(&mut client, URI).await;
    loop {
        let message = client.next_message("gene/runOutput").await;
        if message["text"] == "woke\n" {
            break;
        }
    }
    client
        .request(
            "workspace/executeCommand",
            json!({"command": "gene.stopRun", "arguments": [{"runId": run_id}]}),
        )
        .await
        .unwrap();
    let (_, end) = until_end(&mut client, &run_id).await;
    assert_eq!(end["status"], "stopped");
}

/// A program blocked in a call that never looks at its interrupt (opening a FIFO nobody
/// writes to) is killed by a stop: afterwards the FIFO has no reader left.
#[cfg(unix)]
#[tokio::test]
async fn stop_kills_a_program_blocked_in_a_native_call() {
    let dir = temp_dir("fifo-run");
    let fifo = dir.join("fifo");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
    let mut client = runner(json!({})).await;
    let text = format!(
        "(println \"reading\")\n(println (gene/io/read \"{}\"))\n",
        fifo.display()
    );
    client.open(URI, 1, &text).await;
    let run_id = run_file(&mut client, URI).await;
    loop {
        let message = client.next_message("gene/runOutput").await;
        if message["text"] == "reading\n" {
            break;
        }
    }
    client
        .request(
            "workspace/executeCommand",
            json!({"command": "gene.stopRun", "arguments": [{"runId": run_id}]}),
        )
        .await
        .unwrap();
    let (_, end) = until_end(&mut client, &run_id).await;
    assert_eq!(end["status"], "stopped");
    assert_eq!(end["exitCode"], 130);
    // Opening the write end without blocking fails when no process has the FIFO open for
    // reading: the program is gone, not left blocked.
    use std::os::unix::fs::OpenOptionsExt;
    let writer = std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(nix::fcntl::OFlag::O_NONBLOCK.bits())
        .open(&fifo);
    assert_eq!(
        writer.map_err(|e| e.raw_os_error()).err(),
        Some(Some(nix::libc::ENXIO)),
        "the program still reads the FIFO"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `gene.run.maxMemoryMb` from the settings caps the next run: a program that makes small
/// arrays forever (a list, each one a small allocation) is killed (the allocator aborts the child), and the run says why.
#[tokio::test]
async fn the_memory_cap_follows_the_settings_and_an_abort_ends_the_run() {
    let mut client = runner(json!({})).await;
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({"settings": {"gene": {"run": {"maxMemoryMb": 128}}}}),
        )
        .await;
    client
        .open(URI, 1, "(var head nil)\n(while true (head = [head]))\n")
        .await;
    let run_id = run_file(&mut client, URI).await;
    let (output, end) = until_end(&mut client, &run_id).await;
    assert_eq!(end["status"], "error");
    assert_eq!(end["exitCode"], 134, "{output:?}");
    let stderr = text_of(&output, "stderr");
    assert!(
        stderr.contains("killed by SIGABRT") && stderr.contains("128 MiB"),
        "{stderr}"
    );
    // The server goes on, and so do runs.
    client
        .edit(URI, 2, (0, 0), (2, 0), "(println \"fine\")\n")
        .await;
    let run_id = run_file(&mut client, URI).await;
    let (output, end) = until_end(&mut client, &run_id).await;
    assert_eq!(end["status"], "ok", "{output:?}");
    assert_eq!(text_of(&output, "stdout"), "fine\n");
}

#[tokio::test]
async fn an_executable_that_cannot_start_is_a_failed_request() {
    let mut client = TestClient::new();
    client
        .initialize_with(json!({
            "capabilities": {},
            "initializationOptions": {"run": {"executable": "/nowhere/gene"}}
        }))
        .await;
    client.open(URI, 1, "(println 1)\n").await;
    let error = client
        .request(
            "workspace/executeCommand",
            json!({"command": "gene.runFile", "arguments": [{"uri": URI}]}),
        )
        .await
        .unwrap_err();
    assert!(
        error.message.contains("cannot start /nowhere/gene"),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn gene_tasks_answers_the_live_task_tree_of_a_running_program() {
    let mut client = runner(json!({})).await;
    client
        .open(
            URI,
            1,
            "(var gate (new gene/Future))\n\
             (fn ^^async worker [] (await gate))\n\
             (var w (worker))\n\
             (println \"ready\")\n\
             (await (gene/sleep_async 600000))\n",
        )
        .await;
    let run_id = run_file(&mut client, URI).await;
    loop {
        let message = client.next_message("gene/runOutput").await;
        if message["text"] == "ready\n" {
            break;
        }
    }
    let answer = client
        .request("gene/tasks", json!({"runId": run_id}))
        .await
        .expect("gene/tasks answers");
    assert_eq!(answer["running"], true, "{answer}");
    let tasks = answer["tasks"].as_array().expect("tasks");
    assert_eq!(tasks.len(), 2, "{answer}");
    let (main, worker) = (&tasks[0], &tasks[1]);
    assert_eq!(main["name"], "main");
    assert_eq!(main["state"], "waiting");
    assert_eq!(main["parent"], Value::Null);
    assert_eq!(main["site"]["line"], 5);
    assert!(
        main["waitingOn"]
            .as_str()
            .is_some_and(|w| w.starts_with("gene/sleep_async")),
        "{main}"
    );
    assert_eq!(worker["name"], "worker");
    assert_eq!(worker["parent"], main["id"]);
    assert_eq!(worker["state"], "waiting");
    assert_eq!(worker["site"]["line"], 2);
    assert_eq!(worker["site"]["col"], 23);
    assert_eq!(worker["created"]["line"], 3);
    assert!(worker["waitingMs"].is_u64());
    assert!(
        worker["waitingOn"]
            .as_str()
            .is_some_and(|w| w.starts_with("gene/Future created at ")),
        "{worker}"
    );
    // The path is the document's, so a client can open the await site.
    assert!(
        worker["site"]["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("run.gene")),
        "{worker}"
    );
    client
        .request(
            "workspace/executeCommand",
            json!({"command": "gene.stopRun", "arguments": [{"runId": run_id}]}),
        )
        .await
        .unwrap();
    let (_, end) = until_end(&mut client, &run_id).await;
    assert_eq!(end["status"], "stopped");
    // An ended run has no tasks.
    let after = client
        .request("gene/tasks", json!({"runId": run_id}))
        .await
        .expect("gene/tasks answers");
    assert_eq!(
        after,
        json!({"runId": run_id, "running": false, "tasks": []})
    );
}

/// The diagnostics published for `uri` (a file that is not open: pushed without a version).
async fn run_diagnostics_of(client: &mut TestClient, uri: &str) -> Vec<Value> {
    let params = client.diagnostics(uri).await;
    params["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn line_of(d: &Value) -> u64 {
    d["range"]["start"]["line"].as_u64().unwrap_or(u64::MAX)
}

#[tokio::test]
async fn a_deadlock_puts_each_waiting_task_at_its_await_until_the_next_run() {
    let dir = temp_dir("deadlock-run");
    let path = dir.join("dead.gene");
    let deadlocked = "(var fa (new gene/Future))\n\
                      (var fb (new gene/Future))\n\
                      (fn ^^async a [] (await fb) (fa .complete 1))\n\
                      (fn ^^async b [] (await fa) (fb .complete 2))\n\
                      (var ta (a))\n\
                      (var tb (b))\n\
                      (await ta)\n";
    std::fs::write(&path, deadlocked).unwrap();
    let uri = file_uri(&path);
    let mut client = runner(push_caps()).await;
    let run_id = run_file(&mut client, &uri).await;
    let (_, end) = until_end(&mut client, &run_id).await;
    assert_eq!(end["status"], "error");
    let diagnostics = run_diagnostics_of(&mut client, &uri).await;
    assert!(diagnostics.iter().all(|d| d["source"] == "gene run"));
    let task_at = |line: u64| -> &Value {
        diagnostics
            .iter()
            .find(|d| {
                line_of(d) == line
                    && d["message"]
                        .as_str()
                        .is_some_and(|m| m.starts_with("deadlock: task "))
            })
            .unwrap_or_else(|| panic!("no task diagnostic on line {line}: {diagnostics:#?}"))
    };
    // Each task waits at its await: `a` on line 3, `b` on line 4, the main program on line 7.
    let (a, b, main) = (task_at(2), task_at(3), task_at(6));
    assert_eq!(a["range"]["start"]["character"], 17, "{a}");
    assert_eq!(a["severity"], 1);
    let message = a["message"].as_str().unwrap();
    assert!(
        message.contains(" a waits here on gene/Future created at "),
        "{message}"
    );
    assert!(message.contains("dead.gene:2:"), "{message}");
    assert!(
        main["message"]
            .as_str()
            .unwrap()
            .contains(" main waits here on task "),
        "{main}"
    );
    // Where each task was started.
    for (task, started_on) in [(a, 4), (b, 5)] {
        let related = task["relatedInformation"].as_array().expect("related");
        assert_eq!(related.len(), 1, "{task}");
        assert_eq!(related[0]["location"]["uri"], uri.as_str());
        assert_eq!(related[0]["location"]["range"]["start"]["line"], started_on);
        assert!(
            related[0]["message"]
                .as_str()
                .unwrap()
                .ends_with("was started here"),
            "{task}"
        );
    }
    assert!(
        main.get("relatedInformation").is_none_or(Value::is_null),
        "{main}"
    );

    // Fixed on disk (the file is not open: only a run changes its diagnostics); the next run
    // clears them and, ending well, brings none back.
    std::fs::write(&path, deadlocked.replace("(await fa) (fb", "(fb")).unwrap();
    let run_id = run_file(&mut client, &uri).await;
    let cleared = run_diagnostics_of(&mut client, &uri).await;
    assert!(cleared.is_empty(), "{cleared:?}");
    let (_, end) = until_end(&mut client, &run_id).await;
    assert_eq!(end["status"], "ok");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn an_unobserved_failure_points_at_where_its_task_was_started() {
    let mut client = runner(push_caps()).await;
    let text = "(fn ^^async bad [x]\n  (throw x))\n(bad \"first\")\n(bad \"second\")\n";
    client.open(URI, 1, text).await;
    client.diagnostics_at(URI, 1).await;
    let run_id = run_file(&mut client, URI).await;
    let (_, end) = until_end(&mut client, &run_id).await;
    assert_eq!(end["status"], "error");
    let diagnostics: Vec<Value> = client
        .diagnostics_at(URI, 1)
        .await
        .into_iter()
        .filter(|d| d["source"] == "gene run")
        .collect();
    // Both failures, each at the throw, each with where its task was started.
    assert_eq!(diagnostics.len(), 2, "{diagnostics:#?}");
    let mut started = Vec::new();
    for d in &diagnostics {
        assert_eq!(line_of(d), 1, "{d}");
        let related = d["relatedInformation"].as_array().expect("related");
        let start = related
            .iter()
            .find(|r| {
                r["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("its task was started here")
            })
            .unwrap_or_else(|| panic!("{d}"));
        started.push(
            start["location"]["range"]["start"]["line"]
                .as_u64()
                .unwrap(),
        );
    }
    started.sort();
    assert_eq!(started, [2, 3]);
}
