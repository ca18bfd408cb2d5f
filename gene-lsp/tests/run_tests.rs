//! `gene.runTests` through the server in process: a document's tests run in a child process,
//! each result streamed as `gene/testResult`, the run ended by `gene/runEnd` with the counts,
//! and a failed assertion shown as a diagnostic (source `gene test`) at its line until the
//! next test run of the file.

mod support;

use serde_json::{Value, json};
use support::TestClient;

const URI: &str = "file:///work/never-saved/math_test.gene";

/// `subtracts` fails on line 5 (0-based 4); replacing the `4` at (4, 26) fixes it.
const TESTS: &str = r#"(fn add [a b] (a + b))
(test "adds" (println "adding") (assert_eq (add 1 2) 3))
(describe "math"
  (test "subtracts"
    (assert_eq (add 5 -2) 4)))
"#;

async fn client() -> TestClient {
    let mut client = TestClient::new();
    client
        .initialize_with(json!({
            "capabilities": {"textDocument": {"publishDiagnostics": {}}},
            "initializationOptions": {"runNotifications": true}
        }))
        .await;
    client
}

async fn run_tests(client: &mut TestClient, arguments: Value) -> String {
    let answer = client
        .request(
            "workspace/executeCommand",
            json!({"command": "gene.runTests", "arguments": [arguments]}),
        )
        .await
        .expect("gene.runTests answers");
    answer["runId"].as_str().expect("a run id").to_string()
}

/// What a test run sent until its end.
#[derive(Default)]
struct Seen {
    results: Vec<Value>,
    stdout: String,
    end: Value,
    /// The last diagnostics pushed for [`URI`] meanwhile.
    diagnostics: Option<Vec<Value>>,
}

async fn until_end(client: &mut TestClient, run_id: &str) -> Seen {
    let mut seen = Seen::default();
    loop {
        let message = client.next_any().await;
        let params = message.params().cloned().unwrap_or(Value::Null);
        match message.method() {
            "gene/testResult" if params["runId"] == run_id => seen.results.push(params),
            "gene/runOutput" if params["runId"] == run_id && params["stream"] == "stdout" => {
                seen.stdout.push_str(params["text"].as_str().unwrap_or(""));
            }
            "textDocument/publishDiagnostics" if params["uri"] == URI => {
                seen.diagnostics = params["diagnostics"].as_array().cloned();
            }
            "gene/runEnd" if params["runId"] == run_id => {
                seen.end = params;
                return seen;
            }
            _ => {}
        }
    }
}

/// The `gene test` diagnostics once they satisfy `done` (the push may come before or after
/// the run's end).
async fn test_diagnostics(
    client: &mut TestClient,
    mut last: Option<Vec<Value>>,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let ours = |all: &[Value]| -> Vec<Value> {
        all.iter()
            .filter(|d| d["source"] == "gene test")
            .cloned()
            .collect()
    };
    loop {
        if let Some(all) = &last {
            let found = ours(all);
            if done(&found) {
                return found;
            }
        }
        let params = client.diagnostics(URI).await;
        last = params["diagnostics"].as_array().cloned();
    }
}

fn status_of<'a>(results: &'a [Value], id: &str) -> &'a str {
    results
        .iter()
        .find(|r| r["id"] == id)
        .and_then(|r| r["status"].as_str())
        .unwrap_or("missing")
}

#[tokio::test]
async fn results_stream_and_a_failure_is_a_diagnostic_until_a_fixed_rerun() {
    let mut client = client().await;
    client.open(URI, 1, TESTS).await;
    let run_id = run_tests(&mut client, json!({"uri": URI})).await;
    let seen = until_end(&mut client, &run_id).await;
    assert_eq!(seen.results.len(), 2, "{:?}", seen.results);
    assert_eq!(status_of(&seen.results, "adds"), "passed");
    assert_eq!(status_of(&seen.results, "math > subtracts"), "failed");
    let failed = seen
        .results
        .iter()
        .find(|r| r["id"] == "math > subtracts")
        .unwrap();
    let message = failed["message"].as_str().unwrap();
    assert!(message.contains("AssertionError"), "{message}");
    assert_eq!(failed["location"]["uri"], URI);
    assert_eq!(failed["location"]["range"]["start"]["line"], 4);
    assert!(failed["durationMs"].is_u64());
    assert_eq!(seen.stdout, "adding\n");
    assert_eq!(seen.end["status"], "error");
    assert_eq!(
        seen.end["tests"],
        json!({"passed": 1, "failed": 1, "skipped": 0})
    );

    let diagnostics = test_diagnostics(&mut client, seen.diagnostics, |d| !d.is_empty()).await;
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0]["severity"], 1);
    assert_eq!(
        diagnostics[0]["range"],
        json!({"start": {"line": 4, "character": 4}, "end": {"line": 4, "character": 30}})
    );
    assert!(
        diagnostics[0]["message"]
            .as_str()
            .unwrap()
            .contains("math > subtracts"),
        "{diagnostics:?}"
    );

    // The fix alone leaves it (it belongs to the last run); the next run takes it away.
    client.edit(URI, 2, (4, 26), (4, 27), "3").await;
    let after_edit = client.diagnostics_at(URI, 2).await;
    assert!(
        after_edit.iter().any(|d| d["source"] == "gene test"),
        "{after_edit:?}"
    );
    let rerun = run_tests(&mut client, json!({"uri": URI})).await;
    let seen = until_end(&mut client, &rerun).await;
    assert_eq!(status_of(&seen.results, "math > subtracts"), "passed");
    assert_eq!(seen.end["status"], "ok");
    let cleared = test_diagnostics(&mut client, seen.diagnostics, <[Value]>::is_empty).await;
    assert!(cleared.is_empty());
}

