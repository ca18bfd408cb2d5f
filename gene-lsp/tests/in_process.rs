//! The server in process: its tower service driven directly, its messages read from its client
//! socket.

mod support;

use serde_json::{Value, json};
use support::{TestClient, apply_edits, code};

const URI: &str = "file:///work/demo.gene";

/// Capabilities of a typical editor that takes pushed diagnostics.
fn push_client() -> Value {
    json!({
        "textDocument": {
            "publishDiagnostics": {
                "relatedInformation": true,
                "tagSupport": {"valueSet": [1, 2]},
                "versionSupport": true,
                "codeDescriptionSupport": true
            },
            "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "source.fixAll"]}}}
        },
        "workspace": {"workspaceEdit": {"documentChanges": true}}
    })
}

fn pull_client() -> Value {
    let mut caps = push_client();
    caps["textDocument"]["diagnostic"] = json!({"dynamicRegistration": false});
    caps
}

#[tokio::test]
async fn initialize_negotiates_the_position_encoding() {
    let mut client = TestClient::new();
    let result = client.initialize(json!({})).await;
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(result["capabilities"]["textDocumentSync"]["change"], 2);
    assert_eq!(result["serverInfo"]["name"], "gene-lsp");
    assert!(result["capabilities"]["diagnosticProvider"].is_null());

    let mut client = TestClient::new();
    let result = client
        .initialize(json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}}))
        .await;
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8");
}

#[tokio::test]
async fn diagnostics_appear_disappear_and_clear_on_close() {
    let mut client = TestClient::new();
    client.initialize(push_client()).await;
    client.open(URI, 1, "(println \"hi\")\n").await;
    assert!(client.diagnostics_at(URI, 1).await.is_empty());

    // Delete the closing paren: an unclosed form.
    client.edit(URI, 2, (0, 13), (0, 14), "").await;
    let diagnostics = client.diagnostics_at(URI, 2).await;
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let d = &diagnostics[0];
    assert_eq!(code(d), "E001");
    assert_eq!(d["source"], "gene");
    assert_eq!(d["severity"], 1);
    assert_eq!(d["range"]["start"], json!({"line": 0, "character": 0}));

    // Put it back.
    client.edit(URI, 3, (0, 13), (0, 13), ")").await;
    assert!(client.diagnostics_at(URI, 3).await.is_empty());

    client.edit(URI, 4, (0, 0), (0, 0), ")").await;
    assert_eq!(client.diagnostics_at(URI, 4).await.len(), 1);
    client
        .notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": URI}}),
        )
        .await;
    let cleared = client.diagnostics(URI).await;
    assert_eq!(cleared["diagnostics"], json!([]));
    assert!(cleared["version"].is_null());
}

#[tokio::test]
async fn related_information_points_at_the_closer_found() {
    let mut client = TestClient::new();
    client.initialize(push_client()).await;
    client.open(URI, 1, "(println [1 2)\n").await;
    let diagnostics = client.diagnostics_at(URI, 1).await;
    let d = &diagnostics[0];
    assert_eq!(code(d), "E001");
    assert_eq!(d["range"]["start"]["character"], 9);
    let related = &d["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], URI);
    assert_eq!(related["location"]["range"]["start"]["character"], 13);
}

#[tokio::test]
async fn ranges_follow_the_negotiated_encoding() {
    for (encodings, expected) in [(json!(["utf-8"]), 20), (json!(["utf-16"]), 17)] {
        let mut client = TestClient::new();
        let mut caps = push_client();
        caps["general"] = json!({"positionEncodings": encodings});
        client.initialize(caps).await;
        // The stray `)` comes after an astral character and an accented one.
        client.open(URI, 1, "(println \"😀é\" 1))").await;
        let diagnostics = client.diagnostics_at(URI, 1).await;
        assert_eq!(
            diagnostics[0]["range"]["start"]["character"], expected,
            "{encodings}"
        );
        // An edit in the same encoding lands in the right place: remove the stray closer.
        client
            .edit(URI, 2, (0, expected), (0, expected + 1), "")
            .await;
        assert!(client.diagnostics_at(URI, 2).await.is_empty());
    }
}

#[tokio::test]
async fn quick_fixes_and_fix_all_repair_the_text() {
    let mut client = TestClient::new();
    client.initialize(push_client()).await;
    let text = "(println 1))\n(println [1 2\n";
    client.open(URI, 7, text).await;
    let diagnostics = client.diagnostics_at(URI, 7).await;
    let codes: Vec<&str> = diagnostics.iter().map(code).collect();
    assert_eq!(codes, ["E002", "E001"]);

    // The quick fix for the forms left open at the end (the `[` and the `(` around it).
    let answer = client
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": URI},
                "range": diagnostics[1]["range"],
                "context": {"diagnostics": [diagnostics[1]]}
            }),
        )
        .await
        .unwrap();
    let actions = answer.as_array().unwrap();
    assert_eq!(actions.len(), 1, "{answer}");
    let action = &actions[0];
    assert_eq!(action["kind"], "quickfix");
    assert_eq!(action["diagnostics"][0]["code"], "E001");
    let change = &action["edit"]["documentChanges"][0];
    assert_eq!(change["textDocument"]["version"], 7);
    let fixed = apply_edits(text, change["edits"].as_array().unwrap());
    assert_eq!(fixed, "(println 1))\n(println [1 2])\n");

    // Fix all applies the safe fix (the stray closer) and leaves the guess alone.
    let answer = client
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": URI},
                "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
                "context": {"diagnostics": [], "only": ["source.fixAll"]}
            }),
        )
        .await
        .unwrap();
    let actions = answer.as_array().unwrap();
    assert_eq!(actions.len(), 1, "{answer}");
    assert_eq!(actions[0]["kind"], "source.fixAll.gene");
    let edits = actions[0]["edit"]["documentChanges"][0]["edits"]
        .as_array()
        .unwrap();
    assert_eq!(apply_edits(text, edits), "(println 1)\n(println [1 2\n");
}

