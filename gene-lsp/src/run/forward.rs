//! The task that follows one run's child process: it sends the request, passes the child's
//! events and its stdout and stderr on to the client, stops it when asked, and reports the end
//! (`gene/runEnd`, the end of the progress, the error diagnostic) from the child's last event
//! and its exit status. Nothing the child does or fails to do can stop the server: a child
//! that dies is a run that ended with an error.

use std::sync::Arc;
use std::time::Duration;

use gene_vm::testing::golden;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::time::{Instant, sleep_until};
use tower_lsp_server::Client;
use tower_lsp_server::lsp_types::MessageType;

use super::diagnostics::{RunSite, run_diagnostics};
use super::output::{LineJoiner, Utf8Pieces};
use super::process::{Spawned, describe_exit};
use super::test_run::{self, TestCounts, TestResult};
use super::wire::{Command, Event, RunRequest, Stream, TestEvent};
use super::{
    ActiveRun, EXIT_STOPPED, RunEnd, RunEndParams, RunOutput, RunOutputParams, RunStatus, Runs,
};
use crate::publish::Diagnostician;

/// How long output of the program's own pipes gathers before it is sent (the child batches
/// the VM's output itself).
pub const BATCH_DELAY: Duration = Duration::from_millis(15);

/// How long a stopped program may take to notice its interrupt (a `finally` may run) before
/// the child is killed. A long native call (a sort, a read from a FIFO) never notices: it is
/// killed.
pub const STOP_GRACE: Duration = Duration::from_millis(250);

/// The longest event line read from a child; a longer one is dropped (the child splits output
/// into far smaller events, so only a program scribbling on the socket makes one).
const MAX_EVENT_LINE: u64 = 256 << 20;

/// Sends output to the client: the notifications, and log messages for clients that do not
/// handle them.
struct Sender {
    client: Client,
    run_id: String,
    /// `None` when the client handles `gene/runOutput` itself.
    log: Option<[LineJoiner; 2]>,
}

impl Sender {
    async fn log(&self, kind: MessageType, text: String) {
        if self.log.is_some() {
            self.client.log_message(kind, text).await;
        }
    }

    async fn send(&mut self, segments: Vec<(Stream, String)>) {
        for (stream, text) in segments {
            if let Some(joiners) = &mut self.log {
                let (joiner, kind) = match stream {
                    Stream::Stdout => (&mut joiners[0], MessageType::LOG),
                    Stream::Stderr => (&mut joiners[1], MessageType::ERROR),
                };
                if let Some(lines) = joiner.lines(&text) {
                    self.client.log_message(kind, lines).await;
                }
            }
            self.client
                .send_notification::<RunOutput>(RunOutputParams {
                    run_id: self.run_id.clone(),
                    stream,
                    text,
                })
                .await;
        }
    }

    /// Unfinished last lines, for the log.
    async fn finish(&mut self) {
        if let Some([out, err]) = &mut self.log {
            let pending = [
                (out.finish(), MessageType::LOG),
                (err.finish(), MessageType::ERROR),
            ];
            for (text, kind) in pending {
                if let Some(text) = text {
                    self.client.log_message(kind, text).await;
                }
            }
        }
    }
}

/// Output waiting to be sent, in the order it came, consecutive text of one stream merged.
#[derive(Default)]
struct Pending(Vec<(Stream, String)>);

impl Pending {
    fn push(&mut self, stream: Stream, text: String) {
        if text.is_empty() {
            return;
        }
        match self.0.last_mut() {
            Some((last, buffered)) if *last == stream => buffered.push_str(&text),
            _ => self.0.push((stream, text)),
        }
    }

    fn take(&mut self) -> Vec<(Stream, String)> {
        std::mem::take(&mut self.0)
    }
}

/// One of the child's output pipes.
struct Pipe<R> {
    reader: R,
    stream: Stream,
    text: Utf8Pieces,
    open: bool,
}

impl<R: AsyncRead + Unpin> Pipe<R> {
    fn new(reader: R, stream: Stream) -> Pipe<R> {
        Pipe {
            reader,
            stream,
            text: Utf8Pieces::default(),
            open: true,
        }
    }

    /// The next piece of text; at the end, what was left of a cut character.
    async fn read(&mut self, buf: &mut [u8]) -> String {
        match self.reader.read(buf).await {
            Ok(n) if n > 0 => self.text.decode(&buf[..n]),
            _ => {
                self.open = false;
                self.text.finish()
            }
        }
    }
}

/// The child's events, one JSON line each. Reading is cancel-safe (a partial line stays in
/// the buffer), so it can be one branch of a `select!`.
struct Events<R> {
    reader: R,
    line: Vec<u8>,
    /// Inside a line longer than [`MAX_EVENT_LINE`], which is dropped.
    skipping: bool,
}

impl<R: AsyncBufReadExt + Unpin> Events<R> {
    fn new(reader: R) -> Events<R> {
        Events {
            reader,
            line: Vec::new(),
            skipping: false,
        }
    }

