//! The child process of a run: the same executable as the server (`gene` or `gene-lsp`),
//! started with [`CHILD_ARG`] and the number of the socket it talks to the server on (see
//! [`super::wire`]). Both binaries call [`dispatch`] first thing in `main`.
//!
//! Whatever the program does happens here, not in the server: it may exhaust memory (the
//! allocator aborts the child, under the cap [`apply_memory_cap`] sets), read its stdin (empty)
//! or write to `/dev/stdout` (its own pipe). The VM's output and progress, and how the program
//! ended, go to the server as [`Event`]s through a [`Queue`]; closing the server's side of the
//! socket interrupts the program (a stop, or the server went away).

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use gene_vm::reactor::Interrupt;
use gene_vm::{HostServices, RunError, Vm};

use super::wire::{Command, Event, RunRequest, Stream, TraceFrame, Uncaught};

/// The hidden first argument that makes `gene` or `gene-lsp` a run's child.
pub const CHILD_ARG: &str = "--gene-run-child";

/// Stack size of the VM's thread (address space, committed only as it is used): as `gene
/// run`'s, since dropping or printing data nested a million deep recurses in Rust.
pub const RUN_STACK: usize = 1 << 30;

/// Output gathers this long after a write before the next one, so a program printing a million
/// lines sends a few hundred events, not a million; the first write after a quiet spell goes
/// at once.
pub const BATCH_DELAY: Duration = Duration::from_millis(15);

/// Bytes of output that may wait for the socket before the program is held up.
pub const MAX_PENDING: usize = 1 << 20;

/// After the server closed its side, how long the program may take to notice the interrupt
/// before the child ends itself (the server kills it sooner on a stop; this is for a server
/// that is gone).
const ORPHAN_GRACE: Duration = Duration::from_secs(1);

/// Exit status of a child that could not start its run (bad arguments, no request).
const EXIT_USAGE: u8 = 2;

/// The child's `main` if the command line asks for it: `Some(exit code)` when the first
/// argument is [`CHILD_ARG`], `None` otherwise.
pub fn dispatch() -> Option<ExitCode> {
    let mut args = std::env::args_os().skip(1);
    if args.next()? != CHILD_ARG {
        return None;
    }
    Some(main(args.next()))
}

