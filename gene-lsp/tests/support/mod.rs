//! An in-process LSP client: drives the server's tower service directly and reads what the
//! server sends through its client socket.

#![allow(dead_code)]

pub mod stdio;

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use gene_lsp::GeneService;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tower::{Service, ServiceExt};
use tower_lsp_server::jsonrpc::{self, Request, Response};

/// How long a test waits for a message before failing (a guard against hangs, not a timing
/// assertion).
pub const PATIENCE: Duration = Duration::from_secs(30);

pub struct TestClient {
    service: GeneService,
    /// Notifications and requests the server sent, in order.
    from_server: mpsc::UnboundedReceiver<Request>,
    next_id: i64,
}

/// A response as the client sees it.
pub type Answer = Result<Value, jsonrpc::Error>;

fn answer(response: Option<Response>) -> Answer {
    let response = response.expect("a request gets a response");
    let (_, result) = response.into_parts();
    result
}

impl TestClient {
    /// A server whose requests to the client (`client/registerCapability`,
    /// `workspace/diagnostic/refresh`) are answered with `null`.
    pub fn new() -> TestClient {
        let (service, socket) = gene_lsp::service();
        let (mut requests, mut responses) = socket.split();
        let (tx, from_server) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Some(request) = requests.next().await {
                if let Some(id) = request.id().cloned() {
                    let _ = responses.send(Response::from_ok(id, Value::Null)).await;
                }
                if tx.send(request).is_err() {
                    break;
                }
            }
        });
        TestClient {
            service,
            from_server,
            next_id: 1,
        }
    }

    fn next_id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    /// Starts a request and returns its id and a future of its answer, without waiting. The
    /// server sees it when the future is first polled.
    pub async fn start_request(
        &mut self,
        method: &'static str,
        params: Value,
    ) -> (i64, impl Future<Output = Answer> + Send + 'static) {
        self.service.ready().await.expect("the service is running");
        let id = self.next_id();
        let request = Request::build(method).id(id).params(params).finish();
        let call = self.service.call(request);
        (id, async move {
            answer(call.await.expect("the service is running"))
        })
    }

    pub async fn request(&mut self, method: &'static str, params: Value) -> Answer {
        self.service.ready().await.expect("the service is running");
        let id = self.next_id();
        let request = Request::build(method).id(id).params(params).finish();
        answer(
            self.service
                .call(request)
                .await
                .expect("the service is running"),
        )
    }

    /// A request sent with raw (possibly invalid) parameters.
    pub async fn raw_request(&mut self, method: &'static str, params: Value) -> Answer {
        self.request(method, params).await
    }

    pub async fn notify(&mut self, method: &'static str, params: Value) {
        self.service.ready().await.expect("the service is running");
        let request = Request::build(method).params(params).finish();
        let response = self
            .service
            .call(request)
            .await
            .expect("the service is running");
        assert!(response.is_none(), "a notification got a response");
    }

    pub async fn initialize(&mut self, capabilities: Value) -> Value {
        self.initialize_with(json!({ "capabilities": capabilities }))
            .await
    }

    /// `initialize`. Runs start the built `gene-lsp` binary (the server runs inside this test
    /// binary, which has no child mode) unless `params` name an executable.
    pub async fn initialize_with(&mut self, mut params: Value) -> Value {
        let run = &mut params["initializationOptions"]["run"];
        if run.get("executable").is_none() {
            run["executable"] = json!(env!("CARGO_BIN_EXE_gene-lsp"));
        }
        let result = self
            .request("initialize", params)
            .await
            .expect("initialize succeeds");
        self.notify("initialized", json!({})).await;
        result
    }

    pub async fn open(&mut self, uri: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "gene", "version": version, "text": text}}),
        )
        .await;
    }

    /// Replaces `[start, end)` (line, UTF-16 column) with `text`.
    pub async fn edit(
        &mut self,
        uri: &str,
        version: i32,
        start: (u32, u32),
        end: (u32, u32),
        text: &str,
    ) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{
                    "range": {
                        "start": {"line": start.0, "character": start.1},
                        "end": {"line": end.0, "character": end.1}
                    },
                    "text": text
                }]
            }),
        )
        .await;
    }

    /// The next message from the server, whatever it is.
    pub async fn next_any(&mut self) -> Request {
        tokio::time::timeout(PATIENCE, self.from_server.recv())
            .await
            .expect("a message from the server")
            .expect("the server is running")
    }

    /// The next message from the server with this method.
    pub async fn next_message(&mut self, method: &str) -> Value {
        loop {
            let request = tokio::time::timeout(PATIENCE, self.from_server.recv())
                .await
                .unwrap_or_else(|_| panic!("no {method} from the server"))
                .expect("the server is running");
            if request.method() == method {
                return request.params().cloned().unwrap_or(Value::Null);
            }
        }
    }

    /// The next `publishDiagnostics` for `uri`.
    pub async fn diagnostics(&mut self, uri: &str) -> Value {
        loop {
            let params = self.next_message("textDocument/publishDiagnostics").await;
            if params["uri"] == uri {
                return params;
            }
        }
    }

    /// Waits for the diagnostics of `uri` at `version` (earlier versions' are skipped; a
    /// later version means the server skipped this one, which the test reports).
    pub async fn diagnostics_at(&mut self, uri: &str, version: i64) -> Vec<Value> {
        loop {
            let params = self.diagnostics(uri).await;
            let got = params["version"].as_i64();
            match got {
                Some(v) if v == version => {
                    return params["diagnostics"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default();
                }
                Some(v) if v < version => continue,
                _ => panic!("expected diagnostics for version {version}, got {params}"),
            }
        }
    }

    /// Every message the server has sent so far and not yet read.
    pub fn drain(&mut self) -> Vec<Request> {
        let mut out = Vec::new();
        while let Ok(request) = self.from_server.try_recv() {
            out.push(request);
        }
        out
    }
}

