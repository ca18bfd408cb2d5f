//! Request latency of the IDE features, measured in process through the server's tower service
//! on a 10,000-line file (p50, p95; the goal is p95 under 10 ms):
//! - hover, completion and definition when nothing changed since the last request (what an
//!   editor asks while the user reads or moves the cursor), and right after a keystroke (the
//!   first question about a new text pays for the analysis it needs);
//! - semantic tokens (full) of the whole file after a keystroke, for scale;
//! - "Run file": from `gene.runFile` to the first output line, and from `gene.stopRun` of an
//!   endless loop to its `gene/runEnd`.
//!
//! Run with `cargo bench -p gene-lsp --bench ide_latency`.

// The allocator of the `gene-lsp` binary, so that this measures what users run.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::TestClient;

const FORMS: usize = 2000;
const LINES: usize = FORMS * 5;
const URI: &str = "file:///bench/ide.gene";

/// Requests per measurement; `GENE_LSP_BENCH_REQUESTS` overrides it.
fn request_count() -> usize {
    std::env::var("GENE_LSP_BENCH_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

/// `FORMS` five-line forms: a doc comment, a function with a local, a call of the previous
/// function, a map.
fn program() -> String {
    let mut text = String::new();
    for i in 0..FORMS {
        let previous = i.saturating_sub(1);
        text.push_str(&format!(
            "# Doc of f{i}.\n(fn f{i} [a b]\n  (var x (a + b))\n  (if (x > 10) (println #\"big #{{x}}\") (f{previous} x b))\n  {{^k{i} [1 2 3] ^name \"n{i}\"}})\n"
        ));
    }
    text
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[index.min(samples.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A different form each time, spread over the file.
fn form_of(n: usize) -> usize {
    (n * 7919) % FORMS
}

/// Where the questions are asked in form `form`.
#[derive(Clone, Copy)]
enum Ask {
    /// On the call of the previous function.
    HoverCall,
    /// Right after `(a` in `(a + b)`: completing a name.
    Complete,
    /// On the called function's name.
    Definition,
}

fn params(ask: Ask, form: usize) -> (&'static str, Value) {
    let line = form * 5;
    let (method, line, column) = match ask {
        Ask::HoverCall | Ask::Definition => {
            let text = format!(
                "  (if (x > 10) (println #\"big #{{x}}\") (f{} x b))",
                form.saturating_sub(1)
            );
            let column = text.rfind("(f").unwrap_or(0) + 2;
            let method = if matches!(ask, Ask::HoverCall) {
                "textDocument/hover"
            } else {
                "textDocument/definition"
            };
            (method, line + 3, column)
        }
        Ask::Complete => ("textDocument/completion", line + 2, "  (var x (a".len()),
    };
    (
        method,
        json!({"textDocument": {"uri": URI}, "position": {"line": line, "character": column}}),
    )
}

async fn measure(
    client: &mut TestClient,
    ask: Ask,
    after_keystroke: bool,
    version: &mut i32,
) -> Vec<Duration> {
    let mut samples = Vec::new();
    for n in 0..request_count() {
        let form = form_of(n);
        if after_keystroke {
            // Type into a comment of another form: the text changes, every question is new.
            *version += 1;
            let line = (form_of(n + 1) * 5) as u32;
            client.edit(URI, *version, (line, 2), (line, 2), "z").await;
        }
        let (method, params) = params(ask, form);
        let start = Instant::now();
        let answer = client.request(method, params).await;
        samples.push(start.elapsed());
        let answer = answer.unwrap_or_else(|e| panic!("{method}: {e:?}"));
        assert!(!answer.is_null(), "{method} at form {form} found nothing");
    }
    samples
}

async fn ide_requests() {
    let text = program();
    assert_eq!(text.lines().count(), LINES);
    let mut client = TestClient::new();
    client.initialize(json!({})).await;
    client.open(URI, 0, &text).await;
    client.diagnostics_at(URI, 0).await;
    let mut version = 0;
    for (name, ask) in [
        ("hover", Ask::HoverCall),
        ("completion", Ask::Complete),
        ("definition", Ask::Definition),
    ] {
        for after_keystroke in [false, true] {
            let mut samples = measure(&mut client, ask, after_keystroke, &mut version).await;
            println!(
                "{name:>10} {} ({} requests, {LINES} lines): p50 {:.2} ms, p95 {:.2} ms",
                if after_keystroke {
                    "right after a keystroke"
                } else {
                    "on an unchanged text    "
                },
                samples.len(),
                ms(percentile(&mut samples, 0.5)),
                ms(percentile(&mut samples, 0.95)),
            );
            // Let the diagnostics of the last keystroke finish before the next series.
            client.drain();
        }
    }

    let mut tokens = Vec::new();
    for n in 0..20 {
        version += 1;
        let line = (form_of(n) * 5) as u32;
        client.edit(URI, version, (line, 2), (line, 2), "z").await;
        let start = Instant::now();
        client
            .request(
                "textDocument/semanticTokens/full",
                json!({"textDocument": {"uri": URI}}),
            )
            .await
            .unwrap();
        tokens.push(start.elapsed());
    }
    println!(
        "semantic tokens (full) after a keystroke, {LINES} lines: p50 {:.2} ms, p95 {:.2} ms",
        ms(percentile(&mut tokens, 0.5)),
        ms(percentile(&mut tokens, 0.95)),
    );
}

/// The next `gene/runOutput` or `gene/runEnd` of `run_id`.
async fn next_run_message(client: &mut TestClient, run_id: &str) -> (String, Value) {
    loop {
        let message = client.next_any().await;
        let params = message.params().cloned().unwrap_or(Value::Null);
        if params["runId"] == run_id {
            return (message.method().to_string(), params);
        }
    }
}

async fn runs() {
    let mut client = TestClient::new();
    client
        .initialize_with(
            json!({"capabilities": {}, "initializationOptions": {"runNotifications": true}}),
        )
        .await;
    let uri = "file:///bench/run.gene";
    client
        .open(
            uri,
            1,
            "(println \"up\")\n(var n 0)\n(while true (n += 1))\n",
        )
        .await;
    let (mut first_output, mut stop) = (Vec::new(), Vec::new());
    for _ in 0..30 {
        let start = Instant::now();
        let answer = client
            .request(
                "workspace/executeCommand",
                json!({"command": "gene.runFile", "arguments": [{"uri": uri}]}),
            )
            .await
            .unwrap();
        let run_id = answer["runId"].as_str().unwrap().to_string();
        let (method, _) = next_run_message(&mut client, &run_id).await;
        assert_eq!(method, "gene/runOutput");
        first_output.push(start.elapsed());
        let start = Instant::now();
        client
            .request(
                "workspace/executeCommand",
                json!({"command": "gene.stopRun", "arguments": [{"runId": run_id}]}),
            )
            .await
            .unwrap();
        loop {
            let (method, params) = next_run_message(&mut client, &run_id).await;
            if method == "gene/runEnd" {
                assert_eq!(params["status"], "stopped");
                break;
            }
        }
        stop.push(start.elapsed());
    }
    println!(
        "run file: gene.runFile -> first output line: p50 {:.2} ms, p95 {:.2} ms",
        ms(percentile(&mut first_output, 0.5)),
        ms(percentile(&mut first_output, 0.95)),
    );
    println!(
        "run file: gene.stopRun of an endless loop -> gene/runEnd: p50 {:.2} ms, p95 {:.2} ms",
        ms(percentile(&mut stop, 0.5)),
        ms(percentile(&mut stop, 0.95)),
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(ide_requests());
    runtime.block_on(runs());
}
