//! `gene run`'s progress bar, driven through a real pseudo-terminal: it shows on a terminal
//! stderr while the program awaits work that reports progress, never on a pipe, never with
//! `--no-progress`; it is gone when the await ends; lines the program prints meanwhile land
//! above it, whole.
#![cfg(unix)]

use std::io::Read;
use std::os::fd::OwnedFd;
use std::process::{Command, Stdio};

use gene_tests::{TempDir, gene_bin};
use nix::pty::{Winsize, openpty};

/// Four reports 120 ms apart (slower than the bar's redraw rate), each after a printed line.
const PROGRAM: &str = r#"
(fn ^^async work [n]
  (for i in (1 .. n)
    (await (gene/sleep_async 120))
    (println #"line #{i}")
    (gene/progress (i / n) #"step #{i} of #{n}"))
  "done")
(println (await (work 4)))
(println "end")
"#;

const PROGRAM_OUTPUT: &str = "line 1\nline 2\nline 3\nline 4\ndone\nend\n";

/// Clears the terminal line (what the bar writes before each redraw and when it goes).
const CLEAR_LINE: &str = "\x1b[2K";

fn program(dir: &TempDir) -> String {
    dir.write("work.gene", PROGRAM).display().to_string()
}

fn pty() -> (OwnedFd, OwnedFd) {
    let size = Winsize {
        ws_row: 24,
        ws_col: 100,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    let pty = openpty(Some(&size), None).expect("a pseudo-terminal");
    (pty.master, pty.slave)
}

/// Everything written to the terminal until every process holding its other side exited.
fn read_terminal(master: OwnedFd) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut file = std::fs::File::from(master);
        let mut bytes = Vec::new();
        let mut chunk = [0u8; 4096];
        // Linux answers EIO once the last holder of the other side has closed it.
        while let Ok(n) = file.read(&mut chunk) {
            if n == 0 {
                break;
            }
            bytes.extend_from_slice(&chunk[..n]);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

struct Run {
    status: i32,
    stdout: String,
    terminal: String,
}

/// Runs `gene run ARGS` with stderr (and, with `stdout_too`, stdout) on a pseudo-terminal.
fn run_on_terminal(args: &[&str], stdout_too: bool) -> Run {
    let (master, slave) = pty();
    let mut command = Command::new(gene_bin());
    command
        .args(args)
        .env("TERM", "xterm")
        .stdin(Stdio::null())
        .stderr(Stdio::from(slave.try_clone().expect("a second slave fd")));
    if stdout_too {
        command.stdout(Stdio::from(slave));
    } else {
        drop(slave);
        command.stdout(Stdio::piped());
    }
    let reader = read_terminal(master);
    let child = command.spawn().expect("gene runs");
    // The command holds copies of the slave side: the terminal ends when the child exits.
    drop(command);
    let output = child.wait_with_output().expect("gene ends");
    Run {
        status: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        terminal: reader.join().expect("the terminal reader"),
    }
}

#[test]
fn the_bar_shows_on_a_terminal_and_goes_when_the_await_ends() {
    let dir = TempDir::new("progress-bar-tty");
    let run = run_on_terminal(&["run", &program(&dir)], false);
    assert_eq!(run.status, 0, "{}", run.terminal);
    assert_eq!(run.stdout, PROGRAM_OUTPUT);
    let screen = &run.terminal;
    for (percent, message) in [
        (25, "step 1 of 4"),
        (50, "step 2 of 4"),
        (100, "step 4 of 4"),
    ] {
        assert!(
            screen.contains(&format!("{percent:>3}% {message}")),
            "no {percent}% bar in {screen:?}"
        );
    }
    assert!(screen.contains("[=="), "no bar drawn in {screen:?}");
    // The last thing on the terminal clears the bar's line.
    let last_bar = screen.rfind('%').expect("a bar");
    let last_clear = screen.rfind(CLEAR_LINE).expect("the bar is cleared");
    assert!(last_clear > last_bar, "the bar stays on screen: {screen:?}");
    assert!(
        screen[last_clear + CLEAR_LINE.len()..].trim().is_empty(),
        "{screen:?}"
    );
}

#[test]
fn lines_printed_while_the_bar_shows_land_above_it_whole() {
    let dir = TempDir::new("progress-bar-lines");
    let run = run_on_terminal(&["run", &program(&dir)], true);
    assert_eq!(run.status, 0, "{}", run.terminal);
    let screen = &run.terminal;
    assert!(screen.contains("100% step 4 of 4"), "{screen:?}");
    for i in 1..=4 {
        let line = format!("line {i}\r\n");
        let at = screen
            .find(&line)
            .unwrap_or_else(|| panic!("{line:?} not on the terminal: {screen:?}"));
        // Either the line starts the output, or the bar was taken off just before it.
        let before = &screen[..at];
        assert!(
            before.is_empty() || before.ends_with("\r\n") || before.ends_with(CLEAR_LINE),
            "{line:?} written into the bar: {screen:?}"
        );
    }
    let after_bar = &screen[screen.rfind('%').unwrap_or(0)..];
    assert!(
        after_bar.contains("done\r\nend\r\n"),
        "the program's last lines come after the bar is gone: {screen:?}"
    );
}

#[test]
fn no_progress_turns_the_bar_off() {
    let dir = TempDir::new("progress-bar-off");
    let run = run_on_terminal(&["run", "--no-progress", &program(&dir)], false);
    assert_eq!(run.status, 0, "{}", run.terminal);
    assert_eq!(run.stdout, PROGRAM_OUTPUT);
    assert_eq!(run.terminal, "", "nothing on stderr");
}

#[test]
fn no_bar_when_stderr_is_a_pipe() {
    let dir = TempDir::new("progress-bar-pipe");
    let output = Command::new(gene_bin())
        .args(["run", &program(&dir)])
        .env("TERM", "xterm")
        .stdin(Stdio::null())
        .output()
        .expect("gene runs");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stdout), PROGRAM_OUTPUT);
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "",
        "nothing on stderr"
    );
}

#[test]
fn the_main_programs_own_reports_show_until_they_reach_one() {
    let dir = TempDir::new("progress-bar-main");
    let path = dir.write(
        "main.gene",
        r#"
(for i in (1 .. 3)
  (await (gene/sleep_async 120))
  (gene/progress (i / 4) #"part #{i}"))
(await (gene/sleep_async 120))
(gene/progress 1)
(println "finished")
"#,
    );
    let run = run_on_terminal(&["run", &path.display().to_string()], false);
    assert_eq!(run.status, 0, "{}", run.terminal);
    assert_eq!(run.stdout, "finished\n");
    let screen = &run.terminal;
    assert!(screen.contains(" 75% part 3"), "{screen:?}");
    assert!(
        !screen.contains("100%"),
        "a report of 1 ends the bar: {screen:?}"
    );
    assert!(screen.ends_with(CLEAR_LINE), "{screen:?}");
}
