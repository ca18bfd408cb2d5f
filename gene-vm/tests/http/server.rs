//! A small HTTP/1.1 server for the HTTP client's tests: one thread per connection, keep-alive,
//! on an ephemeral port of 127.0.0.1. Besides plain answers it has endpoints that let a Gene
//! program observe what the server saw: how many connections were opened, whether a request
//! it never answered had its connection dropped, whether several requests were waiting at once.
//!
//! | path | answer |
//! |---|---|
//! | `/hello` | 200 `hello` (text/plain) |
//! | `/echo` | 200, a JSON object `{method, path, headers, body}` of the request |
//! | `/status/N` | status N, body `status N` |
//! | `/headers` | repeated headers (`set-cookie` twice, `x-multi` twice) |
//! | `/latin1` | a body that is not UTF-8 (`caf\xE9`) |
//! | `/redirect` | 302 to `/hello` |
//! | `/slow/MS` | `slow` after MS milliseconds |
//! | `/hang` | never answers; notices when the client closes the connection |
//! | `/hanging/N` | `hanging N` once N `/hang` requests have arrived (10 s at most) |
//! | `/dropped/N` | `dropped N` once N `/hang` connections were closed by the client (10 s at most) |
//! | `/together/N` | `together` once N requests wait here at the same time, `alone` after 10 s |
//! | `/connections` | the number of connections accepted so far |

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// How long the observing endpoints wait before answering that nothing happened.
const PATIENCE: Duration = Duration::from_secs(10);

pub struct TestServer {
    pub base: String,
}

#[derive(Default)]
struct Counters {
    hanging: usize,
    dropped: usize,
    waiting_together: usize,
}

#[derive(Default)]
struct State {
    connections: AtomicUsize,
    counters: Mutex<Counters>,
    changed: Condvar,
}

impl State {
    fn update(&self, f: impl FnOnce(&mut Counters)) {
        let mut counters = self.counters.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut counters);
        self.changed.notify_all();
    }

    /// Waits until `ready` holds (true) or the patience runs out (false).
    fn wait_for(&self, ready: impl Fn(&Counters) -> bool) -> bool {
        let deadline = Instant::now() + PATIENCE;
        let mut counters = self.counters.lock().unwrap_or_else(|e| e.into_inner());
        while !ready(&counters) {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            counters = match self.changed.wait_timeout(counters, deadline - now) {
                Ok((guard, _)) => guard,
                Err(e) => e.into_inner().0,
            };
        }
        true
    }
}

impl TestServer {
    pub fn start() -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a test port");
        let port = listener.local_addr().expect("local address").port();
        let state = Arc::new(State::default());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                state.connections.fetch_add(1, Ordering::SeqCst);
                let state = state.clone();
                std::thread::spawn(move || serve(stream, &state));
            }
        });
        TestServer {
            base: format!("http://127.0.0.1:{port}"),
        }
    }
}

/// The body of a GET of `path` from the test itself (one request per connection).
pub fn get(base: &str, path: &str) -> String {
    let address = base.trim_start_matches("http://");
    let Ok(mut stream) = TcpStream::connect(address) else {
        return "cannot connect".into();
    };
    let request = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    let mut response = String::new();
    if stream.write_all(request.as_bytes()).is_err()
        || stream.read_to_string(&mut response).is_err()
    {
        return "no response".into();
    }
    match response.split_once("\r\n\r\n") {
        Some((_, body)) => body.to_string(),
        None => response,
    }
}

