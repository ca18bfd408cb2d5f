//! Work-done progress (`$/progress`) for a run: begun when the run starts, cancellable (a
//! cancel stops the run), ended with how the run ended.
//!
//! The progress of a run lives in its own task fed by a channel, so creating the token (a
//! request the client answers in its own time) never holds up the run's output, and events
//! reach the client in the order they were sent. [`ProgressHook`] is the way in for progress the
//! program itself reports: [`ProgramProgress`] is the VM's progress display for a run (the main
//! program's `gene/progress` reports and those of the future it awaits, as `gene run`'s bar
//! shows them), and turns them into reports of the same `$/progress`.

use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tower_lsp_server::Client;
use tower_lsp_server::lsp_types::notification::Progress;
use tower_lsp_server::lsp_types::request::WorkDoneProgressCreate;
use tower_lsp_server::lsp_types::{
    NumberOrString, ProgressParams, ProgressParamsValue, ProgressToken, WorkDoneProgress,
    WorkDoneProgressBegin, WorkDoneProgressCreateParams, WorkDoneProgressEnd,
    WorkDoneProgressReport,
};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProgressEvent {
    Report {
        message: Option<String>,
        percentage: Option<u32>,
    },
    End {
        message: String,
    },
}

/// Sends progress events of one run; usable from any thread.
#[derive(Clone)]
pub struct ProgressHook(mpsc::UnboundedSender<ProgressEvent>);

impl ProgressHook {
    /// A progress report from the running program: a message and/or a percentage (clamped to
    /// 100).
    pub fn report(&self, message: Option<String>, percentage: Option<u32>) {
        let _ = self.0.send(ProgressEvent::Report {
            message,
            percentage: percentage.map(|p| p.min(100)),
        });
    }

    pub(super) fn end(&self, message: String) {
        let _ = self.0.send(ProgressEvent::End { message });
    }
}

/// Reports that only change the message go out at most this often: a program may report on
/// every item of a long loop, and each report is a notification.
const MESSAGE_INTERVAL: Duration = Duration::from_millis(100);

/// The VM's progress display for a run: reports go to the run's `$/progress`, one per change
/// of the whole percentage, message changes in between at most every [`MESSAGE_INTERVAL`].
pub struct ProgramProgress {
    hook: ProgressHook,
    /// The last report sent: its percentage and message.
    sent: Option<(u32, Option<String>)>,
    sent_at: Instant,
}

impl ProgramProgress {
    pub fn new(hook: ProgressHook) -> ProgramProgress {
        ProgramProgress {
            hook,
            sent: None,
            sent_at: Instant::now(),
        }
    }
}

impl gene_vm::ProgressDisplay for ProgramProgress {
    fn show(&mut self, fraction: f64, message: Option<&str>) {
        // The VM gives fractions in 0..=1.
        let percentage = (fraction.clamp(0.0, 1.0) * 100.0).round() as u32;
        let message = message.map(str::to_string);
        let throttled = match &self.sent {
            Some((p, m)) if *p == percentage => {
                *m == message || self.sent_at.elapsed() < MESSAGE_INTERVAL
            }
            _ => false,
        };
        if throttled {
            return;
        }
        self.hook.report(message.clone(), Some(percentage));
        self.sent = Some((percentage, message));
        self.sent_at = Instant::now();
    }

    /// The await whose progress showed is over. `$/progress` cannot take a percentage back;
    /// the message goes, and the next report shows whatever comes next.
    fn hide(&mut self) {
        // Forgetting what was sent makes a later report news again, whatever its percentage.
        if let Some((_, Some(_))) = self.sent.take() {
            self.hook.report(Some(String::new()), None);
        }
    }
}

/// The `$/progress` value of an event.
pub fn work_done(event: ProgressEvent) -> WorkDoneProgress {
    match event {
        ProgressEvent::Report {
            message,
            percentage,
        } => WorkDoneProgress::Report(WorkDoneProgressReport {
            cancellable: Some(true),
            message,
            percentage,
        }),
        ProgressEvent::End { message } => WorkDoneProgress::End(WorkDoneProgressEnd {
            message: Some(message),
        }),
    }
}