/// Runs the program the server sends over the socket numbered `fd` and reports to it.
pub fn main(fd: Option<OsString>) -> ExitCode {
    let socket = match socket_from(fd) {
        Ok(socket) => socket,
        Err(e) => {
            eprintln!("{CHILD_ARG}: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let mut control = BufReader::new(&socket);
    let mut line = String::new();
    let request: RunRequest = match control.read_line(&mut line) {
        Ok(_) => match serde_json::from_str(&line) {
            Ok(request) => request,
            Err(e) => {
                eprintln!("{CHILD_ARG}: a bad request: {e}");
                return ExitCode::from(EXIT_USAGE);
            }
        },
        Err(e) => {
            eprintln!("{CHILD_ARG}: no request: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    drop(control);
    let (reader, writer) = match (socket.try_clone(), socket.try_clone()) {
        (Ok(reader), Ok(writer)) => (reader, writer),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("{CHILD_ARG}: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    drop(socket);
    let queue = Arc::new(Queue::default());
    let interrupter = Arc::new(Interrupter::default());
    let writing = {
        let queue = queue.clone();
        std::thread::spawn(move || write_events(&queue, writer))
    };
    {
        let interrupter = interrupter.clone();
        std::thread::spawn(move || watch_server(reader, &interrupter));
    }
    let vm_thread = {
        let queue = queue.clone();
        let interrupter = interrupter.clone();
        std::thread::Builder::new()
            .name("gene".into())
            .stack_size(RUN_STACK)
            .spawn(move || {
                // Here, once this thread's stack and the other threads exist, so the cap counts
                // them as in use.
                if let Some(mb) = request.max_memory_mb
                    && let Err(e) = apply_memory_cap(mb)
                {
                    let text = format!("gene: cannot cap the memory at {mb} MiB: {e}\n");
                    queue.output(Stream::Stderr, &text);
                }
                execute(request, &queue, &interrupter)
            })
    };
    let end = match vm_thread.map(|t| t.join()) {
        Ok(Ok(end)) => end,
        Ok(Err(panic)) => {
            let message = crate::job::panic_message(panic.as_ref());
            queue.output(Stream::Stderr, &format!("gene: the VM failed: {message}\n"));
            Event::Failed
        }
        Err(e) => {
            queue.output(Stream::Stderr, &format!("gene: cannot start the VM: {e}\n"));
            Event::Failed
        }
    };
    let code = match end {
        Event::Finished => ExitCode::SUCCESS,
        _ => ExitCode::from(1),
    };
    queue.send(end);
    queue.close();
    let _ = writing.join();
    code
}

/// The socket the server passed: an inherited descriptor, given by number.
fn socket_from(fd: Option<OsString>) -> Result<UnixStream, String> {
    use nix::sys::stat::{SFlag, fstat};
    use std::os::fd::{BorrowedFd, FromRawFd, OwnedFd, RawFd};
    let fd: RawFd = fd
        .and_then(|a| a.to_str()?.parse().ok())
        .filter(|&fd| fd > 2)
        .ok_or("expects the number of the socket to the server")?;
    // SAFETY: only looked at; fstat fails for a descriptor that is not open.
    let stat = fstat(unsafe { BorrowedFd::borrow_raw(fd) }).map_err(|e| format!("fd {fd}: {e}"))?;
    if SFlag::from_bits_truncate(stat.st_mode) & SFlag::S_IFMT != SFlag::S_IFSOCK {
        return Err(format!("fd {fd} is not a socket"));
    }
    // SAFETY: an open socket nothing else in this process owns: the server made it for us.
    let owned = unsafe { OwnedFd::from_raw_fd(fd) };
    // The program must not pass it on.
    let _ = nix::fcntl::fcntl(
        &owned,
        nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC),
    );
    Ok(UnixStream::from(owned))
}

/// Address space a run may take beyond the program's own allowance: the threads the VM
/// starts (stacks, the C library's per-thread allocation arenas).
const RUNTIME_ALLOWANCE: u64 = 128 << 20;

/// Caps the address space of this process at what it uses now, plus `RUNTIME_ALLOWANCE`,
/// plus `mb` MiB for the program. An allocation beyond the cap fails, which aborts the child
/// and only the child. Called on the VM's thread before the VM starts: its stack, reserved
/// but mostly unused, counts as in use.
///
/// The allocator reserves address space ahead of use; the server starts the child with a small
/// reserve (see `super::process::spawn`), so the cap is close to what the program may allocate.
pub fn apply_memory_cap(mb: u64) -> nix::Result<()> {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    let wanted = address_space_in_use()
        .saturating_add(RUNTIME_ALLOWANCE)
        .saturating_add(mb.saturating_mul(1 << 20));
    let (soft, hard) = getrlimit(Resource::RLIMIT_AS)?;
    setrlimit(Resource::RLIMIT_AS, wanted.min(soft), hard)
}

/// The address space this process uses (`VmSize`), in bytes; where the system does not say, a
/// generous guess.
fn address_space_in_use() -> u64 {
    const GUESS: u64 = 256 << 20;
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return GUESS;
    };
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmSize:"))
        .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(GUESS, |kb| kb * 1024)
}

/// Follows the server's [`Command`]s (the task tree: asked of the VM, which sends it at its next
/// checkpoint) until the server closes its side (a stop, or the server is gone), then
/// interrupts the program, again and again (the VM clears the flag when it acts on it, and a
/// `finally` may run on); if it still runs after [`ORPHAN_GRACE`], ends the process.
fn watch_server(socket: UnixStream, interrupter: &Interrupter) {
    let mut reader = BufReader::new(socket);
    let mut line = Vec::new();
    while matches!(reader.read_until(b'\n', &mut line), Ok(n) if n > 0) {
        if let Ok(Command::Tasks) = serde_json::from_slice(&line) {
            interrupter.request_tasks();
        }
        line.clear();
    }
    let deadline = Instant::now() + ORPHAN_GRACE;
    while Instant::now() < deadline {
        interrupter.interrupt();
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = nix::sys::signal::raise(nix::sys::signal::Signal::SIGKILL);
}

/// Runs the program; gives the event that ends the run. Its output and its reports go to
/// `queue`, as `gene run` prints them (through the same `gene_vm::report`).
pub fn execute(request: RunRequest, queue: &Arc<Queue>, interrupter: &Interrupter) -> Event {
    let tasks_queue = queue.clone();
    let services = HostServices::new(Box::new(QueueOutput(queue.clone())))
        .with_progress_display(Box::new(ProgramProgress::new(queue.clone())))
        .with_task_reports(Box::new(move |tasks| {
            let tasks = tasks.into_iter().map(Into::into).collect();
            tasks_queue.send(Event::Tasks { tasks });
        }));
    let mut vm = Vm::with_services(services);
    interrupter.install(vm.interrupt.clone());
    let (path, text) = (request.path.clone(), request.text.clone());
    let result = vm.run_source(&request.path, request.text);
    vm.services.output().flush();
    let Err(error) = result else {
        if let Some(selection) = &request.tests {
            super::test_run::run_declared(&mut vm, &request.path, selection, queue);
        }
        return Event::Finished;
    };
    // `(gene/exit n)`: ended as it asked; a non-zero status is a failed run, with nothing to
    // report.
    if let Some(status) = error.exit_status() {
        return if status == 0 {
            Event::Finished
        } else {
            Event::Exited { status }
        };
    }
    let report = gene_vm::report::render_run_error(&vm, &error, false);
    queue.output(Stream::Stderr, &report);
    match error {
        RunError::Uncaught(exc) => {
            let mut uncaught = to_uncaught(
                vm.describe_exception(&exc.value),
                exc.trace.as_deref(),
                None,
            );
            let trouble = vm.take_task_trouble();
            uncaught.deadlocked = trouble.deadlock.into_iter().map(Into::into).collect();
            for failure in trouble.unobserved {
                let created = failure.created_at.map(Into::into);
                if failure.ends_run {
                    uncaught.created = created;
                } else {
                    let other = to_uncaught(failure.message, failure.trace.as_deref(), created);
                    uncaught.unobserved.push(other);
                }
            }
            // Task sites are lines and columns: their file's text makes them positions.
            let run_file_named = uncaught.deadlocked.iter().any(|t| t.site.is_some())
                || uncaught.created.is_some()
                || !uncaught.unobserved.is_empty();
            if run_file_named {
                uncaught.sources.entry(path).or_insert(text);
            }
            Event::Uncaught(uncaught)
        }
        RunError::Syntax { .. } | RunError::Io(_) => Event::Failed,
    }
}

/// An error as the server gets it: message, trace frames with byte ranges, their texts.
fn to_uncaught(
    message: String,
    trace: Option<&gene_vm::Trace>,
    created: Option<super::wire::SiteEntry>,
) -> Uncaught {
    let mut uncaught = Uncaught {
        message,
        frames: Vec::new(),
        omitted: 0,
        sources: Default::default(),
        deadlocked: Vec::new(),
        created,
        unobserved: Vec::new(),
    };
    if let Some(trace) = trace {
        uncaught.omitted = trace.omitted;
        for entry in &trace.entries {
            let path = entry.source.path.clone();
            uncaught
                .sources
                .entry(path.clone())
                .or_insert_with(|| entry.source.text.as_str().to_string());
            uncaught.frames.push(TraceFrame {
                function: entry.function.clone(),
                path,
                start: entry.range.start().into(),
                end: entry.range.end().into(),
            });
        }
    }
    uncaught
}

/// Stops the program from another thread: sets the VM's interrupt flag (which its dispatch
/// loop checks and which wakes a VM waiting for timers or I/O). The VM, and so its flag, only
/// exists once the run has started; a stop asked before that is passed on when it appears.
#[derive(Default)]
pub struct Interrupter {
    vm: Mutex<Option<Arc<Interrupt>>>,
    requested: AtomicBool,
}

impl Interrupter {
    fn slot(&self) -> MutexGuard<'_, Option<Arc<Interrupt>>> {
        self.vm.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Called on the VM's thread with the new VM's flag.
    fn install(&self, interrupt: Arc<Interrupt>) {
        let mut slot = self.slot();
        if self.requested.load(Ordering::SeqCst) {
            interrupt.store(true, Ordering::SeqCst);
        }
        *slot = Some(interrupt);
    }

    /// Asks the program for its task tree (nothing happens before the VM exists).
    pub fn request_tasks(&self) {
        if let Some(interrupt) = self.slot().as_ref() {
            interrupt.request_dump();
        }
    }

    /// Asks the program to stop.
    pub fn interrupt(&self) {
        self.requested.store(true, Ordering::SeqCst);
        if let Some(interrupt) = self.slot().as_ref() {
            interrupt.store(true, Ordering::SeqCst);
        }
    }
}

/// The events on their way to the server, in order. Consecutive output to one stream merges
/// into one event. When more than [`MAX_PENDING`] bytes of output wait (the server reads slower
/// than the program prints), the program waits, so memory stays bounded.
#[derive(Default)]
pub struct Queue {
    pending: Mutex<Pending>,
    changed: Condvar,
}

#[derive(Default)]
struct Pending {
    events: Vec<Event>,
    bytes: usize,
    closed: bool,
    /// The socket failed (the server is gone): events are dropped from now on.
    gone: bool,
}

impl Queue {
    fn lock(&self) -> MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Output of the program. A huge text goes as several events of at most [`MAX_PENDING`]
    /// bytes, so no event line is unboundedly long.
    pub fn output(&self, stream: Stream, mut text: &str) {
        while text.len() > MAX_PENDING {
            let mut cut = MAX_PENDING;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            let (piece, rest) = text.split_at(cut);
            self.output_piece(stream, piece);
            text = rest;
        }
        self.output_piece(stream, text);
    }

    fn output_piece(&self, stream: Stream, text: &str) {
        if text.is_empty() {
            return;
        }
        let mut pending = self.lock();
        while pending.bytes >= MAX_PENDING && !pending.gone {
            pending = self
                .changed
                .wait(pending)
                .unwrap_or_else(|e| e.into_inner());
        }
        if pending.gone {
            return;
        }
        pending.bytes += text.len();
        match pending.events.last_mut() {
            Some(Event::Output {
                stream: last,
                text: buffered,
            }) if *last == stream && buffered.len() + text.len() <= MAX_PENDING => {
                buffered.push_str(text);
            }
            _ => pending.events.push(Event::Output {
                stream,
                text: text.to_string(),
            }),
        }
        drop(pending);
        self.changed.notify_all();
    }

    pub fn send(&self, event: Event) {
        let mut pending = self.lock();
        if !pending.gone {
            pending.events.push(event);
        }
        drop(pending);
        self.changed.notify_all();
    }

    /// No more events: the writer ends once it has written those queued.
    pub fn close(&self) {
        self.lock().closed = true;
        self.changed.notify_all();
    }

    /// Waits for events; `None` once the queue is closed and empty.
    fn take(&self) -> Option<Vec<Event>> {
        let mut pending = self.lock();
        while pending.events.is_empty() && !pending.closed {
            pending = self
                .changed
                .wait(pending)
                .unwrap_or_else(|e| e.into_inner());
        }
        if pending.events.is_empty() {
            return None;
        }
        pending.bytes = 0;
        let events = std::mem::take(&mut pending.events);
        drop(pending);
        self.changed.notify_all();
        Some(events)
    }

    /// Lets output gather for [`BATCH_DELAY`], unless the queue closes meanwhile.
    fn gather(&self) {
        let pending = self.lock();
        let _ = self
            .changed
            .wait_timeout_while(pending, BATCH_DELAY, |p| !p.closed);
    }

    fn writer_gone(&self) {
        let mut pending = self.lock();
        pending.gone = true;
        pending.events.clear();
        pending.bytes = 0;
        drop(pending);
        self.changed.notify_all();
    }
}

/// Writes the queue's events to `sink` as JSON lines until the queue is closed and empty.
pub fn write_events(queue: &Queue, mut sink: impl Write) {
    let mut lines = Vec::new();
    while let Some(events) = queue.take() {
        lines.clear();
        for event in &events {
            // Plain data: serialising cannot fail.
            let _ = serde_json::to_writer(&mut lines, event);
            lines.push(b'\n');
        }
        if sink.write_all(&lines).and_then(|()| sink.flush()).is_err() {
            queue.writer_gone();
            return;
        }
        queue.gather();
    }
}

/// The VM's output in a run: into the queue.
struct QueueOutput(Arc<Queue>);

impl gene_vm::Output for QueueOutput {
    fn out(&mut self, text: &str) {
        self.0.output(Stream::Stdout, text);
    }

    fn err(&mut self, text: &str) {
        self.0.output(Stream::Stderr, text);
    }
}

/// Reports that only change the message go out at most this often: a program may report on
/// every item of a long loop.
const MESSAGE_INTERVAL: Duration = Duration::from_millis(100);

/// The VM's progress display in a run (the main program's `gene/progress` reports and those of
/// the future it awaits, as `gene run`'s bar shows them): [`Event::Progress`] reports, one per
/// change of the whole percentage, message changes in between at most every
/// `MESSAGE_INTERVAL`.
pub struct ProgramProgress {
    queue: Arc<Queue>,
    /// The last report sent: its percentage and message.
    sent: Option<(u32, Option<String>)>,
    sent_at: Instant,
}

impl ProgramProgress {
    pub fn new(queue: Arc<Queue>) -> ProgramProgress {
        ProgramProgress {
            queue,
            sent: None,
            sent_at: Instant::now(),
        }
    }

    fn report(&self, message: Option<String>, percentage: Option<u32>) {
        self.queue.send(Event::Progress {
            message,
            percentage,
        });
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
        self.report(message.clone(), Some(percentage));
        self.sent = Some((percentage, message));
        self.sent_at = Instant::now();
    }

    /// The await whose progress showed is over. `$/progress` cannot take a percentage back;
    /// the message goes, and the next report shows whatever comes next.
    fn hide(&mut self) {
        // Forgetting what was sent makes a later report news again, whatever its percentage.
        if let Some((_, Some(_))) = self.sent.take() {
            self.report(Some(String::new()), None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(text: &str) -> RunRequest {
        RunRequest {
            path: "/w/t.gene".into(),
            text: text.into(),
            max_memory_mb: None,
            tests: None,
        }
    }

    /// Runs `text` in this process; gives the queued events, the end last.
    fn run(text: &str) -> Vec<Event> {
        let queue = Arc::new(Queue::default());
        let end = execute(request(text), &queue, &Interrupter::default());
        queue.send(end);
        queue.close();
        let mut events = Vec::new();
        while let Some(more) = queue.take() {
            events.extend(more);
        }
        events
    }

    fn output(stream: Stream, text: &str) -> Event {
        Event::Output {
            stream,
            text: text.into(),
        }
    }

    #[test]
    fn output_in_order_then_the_end() {
        let events = run("(print \"a\")\n(println \"b\")\n(println ^^stderr \"c\")\n(println 1)\n");
        assert_eq!(
            events,
            [
                output(Stream::Stdout, "ab\n"),
                output(Stream::Stderr, "c\n"),
                output(Stream::Stdout, "1\n"),
                Event::Finished
            ]
        );
    }

    #[test]
    fn an_uncaught_error_comes_with_gene_runs_report_and_its_trace() {
        let text = "(println \"hi\")\n(fn f [x] (x + 1))\n(f \"s\")\n";
        let events = run(text);
        assert_eq!(events[0], output(Stream::Stdout, "hi\n"));
        let Event::Output {
            stream: Stream::Stderr,
            text: report,
        } = &events[1]
        else {
            panic!("the report, got {events:?}")
        };
        assert!(report.starts_with("Error: TypeError"), "{report}");
        assert!(report.contains("Stack trace"), "{report}");
        let Event::Uncaught(error) = &events[2] else {
            panic!("an uncaught error, got {events:?}")
        };
        assert!(error.message.contains("TypeError"), "{}", error.message);
        let top = &error.frames[0];
        assert_eq!(top.path, "/w/t.gene");
        assert_eq!(
            &error.sources["/w/t.gene"][top.start as usize..top.end as usize],
            "(x + 1)"
        );
        assert!(error.frames.len() >= 2, "{:?}", error.frames);
    }

    #[test]
    fn syntax_errors_run_nothing_and_are_reported_as_gene_run_does() {
        let events = run("(println 1)\n(println 2");
        let [Event::Output { stream, text }, Event::Failed] = events.as_slice() else {
            panic!("a report and the end, got {events:?}")
        };
        assert_eq!(*stream, Stream::Stderr);
        assert!(text.contains("E001"), "{text}");
    }

    /// Starts `program`, interrupts it once it printed, and gives how it ended.
    fn interrupted(program: &str) -> Event {
        let queue = Arc::new(Queue::default());
        let interrupter = Arc::new(Interrupter::default());
        let thread = {
            let (queue, interrupter) = (queue.clone(), interrupter.clone());
            let program = program.to_string();
            std::thread::spawn(move || execute(request(&program), &queue, &interrupter))
        };
        // The program prints once it is where it should be stopped.
        queue.take();
        interrupter.interrupt();
        thread.join().unwrap()
    }

    fn is_interrupted(end: &Event) -> bool {
        matches!(end, Event::Uncaught(e) if e.message.contains("Interrupted"))
    }

    #[test]
    fn an_interrupt_stops_an_endless_loop() {
        let end = interrupted("(println 1)\n(while true 1)");
        assert!(is_interrupted(&end), "{end:?}");
    }

    #[test]
    fn an_interrupt_wakes_a_program_waiting_for_a_timer() {
        let end = interrupted("(println 1)\n(await (gene/sleep_async 600000))");
        assert!(is_interrupted(&end), "{end:?}");
    }

    #[test]
    fn a_stop_asked_before_the_vm_exists_is_not_lost() {
        let interrupter = Interrupter::default();
        interrupter.interrupt();
        let end = execute(request("(while true 1)"), &Arc::default(), &interrupter);
        assert!(is_interrupted(&end), "{end:?}");
    }

    #[test]
    fn events_are_json_lines_and_output_waits_for_a_slow_reader() {
        let queue = Arc::new(Queue::default());
        let (mut ours, theirs) = UnixStream::pair().unwrap();
        let writer = {
            let queue = queue.clone();
            std::thread::spawn(move || write_events(&queue, theirs))
        };
        let line = "x".repeat(1000) + "\n";
        let lines = 3 * MAX_PENDING / line.len();
        let program = {
            let queue = queue.clone();
            let line = line.clone();
            std::thread::spawn(move || {
                for _ in 0..lines {
                    queue.output(Stream::Stdout, &line);
                    // Never more than the bound plus the one write that crossed it.
                    assert!(queue.lock().bytes <= MAX_PENDING + line.len());
                }
                queue.send(Event::Finished);
                queue.close();
            })
        };
        let mut total = 0;
        let mut events = 0;
        for json in BufReader::new(&mut ours).lines() {
            let event: Event = serde_json::from_str(&json.unwrap()).unwrap();
            events += 1;
            match event {
                Event::Output { text, .. } => total += text.len(),
                Event::Finished => break,
                other => panic!("{other:?}"),
            }
        }
        program.join().unwrap();
        writer.join().unwrap();
        assert_eq!(total, lines * line.len());
        assert!(events < lines / 10, "{events} events for {lines} writes");
        ours.shutdown(std::net::Shutdown::Both).unwrap();
    }

    fn progress(message: Option<&str>, percentage: Option<u32>) -> Event {
        Event::Progress {
            message: message.map(str::to_string),
            percentage,
        }
    }

    fn queued(queue: &Queue) -> Vec<Event> {
        std::mem::take(&mut queue.lock().events)
    }

    #[test]
    fn program_progress_sends_percentage_changes_and_throttles_message_only_changes() {
        use gene_vm::ProgressDisplay;
        let queue = Arc::new(Queue::default());
        let mut display = ProgramProgress::new(queue.clone());
        display.show(0.5, Some("item 1"));
        display.show(0.501, Some("item 2"));
        display.show(0.5, Some("item 2"));
        display.show(0.51, Some("item 3"));
        display.show(1.0, None);
        display.hide();
        display.show(0.25, Some("next"));
        display.hide();
        display.show(2.5, None);
        assert_eq!(
            queued(&queue),
            vec![
                progress(Some("item 1"), Some(50)),
                progress(Some("item 3"), Some(51)),
                progress(None, Some(100)),
                progress(Some("next"), Some(25)),
                progress(Some(""), None),
                progress(None, Some(100)),
            ]
        );
    }

    #[test]
    fn program_progress_passes_message_changes_on_after_the_interval() {
        use gene_vm::ProgressDisplay;
        let queue = Arc::new(Queue::default());
        let mut display = ProgramProgress::new(queue.clone());
        display.show(0.5, Some("a"));
        display.sent_at = Instant::now() - MESSAGE_INTERVAL;
        display.show(0.5, Some("b"));
        assert_eq!(
            queued(&queue),
            vec![progress(Some("a"), Some(50)), progress(Some("b"), Some(50))]
        );
    }
}