/// A URL where nothing listens (a port that was just free).
pub fn closed_base() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a test port");
    let port = listener.local_addr().expect("local address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

struct Response {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Response {
    fn text(status: u16, body: impl Into<String>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type", "text/plain; charset=utf-8".into())],
            body: body.into().into_bytes(),
        }
    }
}

fn serve(stream: TcpStream, state: &State) {
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    while let Some(request) = read_request(&mut reader) {
        let response = if request.path == "/hang" {
            state.update(|c| c.hanging += 1);
            // Never answer: wait for the client to close the connection (a read of 0 bytes).
            let mut byte = [0u8; 1];
            while matches!(reader.read(&mut byte), Ok(n) if n > 0) {}
            state.update(|c| c.dropped += 1);
            return;
        } else {
            route(&request, state)
        };
        if write_response(&mut writer, &response, request.method == "HEAD").is_err() {
            return;
        }
        let close = request
            .headers
            .iter()
            .any(|(name, value)| name == "connection" && value.eq_ignore_ascii_case("close"));
        if close {
            return;
        }
    }
}

fn route(request: &Request, state: &State) -> Response {
    let segments: Vec<&str> = request.path.trim_start_matches('/').split('/').collect();
    let number = |i: usize| segments.get(i).and_then(|s| s.parse::<u64>().ok());
    match segments.first().copied() {
        Some("hello") => Response::text(200, "hello"),
        Some("echo") => {
            let headers: BTreeMap<String, String> = request.headers.iter().cloned().collect();
            let echo = serde_json::json!({
                "method": request.method,
                "path": request.path,
                "headers": headers,
                "body": String::from_utf8_lossy(&request.body),
            });
            Response {
                status: 200,
                headers: vec![("Content-Type", "application/json".into())],
                body: echo.to_string().into_bytes(),
            }
        }
        Some("status") => {
            let status = number(1).and_then(|n| u16::try_from(n).ok()).unwrap_or(400);
            Response::text(status, format!("status {status}"))
        }
        Some("headers") => Response {
            status: 200,
            headers: vec![
                ("Content-Type", "text/plain".into()),
                ("Set-Cookie", "a=1; Path=/".into()),
                ("X-Multi", "one".into()),
                ("Set-Cookie", "b=2, c".into()),
                ("X-Multi", "two".into()),
                ("X-Mixed-Case", "Yes".into()),
            ],
            body: b"headers".to_vec(),
        },
        Some("latin1") => Response {
            status: 200,
            headers: vec![("Content-Type", "text/plain; charset=iso-8859-1".into())],
            body: b"caf\xe9".to_vec(),
        },
        Some("redirect") => Response {
            status: 302,
            headers: vec![("Location", "/hello".into())],
            body: Vec::new(),
        },
        Some("slow") => {
            std::thread::sleep(Duration::from_millis(number(1).unwrap_or(1000)));
            Response::text(200, "slow")
        }
        Some("hanging") => {
            let n = number(1).unwrap_or(1) as usize;
            let seen = state.wait_for(|c| c.hanging >= n);
            Response::text(
                200,
                if seen {
                    format!("hanging {n}")
                } else {
                    "not yet".into()
                },
            )
        }
        Some("dropped") => {
            let n = number(1).unwrap_or(1) as usize;
            let seen = state.wait_for(|c| c.dropped >= n);
            Response::text(
                200,
                if seen {
                    format!("dropped {n}")
                } else {
                    "still open".into()
                },
            )
        }
        Some("together") => {
            let n = number(1).unwrap_or(1) as usize;
            state.update(|c| c.waiting_together += 1);
            let together = state.wait_for(|c| c.waiting_together >= n);
            Response::text(200, if together { "together" } else { "alone" })
        }
        Some("connections") => {
            Response::text(200, state.connections.load(Ordering::SeqCst).to_string())
        }
        _ => Response::text(404, "not found"),
    }
}

/// One request from a keep-alive connection; None when the client closed it or sent garbage.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = Vec::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        let name = name.trim().to_ascii_lowercase();
        let value = value.trim().to_string();
        if name == "content-length" {
            length = value.parse().ok()?;
        }
        headers.push((name, value));
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        path,
        headers,
        body,
    })
}

/// A HEAD response has the headers of the GET response but no body.
fn write_response(
    out: &mut TcpStream,
    response: &Response,
    head_only: bool,
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        response.status,
        reason(response.status)
    );
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    // 204 and 304 responses have no body at all.
    let bodyless = matches!(response.status, 204 | 304);
    if !bodyless {
        head.push_str(&format!("Content-Length: {}\r\n", response.body.len()));
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes())?;
    if !bodyless && !head_only {
        out.write_all(&response.body)?;
    }
    out.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        302 => "Found",
        404 => "Not Found",
        500 => "Internal Server Error",
        _ => "Status",
    }
}