#[tokio::test]
async fn pull_diagnostics_with_result_ids() {
    let mut client = TestClient::new();
    let result = client.initialize(pull_client()).await;
    assert_eq!(
        result["capabilities"]["diagnosticProvider"]["identifier"],
        "gene"
    );
    client.open(URI, 1, "(println 1))").await;
    let report = client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": URI}}),
        )
        .await
        .unwrap();
    assert_eq!(report["kind"], "full");
    assert_eq!(code(&report["items"][0]), "E002");
    let id = report["resultId"].clone();

    let again = client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": URI}, "previousResultId": id}),
        )
        .await
        .unwrap();
    assert_eq!(again["kind"], "unchanged");
    assert_eq!(again["resultId"], id);

    client.edit(URI, 2, (0, 11), (0, 12), "").await;
    let fixed = client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": URI}, "previousResultId": id}),
        )
        .await
        .unwrap();
    assert_eq!(fixed["kind"], "full");
    assert_eq!(fixed["items"], json!([]));
    // In pull mode nothing is pushed.
    assert!(
        client
            .drain()
            .iter()
            .all(|m| m.method() != "textDocument/publishDiagnostics")
    );
}

#[tokio::test]
async fn bad_parameters_get_invalid_params() {
    let mut client = TestClient::new();
    client.initialize(push_client()).await;
    client.open(URI, 1, "(a)\n").await;

    let missing_fields = client
        .raw_request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": URI}}),
        )
        .await
        .unwrap_err();
    assert_eq!(missing_fields.code.code(), -32602);

    let past_the_end = client
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": URI},
                "range": {"start": {"line": 40, "character": 0}, "end": {"line": 41, "character": 0}},
                "context": {"diagnostics": []}
            }),
        )
        .await
        .unwrap_err();
    assert_eq!(past_the_end.code.code(), -32602);
    assert!(
        past_the_end.message.contains("line 40"),
        "{}",
        past_the_end.message
    );

    let unknown = client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": "file:///nowhere/missing.gene"}}),
        )
        .await
        .unwrap_err();
    assert_eq!(unknown.code.code(), -32602);

    // The server is still fine.
    let ok = client
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": URI},
                "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
                "context": {"diagnostics": []}
            }),
        )
        .await;
    assert_eq!(ok.unwrap(), json!([]));
}

/// A scratch directory, removed when dropped.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("gene-lsp-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn file_uri(path: &std::path::Path) -> String {
    format!("file://{}", path.display())
}

