//! The built `gene-lsp` binary, spoken to over stdio as an editor would: JSON-RPC messages with
//! `Content-Length` headers.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::{Value, json};

/// How long to wait for one message before failing (a hang guard, not a timing assertion).
const PATIENCE: Duration = Duration::from_secs(30);

struct Server {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            length = v.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gene-lsp"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("gene-lsp starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        Server {
            child,
            stdin,
            messages,
            next_id: 0,
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and waits for its response (answering `null` to anything the server
    /// asks meanwhile; other notifications are dropped).
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let message = self.next();
            if message["id"] == id && message.get("method").is_none() {
                return message;
            }
        }
    }

    fn next(&mut self) -> Value {
        let message = self
            .messages
            .recv_timeout(PATIENCE)
            .expect("a message from the server");
        if let (Some(id), Some(_)) = (message.get("id"), message.get("method")) {
            let id = id.clone();
            self.send(json!({"jsonrpc": "2.0", "id": id, "result": null}));
        }
        message
    }

    /// The diagnostics published for `uri` at `version`, skipping earlier versions.
    fn diagnostics_at(&mut self, uri: &str, version: i64) -> Vec<Value> {
        loop {
            let message = self.next();
            if message["method"] != "textDocument/publishDiagnostics"
                || message["params"]["uri"] != uri
            {
                continue;
            }
            let got = message["params"]["version"].as_i64().unwrap_or(-1);
            assert!(got <= version, "skipped version {version}: {message}");
            if got == version {
                return message["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
            }
        }
    }

    fn wait_for_exit(&mut self) -> Option<i32> {
        for _ in 0..300 {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        None
    }
}

/// Applies LSP edits (UTF-16 columns) to an ASCII text.
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |p: &Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        let column = p["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        start + column
    };
    let mut edits: Vec<_> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (start, end, new_text) in edits {
        out.replace_range(start..end, &new_text);
    }
    out
}

#[test]
fn version_flag() {
    let output = Command::new(env!("CARGO_BIN_EXE_gene-lsp"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        text.trim(),
        format!("gene-lsp {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn an_editing_session_over_stdio() {
    let log = std::env::temp_dir().join(format!("gene-lsp-stdio-{}.log", std::process::id()));
    let _ = std::fs::remove_file(&log);
    let mut server = Server::start(&["--stdio", "--log-file", log.to_str().unwrap()]);
    let init = server.request(
        "initialize",
        json!({
            "processId": null,
            "capabilities": {
                "textDocument": {"publishDiagnostics": {"relatedInformation": true, "versionSupport": true}},
                "workspace": {"workspaceEdit": {"documentChanges": true}}
            }
        }),
    );
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-16");
    server.notify("initialized", json!({}));

    let uri = "file:///session/main.gene";
    let mut text = String::from("(var x 1)\n(println x)\n");
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "gene", "version": 1, "text": text}}),
    );
    assert!(server.diagnostics_at(uri, 1).is_empty());

    // Delete the `)` ending the second line: an unclosed form appears.
    server.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"range": {"start": {"line": 1, "character": 10}, "end": {"line": 1, "character": 11}}, "text": ""}]
        }),
    );
    text = "(var x 1)\n(println x\n".to_string();
    let diagnostics = server.diagnostics_at(uri, 2);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0]["code"], "E001");
    assert_eq!(diagnostics[0]["source"], "gene");

    // Ask for the quick fix and apply it the way an editor would.
    let answer = server.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": diagnostics[0]["range"],
            "context": {"diagnostics": diagnostics}
        }),
    );
    let action = &answer["result"][0];
    assert_eq!(action["title"], "Insert the missing `)`");
    let change = &action["edit"]["documentChanges"][0];
    assert_eq!(change["textDocument"]["version"], 2);
    let edits = change["edits"].as_array().unwrap().clone();
    text = apply(&text, &edits);
    assert_eq!(text, "(var x 1)\n(println x)\n");
    server.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": 3},
            "contentChanges": edits.iter().map(|e| json!({"range": e["range"], "text": e["newText"]})).collect::<Vec<_>>()
        }),
    );
    assert!(server.diagnostics_at(uri, 3).is_empty());

    // Malformed parameters are refused, and the server carries on.
    let bad = server.request("textDocument/codeAction", json!({"textDocument": {}}));
    assert_eq!(bad["error"]["code"], -32602);

    let shutdown = server.request("shutdown", Value::Null);
    assert_eq!(shutdown["result"], Value::Null);
    server.notify("exit", Value::Null);
    assert_eq!(server.wait_for_exit(), Some(0));
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(logged.contains("initialize"), "log: {logged}");
    let _ = std::fs::remove_file(&log);
}

#[test]
fn exit_without_shutdown_is_an_error_status() {
    let mut server = Server::start(&[]);
    server.request("initialize", json!({"capabilities": {}}));
    server.notify("exit", Value::Null);
    assert_eq!(server.wait_for_exit(), Some(1));
}

#[test]
fn garbage_on_the_wire_does_not_stop_the_server() {
    let mut server = Server::start(&[]);
    let body = "{not json";
    write!(server.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    server.stdin.flush().unwrap();
    let init = server.request("initialize", json!({"capabilities": {}}));
    assert!(init["result"]["capabilities"].is_object(), "{init}");
    server.request("shutdown", Value::Null);
    server.notify("exit", Value::Null);
    assert_eq!(server.wait_for_exit(), Some(0));
}
