//! The reactor: timers and file I/O run on tokio; only ids and results come back.
//!
//! The Gene heap stays on the VM's thread. The VM hands the reactor plain requests (a deadline,
//! a path and some text) tagged with an operation id; a service task per VM on a shared tokio
//! runtime keeps the timers, runs file operations on tokio's blocking pool, and sends
//! [`Completion`]s back over a channel. The VM drains that channel between instructions (at its
//! preemption points) and blocks on it when every task waits, so an idle program burns no CPU.
//!
//! Requests are batched: the VM queues them and sends the batch when it is about to wait, at
//! its preemption points, or when the batch is large. Deadlines are taken when the request is
//! made, so batching never delays a timer.
//!
//! Beside timers and files, builtins hand the reactor *jobs* (HTTP requests): a future run as
//! a tokio task that cancelling aborts. A job gives back [`JobValue`], plain `Send` data the VM turns into
//! Gene values, or a [`JobError`] naming the Gene exception class to throw. A builtin that keeps
//! a thread of its own (an SQLite connection, a TCP connection's reader and writer tasks)
//! reserves ids and reports through a [`JobReporter`] straight to the VM. A *stream* is a job
//! that also reports events while it runs ([`Completion::Event`]: an HTTP server's requests),
//! each handled on the VM's thread, until it ends like any job.
//!
//! The runtime (one worker thread and a small blocking pool) is created the first time any VM
//! needs it and shared by every VM in the process; a program that never uses async never
//! starts it.

use std::any::Any;
use std::collections::{BTreeSet, VecDeque};
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryRecvError, channel};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// Identifies one operation of one VM.
pub type OpId = u64;

/// A batch is sent once it holds this many requests, even while the VM stays busy.
const MAX_BATCH: usize = 512;
/// Threads for file operations (tokio's blocking pool), shared by every VM.
const BLOCKING_THREADS: usize = 8;

/// A file operation, run on the blocking pool.
pub enum IoJob {
    Read(PathBuf),
    /// The whole file, as `builtins::write_file` writes it (keeping the file what it is).
    Write(PathBuf, String),
    Append(PathBuf, String),
    Remove(PathBuf),
}

/// What a file operation gives back.
pub enum IoOutcome {
    Text(String),
    Done,
    /// The OS reason (the VM adds the path and what was being done).
    Failed(String),
}

/// What a job gives back: plain data that may cross threads. The VM turns it into Gene values
/// (maps keep the order given here).
pub enum JobValue {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// Binary data (an SQLite BLOB): a Gene `Bytes` value.
    Bytes(Vec<u8>),
    Array(Vec<JobValue>),
    Map(Vec<(String, JobValue)>),
    /// Something only the builtin that started the job understands (an open connection, say):
    /// its `finish` step takes it apart.
    Host(Box<dyn Any + Send>),
}

/// A job that failed: the Gene exception class to throw (`DbError`, `HttpError`...) and its
/// message.
#[derive(Debug, Clone, PartialEq)]
pub struct JobError {
    pub class: &'static str,
    pub message: String,
}

impl JobError {
    pub fn new(class: &'static str, message: impl Into<String>) -> JobError {
        JobError {
            class,
            message: message.into(),
        }
    }
}

pub type JobResult = Result<JobValue, JobError>;
/// Work for the runtime's worker: aborted (dropped at its next `.await`) when cancelled.
pub type AsyncJob = Pin<Box<dyn Future<Output = JobResult> + Send>>;

enum Request {
    Timer { id: OpId, deadline: Instant },
    CancelTimer { id: OpId, deadline: Instant },
    Io { id: OpId, job: IoJob },
    Async { id: OpId, job: AsyncJob },
    Abort { id: OpId },
}

/// Where a builtin that runs operations on a thread of its own (an SQLite connection's worker)
/// reports their completions: the VM handles them like any job's. Obtained with
/// [`Reactor::reserve`].
#[derive(Clone)]
pub struct JobReporter {
    tx: Sender<Completion>,
}

impl JobReporter {
    /// Reports that the operation `id` completed (false when the VM is gone).
    pub fn report(&self, id: OpId, result: JobResult) -> bool {
        self.tx.send(Completion::Job(id, result)).is_ok()
    }

    /// Reports an event of the stream `id` (false when the VM is gone). Only the builtin that
    /// started the stream knows what the payload is.
    pub fn event(&self, id: OpId, payload: Box<dyn Any + Send>) -> bool {
        self.tx.send(Completion::Event(id, payload)).is_ok()
    }
}

