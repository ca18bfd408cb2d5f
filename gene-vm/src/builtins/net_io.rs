//! The runtime's side of a TCP connection (`gene/TcpConn`): a reader task and a writer task per
//! connection, each serving its commands in the order the program issued them and reporting
//! each completion to the VM through a [`JobReporter`] (the commands are external jobs:
//! `vm/jobs.rs`).
//!
//! Order and cancellation: the reader keeps what it has read but not handed out (the rest of a
//! buffer, the start of a line) across commands, and drops bytes only once the VM says the
//! program got them ([`Delivery`]): a read cancelled at any point, or abandoned by a cancelled
//! task, loses no bytes; the next read gets them. A cancelled write stops where it is (part of
//! the data may have been sent). Closing stops the read in progress (an IOError) and lets the
//! writes already issued finish before the connection is shut down.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::{mpsc, oneshot, watch};

use crate::reactor::{JobError, JobReporter, JobValue, OpId};

/// What the reader buffers from the socket at a time (and the most one `read_async` gives).
const READ_BUFFER: usize = 64 * 1024;
/// The longest line `read_line_async` gives; a longer one is an IOError.
pub(super) const MAX_LINE: usize = 16 * 1024 * 1024;

/// What a read command asks for.
pub(super) enum ReadKind {
    /// Whatever has arrived, at most this many bytes (waiting for at least one, or the end).
    Bytes(usize),
    /// The next line, without its `\n` (nor a `\r` before it).
    Line,
}

/// A command to the reader or the writer: the operation's id, where to report, and the signal
/// that the VM cancelled it (or forgot it: the sender dropped).
pub(super) struct Command<T> {
    pub id: OpId,
    pub reporter: JobReporter,
    pub what: T,
    pub cancelled: oneshot::Receiver<()>,
}

/// The VM's handles on a connection's tasks. Dropping them (closing the connection, or the
/// connection value going away) ends the tasks once the writes already issued are done.
pub(super) struct ConnParts {
    pub peer: String,
    pub reads: mpsc::UnboundedSender<Command<ReadKind>>,
    pub writes: mpsc::UnboundedSender<Command<Vec<u8>>>,
    /// Set to true on close: the read in progress stops.
    pub closed: watch::Sender<bool>,
}

/// Starts the reader and writer tasks of a connected stream (on the runtime).
pub(super) fn spawn_conn(stream: TcpStream) -> Result<ConnParts, std::io::Error> {
    let peer = stream.peer_addr()?.to_string();
    // Request-response protocols must not wait on Nagle's algorithm (node and asyncio set it
    // too).
    stream.set_nodelay(true)?;
    let (read, write) = stream.into_split();
    let (reads, read_cmds) = mpsc::unbounded_channel();
    let (writes, write_cmds) = mpsc::unbounded_channel();
    let (closed, closed_rx) = watch::channel(false);
    tokio::spawn(reader(read, read_cmds, closed_rx, peer.clone()));
    tokio::spawn(writer(write, write_cmds, peer.clone()));
    Ok(ConnParts {
        peer,
        reads,
        writes,
        closed,
    })
}

pub(super) fn closed_error(peer: &str) -> JobError {
    JobError::new("IOError", format!("the connection to {peer} is closed"))
}

async fn reader(
    mut input: OwnedReadHalf,
    mut commands: mpsc::UnboundedReceiver<Command<ReadKind>>,
    mut closed: watch::Receiver<bool>,
    peer: String,
) {
    // Bytes taken from the socket but not handed out yet.
    let mut pending: Vec<u8> = Vec::new();
    while let Some(mut command) = commands.recv().await {
        if *closed.borrow() {
            command
                .reporter
                .report(command.id, Err(closed_error(&peer)));
            continue;
        }
        // Biased: a command cancelled before data came is not served with it.
        let found = tokio::select! {
            biased;
            _ = &mut command.cancelled => None,
            _ = closed.wait_for(|closed| *closed) => Some(Err(closed_error(&peer))),
            found = next(&mut input, &mut pending, &command.what, &peer) => Some(found),
        };
        let (result, taken) = match found {
            None => continue,
            Some(Err(e)) => (Err(e), None),
            Some(Ok((value, n))) => {
                let (ack, taken) = oneshot::channel();
                let delivery = Delivery { value, ack };
                (Ok(JobValue::Host(Box::new(delivery))), Some((taken, n)))
            }
        };
        if !command.reporter.report(command.id, result) {
            return;
        }
        // The bytes leave `pending` only once the VM has given them to the program; a read it
        // no longer wanted (cancelled, or abandoned by a cancelled task) leaves them for the
        // next one.
        if let Some((taken, n)) = taken
            && taken.await.is_ok()
        {
            pending.drain(..n.min(pending.len()));
        }
    }
}

/// A read's result on its way to the VM: `ack` says the program got it.
pub(super) struct Delivery {
    pub value: JobValue,
    pub ack: oneshot::Sender<()>,
}

/// What the next read gives, and how many bytes of `pending` it hands out. Cancel-safe:
/// bytes taken from the socket stay in `pending`.
async fn next(
    input: &mut OwnedReadHalf,
    pending: &mut Vec<u8>,
    kind: &ReadKind,
    peer: &str,
) -> Result<(JobValue, usize), JobError> {
    let failed = |e: std::io::Error| JobError::new("IOError", format!("reading from {peer}: {e}"));
    match kind {
        ReadKind::Bytes(max) => {
            if pending.is_empty() {
                pending.reserve(READ_BUFFER);
                input.read_buf(pending).await.map_err(failed)?;
            }
            let n = (*max).min(pending.len());
            Ok((JobValue::Bytes(pending[..n].to_vec()), n))
        }
        ReadKind::Line => {
            let mut searched = 0;
            loop {
                if let Some(i) = pending[searched..].iter().position(|&b| b == b'\n') {
                    let n = searched + i + 1;
                    return Ok((JobValue::Str(line_text(&pending[..n])), n));
                }
                searched = pending.len();
                if searched > MAX_LINE {
                    return Err(JobError::new(
                        "IOError",
                        format!(
                            "reading from {peer}: a line longer than {} MiB",
                            MAX_LINE / (1024 * 1024)
                        ),
                    ));
                }
                pending.reserve(READ_BUFFER);
                if input.read_buf(pending).await.map_err(failed)? == 0 {
                    // The end of the stream: a last line without a line break is still a line.
                    if pending.is_empty() {
                        return Ok((JobValue::Nil, 0));
                    }
                    return Ok((JobValue::Str(line_text(pending)), pending.len()));
                }
            }
        }
    }
}

/// A line's text without its line break; bytes that are not UTF-8 become U+FFFD.
fn line_text(line: &[u8]) -> String {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    String::from_utf8_lossy(line).into_owned()
}

async fn writer(
    mut output: OwnedWriteHalf,
    mut commands: mpsc::UnboundedReceiver<Command<Vec<u8>>>,
    peer: String,
) {
    while let Some(mut command) = commands.recv().await {
        let result = tokio::select! {
            result = output.write_all(&command.what) => Some(result),
            _ = &mut command.cancelled => None,
        };
        let result = match result {
            None => continue,
            Some(Ok(())) => Ok(JobValue::Nil),
            Some(Err(e)) => Err(JobError::new("IOError", format!("writing to {peer}: {e}"))),
        };
        command.reporter.report(command.id, result);
    }
    // Closed (or dropped) by the program: the writes it issued are done; say so to the peer.
    let _ = output.shutdown().await;
}
