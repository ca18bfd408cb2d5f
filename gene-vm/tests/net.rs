//! TCP and the HTTP server where a conformance program cannot reach: a connection that times
//! out (a listener whose backlog is full), a request body announced too large, a server keeping
//! its program alive until a request closes it, and an interrupt stopping a server and its
//! open connections. Everything listens on 127.0.0.1.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use gene_vm::reactor::Interrupt;
use gene_vm::{CaptureOutput, RunError, Vm};

/// Runs a program on a thread of its own; its stdout, or the uncaught error, arrives on the
/// receiver when it ends.
fn spawn_program(src: &str, args: Vec<String>) -> mpsc::Receiver<String> {
    spawn_interruptible(src, args).0
}

/// [`spawn_program`], also giving the VM's interrupt flag.
fn spawn_interruptible(src: &str, args: Vec<String>) -> (mpsc::Receiver<String>, Arc<Interrupt>) {
    let (tx, rx) = mpsc::channel();
    let (flag_tx, flag_rx) = mpsc::channel();
    let src = src.to_string();
    std::thread::spawn(move || {
        let out = CaptureOutput::new();
        let mut vm = Vm::new(Box::new(out.clone()));
        let _ = flag_tx.send(vm.interrupt.clone());
        vm.set_args(args);
        let mut text = match vm.run_source("net_test.gene", src) {
            Ok(_) => String::new(),
            Err(RunError::Uncaught(e)) => {
                format!("uncaught: {}\n", vm.describe_exception(&e.value))
            }
            Err(_) => "failed\n".to_string(),
        };
        text.insert_str(0, &out.stdout_text());
        let _ = tx.send(text);
    });
    let flag = flag_rx.recv().expect("the VM starts");
    (rx, flag)
}

/// A listener whose accept queue is full: a new connection's handshake gets no answer.
fn full_listener() -> (TcpListener, Vec<TcpStream>, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    let mut queued = Vec::new();
    for _ in 0..5000 {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            Ok(s) => queued.push(s),
            Err(_) => return (listener, queued, addr),
        }
    }
    panic!("the accept queue never filled up");
}

#[test]
fn a_connection_that_does_not_come_in_time_is_a_timeout_error() {
    let (_listener, _queued, addr) = full_listener();
    let program = r#"
        (var port (($args .get 0) .to_i))
        (println (try (await (gene/net/connect_async "127.0.0.1" port ^timeout 150))
                  catch TimeoutError (($ex .message) .replace (str port) "PORT")))
    "#;
    let done = spawn_program(program, vec![addr.port().to_string()]);
    let out = done
        .recv_timeout(Duration::from_secs(30))
        .expect("the program ends");
    assert_eq!(out, "connecting to 127.0.0.1:PORT timed out after 150 ms\n");
}

/// A server program that prints its URL, answers `/hello`, and closes itself on `/stop`: the
/// program goes on until then, although its main code has ended.
const SELF_CLOSING: &str = r#"
    (var server nil)
    (fn ^^async handle [req]
      (if (req/path == "/stop") then
        (server .close_async)
        (return "stopping"))
      #"hello #{(req/body .size)}")
    (server = (await (gene/http/serve_async handle)))
    (println (server .url))
    (gene/io/write ($args .get 0) (str (server .port)))
"#;

/// Sends raw request text and gives the response's text (the server closes or answers).
fn exchange(port: u16, request: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    stream.write_all(request.as_bytes()).expect("write");
    let mut response = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                response.extend_from_slice(&buf[..n]);
                // One response is enough once its body (announced by Content-Length) is in.
                let text = String::from_utf8_lossy(&response);
                if let Some((head, body)) = text.split_once("\r\n\r\n")
                    && let Some(len) = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length: "))
                        .and_then(|l| l.trim().parse::<usize>().ok())
                    && body.len() >= len
                {
                    break;
                }
            }
        }
    }
    String::from_utf8_lossy(&response).into_owned()
}

fn wait_for_port(file: &std::path::Path) -> u16 {
    for _ in 0..600 {
        if let Some(port) = std::fs::read_to_string(file)
            .ok()
            .and_then(|t| t.trim().parse().ok())
        {
            return port;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the server did not start");
}

#[test]
fn a_server_keeps_its_program_alive_and_refuses_oversized_bodies() {
    let dir = std::env::temp_dir().join(format!("gene-net-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let port_file = dir.join("port");
    let _ = std::fs::remove_file(&port_file);
    let done = spawn_program(SELF_CLOSING, vec![port_file.to_string_lossy().into_owned()]);
    let port = wait_for_port(&port_file);

    let hello = exchange(
        port,
        "POST /hello HTTP/1.1\r\nhost: x\r\ncontent-length: 3\r\n\r\nabc",
    );
    assert!(hello.starts_with("HTTP/1.1 200 OK\r\n"), "{hello}");
    assert!(hello.ends_with("hello 3"), "{hello}");

    // A body announced over 16 MiB is refused before it is sent, without the handler running.
    let big = exchange(
        port,
        "POST /hello HTTP/1.1\r\nhost: x\r\ncontent-length: 16777217\r\n\r\n",
    );
    assert!(
        big.starts_with("HTTP/1.1 413 Payload Too Large\r\n"),
        "{big}"
    );
    assert!(big.contains("the body is over 16 MiB"), "{big}");

    // The main code has ended, but the server still serves...
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        done.try_recv().is_err(),
        "the program ended with its server running"
    );
    // ... until a request closes it; then the program ends.
    let stop = exchange(port, "GET /stop HTTP/1.1\r\nhost: x\r\n\r\n");
    assert!(stop.ends_with("stopping"), "{stop}");
    let out = done
        .recv_timeout(Duration::from_secs(30))
        .expect("the program ends once its server is closed");
    assert!(out.starts_with("http://127.0.0.1:"), "{out}");
    assert!(!out.contains("uncaught"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_interrupt_stops_a_server_and_closes_its_connections() {
    let dir = std::env::temp_dir().join(format!("gene-net-interrupt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let port_file = dir.join("port");
    let _ = std::fs::remove_file(&port_file);
    let program = r#"
        (var server (await (gene/http/serve_async (fnx [req] "hi"))))
        (gene/io/write ($args .get 0) (str (server .port)))
        (await (new gene/Future))
    "#;
    let (done, interrupt) =
        spawn_interruptible(program, vec![port_file.to_string_lossy().into_owned()]);
    let port = wait_for_port(&port_file);
    // A keep-alive connection that has had its response stays open...
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    stream
        .write_all(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n")
        .expect("write");
    let mut buf = [0u8; 4096];
    let n = stream.read(&mut buf).expect("a response");
    let response = String::from_utf8_lossy(&buf[..n]).into_owned();
    assert!(response.ends_with("\r\n\r\nhi"), "{response}");
    // ... until the program is interrupted: it ends, and the connection with it.
    interrupt.store(true, Ordering::SeqCst);
    let out = done
        .recv_timeout(Duration::from_secs(30))
        .expect("the interrupted program ends");
    assert_eq!(out, "uncaught: Interrupted: interrupted\n");
    let closed = stream.read(&mut buf);
    assert!(
        matches!(closed, Ok(0))
            || closed
                .as_ref()
                .is_err_and(|e| e.kind() != std::io::ErrorKind::WouldBlock
                    && e.kind() != std::io::ErrorKind::TimedOut),
        "the connection is still open: {closed:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
