//! An SQLite connection's worker: one thread per open database (as Python's aiosqlite does),
//! which owns the `rusqlite::Connection` and runs the commands the VM sends it, one at a time,
//! in the order they were issued. Results go straight back to the VM as job completions.
//!
//! Transactions: a `Begin` makes its transaction the *active* one; until its `Commit` or
//! `Rollback`, only that transaction's commands run, and every other command waits in
//! `deferred` (in order), so nothing interleaves inside a transaction. When it ends, the waiting
//! commands run in their order (another `Begin` among them makes its transaction active again).
//!
//! Cancelling: the VM thread cannot reach into this thread; it marks commands to skip, or, when
//! the command it cancels is the one running, interrupts it through SQLite's interrupt handle.
//! Both happen under the `state` lock that also guards which command is running, so an
//! interrupt never hits another statement.

use std::collections::VecDeque;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use rusqlite::{Connection, InterruptHandle};
use rustc_hash::{FxHashMap, FxHashSet};

use super::db_sql::{self, Params, Rows, SqlError};
use crate::reactor::{JobReporter, JobResult, JobValue, OpId};

pub(super) type TxId = u64;

/// How long a statement waits for another connection's lock (another process writing the same
/// file) before failing with "database is locked".
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Who issued a command: the database itself or one of its transactions.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Origin {
    Db,
    Tx(TxId),
}

pub(super) enum Work {
    Exec(String, Params),
    Query(String, Params),
    Begin,
    Commit,
    Rollback,
    Close,
}

pub(super) struct Command {
    /// The operation to report to (none for `Begin`: its failure shows in the transaction's
    /// statements and its commit).
    pub op: Option<OpId>,
    pub origin: Origin,
    pub work: Work,
}

/// What a command gives back: `Ok` data, or a failure (a DbError once on the VM's thread).
pub(super) enum Reply {
    Done,
    Changed(i64),
    Rows(Rows),
}

/// What the VM's thread shares with the worker.
#[derive(Default)]
pub(super) struct Shared {
    state: Mutex<RunState>,
    interrupt: OnceLock<InterruptHandle>,
}