#[tokio::test]
async fn workspace_files_are_read_on_demand_and_watched() {
    let dir = TempDir::new("watch");
    let lib = dir.0.join("lib.gene");
    std::fs::write(&lib, "(fn helper [] 1))\n").unwrap();
    let mut client = TestClient::new();
    let mut caps = pull_client();
    caps["workspace"]["didChangeWatchedFiles"] = json!({"dynamicRegistration": true});
    client
        .initialize_with(json!({
            "capabilities": caps,
            "workspaceFolders": [{"uri": file_uri(&dir.0), "name": "w"}]
        }))
        .await;
    // The server asks to watch Gene sources.
    let registration = client.next_message("client/registerCapability").await;
    assert_eq!(
        registration["registrations"][0]["method"],
        "workspace/didChangeWatchedFiles"
    );

    // Not open in the editor: read from disk.
    let lib_uri = file_uri(&lib);
    let report = client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": lib_uri}}),
        )
        .await
        .unwrap();
    assert_eq!(code(&report["items"][0]), "E002");

    std::fs::write(&lib, "(fn helper [] 1)\n").unwrap();
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": lib_uri, "type": 2}]}),
        )
        .await;
    let report = client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": lib_uri}}),
        )
        .await
        .unwrap();
    assert_eq!(report["items"], json!([]));

    // Opened, the editor's text wins over the disk.
    client.open(&lib_uri, 1, "(fn helper [] 1").await;
    let report = client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": lib_uri}}),
        )
        .await
        .unwrap();
    assert_eq!(code(&report["items"][0]), "E001");
    // Closed again, it is the disk's text once more.
    client
        .notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": lib_uri}}),
        )
        .await;
    let report = client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": lib_uri}}),
        )
        .await
        .unwrap();
    assert_eq!(report["items"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn published_versions_never_go_back() {
    let mut client = TestClient::new();
    client.initialize(push_client()).await;
    client.open(URI, 0, "").await;
    let mut text = String::new();
    for version in 1..=200 {
        let ch = if version % 3 == 0 { ")" } else { "(" };
        let end = support::position_utf16(&text, text.len());
        client.edit(URI, version, end, end, ch).await;
        text.push_str(ch);
    }
    let mut last = -1;
    loop {
        let params = client.diagnostics(URI).await;
        let version = params["version"].as_i64().unwrap();
        assert!(version >= last, "version {version} after {last}");
        last = version;
        if version == 200 {
            let expected = gene_syntax::parse_text(&text).errors().len();
            assert_eq!(params["diagnostics"].as_array().unwrap().len(), expected);
            break;
        }
    }
}

#[tokio::test]
async fn shutdown_then_requests_are_refused() {
    let mut client = TestClient::new();
    client.initialize(push_client()).await;
    assert_eq!(
        client.request("shutdown", Value::Null).await.unwrap(),
        Value::Null
    );
    let refused = client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": URI}}),
        )
        .await
        .unwrap_err();
    assert_eq!(refused.code.code(), -32600);
}

#[tokio::test]
async fn requests_before_initialize_are_refused() {
    let mut client = TestClient::new();
    let refused = client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": URI}}),
        )
        .await
        .unwrap_err();
    assert_eq!(refused.code.code(), -32002);
}

#[tokio::test]
async fn cancel_request_answers_request_cancelled() {
    let mut client = TestClient::new();
    client.initialize(push_client()).await;
    client.open(URI, 1, "(println 1))").await;
    // The request is registered when sent; cancelling it before it runs aborts it.
    let (id, answer) = client
        .start_request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": URI}}),
        )
        .await;
    client.notify("$/cancelRequest", json!({"id": id})).await;
    let cancelled = answer.await.unwrap_err();
    assert_eq!(cancelled.code.code(), -32800);
    // Other requests are unaffected.
    let report = client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": URI}}),
        )
        .await
        .unwrap();
    assert_eq!(code(&report["items"][0]), "E002");
}

