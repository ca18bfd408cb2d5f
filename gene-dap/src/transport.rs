//! DAP's framing: `Content-Length: N` headers, a blank line, N bytes of JSON. Reading stops at
//! the end of the input; a frame that is not JSON is skipped.

use std::io::{BufRead, Read, Write};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

/// Bodies past this are refused (the frame is skipped): no client sends requests this big.
const MAX_BODY: usize = 64 << 20;

/// The next message, `None` at the end of the input.
pub fn read_message(input: &mut impl BufRead) -> Option<Value> {
    loop {
        let mut length = None;
        loop {
            let mut line = String::new();
            if input.read_line(&mut line).ok()? == 0 {
                return None;
            }
            let line = line.trim_end();
            if line.is_empty() {
                if length.is_some() {
                    break;
                }
                continue;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.trim().eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse::<usize>().ok();
            }
        }
        let length = length?;
        if length > MAX_BODY {
            std::io::copy(&mut input.take(length as u64), &mut std::io::sink()).ok()?;
            continue;
        }
        let mut body = vec![0; length];
        input.read_exact(&mut body).ok()?;
        if let Ok(message) = serde_json::from_slice(&body) {
            return Some(message);
        }
    }
}

/// The writing end, shared by the request loop and the program's thread: each message gets
/// the next `seq` and goes out whole.
#[derive(Clone)]
pub struct Sender {
    out: Arc<Mutex<Box<dyn Write + Send>>>,
    seq: Arc<AtomicI64>,
}

impl Sender {
    pub fn new(out: Box<dyn Write + Send>) -> Sender {
        Sender {
            out: Arc::new(Mutex::new(out)),
            seq: Arc::new(AtomicI64::new(1)),
        }
    }

    fn send(&self, mut message: Value) {
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        // Numbered under the lock, so seq grows in the order messages are written.
        message["seq"] = json!(self.seq.fetch_add(1, Ordering::Relaxed));
        let body = message.to_string();
        let _ = write!(out, "Content-Length: {}\r\n\r\n{body}", body.len());
        let _ = out.flush();
    }

    pub fn event(&self, event: &str, body: Value) {
        self.send(json!({"type": "event", "event": event, "body": body}));
    }

    pub fn respond(&self, request: &Value, body: Value) {
        self.send(json!({
            "type": "response",
            "request_seq": request["seq"],
            "command": request["command"],
            "success": true,
            "body": body,
        }));
    }

    pub fn fail(&self, request: &Value, message: &str) {
        self.send(json!({
            "type": "response",
            "request_seq": request["seq"],
            "command": request["command"],
            "success": false,
            "message": message,
            "body": {"error": {"id": 1, "format": message}},
        }));
    }

    /// An `output` event (category `stdout`, `stderr` or `console`).
    pub fn output(&self, category: &str, text: &str) {
        self.event("output", json!({"category": category, "output": text}));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_read_in_order_and_a_broken_body_is_skipped() {
        let text = "Content-Length: 9\r\n\r\n{\"a\": 1}\nContent-Length: 3\r\n\r\nxyzContent-Length: 8\r\n\r\n{\"b\": 2}";
        let mut input = std::io::Cursor::new(text.as_bytes());
        assert_eq!(read_message(&mut input), Some(json!({"a": 1})));
        assert_eq!(read_message(&mut input), Some(json!({"b": 2})));
        assert_eq!(read_message(&mut input), None);
    }
}