#[derive(Default)]
struct RunState {
    /// The command running now and who issued it.
    running: Option<(Option<OpId>, Origin)>,
    /// Commands whose futures were cancelled before they ran: skipped when their turn comes.
    skip: FxHashSet<OpId>,
    /// Transactions being rolled back: their statements still waiting fail at once.
    doomed: FxHashSet<TxId>,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, RunState> {
        // A panic while holding the lock cannot leave the state inconsistent (plain sets).
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn interrupt_running(&self) {
        if let Some(handle) = self.interrupt.get() {
            handle.interrupt();
        }
    }

    /// The future of `op` was cancelled: stop it if it runs, skip it if it has not started.
    pub fn cancel(&self, op: OpId) {
        let mut state = self.state();
        if state
            .running
            .is_some_and(|(running, _)| running == Some(op))
        {
            self.interrupt_running();
        } else {
            state.skip.insert(op);
        }
    }

    /// The transaction is being rolled back: its running statement is interrupted and its
    /// waiting ones fail.
    pub fn doom(&self, tx: TxId) {
        let mut state = self.state();
        state.doomed.insert(tx);
        if state
            .running
            .is_some_and(|(_, origin)| origin == Origin::Tx(tx))
        {
            self.interrupt_running();
        }
    }
}

/// Opens the database on a new worker thread. `opened` is reported when the connection is open
/// (or failed to open, and the thread has ended); the returned sender feeds the worker.
pub(super) fn start(
    path: String,
    opened: OpId,
    reporter: JobReporter,
) -> (Sender<Command>, Arc<Shared>) {
    let (tx, rx) = channel();
    let shared = Arc::new(Shared::default());
    let worker_shared = shared.clone();
    let worker_reporter = reporter.clone();
    let spawned = std::thread::Builder::new()
        .name("gene-sqlite".into())
        .spawn(move || {
            let conn = match open(&path) {
                Ok(conn) => conn,
                Err(e) => {
                    worker_reporter.report(opened, failure(e));
                    return;
                }
            };
            let _ = worker_shared.interrupt.set(conn.get_interrupt_handle());
            worker_reporter.report(opened, Ok(JobValue::Nil));
            Worker {
                conn: Some(conn),
                shared: worker_shared,
                reporter: worker_reporter,
                active: None,
                failed_begins: FxHashMap::default(),
                deferred: VecDeque::new(),
            }
            .run(rx);
        });
    if let Err(e) = spawned {
        let message = format!("cannot start the database's thread: {e}");
        reporter.report(opened, failure(SqlError::new(message)));
    }
    (tx, shared)
}

fn open(path: &str) -> Result<Connection, SqlError> {
    let conn = Connection::open(path).map_err(|e| {
        let e = SqlError::from(e);
        SqlError {
            message: format!("cannot open the database '{path}': {}", e.message),
            code: e.code,
        }
    })?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

/// A failure as a job result: the [`SqlError`] itself, which `db.rs` turns into a DbError
/// carrying SQLite's code (a [`JobError`] has room for a message only).
pub(super) fn failure(e: SqlError) -> JobResult {
    Ok(JobValue::Host(Box::new(e)))
}

struct Worker {
    /// None once closed.
    conn: Option<Connection>,
    shared: Arc<Shared>,
    reporter: JobReporter,
    /// The transaction whose commands run now (others wait).
    active: Option<TxId>,
    /// Why transactions whose BEGIN failed could not start (told to their statements).
    failed_begins: FxHashMap<TxId, String>,
    /// Commands waiting for the active transaction to end, in the order they came.
    deferred: VecDeque<Command>,
}

impl Worker {
    /// Runs until the VM drops the database (every sender is gone); then the connection closes
    /// (SQLite rolls back a transaction left open).
    fn run(mut self, rx: Receiver<Command>) {
        while let Ok(cmd) = rx.recv() {
            self.submit(cmd);
        }
    }

    fn admits(&self, cmd: &Command) -> bool {
        match self.active {
            None => true,
            Some(tx) => cmd.origin == Origin::Tx(tx),
        }
    }

    /// Runs the command now or, while another transaction is active, later.
    fn submit(&mut self, cmd: Command) {
        if !self.admits(&cmd) {
            self.deferred.push_back(cmd);
            return;
        }
        self.run_one(cmd);
        self.replay();
    }

    /// Once no transaction is active, runs the waiting commands in order. One of them may start
    /// a transaction: the rest wait again, and when that one ends too, the pass starts over
    /// from the first still waiting (so the order is kept).
    fn replay(&mut self) {
        while self.active.is_none() && !self.deferred.is_empty() {
            let mut queue = std::mem::take(&mut self.deferred);
            while let Some(cmd) = queue.pop_front() {
                if !self.admits(&cmd) {
                    self.deferred.push_back(cmd);
                    continue;
                }
                self.run_one(cmd);
                if self.active.is_none() && !self.deferred.is_empty() {
                    // A transaction ended while earlier commands were waiting for it: they go
                    // first.
                    self.deferred.extend(queue.drain(..));
                    break;
                }
            }
        }
    }

    fn run_one(&mut self, cmd: Command) {
        let Command { op, origin, work } = cmd;
        let ends_transaction = matches!(work, Work::Commit | Work::Rollback);
        {
            let mut state = self.shared.state();
            // A cancelled statement is skipped; the end of a transaction always runs (the
            // transaction must not stay active), only its result is not wanted.
            if let Some(id) = op
                && state.skip.remove(&id)
                && !ends_transaction
            {
                return;
            }
            state.running = Some((op, origin));
        }
        // A panic (a bug, never user input) must not end the thread with commands waiting:
        // it fails this command and the worker goes on.
        let result =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.execute(origin, work)))
                .unwrap_or_else(|_| {
                    Err(SqlError::new(
                        "internal error: the database operation failed unexpectedly",
                    ))
                });
        self.shared.state().running = None;
        if let Some(id) = op {
            let result = match result {
                Ok(Reply::Done) => Ok(JobValue::Nil),
                Ok(Reply::Changed(n)) => Ok(JobValue::Int(n)),
                Ok(Reply::Rows(rows)) => Ok(JobValue::Host(Box::new(rows))),
                Err(e) => failure(e),
            };
            self.reporter.report(id, result);
        }
    }

