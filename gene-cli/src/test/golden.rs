//! Golden-output tests: `NAME.gene` runs as `gene run NAME.gene` would in its own folder (in
//! a child process, as the conformance harness runs it: no stdin, `NAME.args` as its
//! arguments, one per whitespace-separated word), and passes when its stdout is `NAME.out`,
//! its exit status `NAME.status` (0 when absent) and its stderr contains `NAME.err` (when
//! present). A program still running after the timeout is killed and fails.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use gene_vm::testing::golden::{self, indent};

use super::outcome::{Outcome, Status};

/// How often a running golden program is looked at (its exit is noticed within this).
const POLL: Duration = Duration::from_millis(5);

pub fn run(job: usize, path: &Path, update: bool, timeout: Duration) -> Outcome {
    let started = Instant::now();
    let file = path.display().to_string();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.clone());
    let failure = check(path, update, timeout).err();
    Outcome {
        job,
        file,
        name,
        status: if failure.is_some() {
            Status::Failed
        } else {
            Status::Passed
        },
        duration: started.elapsed(),
        message: failure.as_ref().map(|(m, _)| m.clone()),
        details: failure.map(|(m, d)| format!("{m}\n{d}")),
        line: None,
        column: None,
    }
}

/// The program's arguments: the words of `NAME.args`, none without one.
pub fn program_args(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path.with_extension("args"))
        .map(|s| s.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

/// Ok, or the failure's one-line message and its details.
fn check(path: &Path, update: bool, timeout: Duration) -> Result<(), (String, String)> {
    let expected = golden::expected(path).map_err(|m| (m, String::new()))?;
    let exe = std::env::current_exe().map_err(|e| {
        (
            format!("cannot find the gene executable: {e}"),
            String::new(),
        )
    })?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let file_name = path.file_name().unwrap_or(path.as_os_str());
    let child = Command::new(exe)
        .arg("run")
        .arg("--no-progress")
        .arg(file_name)
        .args(program_args(path))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| (format!("cannot start the program: {e}"), String::new()))?;
    let output = finish_within(child, timeout)
        .map_err(|e| (format!("cannot run the program: {e}"), String::new()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let Some(exit) = output.status else {
        // What it printed to a pipe is mostly still in its buffer, lost with it; stderr is
        // written as it comes.
        let mut details = String::new();
        for (label, text) in [("stdout", &stdout), ("stderr", &stderr)] {
            if !text.is_empty() {
                details.push_str(&format!("  {label} so far:\n{}", indent(text)));
            }
        }
        return Err((
            format!(
                "timed out after {} ms (the program was killed)",
                timeout.as_millis()
            ),
            details,
        ));
    };
    let status = exit.code().unwrap_or(-1);
    golden::compare(path, &expected, &stdout, &stderr, status).map_err(|m| {
        let mut details = m.details;
        if update && stdout != expected.stdout {
            let out = path.with_extension("out");
            match std::fs::write(&out, stdout.as_bytes()) {
                Ok(()) => details.push_str(&format!("  updated {}\n", out.display())),
                Err(e) => details.push_str(&format!("  cannot update {}: {e}\n", out.display())),
            }
        }
        (m.message, details)
    })
}

/// What a child printed, and how it ended: `None` when it was still running after `timeout`
/// and was killed.
struct Finished {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    status: Option<ExitStatus>,
}

/// Reads the child's stdout and stderr on threads of their own (a full pipe would stop it)
/// while waiting for its exit; kills it when `timeout` passes first.
fn finish_within(mut child: Child, timeout: Duration) -> std::io::Result<Finished> {
    fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    }
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if Instant::now() >= deadline {
            // The pipes close with the process, which ends the reading threads.
            child.kill()?;
            child.wait()?;
            break None;
        }
        std::thread::sleep(POLL);
    };
    Ok(Finished {
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        status,
    })
}