/// A message from the reactor (or from an interrupt) to the VM.
pub enum Completion {
    /// Timers that expired, earliest first.
    Timers(Vec<OpId>),
    Io(OpId, IoOutcome),
    Job(OpId, JobResult),
    /// A stream (see [`Reactor::spawn_stream`]) reports something while it runs.
    Event(OpId, Box<dyn Any + Send>),
    /// Nothing completed: the VM is woken to look at its interrupt flag.
    Wake,
}

/// The interrupt flag of a VM (Ctrl-C in the REPL, "stop" in the language server). Setting it
/// from another thread also wakes a VM that is waiting in the reactor, so it stops promptly.
pub struct Interrupt {
    flag: AtomicBool,
    /// A request (SIGQUIT) to print the task tree; the program goes on.
    dump: AtomicBool,
    waker: Mutex<Option<Sender<Completion>>>,
}

impl Interrupt {
    fn new(waker: Sender<Completion>) -> Interrupt {
        Interrupt {
            flag: AtomicBool::new(false),
            dump: AtomicBool::new(false),
            waker: Mutex::new(Some(waker)),
        }
    }

    pub fn store(&self, value: bool, order: Ordering) {
        self.flag.store(value, order);
        if value
            && let Ok(waker) = self.waker.lock()
            && let Some(tx) = waker.as_ref()
        {
            let _ = tx.send(Completion::Wake);
        }
    }

    pub fn load(&self, order: Ordering) -> bool {
        self.flag.load(order)
    }

    /// Asks the VM to print its task tree at its next checkpoint (or at once, if it is waiting
    /// for timers or I/O); unlike an interrupt, the program goes on.
    pub fn request_dump(&self) {
        self.dump.store(true, Ordering::SeqCst);
        if let Ok(waker) = self.waker.lock()
            && let Some(tx) = waker.as_ref()
        {
            let _ = tx.send(Completion::Wake);
        }
    }

    /// Takes a pending dump request.
    pub fn take_dump_request(&self) -> bool {
        self.dump.load(Ordering::Relaxed) && self.dump.swap(false, Ordering::SeqCst)
    }

    pub fn swap(&self, value: bool, order: Ordering) -> bool {
        self.flag.swap(value, order)
    }
}

fn runtime() -> Result<&'static tokio::runtime::Runtime, String> {
    static RUNTIME: OnceLock<Result<tokio::runtime::Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .max_blocking_threads(BLOCKING_THREADS)
                .thread_name("gene-reactor")
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start the async runtime: {e}"))
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// Why [`block_on`] gave up.
pub(crate) enum Blocked {
    /// The interrupt flag was set: the job was aborted.
    Interrupted,
    /// The runtime could not start, or the job panicked.
    Failed(String),
}

/// How often a blocking wait looks at the interrupt flag.
const INTERRUPT_POLL: Duration = Duration::from_millis(20);

/// Runs `job` on the runtime's worker and blocks the calling thread (the VM's: a blocking
/// builtin such as `gene/process/run`) until it ends, or until `interrupt` is set, when the job
/// is aborted (dropped at its next `.await`, which kills a child it owns). Never called on a
/// runtime thread.
pub(crate) fn block_on<T: Send + 'static>(
    interrupt: &Interrupt,
    job: impl Future<Output = T> + Send + 'static,
) -> Result<T, Blocked> {
    let rt = runtime().map_err(Blocked::Failed)?;
    let (tx, rx) = channel();
    let handle = rt.spawn(async move {
        let _ = tx.send(job.await);
    });
    loop {
        match rx.recv_timeout(INTERRUPT_POLL) {
            Ok(value) => return Ok(value),
            Err(RecvTimeoutError::Timeout) if interrupt.load(Ordering::Relaxed) => {
                handle.abort();
                return Err(Blocked::Interrupted);
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                return Err(Blocked::Failed(
                    "internal error: a background operation failed unexpectedly".into(),
                ));
            }
        }
    }
}

pub struct Reactor {
    tx: Sender<Completion>,
    rx: Receiver<Completion>,
    service: Option<UnboundedSender<Vec<Request>>>,
    batch: Vec<Request>,
    /// Completions taken off the channel by [`Reactor::has_completions`], not yet handled.
    inbox: VecDeque<Completion>,
    next_id: OpId,
    pub interrupt: Arc<Interrupt>,
}

impl Default for Reactor {
    fn default() -> Self {
        Self::new()
    }
}

impl Reactor {
    pub fn new() -> Reactor {
        let (tx, rx) = channel();
        let interrupt = Arc::new(Interrupt::new(tx.clone()));
        Reactor {
            tx,
            rx,
            service: None,
            batch: Vec::new(),
            inbox: VecDeque::new(),
            next_id: 1,
            interrupt,
        }
    }