/// Where the progress of a run is shown.
pub enum TokenSource {
    /// The client gave a token with its request (`workDoneToken`).
    Given(ProgressToken),
    /// The server creates one (the client announced `window.workDoneProgress`).
    Create(String),
    /// The client shows no progress.
    None,
}

/// Starts the progress task of a run titled `title`. `on_token` learns the token once it is
/// usable, so a cancel for it can be matched to the run.
pub fn start(
    client: Client,
    source: TokenSource,
    title: String,
    on_token: impl FnOnce(ProgressToken) + Send + 'static,
) -> ProgressHook {
    let (tx, mut rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let token = match source {
            TokenSource::Given(token) => Some(token),
            TokenSource::Create(name) => {
                let token = NumberOrString::String(name);
                let params = WorkDoneProgressCreateParams {
                    token: token.clone(),
                };
                match client.send_request::<WorkDoneProgressCreate>(params).await {
                    Ok(()) => Some(token),
                    Err(e) => {
                        tracing::warn!("the client refused a progress token: {}", e.message);
                        None
                    }
                }
            }
            TokenSource::None => None,
        };
        let Some(token) = token else {
            // Drain the events so senders never notice; nothing is shown.
            while rx.recv().await.is_some() {}
            return;
        };
        on_token(token.clone());
        let send = |value: WorkDoneProgress| {
            client.send_notification::<Progress>(ProgressParams {
                token: token.clone(),
                value: ProgressParamsValue::WorkDone(value),
            })
        };
        send(WorkDoneProgress::Begin(WorkDoneProgressBegin {
            title,
            cancellable: Some(true),
            message: None,
            percentage: None,
        }))
        .await;
        while let Some(event) = rx.recv().await {
            let is_end = matches!(event, ProgressEvent::End { .. });
            send(work_done(event)).await;
            if is_end {
                break;
            }
        }
    });
    ProgressHook(tx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn program_reports_stay_cancellable_and_in_range() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let hook = ProgressHook(tx);
        hook.report(Some("step 2 of 3".into()), Some(250));
        hook.end("exited with code 0".into());
        let report = rx.try_recv().unwrap();
        assert_eq!(
            work_done(report),
            WorkDoneProgress::Report(WorkDoneProgressReport {
                cancellable: Some(true),
                message: Some("step 2 of 3".into()),
                percentage: Some(100),
            })
        );
        assert_eq!(
            work_done(rx.try_recv().unwrap()),
            WorkDoneProgress::End(WorkDoneProgressEnd {
                message: Some("exited with code 0".into())
            })
        );
    }

    fn report(message: Option<&str>, percentage: Option<u32>) -> ProgressEvent {
        ProgressEvent::Report {
            message: message.map(str::to_string),
            percentage,
        }
    }

    #[test]
    fn program_progress_sends_percentage_changes_and_throttles_message_only_changes() {
        use gene_vm::ProgressDisplay;
        let (tx, mut rx) = mpsc::unbounded_channel();
        let mut display = ProgramProgress::new(ProgressHook(tx));
        display.show(0.5, Some("item 1"));
        display.show(0.501, Some("item 2"));
        display.show(0.5, Some("item 2"));
        display.show(0.51, Some("item 3"));
        display.show(1.0, None);
        display.hide();
        display.show(0.25, Some("next"));
        display.hide();
        let events: Vec<ProgressEvent> = std::iter::from_fn(|| rx.try_recv().ok()).collect();
        assert_eq!(
            events,
            vec![
                report(Some("item 1"), Some(50)),
                report(Some("item 3"), Some(51)),
                report(None, Some(100)),
                report(Some("next"), Some(25)),
                report(Some(""), None),
            ]
        );
    }

    #[test]
    fn program_progress_passes_message_changes_on_after_the_interval() {
        use gene_vm::ProgressDisplay;
        let (tx, mut rx) = mpsc::unbounded_channel();
        let mut display = ProgramProgress::new(ProgressHook(tx));
        display.show(0.5, Some("a"));
        display.sent_at = Instant::now() - MESSAGE_INTERVAL;
        display.show(0.5, Some("b"));
        let events: Vec<ProgressEvent> = std::iter::from_fn(|| rx.try_recv().ok()).collect();
        assert_eq!(
            events,
            vec![report(Some("a"), Some(50)), report(Some("b"), Some(50))]
        );
    }
}