    fn execute(&mut self, origin: Origin, work: Work) -> Result<Reply, SqlError> {
        let Some(conn) = self.conn.as_ref() else {
            return match work {
                // Ending a transaction the close already ended is not an error.
                Work::Rollback | Work::Close => Ok(Reply::Done),
                _ => Err(SqlError::new("the database is closed")),
            };
        };
        let tx = match origin {
            Origin::Tx(tx) => Some(tx),
            Origin::Db => None,
        };
        // A transaction's statement (not its BEGIN) when it is not the active one: it ended,
        // or never began.
        if let Some(tx) = tx
            && self.active != Some(tx)
            && !matches!(work, Work::Begin)
        {
            return self.after_end(tx, work);
        }
        match work {
            Work::Exec(sql, params) => {
                self.check_not_doomed(tx)?;
                db_sql::exec(conn, &sql, &params).map(Reply::Changed)
            }
            Work::Query(sql, params) => {
                self.check_not_doomed(tx)?;
                db_sql::query(conn, &sql, &params).map(Reply::Rows)
            }
            Work::Begin => {
                let Some(tx) = tx else {
                    return Err(SqlError::new("BEGIN without a transaction"));
                };
                match conn.execute_batch("BEGIN") {
                    Ok(()) => {
                        self.active = Some(tx);
                        Ok(Reply::Done)
                    }
                    Err(e) => {
                        let e = SqlError::from(e);
                        self.failed_begins.insert(tx, e.message.clone());
                        Err(e)
                    }
                }
            }
            Work::Commit => {
                // A failed COMMIT (a busy database, a deferred constraint) leaves the
                // transaction open: the rollback that follows ends it.
                conn.execute_batch("COMMIT")?;
                self.end_active();
                Ok(Reply::Done)
            }
            Work::Rollback => {
                // An interrupted or failed statement may have rolled back already.
                let result = if conn.is_autocommit() {
                    Ok(())
                } else {
                    conn.execute_batch("ROLLBACK")
                };
                self.end_active();
                result.map(|()| Reply::Done).map_err(SqlError::from)
            }
            Work::Close => {
                let Some(conn) = self.conn.take() else {
                    return Ok(Reply::Done);
                };
                // Statements still queued after the close find the database closed.
                conn.close()
                    .map(|()| Reply::Done)
                    .map_err(|(_, e)| SqlError::from(e))
            }
        }
    }

    fn end_active(&mut self) {
        if let Some(tx) = self.active.take() {
            self.shared.state().doomed.remove(&tx);
        }
    }

    fn check_not_doomed(&self, tx: Option<TxId>) -> Result<(), SqlError> {
        match tx {
            Some(tx) if self.shared.state().doomed.contains(&tx) => Err(SqlError::new(
                "the transaction is being rolled back: this statement did not run",
            )),
            _ => Ok(()),
        }
    }