#[tokio::test]
async fn lint_rules_follow_imports_and_gene_toml() {
    let dir = TempDir::new("lint");
    std::fs::write(
        dir.0.join("lib.gene"),
        "(fn ^^async fetch [x] (await (gene/sleep_async x)) x)\n",
    )
    .unwrap();
    let main = dir.0.join("main.gene");
    let main_uri = file_uri(&main);
    let mut client = TestClient::new();
    client
        .initialize_with(json!({
            "capabilities": push_client(),
            "workspaceFolders": [{"uri": file_uri(&dir.0), "name": "w"}]
        }))
        .await;
    // `fetch` is async only as `lib.gene` says, which the server reads because main imports it.
    let text = "(import fetch from \"lib\")\n(fetch 1)\n(fn area [w h] (w * w))\n(area 1 2)\n";
    client.open(&main_uri, 1, text).await;
    let diagnostics = client.diagnostics_at(&main_uri, 1).await;
    let codes: Vec<&str> = diagnostics.iter().map(code).collect();
    assert_eq!(codes, ["A001", "N002"], "{diagnostics:?}");
    assert_eq!(
        diagnostics[0]["range"]["start"],
        json!({"line": 1, "character": 0})
    );
    // The unused parameter is faded.
    assert_eq!(diagnostics[1]["tags"], json!([1]));

    // The rule's quick fix awaits the future.
    let answer = client
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": main_uri},
                "range": diagnostics[0]["range"],
                "context": {"diagnostics": [diagnostics[0]], "only": ["quickfix"]}
            }),
        )
        .await
        .unwrap();
    let edits = answer[0]["edit"]["documentChanges"][0]["edits"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        apply_edits(text, &edits).contains("(await (fetch 1))"),
        "{answer}"
    );

    // A `gene.toml` turning the rule off applies as soon as the client reports it.
    std::fs::write(dir.0.join("gene.toml"), "[lint]\nallow = [\"A001\"]\n").unwrap();
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": file_uri(&dir.0.join("gene.toml")), "type": 1}]}),
        )
        .await;
    let republished = client.diagnostics(&main_uri).await;
    let codes: Vec<&str> = republished["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(code)
        .collect();
    assert_eq!(codes, ["N002"]);

    // A broken `gene.toml` is reported to the user, and the defaults apply.
    std::fs::write(dir.0.join("gene.toml"), "[lint]\nallow = [\"Z999\"]\n").unwrap();
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": file_uri(&dir.0.join("gene.toml")), "type": 2}]}),
        )
        .await;
    let shown = client.next_message("window/showMessage").await;
    assert!(
        shown["message"].as_str().unwrap().contains("Z999"),
        "{shown}"
    );
}

#[tokio::test]
async fn an_imported_file_created_later_is_read() {
    let dir = TempDir::new("late-import");
    let main = dir.0.join("main.gene");
    let main_uri = file_uri(&main);
    let mut client = TestClient::new();
    client.initialize(push_client()).await;
    let text = "(import fetch from \"later\")\n(fetch 1)\n";
    client.open(&main_uri, 1, text).await;
    assert!(client.diagnostics_at(&main_uri, 1).await.is_empty());

    let later = dir.0.join("later.gene");
    std::fs::write(
        &later,
        "(fn ^^async fetch [x] (await (gene/sleep_async x)) x)\n",
    )
    .unwrap();
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": file_uri(&later), "type": 1}]}),
        )
        .await;
    let republished = client.diagnostics(&main_uri).await;
    let codes: Vec<&str> = republished["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(code)
        .collect();
    assert_eq!(codes, ["A001"]);
}

/// Files the server reads from disk (a request about a file that is not open, a closed
/// document going back to its text on disk, a watched file changing, a run of a file that is
/// not open) are regular files: `/dev/zero` is not read forever, a FIFO does not block the
/// server until someone writes to it.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn devices_and_fifos_are_never_read() {
    let dir = TempDir::new("special");
    let fifo = dir.0.join("pipe.gene");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
    let fifo_uri = file_uri(&fifo);
    let mut client = TestClient::new();
    client
        .initialize_with(json!({
            "capabilities": {},
            "workspaceFolders": [{"uri": file_uri(&dir.0), "name": "special"}]
        }))
        .await;
    for uri in [fifo_uri.as_str(), "file:///dev/zero"] {
        let hover = json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}});
        let error = tokio::time::timeout(
            support::PATIENCE,
            client.request("textDocument/hover", hover),
        )
        .await
        .expect("the server is not stuck reading")
        .unwrap_err();
        assert_eq!(error.code.code(), -32602);
        assert!(
            error.message.contains("not a regular file"),
            "{}",
            error.message
        );

        let run = json!({"command": "gene.runFile", "arguments": [{"uri": uri}]});
        let error = client
            .request("workspace/executeCommand", run)
            .await
            .unwrap_err();
        assert!(
            error.message.contains("not a regular file"),
            "{}",
            error.message
        );

        // Opened with the editor's text, then closed: the text on disk is not read.
        client.open(uri, 1, "(a)\n").await;
        client
            .notify(
                "textDocument/didClose",
                json!({"textDocument": {"uri": uri}}),
            )
            .await;
    }
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": fifo_uri, "type": 1}, {"uri": fifo_uri, "type": 2}]}),
        )
        .await;
    // Still answering.
    let symbols = client
        .request("workspace/symbol", json!({"query": ""}))
        .await
        .unwrap();
    assert!(symbols.is_array(), "{symbols}");
}
