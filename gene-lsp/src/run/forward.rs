//! The task that follows one run: it sends the output in batches, notices a stop, and reports
//! the end (`gene/runEnd`, the end of the progress, the error diagnostic).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::time::{Instant, timeout};
use tower_lsp_server::Client;
use tower_lsp_server::lsp_types::MessageType;

use super::diagnostics::{RunSite, error_diagnostic};
use super::execute::Outcome;
use super::output::{LineJoiner, Stream};
use super::{
    ActiveRun, EXIT_STOPPED, RunEnd, RunEndParams, RunOutput, RunOutputParams, RunStatus, Runs,
};
use crate::publish::Diagnostician;

/// How long output gathers after the first write before it is sent: short enough to look
/// live, long enough that a flood of lines goes out in few messages.
pub const BATCH_DELAY: Duration = Duration::from_millis(15);

/// How long a stopped run may take to notice (it checks its interrupt every few thousand
/// instructions and wakes from `gene/sleep` and the reactor at once, but a long native call,
/// sorting a huge array say, does not look). After this the run is reported stopped; its
/// thread is left to end on its own, its output dropped.
pub const STOP_GRACE: Duration = Duration::from_millis(250);

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

/// Waits for a stopped run's thread; `None` if it does not end within [`STOP_GRACE`] (it is
/// then interrupted again from time to time until it ends, as a `finally` may run long).
async fn wait_stopped(
    run: &Arc<ActiveRun>,
    mut outcome: oneshot::Receiver<Outcome>,
) -> Option<Outcome> {
    let deadline = Instant::now() + STOP_GRACE;
    loop {
        // The VM takes the flag when it notices it; set it again for code that runs on.
        run.interrupter.interrupt();
        match timeout(Duration::from_millis(10), &mut outcome).await {
            Ok(result) => return result.ok(),
            Err(_) if Instant::now() >= deadline => break,
            Err(_) => {}
        }
    }
    let run = run.clone();
    tokio::spawn(async move {
        loop {
            run.interrupter.interrupt();
            if timeout(Duration::from_millis(100), &mut outcome)
                .await
                .is_ok()
            {
                return;
            }
        }
    });
    None
}

pub(super) async fn forward(
    runs: Arc<Runs>,
    ctx: Diagnostician,
    run: Arc<ActiveRun>,
    mut outcome: oneshot::Receiver<Outcome>,
) {
    let features = ctx.state.features();
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
    let ended: Option<Outcome> = loop {
        tokio::select! {
            result = &mut outcome => {
                sender.send(run.buffer.take()).await;
                break Some(result.unwrap_or_else(|_| {
                    Outcome::Crashed("the run's thread ended without a result".into())
                }));
            }
            () = run.buffer.wake.notified() => {
                if run.stop_requested() {
                    sender.send(run.buffer.take()).await;
                    run.buffer.close();
                    break wait_stopped(&run, outcome).await;
                }
                tokio::time::sleep(BATCH_DELAY).await;
                sender.send(run.buffer.take()).await;
            }
        }
    };
    let stopped = run.stop_requested();
    let (status, exit_code, error) = match ended {
        Some(Outcome::Finished) => (RunStatus::Ok, 0, None),
        _ if stopped => (RunStatus::Stopped, EXIT_STOPPED, None),
        Some(Outcome::Uncaught(error)) => {
            sender
                .send(vec![(Stream::Stderr, error.report.clone())])
                .await;
            (RunStatus::Error, 1, Some(error))
        }
        Some(Outcome::Syntax(report)) => {
            sender.send(vec![(Stream::Stderr, report)]).await;
            (RunStatus::Error, 1, None)
        }
        Some(Outcome::Crashed(message)) => {
            let text = format!("gene-lsp: the run failed: {message}\n");
            sender.send(vec![(Stream::Stderr, text)]).await;
            (RunStatus::Error, 1, None)
        }
        // Only a stopped run is given up on.
        None => (RunStatus::Stopped, EXIT_STOPPED, None),
    };
    sender.finish().await;
    let took = run.started.elapsed();
    let summary = match status {
        RunStatus::Stopped => format!("stopped after {}", human(took)),
        _ => format!("exited with code {exit_code} in {}", human(took)),
    };
    if let Some(error) = error
        && ctx.state.stamp(&run.uri) == run.stamp
    {
        let site = RunSite {
            uri: &run.uri,
            path: &run.path,
            encoding: ctx.state.encoding(),
            related_information: features.diagnostics.related_information,
        };
        let diagnostic = error_diagnostic(&error, &site);
        ctx.state
            .run_diagnostics
            .set(run.uri.clone(), run.stamp, vec![diagnostic]);
        ctx.run_diagnostics_changed(run.uri.clone());
    }
    ctx.client
        .send_notification::<RunEnd>(RunEndParams {
            run_id: run.id.clone(),
            status,
            exit_code,
            duration_ms: u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
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
