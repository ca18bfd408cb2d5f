//! `gene lsp` runs a file in a child process that is the `gene` executable itself, started in
//! its hidden child mode: the run's output comes back to the editor.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

fn send(stdin: &mut impl Write, message: Value) {
    let body = message.to_string();
    write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    stdin.flush().unwrap();
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

#[test]
fn gene_lsp_runs_a_file_in_a_gene_child_process() {
    let mut server = Command::new(env!("CARGO_BIN_EXE_gene"))
        .arg("lsp")
        .env_remove("GENE_LSP_RUN_EXECUTABLE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("gene lsp starts");
    let mut stdin = server.stdin.take().unwrap();
    let stdout = server.stdout.take().unwrap();
    let (tx, messages) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        while let Some(message) = read_message(&mut reader) {
            if tx.send(message).is_err() {
                break;
            }
        }
    });
    let next = || {
        messages
            .recv_timeout(Duration::from_secs(30))
            .expect("a message from gene lsp")
    };
    let uri = "file:///gene-cli-test/hello.gene";
    let open = json!({"textDocument": {"uri": uri, "languageId": "gene", "version": 1,
                      "text": "(println \"hello from\" \"the child\")\n"}});
    let run = json!({"command": "gene.runFile", "arguments": [{"uri": uri}]});
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
               "params": {"capabilities": {}, "initializationOptions": {"runNotifications": true}}}),
    );
    while next()["id"] != 1 {}
    for message in [
        json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": open}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "workspace/executeCommand", "params": run}),
    ] {
        send(&mut stdin, message);
    }
    let mut output = String::new();
    let end = loop {
        let message = next();
        match message["method"].as_str() {
            Some("gene/runOutput") => output += message["params"]["text"].as_str().unwrap(),
            Some("gene/runEnd") => break message["params"].clone(),
            _ => {}
        }
    };
    assert_eq!(end["status"], "ok", "{end} {output}");
    assert_eq!(output, "hello from the child\n");
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "id": 3, "method": "shutdown"}),
    );
    while next()["id"] != 3 {}
    send(&mut stdin, json!({"jsonrpc": "2.0", "method": "exit"}));
    let status = server.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}
