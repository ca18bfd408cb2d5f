//! A run's output on its way from the VM thread to the client.
//!
//! The VM writes into an [`OutputBuffer`] (through [`BufferOutput`], its `gene_vm::Output`);
//! the run's forwarder task takes everything written so far a few milliseconds after the first
//! write and sends it as a few notifications, so a program that prints a million lines sends a
//! few hundred messages, not a million. Order is kept: the buffer is a list of segments, stdout
//! and stderr text interleaved as written, consecutive writes to one stream merged.
//!
//! Backpressure: when more than [`MAX_PENDING`] bytes wait (the client reads slower than the
//! program prints), the VM thread waits until the forwarder has taken them, so memory stays
//! bounded. A closed buffer (the run was stopped) drops what is written and never waits.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

/// Bytes that may wait for the forwarder before the program is held up.
pub const MAX_PENDING: usize = 1 << 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stream {
    Stdout,
    Stderr,
}

#[derive(Default)]
struct Pending {
    segments: Vec<(Stream, String)>,
    bytes: usize,
    closed: bool,
}

#[derive(Default)]
pub struct OutputBuffer {
    pending: Mutex<Pending>,
    /// Signalled when the forwarder took the pending text or the buffer closed.
    drained: Condvar,
    /// Wakes the forwarder: text arrived in an empty buffer, or the run should stop.
    pub wake: Notify,
}

impl OutputBuffer {
    fn lock(&self) -> MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Appends `text` to `stream`, waiting while the buffer is full.
    pub fn push(&self, stream: Stream, text: &str) {
        if text.is_empty() {
            return;
        }
        let mut pending = self.lock();
        while pending.bytes >= MAX_PENDING && !pending.closed {
            // Bounded waits: a forwarder that went away must not hang the VM thread for good.
            pending = match self
                .drained
                .wait_timeout(pending, Duration::from_millis(100))
            {
                Ok((guard, _)) => guard,
                Err(e) => e.into_inner().0,
            };
        }
        if pending.closed {
            return;
        }
        let was_empty = pending.segments.is_empty();
        pending.bytes += text.len();
        match pending.segments.last_mut() {
            Some((last, buffered)) if *last == stream => buffered.push_str(text),
            _ => pending.segments.push((stream, text.to_string())),
        }
        drop(pending);
        if was_empty {
            self.wake.notify_one();
        }
    }

    /// Everything written since the last call, in order.
    pub fn take(&self) -> Vec<(Stream, String)> {
        let mut pending = self.lock();
        pending.bytes = 0;
        let segments = std::mem::take(&mut pending.segments);
        drop(pending);
        self.drained.notify_all();
        segments
    }

    /// From now on writes are dropped and never wait.
    pub fn close(&self) {
        let mut pending = self.lock();
        pending.closed = true;
        pending.segments.clear();
        pending.bytes = 0;
        drop(pending);
        self.drained.notify_all();
    }
}

/// The VM's output for a run.
pub struct BufferOutput(pub std::sync::Arc<OutputBuffer>);

impl gene_vm::Output for BufferOutput {
    fn out(&mut self, text: &str) {
        self.0.push(Stream::Stdout, text);
    }

    fn err(&mut self, text: &str) {
        self.0.push(Stream::Stderr, text);
    }
}

/// Splits text into complete lines for `window/logMessage`, where each message is shown as a
/// line of its own: text after the last line break waits for the rest of its line.
#[derive(Default)]
pub struct LineJoiner {
    partial: String,
}

impl LineJoiner {
    /// The complete lines of `partial + text`, without their final line break.
    pub fn lines(&mut self, text: &str) -> Option<String> {
        self.partial.push_str(text);
        let end = self.partial.rfind('\n')?;
        let rest = self.partial.split_off(end + 1);
        let mut lines = std::mem::replace(&mut self.partial, rest);
        lines.truncate(end);
        Some(lines)
    }

    /// What is left of an unfinished last line.
    pub fn finish(&mut self) -> Option<String> {
        Some(std::mem::take(&mut self.partial)).filter(|s| !s.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn segments_keep_the_order_of_writes_and_merge_one_stream() {
        let buffer = OutputBuffer::default();
        buffer.push(Stream::Stdout, "a");
        buffer.push(Stream::Stdout, "b\n");
        buffer.push(Stream::Stderr, "oops\n");
        buffer.push(Stream::Stdout, "c");
        assert_eq!(
            buffer.take(),
            [
                (Stream::Stdout, "ab\n".to_string()),
                (Stream::Stderr, "oops\n".to_string()),
                (Stream::Stdout, "c".to_string())
            ]
        );
        assert!(buffer.take().is_empty());
        buffer.close();
        buffer.push(Stream::Stdout, "dropped");
        assert!(buffer.take().is_empty());
    }

    #[test]
    fn a_full_buffer_holds_the_writer_until_drained() {
        let buffer = Arc::new(OutputBuffer::default());
        let writer = {
            let buffer = buffer.clone();
            std::thread::spawn(move || {
                let line = "x".repeat(1000) + "\n";
                for _ in 0..3 * MAX_PENDING / line.len() {
                    buffer.push(Stream::Stdout, &line);
                }
            })
        };
        let mut total = 0;
        while !writer.is_finished() || total < 3 * MAX_PENDING / 1001 * 1001 {
            let taken: usize = buffer.take().iter().map(|(_, t)| t.len()).sum();
            // Never more than the bound plus the one write that crossed it.
            assert!(taken <= MAX_PENDING + 1001, "{taken}");
            total += taken;
            std::thread::sleep(Duration::from_millis(1));
        }
        writer.join().unwrap();
        assert_eq!(total, 3 * MAX_PENDING / 1001 * 1001);
    }

    #[test]
    fn log_lines_wait_for_their_end() {
        let mut joiner = LineJoiner::default();
        assert_eq!(joiner.lines("par"), None);
        assert_eq!(
            joiner.lines("tial\nnext\nx"),
            Some("partial\nnext".to_string())
        );
        assert_eq!(joiner.finish(), Some("x".to_string()));
        assert_eq!(joiner.finish(), None);
    }
}
