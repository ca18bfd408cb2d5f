//! Where a program's output goes: the process's stdout/stderr, or buffers (tests, the language
//! server's "run file").

use std::cell::RefCell;
use std::io::{BufWriter, Stdout, Write};
use std::rc::Rc;

pub trait Output {
    fn out(&mut self, text: &str);
    fn err(&mut self, text: &str);
    fn flush(&mut self) {}
}

/// Buffered stdout (flushed before anything goes to stderr, so the two interleave correctly).
pub struct StdOutput {
    out: BufWriter<Stdout>,
}

impl StdOutput {
    pub fn new() -> StdOutput {
        StdOutput {
            out: BufWriter::with_capacity(1 << 16, std::io::stdout()),
        }
    }
}

impl Default for StdOutput {
    fn default() -> Self {
        Self::new()
    }
}

impl Output for StdOutput {
    fn out(&mut self, text: &str) {
        let _ = self.out.write_all(text.as_bytes());
    }

    fn err(&mut self, text: &str) {
        let _ = self.out.flush();
        let _ = std::io::stderr().write_all(text.as_bytes());
    }

    fn flush(&mut self) {
        let _ = self.out.flush();
    }
}

impl Drop for StdOutput {
    fn drop(&mut self) {
        let _ = self.out.flush();
    }
}

/// Collects stdout and stderr in shared strings.
#[derive(Clone, Default)]
pub struct CaptureOutput {
    pub stdout: Rc<RefCell<String>>,
    pub stderr: Rc<RefCell<String>>,
}

impl CaptureOutput {
    pub fn new() -> CaptureOutput {
        CaptureOutput::default()
    }

    pub fn stdout_text(&self) -> String {
        self.stdout.borrow().clone()
    }

    pub fn stderr_text(&self) -> String {
        self.stderr.borrow().clone()
    }
}

impl Output for CaptureOutput {
    fn out(&mut self, text: &str) {
        self.stdout.borrow_mut().push_str(text);
    }

    fn err(&mut self, text: &str) {
        self.stderr.borrow_mut().push_str(text);
    }
}
