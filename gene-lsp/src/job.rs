//! Running analysis off the main loop: on a database snapshot, on a blocking thread, with
//! cancellation and panics turned into answers instead of crashes.
//!
//! A job owns its snapshot (a clone of the salsa database) and drops it when it ends. Salsa
//! cancels it in two ways, both surfacing as a `salsa::Cancelled` unwind at the next query:
//! - an edit: `set_text` on the main database raises the cancellation flag and waits until
//!   every snapshot is dropped (so a job must never wait on the main state lock);
//! - the request's own cancellation: when the request future is dropped (the client sent
//!   `$/cancelRequest`, the server is exiting), a guard cancels the job's database handle.
//!
//! Any other panic is caught and reported as [`JobError::Panicked`]: it fails that one request
//! and the server goes on.

use std::any::Any;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

use salsa::{CancellationToken, Cancelled};
use tokio::task::JoinHandle;
use tower_lsp_server::jsonrpc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobError {
    /// Salsa cancelled the computation: a newer edit arrived or the request was cancelled.
    Cancelled,
    /// The computation panicked; the message says where.
    Panicked(String),
}

impl JobError {
    /// The answer to a request whose job failed: `ContentModified` for a cancellation (the
    /// client may ask again), an internal error for a panic.
    pub fn into_rpc_error(self, method: &str) -> jsonrpc::Error {
        match self {
            JobError::Cancelled => jsonrpc::Error::content_modified(),
            JobError::Panicked(message) => {
                tracing::error!("{method} failed: {message}");
                jsonrpc::Error {
                    code: jsonrpc::ErrorCode::InternalError,
                    message: format!("gene-lsp: {method} failed: {message}").into(),
                    data: None,
                }
            }
        }
    }
}

/// The text of a panic payload.
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-text payload".to_string()
    }
}

fn classify(payload: Box<dyn Any + Send>) -> JobError {
    if payload.downcast_ref::<Cancelled>().is_some() {
        JobError::Cancelled
    } else {
        JobError::Panicked(panic_message(payload.as_ref()))
    }
}

/// Runs `f` synchronously, catching salsa cancellation and panics. For work that must happen
/// in place (tests, benchmarks, the publisher's thread).
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, JobError> {
    catch_unwind(AssertUnwindSafe(f)).map_err(classify)
}

/// A job running on the blocking pool. Await it for its result; drop it to cancel it.
pub struct Job<T> {
    handle: JoinHandle<Result<T, JobError>>,
    cancel_on_drop: Option<CancellationToken>,
}

/// Starts `f` on a blocking thread right away (not when first polled), so the snapshot it owns
/// is in a thread that can always make progress and be cancelled. `token` is the snapshot's
/// cancellation token (`salsa::Database::cancellation_token`).
pub fn spawn<T: Send + 'static>(
    token: CancellationToken,
    f: impl FnOnce() -> T + Send + 'static,
) -> Job<T> {
    Job {
        handle: tokio::task::spawn_blocking(move || catch(f)),
        cancel_on_drop: Some(token),
    }
}

impl<T> Future for Job<T> {
    type Output = Result<T, JobError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let result = match Pin::new(&mut self.handle).poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(Ok(result)) => result,
            Poll::Ready(Err(join_error)) => Err(if join_error.is_panic() {
                classify(join_error.into_panic())
            } else {
                JobError::Cancelled
            }),
        };
        self.cancel_on_drop = None;
        Poll::Ready(result)
    }
}

impl<T> Drop for Job<T> {
    fn drop(&mut self) {
        if let Some(token) = self.cancel_on_drop.take() {
            token.cancel();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gene_syntax::db::{RootDatabase, SourceFile};
    use salsa::{Database, Setter};
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    /// Stands for a long query: checks for cancellation until it comes (bounded, so a broken
    /// cancellation fails the test instead of hanging it).
    fn spin_until_cancelled(db: &RootDatabase, started: mpsc::Sender<()>) -> &'static str {
        let _ = started.send(());
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            db.unwind_if_revision_cancelled();
            std::thread::sleep(Duration::from_millis(1));
        }
        "never cancelled"
    }

    #[tokio::test]
    async fn a_panic_fails_only_its_job() {
        let db = RootDatabase::new();
        let job = spawn(db.cancellation_token(), || -> i32 {
            panic!("boom at line 3")
        });
        assert_eq!(
            job.await,
            Err(JobError::Panicked("boom at line 3".to_string()))
        );
        let ok = spawn(db.cancellation_token(), || 7);
        assert_eq!(ok.await, Ok(7));
    }

    #[tokio::test]
    async fn an_edit_cancels_running_jobs() {
        let mut db = RootDatabase::new();
        let file = SourceFile::new(&db, "t.gene".into(), "(a)".into());
        let snapshot = db.clone();
        let (tx, rx) = mpsc::channel();
        let job = spawn(snapshot.cancellation_token(), move || {
            spin_until_cancelled(&snapshot, tx)
        });
        rx.recv().unwrap();
        // Blocks until the job has dropped its snapshot.
        file.set_text(&mut db).to("(b)".into());
        assert_eq!(job.await, Err(JobError::Cancelled));
        assert_eq!(&**file.text(&db), "(b)");
    }

    #[tokio::test]
    async fn dropping_a_job_cancels_its_computation() {
        let db = RootDatabase::new();
        let snapshot = db.clone();
        let (tx, rx) = mpsc::channel();
        let (done_tx, done_rx) = mpsc::channel();
        let job = spawn(snapshot.cancellation_token(), move || {
            let result = catch(|| spin_until_cancelled(&snapshot, tx));
            let _ = done_tx.send(result);
        });
        rx.recv().unwrap();
        drop(job);
        let result = done_rx.recv_timeout(Duration::from_secs(20)).unwrap();
        assert_eq!(result, Err(JobError::Cancelled));
    }
}
