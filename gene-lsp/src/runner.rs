//! Running an analysis of one document as jobs on snapshots, reading the files it imports on
//! demand between rounds (see [`crate::imports`]).

use std::sync::Arc;

use tower_lsp_server::jsonrpc::{self, Result};
use tower_lsp_server::lsp_types::Uri;

use crate::document::Stamp;
use crate::imports::{DiskScan, MAX_ROUNDS, missing_imports};
use crate::job::{self, JobError};
use crate::state::{DocSnapshot, ServerState, Snapshot};

/// One round of a document job: what to add from disk first, or the result (with the stamp of the
/// text it was computed for; `None` for a file that is not open).
enum Round<T> {
    Load(DiskScan),
    Done(Option<Stamp>, T),
}

pub enum RunError {
    Rpc(jsonrpc::Error),
    Job(JobError),
}

/// Starts one round on a fresh snapshot.
fn start_round<T, F>(
    state: &ServerState,
    uri: &Uri,
    compute: Arc<F>,
    last: bool,
) -> job::Job<Result<Round<T>>>
where
    T: Send + 'static,
    F: Fn(&Snapshot, &DocSnapshot) -> Result<T> + Send + Sync + 'static,
{
    let (snapshot, open) = state.snapshot(Some(uri));
    let token = salsa::Database::cancellation_token(&snapshot.db);
    let uri = uri.clone();
    job::spawn(token, move || {
        let doc = snapshot.document(&uri, open)?;
        if !last {
            let missing = missing_imports(&snapshot.db, doc.file);
            if !missing.is_empty() {
                return Ok(Round::Load(missing));
            }
        }
        Ok(Round::Done(doc.stamp, compute(&snapshot, &doc)?))
    })
}

/// Runs `compute` on the document `uri` as jobs on snapshots: when the document imports files
/// the database does not have, they are read (by the job), added (a write, here) and the job
/// runs again. The first round starts before this returns, on a snapshot taken now.
pub fn run_document<T, F>(
    state: Arc<ServerState>,
    uri: Uri,
    compute: F,
) -> impl Future<Output = std::result::Result<(Option<Stamp>, T), RunError>> + Send
where
    T: Send + 'static,
    F: Fn(&Snapshot, &DocSnapshot) -> Result<T> + Send + Sync + 'static,
{
    let compute = Arc::new(compute);
    let first = start_round(&state, &uri, compute.clone(), false);
    async move {
        let mut job = first;
        let mut round = 1;
        loop {
            match job.await {
                Ok(Ok(Round::Done(stamp, value))) => return Ok((stamp, value)),
                Ok(Ok(Round::Load(scan))) => {
                    state.add_import_scan(scan);
                    round += 1;
                    job = start_round(&state, &uri, compute.clone(), round >= MAX_ROUNDS);
                }
                Ok(Err(e)) => return Err(RunError::Rpc(e)),
                Err(e) => return Err(RunError::Job(e)),
            }
        }
    }
}
