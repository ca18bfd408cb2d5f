//! The built `gene-lsp` binary, spoken to over stdio as an editor would: JSON-RPC messages with
//! `Content-Length` headers.

mod support;

use std::io::Write;
use std::process::Command;

use serde_json::{Value, json};

use support::stdio::{Server, apply};

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

/// A wrong `Content-Length` (too long: the next message looks like the rest of the body; too
/// short: the rest of the body looks like the next header) or a message without its header
/// costs that message only: the request after it is answered.
#[test]
fn the_server_resynchronises_after_broken_frames() {
    let mut server = Server::start(&[]);
    server.request("initialize", json!({"capabilities": {}}));
    let hover = |id: i64| {
        json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/hover",
               "params": {"textDocument": {"uri": "file:///nowhere.gene"},
                          "position": {"line": 0, "character": 0}}})
        .to_string()
    };
    let broken = [
        ("a length too long", {
            let body = hover(101);
            format!("Content-Length: {}\r\n\r\n{body}", body.len() + 40)
        }),
        ("a length too short", {
            let body = hover(102);
            format!("Content-Length: {}\r\n\r\n{body}", body.len() - 7)
        }),
        ("no header", hover(103)),
        (
            "no length",
            format!("Content-Type: x\r\n\r\n{}", hover(104)),
        ),
    ];
    for (what, bytes) in broken {
        server.stdin.write_all(bytes.as_bytes()).unwrap();
        server.stdin.flush().unwrap();
        // The next request is answered; the broken one never is.
        let answer = server.request("workspace/symbol", json!({"query": ""}));
        assert!(answer["result"].is_array(), "after {what}: {answer}");
    }
    server.request("shutdown", Value::Null);
    server.notify("exit", Value::Null);
    assert_eq!(server.wait_for_exit(), Some(0));
}
