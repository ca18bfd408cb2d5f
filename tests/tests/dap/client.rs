//! The Debug Adapter Protocol client the tests drive `gene dap` with: requests and their
//! answers, events kept in order while waiting for something else, and the common sequences
//! (launch with breakpoints, the top frame, a frame's locals, the end of the program).

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use gene_tests::gene_bin;
use serde_json::{Value, json};

pub const TIMEOUT: Duration = Duration::from_secs(30);

pub struct Client {
    pub child: Child,
    pub stdin: ChildStdin,
    pub messages: Receiver<Value>,
    /// Events received while waiting for something else, in order.
    pub events: Vec<Value>,
    pub seq: i64,
}

impl Client {
    pub fn start() -> Client {
        let mut child = Command::new(gene_bin())
            .arg("dap")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start gene dap");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, messages) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length:") {
                        length = n.trim().parse().expect("length");
                    }
                }
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let message: Value = serde_json::from_slice(&body).expect("json message");
                if tx.send(message).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            messages,
            events: Vec::new(),
            seq: 0,
        }
    }

    pub fn send(&mut self, command: &str, arguments: Value) -> i64 {
        self.seq += 1;
        let body =
            json!({"seq": self.seq, "type": "request", "command": command, "arguments": arguments})
                .to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
        self.seq
    }

    pub fn next_message(&mut self, deadline: Instant) -> Value {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.messages.recv_timeout(left) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) => {
                panic!("timed out; events so far: {:#?}", self.events)
            }
            Err(RecvTimeoutError::Disconnected) => {
                panic!("the adapter ended; events so far: {:#?}", self.events)
            }
        }
    }

    /// Sends a request and gives its response (events meanwhile are kept).
    pub fn request(&mut self, command: &str, arguments: Value) -> Value {
        let seq = self.send(command, arguments);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let m = self.next_message(deadline);
            if m["type"] == "response" && m["request_seq"] == seq {
                return m;
            }
            if m["type"] == "event" {
                self.events.push(m);
            }
        }
    }

    /// A request that must succeed: its body.
    pub fn ok(&mut self, command: &str, arguments: Value) -> Value {
        let r = self.request(command, arguments);
        assert_eq!(r["success"], true, "{command} failed: {r}");
        r["body"].clone()
    }

    /// The next event named `name` (earlier ones kept, later ones looked for).
    pub fn event(&mut self, name: &str) -> Value {
        if let Some(i) = self.events.iter().position(|e| e["event"] == name) {
            return self.events.remove(i);
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let m = self.next_message(deadline);
            if m["type"] == "event" {
                if m["event"] == name {
                    return m;
                }
                self.events.push(m);
            }
        }
    }

    /// What the program wrote to `category` so far.
    pub fn output(&self, category: &str) -> String {
        self.events
            .iter()
            .filter(|e| e["event"] == "output" && e["body"]["category"] == category)
            .filter_map(|e| e["body"]["output"].as_str())
            .collect()
    }

    /// initialize, launch, breakpoints, configurationDone.
    pub fn launch(
        &mut self,
        program: &std::path::Path,
        breakpoints: &[u64],
        extra: Value,
    ) -> Value {
        let caps = self.ok(
            "initialize",
            json!({"adapterID": "gene", "linesStartAt1": true}),
        );
        self.event("initialized");
        let mut args = json!({"program": program.display().to_string()});
        if let (Some(a), Some(extra)) = (args.as_object_mut(), extra.as_object()) {
            a.extend(extra.clone());
        }
        self.ok("launch", args);
        let bps: Vec<Value> = breakpoints.iter().map(|l| json!({"line": l})).collect();
        let set = self.ok(
            "setBreakpoints",
            json!({"source": {"path": program.display().to_string()}, "breakpoints": bps}),
        );
        self.ok("configurationDone", json!({}));
        let _ = caps;
        set
    }

    pub fn top_frame(&mut self, thread: &Value) -> Value {
        let trace = self.ok("stackTrace", json!({"threadId": thread}));
        trace["stackFrames"][0].clone()
    }

    /// The locals of a frame as name -> shown value.
    pub fn locals(&mut self, frame_id: &Value) -> Vec<(String, String)> {
        let scopes = self.ok("scopes", json!({"frameId": frame_id}));
        let locals = scopes["scopes"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["name"] == "Locals"))
            .expect("a Locals scope")
            .clone();
        let vars = self.ok(
            "variables",
            json!({"variablesReference": locals["variablesReference"]}),
        );
        vars["variables"]
            .as_array()
            .expect("variables")
            .iter()
            .map(|v| {
                (
                    v["name"].as_str().unwrap_or("").to_string(),
                    v["value"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    }

    pub fn finish(mut self) -> i64 {
        let exited = self.event("exited");
        self.event("terminated");
        let _ = self.request("disconnect", json!({}));
        let _ = self.child.wait();
        exited["body"]["exitCode"].as_i64().unwrap_or(-1)
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
