//! Where a program's output goes: the process's stdout/stderr, or buffers (tests, the language
//! server's "run file").

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

pub trait Output {
    fn out(&mut self, text: &str);
    fn err(&mut self, text: &str);
    fn flush(&mut self) {}
}

/// The process's stdout, as every [`StdOutput`] (and `gene run`'s progress-bar output) writes
/// it: buffered in one place shared by the whole process, so that a signal handler, a panic or
/// the end of the program can flush what was printed from any thread. On a terminal it is
/// line-buffered (a line shows as soon as it ends, before a long computation); to a pipe or a
/// file it is written in blocks of [`STDOUT_BLOCK`] bytes, which is much faster.
pub mod stdout {
    use std::io::{IsTerminal, Write};
    use std::sync::{Mutex, MutexGuard, OnceLock};
    use std::time::{Duration, Instant};

    /// Bytes gathered before a write when stdout is not a terminal.
    pub const STDOUT_BLOCK: usize = 1 << 16;

    static PENDING: Mutex<Vec<u8>> = Mutex::new(Vec::new());

    fn pending() -> MutexGuard<'static, Vec<u8>> {
        // A panic while holding the lock leaves plain bytes behind: still worth writing.
        PENDING.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn line_buffered() -> bool {
        static TERMINAL: OnceLock<bool> = OnceLock::new();
        *TERMINAL.get_or_init(|| std::io::stdout().is_terminal())
    }

    /// Adds `text` to what stdout will show. True when it should be written now ([`flush`]):
    /// on a terminal once a line ends, elsewhere once a block is full.
    pub fn buffer(text: &str) -> bool {
        let mut pending = pending();
        pending.extend_from_slice(text.as_bytes());
        pending.len() >= STDOUT_BLOCK || (line_buffered() && text.contains('\n'))
    }

    /// Whether anything waits to be written.
    pub fn has_pending() -> bool {
        !pending().is_empty()
    }

    /// Writes everything buffered.
    pub fn flush() {
        write_out(&mut pending());
    }

    /// [`flush`] from a thread that must not wait long for the lock (a signal handler's, when
    /// the program's thread may be stuck writing to a pipe nobody reads).
    pub fn flush_within(patience: Duration) {
        let deadline = Instant::now() + patience;
        loop {
            match PENDING.try_lock() {
                Ok(mut pending) => return write_out(&mut pending),
                Err(std::sync::TryLockError::Poisoned(e)) => return write_out(&mut e.into_inner()),
                Err(std::sync::TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(std::sync::TryLockError::WouldBlock) => return,
            }
        }
    }

    fn write_out(pending: &mut Vec<u8>) {
        if pending.is_empty() {
            return;
        }
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(pending);
        let _ = out.flush();
        pending.clear();
    }
}

/// The process's stdout (see [`stdout`]) and stderr; stdout is flushed before anything goes to
/// stderr, so the two interleave correctly.
#[derive(Default)]
pub struct StdOutput;

impl StdOutput {
    pub fn new() -> StdOutput {
        StdOutput
    }
}

impl Output for StdOutput {
    fn out(&mut self, text: &str) {
        if stdout::buffer(text) {
            stdout::flush();
        }
    }

    fn err(&mut self, text: &str) {
        stdout::flush();
        let _ = std::io::stderr().write_all(text.as_bytes());
    }

    fn flush(&mut self) {
        stdout::flush();
    }
}

impl Drop for StdOutput {
    fn drop(&mut self) {
        stdout::flush();
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