/// The code of a diagnostic (`E001`...).
pub fn code(diagnostic: &Value) -> &str {
    diagnostic["code"].as_str().unwrap_or("")
}

/// Applies LSP text edits (UTF-16 positions) to a text.
pub fn apply_edits(text: &str, edits: &[Value]) -> String {
    let mut edits: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            let start = offset_utf16(text, &e["range"]["start"]);
            let end = offset_utf16(text, &e["range"]["end"]);
            (start, end, e["newText"].as_str().unwrap_or("").to_string())
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (start, end, new_text) in edits {
        out.replace_range(start..end, &new_text);
    }
    out
}

/// Where each line starts, with LSP's line breaks: `\n`, `\r\n` and a lone `\r`.
pub fn line_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    for (i, &b) in bytes.iter().enumerate() {
        let ends_line = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
        if ends_line {
            starts.push(i + 1);
        }
    }
    starts
}

/// Is `offset` between the `\r` and the `\n` of a line break (not a position LSP can name)?
pub fn inside_crlf(text: &str, offset: usize) -> bool {
    offset > 0
        && text.as_bytes().get(offset - 1) == Some(&b'\r')
        && text.as_bytes().get(offset) == Some(&b'\n')
}

/// The byte offset of an LSP position (UTF-16 columns).
pub fn offset_utf16(text: &str, position: &Value) -> usize {
    let line = position["line"].as_u64().unwrap_or(0) as usize;
    let column = position["character"].as_u64().unwrap_or(0) as usize;
    let starts = line_starts(text);
    let Some(&start) = starts.get(line) else {
        return text.len();
    };
    let end = starts.get(line + 1).copied().unwrap_or(text.len());
    let line_text = text[start..end].trim_end_matches(['\r', '\n']);
    let mut units = 0;
    for (i, c) in line_text.char_indices() {
        if units >= column {
            return start + i;
        }
        units += c.len_utf16();
    }
    start + line_text.len()
}

/// The LSP position (UTF-16) of a byte offset.
pub fn position_utf16(text: &str, offset: usize) -> (u32, u32) {
    let starts = line_starts(text);
    let line = starts.partition_point(|&s| s <= offset) - 1;
    let column: usize = text[starts[line]..offset]
        .chars()
        .map(char::len_utf16)
        .sum();
    (line as u32, column as u32)
}

/// A text with `$0` markers: the text without them and the UTF-16 position of each.
pub fn markers(text: &str) -> (String, Vec<Value>) {
    let mut clean = String::new();
    let mut offsets = Vec::new();
    for (i, part) in text.split("$0").enumerate() {
        if i > 0 {
            offsets.push(clean.len());
        }
        clean.push_str(part);
    }
    let positions = offsets
        .into_iter()
        .map(|o| {
            let (line, character) = position_utf16(&clean, o);
            serde_json::json!({"line": line, "character": character})
        })
        .collect();
    (clean, positions)
}

/// A fresh directory under the system's temporary directory.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("gene-lsp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir
}

/// The `file:` URI of a path.
pub fn file_uri(path: &std::path::Path) -> String {
    format!("file://{}", path.display())
}