    /// The next event, or why a line was no event; `None` at the end.
    async fn next(&mut self) -> Option<Result<Event, String>> {
        loop {
            let room = if self.skipping {
                64 * 1024
            } else {
                MAX_EVENT_LINE - self.line.len() as u64
            };
            let mut limited = (&mut self.reader).take(room);
            match limited.read_until(b'\n', &mut self.line).await {
                Ok(0) | Err(_) => return None,
                Ok(_) => {}
            }
            if self.line.last() == Some(&b'\n') {
                let event = if self.skipping {
                    Err("an event line too long".to_string())
                } else {
                    serde_json::from_slice(&self.line).map_err(|e| e.to_string())
                };
                self.skipping = false;
                self.line.clear();
                return Some(event);
            }
            if self.skipping || self.line.len() as u64 >= MAX_EVENT_LINE {
                self.skipping = true;
                self.line.clear();
            }
        }
    }
}

pub(super) async fn follow(
    runs: Arc<Runs>,
    ctx: Diagnostician,
    run: Arc<ActiveRun>,
    spawned: Spawned,
    request: RunRequest,
) {
    let Spawned {
        process,
        socket,
        stdout,
        stderr,
    } = spawned;
    let features = ctx.state.features();
    let max_memory_mb = request.max_memory_mb;
    // A test run places its results in the text it ran.
    let tests = (request.tests.is_some() || run.golden.is_some())
        .then(|| test_run::Placer::new(&request.text, ctx.state.encoding()));
    // A golden program's output, to judge it by at the end.
    let mut captured = run.golden.is_some().then(Captured::default);
    let mut counts = TestCounts::default();
    let mut failures = Vec::new();
    let mut sender = Sender {
        client: ctx.client.clone(),
        run_id: run.id.clone(),
        log: (!features.run_notifications).then(Default::default),
    };
    sender
        .log(
            MessageType::INFO,
            format!("gene {}: running {}", run.id, run.path),
        )
        .await;
    let (events, mut control) = socket.into_split();
    let mut line = serde_json::to_vec(&request).unwrap_or_default();
    line.push(b'\n');
    drop(request);
    // A child that died at once fails this write; its exit status tells why.
    let _ = control.write_all(&line).await;
    drop(line);
    let mut control = Some(control);

    let mut events = Events::new(BufReader::new(events));
    let mut events_open = true;
    let mut out = Pipe::new(stdout, Stream::Stdout);
    let mut err = Pipe::new(stderr, Stream::Stderr);
    let (mut out_buf, mut err_buf) = (vec![0; 64 * 1024], vec![0; 64 * 1024]);
    let mut pending = Pending::default();
    let mut flush_at: Option<Instant> = None;
    let mut kill_at: Option<Instant> = None;
    let mut end: Option<Event> = None;
    let far = Instant::now() + Duration::from_secs(365 * 24 * 3600);
    while events_open || out.open || err.open {
        tokio::select! {
            event = events.next(), if events_open => match event {
                None => events_open = false,
                Some(Err(e)) => tracing::warn!("run {}: a bad event: {e}", run.id),
                Some(Ok(Event::Output { stream, text })) => {
                    if !run.stop_requested() {
                        if let Some(c) = captured.as_mut() {
                            c.push(stream, &text);
                        }
                        pending.push(stream, text);
                        sender.send(pending.take()).await;
                        flush_at = None;
                    }
                }
                Some(Ok(Event::Progress { message, percentage })) => {
                    run.progress.report(message, percentage);
                }
                Some(Ok(Event::Tasks { tasks })) => {
                    run.tasks.send_replace(tasks);
                }
                Some(Ok(Event::Test(event))) => {
                    if let Some(placer) = &tests {
                        // What the test printed goes first.
                        sender.send(pending.take()).await;
                        flush_at = None;
                        counts.add(&event.status);
                        let (result, failure) = placer.place(&run.id, &run.uri, event);
                        failures.extend(failure);
                        ctx.client.send_notification::<TestResult>(result).await;
                    }
                }
                Some(Ok(event)) if event.is_end() => end = Some(event),
                Some(Ok(_)) => {}
            },
            text = out.read(&mut out_buf), if out.open => {
                if !run.stop_requested() {
                    if let Some(c) = captured.as_mut() {
                        c.push(out.stream, &text);
                    }
                    pending.push(out.stream, text);
                    flush_at.get_or_insert(Instant::now() + BATCH_DELAY);
                }
            }
            text = err.read(&mut err_buf), if err.open => {
                if !run.stop_requested() {
                    if let Some(c) = captured.as_mut() {
                        c.push(err.stream, &text);
                    }
                    pending.push(err.stream, text);
                    flush_at.get_or_insert(Instant::now() + BATCH_DELAY);
                }
            }
            () = sleep_until(flush_at.unwrap_or(far)), if flush_at.is_some() => {
                sender.send(pending.take()).await;
                flush_at = None;
            }
            () = run.tasks_wanted.notified(), if control.is_some() => {
                if let Some(control) = control.as_mut() {
                    let mut line = serde_json::to_vec(&Command::Tasks).unwrap_or_default();
                    line.push(b'\n');
                    let _ = control.write_all(&line).await;
                }
            }
            () = run.stop.notified(), if kill_at.is_none() => {
                // Output from now on is dropped; closing our side interrupts the program.
                pending.take();
                flush_at = None;
                if let Some(mut control) = control.take() {
                    let _ = control.shutdown().await;
                }
                kill_at = Some(Instant::now() + STOP_GRACE);
            }
            () = sleep_until(kill_at.unwrap_or(far)), if kill_at.is_some() => {
                process.kill();
                kill_at = Some(far);
            }
        }
    }
    sender.send(pending.take()).await;
    drop(control);
    // Its channels are closed: the child is ending (or closed them and goes on: not for long).
    let status = tokio::select! {
        status = process.wait() => status,
        () = tokio::time::sleep(STOP_GRACE) => {
            process.kill();
            process.wait().await
        }
    };
    let (code, signal) = describe_exit(status);
    let (status, exit_code, error) = match (end, signal) {
        _ if run.stop_requested() => (RunStatus::Stopped, EXIT_STOPPED, None),
        (_, Some(signal)) => {
            let mut text = format!("gene: the program was killed by {signal}");
            if let Some(mb) = max_memory_mb.filter(|_| signal == "SIGABRT") {
                text.push_str(&format!(
                    " (out of memory? runs may use {mb} MiB: the gene.run.maxMemoryMb setting)"
                ));
            }
            text.push('\n');
            sender.send(vec![(Stream::Stderr, text)]).await;
            (RunStatus::Error, code, None)
        }
        (Some(Event::Finished), None) if counts.failed > 0 => (RunStatus::Error, 1, None),
        (Some(Event::Finished), None) => (RunStatus::Ok, 0, None),
        (Some(Event::Exited { status }), None) => (RunStatus::Error, status, None),
        (Some(Event::Uncaught(error)), None) => (RunStatus::Error, 1, Some(error)),
        (Some(_), None) => (RunStatus::Error, 1, None),
        (None, None) => {
            let text = format!("gene: the run ended without saying how (exit status {code})\n");
            sender.send(vec![(Stream::Stderr, text)]).await;
            (RunStatus::Error, if code == 0 { 1 } else { code }, None)
        }
    };
    sender.finish().await;
    let took = run.started.elapsed();
    // A golden program: one result, its output against the files beside it.
    let mut status = status;
    if let (Some(expected), Some(captured), Some(placer)) = (&run.golden, &captured, &tests)
        && status != RunStatus::Stopped
    {
        let program = std::path::Path::new(&run.path);
        let verdict = golden::compare(
            program,
            expected,
            &captured.stdout,
            &captured.stderr,
            exit_code,
        );
        let event = TestEvent {
            id: program
                .file_name()
                .map_or_else(|| run.path.clone(), |n| n.to_string_lossy().into_owned()),
            status: if verdict.is_ok() { "passed" } else { "failed" }.to_string(),
            duration_ms: u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
            message: verdict
                .err()
                .map(|m| format!("{}\n{}", m.message, m.details)),
            offset: 0,
            failed_line: None,
        };
        counts.add(&event.status);
        status = if counts.failed > 0 {
            RunStatus::Error
        } else {
            RunStatus::Ok
        };
        let (result, failure) = placer.place(&run.id, &run.uri, event);
        failures.extend(failure);
        ctx.client.send_notification::<TestResult>(result).await;
    }
    let summary = match status {
        RunStatus::Stopped => format!("stopped after {}", human(took)),
        _ => format!("exited with code {exit_code} in {}", human(took)),
    };
    if let Some(error) = error
        && run.golden.is_none()
        && ctx.state.stamp(&run.uri) == run.stamp
    {
        let site = RunSite {
            uri: &run.uri,
            path: &run.path,
            encoding: ctx.state.encoding(),
            related_information: features.diagnostics.related_information,
        };
        let diagnostics = run_diagnostics(&error, &site);
        ctx.state
            .run_diagnostics
            .set(run.uri.clone(), run.stamp, diagnostics);
        ctx.run_diagnostics_changed(run.uri.clone());
    }
    // A test run's failures replace the last ones (a stopped run leaves them).
    if tests.is_some()
        && status != RunStatus::Stopped
        && ctx
            .state
            .run_diagnostics
            .set_tests(run.uri.clone(), failures)
    {
        ctx.run_diagnostics_changed(run.uri.clone());
    }
    ctx.client
        .send_notification::<RunEnd>(RunEndParams {
            run_id: run.id.clone(),
            status,
            exit_code,
            duration_ms: u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
            tests: tests.is_some().then_some(counts),
        })
        .await;
    sender
        .log(MessageType::INFO, format!("gene {}: {summary}", run.id))
        .await;
    run.progress.end(summary);
    runs.finished(&run.id);
}

/// `15 ms`, `2.50 s`.
fn human(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}

/// What a golden program wrote to each stream.
#[derive(Default)]
struct Captured {
    stdout: String,
    stderr: String,
}

impl Captured {
    fn push(&mut self, stream: Stream, text: &str) {
        match stream {
            Stream::Stdout => self.stdout.push_str(text),
            Stream::Stderr => self.stderr.push_str(text),
        }
    }
}
