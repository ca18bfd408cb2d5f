//! Lines as they come, through the real `gene` binary: `gene/io/read_line_async` answers each
//! line of standard input before the next is written, and `gene/io/lines_async` yields the lines
//! of a FIFO while its writer is still writing (a file is streamed, never read whole first); and
//! `gene/exit` gives `gene eval` its status.

#![cfg(unix)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use gene_tests::{TempDir, gene_bin};

/// How long a test waits for one line of the program's output before failing.
const PATIENCE: Duration = Duration::from_secs(30);

fn start(dir: &TempDir, program: &str) -> Child {
    let file = dir.write("main.gene", program);
    Command::new(gene_bin())
        .args(["run", "--no-progress"])
        .arg(&file)
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start gene")
}

/// The program's output lines, read on a thread of their own.
fn lines_of(stdout: ChildStdout) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn next_line(lines: &Receiver<String>, waiting_for: &str) -> String {
    lines
        .recv_timeout(PATIENCE)
        .unwrap_or_else(|e| panic!("no output line ({e}) while waiting for {waiting_for:?}"))
}

#[test]
fn read_line_async_answers_each_line_of_standard_input_as_it_comes() {
    let dir = TempDir::new("stdin-lines");
    let mut child = start(
        &dir,
        r#"
(var n 0)
(loop
  (var line (await (gene/io/read_line_async)))
  (if (line == nil) (break))
  (n += 1)
  (println n (line .to_upper)))
(println "end after" n)
"#,
    );
    let mut stdin = child.stdin.take().expect("stdin");
    let lines = lines_of(child.stdout.take().expect("stdout"));
    // Each answer comes while the input is still open: nothing waits for the end of input.
    stdin.write_all(b"first\n").expect("write");
    stdin.flush().expect("flush");
    assert_eq!(next_line(&lines, "1 FIRST"), "1 FIRST");
    stdin
        .write_all("sécond\r\nthird".as_bytes())
        .expect("write");
    stdin.flush().expect("flush");
    assert_eq!(next_line(&lines, "2 SÉCOND"), "2 SÉCOND");
    // A last line without a line break is a line; then the end of input is nil.
    drop(stdin);
    assert_eq!(next_line(&lines, "3 THIRD"), "3 THIRD");
    assert_eq!(next_line(&lines, "end after 3"), "end after 3");
    assert!(child.wait().expect("wait").success());
}

#[test]
fn lines_async_yields_lines_of_a_file_still_being_written() {
    let dir = TempDir::new("fifo-lines");
    let fifo = dir.path().join("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success(), "mkfifo failed");
    let mut child = start(
        &dir,
        r#"
(for await line in (gene/io/lines_async "pipe")
  (println "got" line)
  (if (line == "stop") (break)))
(println "done")
"#,
    );
    let lines = lines_of(child.stdout.take().expect("stdout"));
    // Opening the FIFO for writing waits for the program to open it for reading.
    let mut writer = std::fs::OpenOptions::new()
        .write(true)
        .open(&fifo)
        .expect("open the FIFO");
    writer.write_all(b"one\n").expect("write");
    writer.flush().expect("flush");
    assert_eq!(next_line(&lines, "got one"), "got one");
    writer.write_all(b"two\nstop\n").expect("write");
    writer.flush().expect("flush");
    assert_eq!(next_line(&lines, "got two"), "got two");
    assert_eq!(next_line(&lines, "got stop"), "got stop");
    // The program leaves the loop (closing the generator) with the writer still open.
    assert_eq!(next_line(&lines, "done"), "done");
    assert!(child.wait().expect("wait").success());
    drop(writer);
}

#[test]
fn gene_exit_sets_the_status_of_eval_with_nothing_reported() {
    let out = Command::new(gene_bin())
        .args([
            "eval",
            "(try (println \"bye\") (gene/exit 5) finally (println \"cleaned\"))",
        ])
        .output()
        .expect("run gene eval");
    assert_eq!(out.status.code(), Some(5));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "bye\ncleaned\n");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}
