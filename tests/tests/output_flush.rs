//! `gene run`'s stdout is never lost or late: a line shows on a terminal as soon as it is
//! printed (before a long computation), and what was printed to a pipe is written out when the
//! program is stopped by Ctrl-C (SIGINT) or a kill (SIGTERM), even while it is stuck in a
//! blocking read; the process then dies of the signal.
#![cfg(unix)]

use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use gene_tests::{TempDir, gene_bin};
use nix::pty::openpty;

/// How long a test waits for something the program does at once.
const PATIENCE: Duration = Duration::from_secs(20);

/// Prints, says it did (a file the test waits for), then computes forever.
const BUSY: &str = r#"
(println "before the loop")
(gene/io/write "ready" "")
(var i 0)
(while true (i += 1))
"#;

/// Prints, says it did, then waits for a stdin that never ends: a blocking read the VM cannot
/// interrupt.
const BLOCKED: &str = r#"
(println "before the read")
(gene/io/write "ready" "")
(gene/io/read "/dev/stdin")
"#;

fn start(dir: &TempDir, program: &str, stdout: Stdio) -> Child {
    let path = dir.write("main.gene", program);
    Command::new(gene_bin())
        .arg("run")
        .arg(path)
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(stdout)
        .stderr(Stdio::null())
        .spawn()
        .expect("start gene")
}

fn wait_for_file(path: &Path) {
    let deadline = Instant::now() + PATIENCE;
    while !path.exists() {
        assert!(Instant::now() < deadline, "the program never got going");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(child.id().to_string())
        .status()
        .expect("run kill");
    assert!(status.success());
}

/// Stops the program with `name` once it has printed, and gives its stdout and the signal it
/// died of.
fn stopped_by(program: &str, name: &str) -> (String, Option<i32>) {
    let dir = TempDir::new(&format!("flush-{name}-{}", program.len()));
    let mut child = start(&dir, program, Stdio::piped());
    wait_for_file(&dir.path().join("ready"));
    signal(&child, name);
    let mut stdout = String::new();
    if let Some(mut pipe) = child.stdout.take() {
        // Ends when the process (the pipe's only writer) has exited.
        let _ = pipe.read_to_string(&mut stdout);
    }
    let status = child.wait().expect("wait for gene");
    (stdout, status.signal())
}

#[test]
fn sigterm_flushes_what_was_printed() {
    let (stdout, signal) = stopped_by(BUSY, "TERM");
    assert_eq!(stdout, "before the loop\n");
    assert_eq!(signal, Some(15), "the process dies of SIGTERM");
}

#[test]
fn ctrl_c_flushes_what_was_printed() {
    let (stdout, signal) = stopped_by(BUSY, "INT");
    assert_eq!(stdout, "before the loop\n");
    assert_eq!(signal, Some(2), "the process dies of SIGINT");
}

#[test]
fn a_program_stuck_in_a_read_still_flushes_on_sigterm() {
    let (stdout, signal) = stopped_by(BLOCKED, "TERM");
    assert_eq!(stdout, "before the read\n");
    assert_eq!(signal, Some(15));
}

#[test]
fn a_line_shows_on_a_terminal_before_a_long_computation() {
    let dir = TempDir::new("flush-terminal");
    let pty = openpty(None, None).expect("a pseudo-terminal");
    let mut child = start(&dir, BUSY, Stdio::from(pty.slave));
    let (tx, rx) = mpsc::channel();
    let master = pty.master;
    std::thread::spawn(move || {
        let mut terminal = std::fs::File::from(master);
        let mut chunk = [0u8; 1024];
        while let Ok(n) = terminal.read(&mut chunk) {
            if n == 0 || tx.send(chunk[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + PATIENCE;
    let mut seen = Vec::new();
    let shown = loop {
        if String::from_utf8_lossy(&seen).contains("before the loop") {
            break true;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(bytes) => seen.extend(bytes),
            Err(_) => break false,
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        shown,
        "the line did not show while the program ran; the terminal got {:?}",
        String::from_utf8_lossy(&seen)
    );
}
