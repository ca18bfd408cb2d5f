//! Work-done progress (`$/progress`) for a run: begun when the run starts, cancellable (a
//! cancel stops the run), ended with how the run ended.
//!
//! The progress of a run lives in its own task fed by a channel, so creating the token (a
//! request the client answers in its own time) never holds up the run's output, and events
//! reach the client in the order they were sent. [`ProgressHook`] is the way in for progress the
//! program itself reports (the child's progress events, see `super::child::ProgramProgress`):
//! reports of the same `$/progress`.

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
}