    /// A command of a transaction that is not active any more (or never became active).
    fn after_end(&mut self, tx: TxId, work: Work) -> Result<Reply, SqlError> {
        let failed = match work {
            Work::Rollback => self.failed_begins.remove(&tx),
            _ => self.failed_begins.get(&tx).cloned(),
        };
        if let Some(reason) = failed {
            if matches!(work, Work::Rollback) {
                return Ok(Reply::Done);
            }
            return Err(SqlError::new(format!(
                "the transaction could not begin: {reason}"
            )));
        }
        match work {
            Work::Rollback => Ok(Reply::Done),
            Work::Commit => Err(SqlError::new("the transaction has already ended")),
            _ => Err(SqlError::new(
                "the transaction has ended: its handle cannot run statements any more",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reactor::{Completion, Reactor};

    fn worker(reactor: &Reactor) -> Worker {
        let conn = Connection::open_in_memory().expect("in-memory database");
        conn.execute_batch("CREATE TABLE t (v TEXT)")
            .expect("create table");
        Worker {
            conn: Some(conn),
            shared: Arc::new(Shared::default()),
            reporter: reactor.reporter(),
            active: None,
            failed_begins: FxHashMap::default(),
            deferred: VecDeque::new(),
        }
    }

    fn insert(op: OpId, origin: Origin, v: &str) -> Command {
        Command {
            op: Some(op),
            origin,
            work: Work::Exec(
                "INSERT INTO t VALUES (?)".into(),
                Params::Positional(vec![db_sql::SqlValue::Text(v.into())]),
            ),
        }
    }

    fn control(op: Option<OpId>, tx: TxId, work: Work) -> Command {
        Command {
            op,
            origin: Origin::Tx(tx),
            work,
        }
    }

    fn contents(w: &Worker) -> String {
        let conn = w.conn.as_ref().expect("open");
        conn.query_row(
            "SELECT coalesce(group_concat(v, ' '), '') FROM t",
            [],
            |r| r.get(0),
        )
        .expect("read back")
    }

    /// The ids of the operations reported so far, in the order they completed, and whether
    /// each succeeded.
    fn reported(reactor: &mut Reactor) -> Vec<(OpId, bool)> {
        let mut out = Vec::new();
        while let Some(c) = reactor.try_next() {
            if let Completion::Job(id, result) = c {
                let ok = matches!(result, Ok(JobValue::Int(_) | JobValue::Nil));
                out.push((id, ok));
            }
        }
        out
    }

    #[test]
    fn commands_outside_a_transaction_wait_for_it_and_keep_their_order() {
        let mut reactor = Reactor::new();
        let mut w = worker(&reactor);
        w.submit(control(None, 1, Work::Begin));
        w.submit(insert(1, Origin::Db, "a"));
        w.submit(insert(2, Origin::Tx(1), "t1"));
        w.submit(control(None, 2, Work::Begin));
        w.submit(insert(3, Origin::Tx(2), "t2"));
        w.submit(insert(4, Origin::Db, "b"));
        assert_eq!(contents(&w), "t1", "only the active transaction ran");
        w.submit(control(Some(5), 1, Work::Commit));
        // The commit let "a" run, then transaction 2 began and ran its insert; "b" waits again.
        assert_eq!(contents(&w), "t1 a t2");
        assert_eq!(w.active, Some(2));
        w.submit(control(Some(6), 2, Work::Commit));
        assert_eq!(contents(&w), "t1 a t2 b");
        assert!(w.deferred.is_empty());
        let ids: Vec<OpId> = reported(&mut reactor)
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert_eq!(ids, [2, 5, 1, 3, 6, 4]);
    }

    #[test]
    fn a_rollback_undoes_the_transaction_and_its_later_statements_fail() {
        let mut reactor = Reactor::new();
        let mut w = worker(&reactor);
        w.submit(insert(1, Origin::Db, "before"));
        w.submit(control(None, 1, Work::Begin));
        w.submit(insert(2, Origin::Tx(1), "inside"));
        w.submit(control(Some(3), 1, Work::Rollback));
        w.submit(insert(4, Origin::Tx(1), "after the end"));
        w.submit(control(Some(5), 1, Work::Commit));
        assert_eq!(contents(&w), "before");
        assert_eq!(
            reported(&mut reactor),
            [(1, true), (2, true), (3, true), (4, false), (5, false)]
        );
    }

    #[test]
    fn a_doomed_transaction_refuses_its_waiting_statements() {
        let mut reactor = Reactor::new();
        let mut w = worker(&reactor);
        w.submit(control(None, 1, Work::Begin));
        w.shared.doom(1);
        w.submit(insert(1, Origin::Tx(1), "x"));
        w.submit(control(Some(2), 1, Work::Rollback));
        w.submit(insert(3, Origin::Db, "y"));
        assert_eq!(contents(&w), "y");
        assert_eq!(reported(&mut reactor), [(1, false), (2, true), (3, true)]);
        assert!(w.shared.state().doomed.is_empty());
    }

    #[test]
    fn cancelled_commands_are_skipped_but_a_transaction_still_ends() {
        let mut reactor = Reactor::new();
        let mut w = worker(&reactor);
        w.submit(control(None, 1, Work::Begin));
        w.submit(insert(1, Origin::Db, "skipped"));
        w.shared.cancel(1);
        w.shared.cancel(2);
        w.submit(control(Some(2), 1, Work::Commit));
        w.submit(insert(3, Origin::Db, "z"));
        assert_eq!(
            w.active, None,
            "the cancelled commit still ended the transaction"
        );
        assert_eq!(contents(&w), "z");
        assert_eq!(reported(&mut reactor), [(2, true), (3, true)]);
    }

    #[test]
    fn after_close_every_statement_says_so() {
        let mut reactor = Reactor::new();
        let mut w = worker(&reactor);
        w.submit(Command {
            op: Some(1),
            origin: Origin::Db,
            work: Work::Close,
        });
        w.submit(insert(2, Origin::Db, "late"));
        w.submit(Command {
            op: Some(3),
            origin: Origin::Db,
            work: Work::Close,
        });
        assert_eq!(reported(&mut reactor), [(1, true), (2, false), (3, true)]);
    }
}