    fn next_id(&mut self) -> OpId {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Starts a timer that completes at `deadline`.
    pub fn timer(&mut self, deadline: Instant) -> OpId {
        let id = self.next_id();
        self.queue(Request::Timer { id, deadline });
        id
    }

    /// Starts a file operation.
    pub fn io(&mut self, job: IoJob) -> OpId {
        let id = self.next_id();
        self.queue(Request::Io { id, job });
        id
    }

    /// Starts a job on the runtime's worker; [`Reactor::abort`] stops it.
    pub fn spawn(&mut self, job: AsyncJob) -> OpId {
        let id = self.next_id();
        self.queue(Request::Async { id, job });
        id
    }

    /// Starts a stream: a job that reports events (through the reporter it is made with) while
    /// it runs, under the id it is given. [`Reactor::abort`] stops it.
    pub fn spawn_stream(&mut self, make: impl FnOnce(OpId, JobReporter) -> AsyncJob) -> OpId {
        let id = self.next_id();
        let job = make(id, self.reporter());
        self.queue(Request::Async { id, job });
        id
    }

    /// An id for an operation the caller runs itself (on its own thread), and where to report
    /// its completion. Nothing is sent to the runtime.
    pub fn reserve(&mut self) -> (OpId, JobReporter) {
        let id = self.next_id();
        (id, self.reporter())
    }

    /// Where a builtin's own thread reports completions of ids from [`Reactor::reserve`].
    pub fn reporter(&self) -> JobReporter {
        JobReporter {
            tx: self.tx.clone(),
        }
    }

    /// Stops a job started by [`Reactor::spawn`] (its completion, if already sent, is ignored
    /// by the VM, which has forgotten the id).
    pub fn abort(&mut self, id: OpId) {
        self.queue(Request::Abort { id });
    }

    /// Drops a timer the VM no longer waits for. (A file operation cannot be stopped once it
    /// runs: the VM forgets its id and ignores its completion.)
    pub fn cancel_timer(&mut self, id: OpId, deadline: Instant) {
        self.queue(Request::CancelTimer { id, deadline });
    }

    fn queue(&mut self, request: Request) {
        self.batch.push(request);
        if self.batch.len() >= MAX_BATCH {
            self.flush();
        }
    }

    /// Sends the queued requests to the service task (starting it the first time).
    pub fn flush(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut self.batch);
        let service = match &self.service {
            Some(s) => s.clone(),
            None => match self.start_service() {
                Ok(s) => s,
                Err(message) => {
                    self.fail_all(batch, &message);
                    return;
                }
            },
        };
        if let Err(e) = service.send(batch) {
            self.service = None;
            self.fail_all(e.0, "the async runtime stopped");
        }
    }

    /// Without a runtime nothing can run: every request completes at once with the reason
    /// (timers too, as failures the VM reports at their `await`).
    fn fail_all(&mut self, batch: Vec<Request>, message: &str) {
        for request in batch {
            let completion = match request {
                Request::Timer { id, .. } | Request::Io { id, .. } => {
                    Completion::Io(id, IoOutcome::Failed(message.to_string()))
                }
                Request::Async { id, .. } => {
                    Completion::Job(id, Err(JobError::new("Exception", message)))
                }
                Request::CancelTimer { .. } | Request::Abort { .. } => continue,
            };
            let _ = self.tx.send(completion);
        }
    }

    fn start_service(&mut self) -> Result<UnboundedSender<Vec<Request>>, String> {
        let rt = runtime()?;
        let (req_tx, req_rx) = unbounded_channel();
        rt.spawn(service(req_rx, self.tx.clone()));
        self.service = Some(req_tx.clone());
        Ok(req_tx)
    }

    /// Whether a completion has arrived (it stays queued for [`Reactor::try_next`]).
    pub fn has_completions(&mut self) -> bool {
        if !self.inbox.is_empty() {
            return true;
        }
        match self.rx.try_recv() {
            Ok(c) => {
                self.inbox.push_back(c);
                true
            }
            Err(TryRecvError::Empty | TryRecvError::Disconnected) => false,
        }
    }

    /// A completion that has arrived, without waiting.
    pub fn try_next(&mut self) -> Option<Completion> {
        if let Some(c) = self.inbox.pop_front() {
            return Some(c);
        }
        self.rx.try_recv().ok()
    }

    /// Blocks the VM's thread for `duration` (the blocking `gene/sleep`), returning early when
    /// the interrupt flag is set, so Ctrl-C or the language server's stop takes effect at once.
    /// Completions that arrive meanwhile wait in the inbox.
    pub fn sleep_blocking(&mut self, duration: Duration) {
        let deadline = Instant::now() + duration;
        loop {
            let now = Instant::now();
            if self.interrupt.load(Ordering::Relaxed) || now >= deadline {
                return;
            }
            match self.rx.recv_timeout(deadline - now) {
                Ok(Completion::Wake) => {}
                Ok(completion) => self.inbox.push_back(completion),
                Err(RecvTimeoutError::Timeout) => return,
                // The reactor holds a sender itself, so this does not happen; sleep anyway.
                Err(RecvTimeoutError::Disconnected) => {
                    std::thread::sleep(deadline - now);
                    return;
                }
            }
        }
    }