#[tokio::test]
async fn ids_select_tests_and_groups() {
    let mut client = client().await;
    client.open(URI, 1, TESTS).await;
    let run_id = run_tests(&mut client, json!({"uri": URI, "ids": ["math"]})).await;
    let seen = until_end(&mut client, &run_id).await;
    let ids: Vec<&str> = seen
        .results
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["math > subtracts"]);
    // The top level ran (it declares the tests); the unselected test did not.
    assert_eq!(seen.stdout, "");
    let run_id = run_tests(&mut client, json!({"uri": URI, "ids": ["adds"]})).await;
    let seen = until_end(&mut client, &run_id).await;
    assert_eq!(status_of(&seen.results, "adds"), "passed");
    assert_eq!(seen.results.len(), 1);
    assert_eq!(seen.end["status"], "ok");
}

#[tokio::test]
async fn bad_arguments_are_invalid_params() {
    let mut client = client().await;
    for arguments in [
        json!([]),
        json!([{"ids": ["x"]}]),
        json!([{"uri": URI, "ids": 3}]),
    ] {
        let error = client
            .request(
                "workspace/executeCommand",
                json!({"command": "gene.runTests", "arguments": arguments}),
            )
            .await
            .unwrap_err();
        assert_eq!(error.code.code(), -32602, "{arguments}");
        assert!(error.message.contains("gene.runTests"), "{}", error.message);
    }
}

/// A golden program (`NAME.out` beside it) in a folder of its own; its uri.
fn golden_program(dir: &std::path::Path, program: &str, out: &str, status: Option<&str>) -> String {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join("hello.gene");
    std::fs::write(&path, program).unwrap();
    std::fs::write(dir.join("hello.out"), out).unwrap();
    std::fs::write(dir.join("data.txt"), "data").unwrap();
    if let Some(status) = status {
        std::fs::write(dir.join("hello.status"), status).unwrap();
    }
    format!("file://{}", path.display())
}

#[tokio::test]
async fn a_golden_program_is_one_test_judged_by_its_output() {
    let dir = std::env::temp_dir().join(format!("gene-lsp-golden-{}", std::process::id()));
    let mut client = client().await;

    // It runs in its own folder (a relative path reads the file beside it) and passes.
    let program = "(println \"hi\")\n(println (gene/io/read \"data.txt\"))\n(gene/exit 3)\n";
    let uri = golden_program(&dir.join("pass"), program, "hi\ndata\n", Some("3"));
    let run_id = run_tests(&mut client, json!({"uri": uri})).await;
    let seen = until_end(&mut client, &run_id).await;
    assert_eq!(seen.results.len(), 1, "{:?}", seen.results);
    assert_eq!(seen.results[0]["id"], "hello.gene");
    assert_eq!(seen.results[0]["status"], "passed", "{:?}", seen.results);
    assert_eq!(seen.end["status"], "ok");
    assert_eq!(
        seen.end["tests"],
        json!({"passed": 1, "failed": 0, "skipped": 0})
    );

    // Output that differs fails, with the diff in the message.
    let uri = golden_program(&dir.join("fail"), "(println \"bye\")\n", "hi\n", None);
    let run_id = run_tests(&mut client, json!({"uri": uri})).await;
    let seen = until_end(&mut client, &run_id).await;
    assert_eq!(seen.results[0]["status"], "failed");
    let message = seen.results[0]["message"].as_str().unwrap();
    assert!(message.contains("stdout differs"), "{message}");
    assert!(
        message.contains("+bye") || message.contains("+ bye"),
        "{message}"
    );
    assert_eq!(seen.end["status"], "error");
    let _ = std::fs::remove_dir_all(&dir);
}
