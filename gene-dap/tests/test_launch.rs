//! A `launch` with `test`: the file's top level runs, then the named test under the debugger,
//! so a breakpoint inside the test's body stops there. The session is served in process over
//! a pipe (input) and a channel (output).

use std::io::{BufRead, BufReader, Read, Write};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(30);

/// The adapter's output, one write at a time.
struct ToChannel(mpsc::Sender<Vec<u8>>);

impl Write for ToChannel {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let _ = self.0.send(buf.to_vec());
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Bytes from the channel as a reader, for the message framing.
struct FromChannel {
    chunks: Receiver<Vec<u8>>,
    buffer: Vec<u8>,
}

impl Read for FromChannel {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.buffer.is_empty() {
            match self.chunks.recv_timeout(TIMEOUT) {
                Ok(chunk) => self.buffer = chunk,
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.buffer.len());
        out[..n].copy_from_slice(&self.buffer[..n]);
        self.buffer.drain(..n);
        Ok(n)
    }
}

struct Client {
    input: std::io::PipeWriter,
    output: BufReader<FromChannel>,
    events: Vec<Value>,
    seq: i64,
}

impl Client {
    fn start() -> Client {
        let (reader, input) = std::io::pipe().expect("a pipe");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            gene_dap::serve(BufReader::new(reader), Box::new(ToChannel(tx)))
        });
        Client {
            input,
            output: BufReader::new(FromChannel {
                chunks: rx,
                buffer: Vec::new(),
            }),
            events: Vec::new(),
            seq: 0,
        }
    }

    fn message(&mut self) -> Value {
        let mut length = 0;
        loop {
            let mut line = String::new();
            let n = self.output.read_line(&mut line).expect("read");
            assert!(n > 0, "the adapter went quiet; events: {:#?}", self.events);
            let line = line.trim();
            if line.is_empty() {
                break;
            }
            if let Some(l) = line.strip_prefix("Content-Length:") {
                length = l.trim().parse().expect("a length");
            }
        }
        let mut body = vec![0; length];
        self.output.read_exact(&mut body).expect("a body");
        let m: Value = serde_json::from_slice(&body).expect("JSON");
        m
    }

    fn ok(&mut self, command: &str, arguments: Value) -> Value {
        self.seq += 1;
        let body =
            json!({"seq": self.seq, "type": "request", "command": command, "arguments": arguments})
                .to_string();
        write!(self.input, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        let deadline = Instant::now() + TIMEOUT;
        while Instant::now() < deadline {
            let m = self.message();
            if m["type"] == "response" && m["request_seq"] == self.seq {
                assert_eq!(m["success"], true, "{command}: {m}");
                return m["body"].clone();
            }
            self.events.push(m);
        }
        panic!("no answer to {command}")
    }

    fn event(&mut self, name: &str) -> Value {
        if let Some(i) = self.events.iter().position(|e| e["event"] == name) {
            return self.events.remove(i);
        }
        loop {
            let m = self.message();
            if m["event"] == name {
                return m;
            }
            self.events.push(m);
        }
    }

    fn output(&self, category: &str) -> String {
        self.events
            .iter()
            .filter(|e| e["event"] == "output" && e["body"]["category"] == category)
            .filter_map(|e| e["body"]["output"].as_str())
            .collect()
    }
}

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
fn a_breakpoint_inside_the_launched_test_stops_there() {
    let dir = std::env::temp_dir().join(format!("gene-dap-test-launch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let program = dir.join("math_test.gene");
    std::fs::write(&program, TESTS).unwrap();
    let path = program.display().to_string();

    let mut c = Client::start();
    c.ok(
        "initialize",
        json!({"adapterID": "gene", "linesStartAt1": true}),
    );
    c.event("initialized");
    c.ok("launch", json!({"program": path, "test": "math > adds"}));
    let set = c.ok(
        "setBreakpoints",
        json!({"source": {"path": path}, "breakpoints": [{"line": 6}]}),
    );
    assert_eq!(set["breakpoints"][0]["verified"], true, "{set}");
    c.ok("configurationDone", json!({}));

    let stopped = c.event("stopped");
    assert_eq!(stopped["body"]["reason"], "breakpoint");
    let thread = stopped["body"]["threadId"].clone();
    let trace = c.ok("stackTrace", json!({"threadId": thread}));
    let top = &trace["stackFrames"][0];
    assert_eq!(top["line"], 6, "{trace}");
    let frame = top["id"].clone();
    let sum = c.ok(
        "evaluate",
        json!({"expression": "sum", "frameId": frame, "context": "watch"}),
    );
    assert_eq!(sum["result"], "3");
    c.ok("continue", json!({"threadId": thread}));

    // Only the selected test ran: "outside" would fail and make the exit code 1.
    let exited = c.event("exited");
    assert_eq!(exited["body"]["exitCode"], 0, "{:#?}", c.events);
    assert_eq!(c.output("stdout"), "top level\n");
    assert_eq!(c.output("console"), "test math > adds ... ok\n");
    c.event("terminated");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A failing assertion stops as an uncaught exception (the default filter) in the test's
/// body, then the run ends with exit code 1; a name no test has ends it at once.
#[test]
fn a_failing_or_missing_test_ends_with_exit_code_one() {
    let dir = std::env::temp_dir().join(format!("gene-dap-test-fail-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let program = dir.join("math_test.gene");
    std::fs::write(&program, TESTS).unwrap();
    let path = program.display().to_string();
    for (test, console) in [("nothing", ""), ("outside", "test outside ... FAILED\n")] {
        let mut c = Client::start();
        c.ok("initialize", json!({"adapterID": "gene"}));
        c.event("initialized");
        c.ok("launch", json!({"program": path, "test": test}));
        c.ok("configurationDone", json!({}));
        if test == "outside" {
            let stopped = c.event("stopped");
            assert_eq!(stopped["body"]["reason"], "exception", "{stopped}");
            let thread = stopped["body"]["threadId"].clone();
            let trace = c.ok("stackTrace", json!({"threadId": thread}));
            assert_eq!(trace["stackFrames"][0]["line"], 8, "{trace}");
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
    let _ = std::fs::remove_dir_all(&dir);
}