    /// Waits for the next completion (or an interrupt's wake-up).
    pub fn wait(&mut self) -> Option<Completion> {
        if let Some(c) = self.inbox.pop_front() {
            return Some(c);
        }
        self.flush();
        self.rx.recv().ok()
    }
}

impl Drop for Reactor {
    fn drop(&mut self) {
        // The interrupt may outlive the VM (a host keeps a clone); it must not keep the channel.
        if let Ok(mut waker) = self.interrupt.waker.lock() {
            waker.take();
        }
    }
}

/// A VM's service task: keeps its timers ordered by deadline, starts its file operations on the
/// blocking pool, and reports completions. It ends when the VM drops its reactor.
async fn service(mut requests: UnboundedReceiver<Vec<Request>>, done: Sender<Completion>) {
    let mut timers: BTreeSet<(Instant, OpId)> = BTreeSet::new();
    let mut running = RunningJobs::default();
    loop {
        let next = timers.first().map(|(deadline, _)| *deadline);
        let sleep = async {
            match next {
                Some(deadline) => tokio::time::sleep_until(deadline.into()).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            batch = requests.recv() => {
                let Some(batch) = batch else { return };
                for request in batch {
                    match request {
                        Request::Timer { id, deadline } => {
                            timers.insert((deadline, id));
                        }
                        Request::CancelTimer { id, deadline } => {
                            timers.remove(&(deadline, id));
                        }
                        Request::Io { id, job } => {
                            let done = done.clone();
                            tokio::task::spawn_blocking(move || {
                                let _ = done.send(Completion::Io(id, run_io(job)));
                            });
                        }
                        Request::Async { id, job } => {
                            let job = tokio::spawn(job);
                            running.insert(id, job.abort_handle());
                            let done = done.clone();
                            // A second task reports the outcome, so a job that panics (a bug in
                            // a builtin) still completes; an aborted job reports nothing.
                            tokio::spawn(async move {
                                let result = match job.await {
                                    Ok(result) => result,
                                    Err(e) if e.is_cancelled() => return,
                                    Err(_) => Err(internal_failure()),
                                };
                                let _ = done.send(Completion::Job(id, result));
                            });
                        }
                        Request::Abort { id } => running.abort(id),
                    }
                }
            }
            () = sleep => {
                let now = Instant::now();
                let mut expired = Vec::new();
                while let Some(&(deadline, id)) = timers.first() {
                    if deadline > now {
                        break;
                    }
                    timers.pop_first();
                    expired.push(id);
                }
                if !expired.is_empty() && done.send(Completion::Timers(expired)).is_err() {
                    return;
                }
            }
        }
    }
}

/// The abort handles of a service's async jobs. Finished jobs are pruned as the table grows,
/// so it stays proportional to the jobs still running.
#[derive(Default)]
struct RunningJobs {
    handles: rustc_hash::FxHashMap<OpId, tokio::task::AbortHandle>,
    prune_at: usize,
}

impl RunningJobs {
    fn insert(&mut self, id: OpId, handle: tokio::task::AbortHandle) {
        if self.handles.len() >= self.prune_at {
            self.handles.retain(|_, h| !h.is_finished());
            self.prune_at = (self.handles.len() * 2).max(64);
        }
        self.handles.insert(id, handle);
    }

    fn abort(&mut self, id: OpId) {
        if let Some(handle) = self.handles.remove(&id) {
            handle.abort();
        }
    }
}

fn internal_failure() -> JobError {
    JobError::new(
        "Exception",
        "internal error: a background operation failed unexpectedly",
    )
}

fn run_io(job: IoJob) -> IoOutcome {
    let result = match job {
        IoJob::Read(path) => return text_or_reason(std::fs::read_to_string(path)),
        IoJob::Write(path, text) => crate::builtins::write_file(&path, text.as_bytes()),
        IoJob::Append(path, text) => {
            use std::io::Write;
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .and_then(|mut f| f.write_all(text.as_bytes()))
        }
        IoJob::Remove(path) => std::fs::remove_file(path),
    };
    match result {
        Ok(()) => IoOutcome::Done,
        Err(e) => IoOutcome::Failed(e.to_string()),
    }
}

fn text_or_reason(r: std::io::Result<String>) -> IoOutcome {
    match r {
        Ok(text) => IoOutcome::Text(text),
        Err(e) => IoOutcome::Failed(e.to_string()),
    }
}
