//! The scheduler's loop: run the current task until it finishes, waits or yields; take in what
//! the reactor completed; pick the next ready task; sleep in the reactor when every task waits;
//! and when nothing at all can happen, wake `$await_all` or report a deadlock.
//!
//! The main program is the task the loop was entered with ([`Vm::run_main`]); the loop returns
//! when it finishes. At program end [`Vm::finish_program`] drains what is left and reports
//! failed futures nobody observed.

use std::rc::Rc;

use super::futures::Outcome;
use super::sched::{OpTarget, Signal, TaskMeta, Wake};
use super::{Exc, Task, Vm};
use crate::reactor::{Completion, IoOutcome, OpId};
use crate::value::future::Reaction;
use crate::value::{FutState, Value};

/// After this many scheduler turns the reactor's queued requests are sent even while tasks keep
/// running (so timers started by a busy program start counting).
const FLUSH_TURNS: u32 = 64;

impl Vm {
    /// Runs `self.task` as the main task until its frame count is back to `stop_depth`; other
    /// tasks run whenever it waits.
    pub(crate) fn run_main(&mut self, stop_depth: usize) -> Result<Value, Exc> {
        let id = self.sched.alloc();
        self.task.meta = TaskMeta {
            id,
            stop_depth,
            serial: self.sched.new_serial(),
            ..TaskMeta::default()
        };
        let result = self.run_loop(Some(id));
        self.sched.release(id);
        result
    }

    /// Runs every task, timer and I/O operation that is left until nothing can happen any more
    /// (tasks that wait forever get a DeadlockError first).
    pub(crate) fn drain(&mut self) -> Result<(), Exc> {
        if self.sched.parked_or_ready() == 0
            && self.sched.ops.is_empty()
            && self.sched.immediate.is_empty()
        {
            return Ok(());
        }
        let main = std::mem::take(&mut self.task);
        // The main program is over: what only it could have observed is abandoned now.
        self.sched.check_abandoned = true;
        let result = self.run_loop(None);
        self.task = main;
        result.map(|_| ())
    }

    /// What a finished program (or REPL input) gives: pending work drained, then the failures
    /// nobody observed — reported on stderr, and the last one made the result, so the exit
    /// status says the program failed.
    pub(crate) fn finish_program(&mut self, result: Result<Value, Exc>) -> Result<Value, Exc> {
        let result = match result {
            Ok(v) => self.drain().map(|()| v),
            Err(mut e) => {
                self.note_live_tasks(&mut e);
                self.abort_all(None);
                Err(e)
            }
        };
        if result.as_ref().is_err_and(|e| e.uncatchable) {
            self.sched.failed.clear();
            return result;
        }
        if self.debug.is_some() {
            let failed = self.sched.failed.clone();
            self.debug_unobserved_at_exit(&failed);
        }
        let mut unobserved = self.take_unobserved();
        let last = match result {
            Ok(v) => match unobserved.pop() {
                None => return Ok(v),
                Some(last) => {
                    if let Some(failure) = self.trouble.unobserved.last_mut() {
                        failure.ends_run = true;
                    }
                    last
                }
            },
            Err(e) => e,
        };
        for e in unobserved {
            let text = crate::report::render_uncaught(self, &e);
            self.services.out.err(&text);
        }
        Err(last)
    }

    /// The scheduler loop. With `main`, `self.task` is that task and is runnable; the loop ends
    /// when it finishes. Without, `self.task` is empty and the loop ends when nothing is left.
    fn run_loop(&mut self, main: Option<usize>) -> Result<Value, Exc> {
        let mut running = main.is_some();
        loop {
            if running {
                running = false;
                let id = self.task.meta.id;
                let is_main = Some(id) == main;
                if self.timeline.is_some() {
                    self.timeline_run_begins();
                }
                if let Some(watch) = self.slow.as_deref_mut() {
                    watch.start();
                }
                let outcome = self.run_current();
                if self.timeline.is_some() {
                    self.timeline_run_ends();
                }
                match outcome {
                    Ok(v) if is_main => return Ok(v),
                    Ok(v) => self.finish_task(Ok(v)),
                    Err(mut e) => match e.signal {
                        // `gene/exit` left its task (whose `finally` blocks have run): the
                        // program ends, whichever task it was.
                        Signal::None if crate::builtins::exit_code(&e.value).is_some() => {
                            e.uncatchable = true;
                            return Err(self.abort_with(main, e));
                        }
                        Signal::Suspend => self.park_current(None),
                        Signal::Yield { front } => self.park_current(Some(front)),
                        Signal::None if e.uncatchable => return Err(self.abort_with(main, e)),
                        Signal::None if is_main => return Err(e),
                        Signal::None => self.finish_task(Err(e)),
                    },
                }
            }
            if let Err(e) = self.poll_reactor(false) {
                return Err(self.abort_with(main, e));
            }
            if let Some(next) = self.sched.ready.pop_front() {
                running = self.switch_to(next);
                continue;
            }
            if !self.sched.ops.is_empty() {
                if self.cancel_abandoned_ops(main.is_none()) {
                    continue;
                }
                if self.fail_stalled_jobs() {
                    continue;
                }
                // Every task waits: what they printed so far shows now, not after the wait.
                self.services.out.flush();
                if let Err(e) = self.poll_reactor(true) {
                    return Err(self.abort_with(main, e));
                }
                continue;
            }
            if self.wake_idle_waiters() || self.deliver_deadlock(main) {
                continue;
            }
            return Ok(Value::Nil);
        }
    }

    /// Applies how the current task was woken, then runs it.
    fn run_current(&mut self) -> Result<Value, Exc> {
        let stop = self.task.meta.stop_depth;
        let resumed = match std::mem::take(&mut self.task.meta.wake) {
            Wake::Continue => Ok(()),
            Wake::Value(v) => {
                self.task.stack.push(v);
                Ok(())
            }
            Wake::Throw(e) => Err(*e),
        };
        // A native that called a `^^async` function (or waited in `$await_all`) gets its
        // result now.
        let resumed = resumed.and_then(|()| {
            let depth = self.task.frames.len();
            if self.task.natives.last().is_some_and(|n| n.depth == depth) {
                self.continue_natives()
            } else {
                Ok(())
            }
        });
        if let Err(e) = resumed {
            if e.is_signal() {
                return Err(e);
            }
            self.unwind(e, stop)?;
        }
        self.execute(stop)
    }

    /// Moves the running task to its slot: waiting (`None`), or ready at the front or back.
    fn park_current(&mut self, ready: Option<bool>) {
        let id = self.task.meta.id;
        if ready != Some(true) {
            // Its starters run before it does again: it no longer stands on their frames.
            self.task.meta.starter_frames = 0;
        }
        if ready.is_none() {
            self.task.meta.waiting_since = super::clock::coarse_ms();
            if self.timeline.is_some() {
                self.timeline_wait_begins();
            }
        }
        let task = std::mem::take(&mut self.task);
        if let Some(slot) = self.sched.tasks.get_mut(id) {
            *slot = Some(Box::new(task));
        }
        match ready {
            Some(true) => self.sched.ready.push_front(id),
            Some(false) => self.sched.ready.push_back(id),
            None => {}
        }
        self.sched.yield_now = false;
        self.sched.promote_immediate();
    }

    /// Makes the task `id` the running one (false if there is no such task).
    fn switch_to(&mut self, id: usize) -> bool {
        match self.sched.tasks.get_mut(id).and_then(Option::take) {
            Some(task) => {
                self.task = *task;
                true
            }
            None => false,
        }
    }

    /// A task other than the main one returned or threw: settle its future.
    fn finish_task(&mut self, outcome: Result<Value, Exc>) {
        if self.timeline.is_some() {
            let cancelled =
                self.task.meta.future.as_ref().is_some_and(|f| {
                    matches!(*f.state.borrow(), crate::value::FutState::Cancelled)
                });
            match &outcome {
                _ if cancelled => self.timeline_task_failed(String::new(), true),
                Err(e) => {
                    let what = self.describe_exception(&e.value);
                    self.timeline_task_failed(what, false);
                }
                Ok(_) => {}
            }
            self.timeline_task_ended();
        }
        let task = std::mem::take(&mut self.task);
        let Task { meta, .. } = task;
        if let Some(op) = meta.timeout {
            self.cancel_op(op);
        }
        self.sched.release(meta.id);
        self.sched.check_abandoned = true;
        if let Some(f) = meta.future {
            self.task_settles(f, outcome);
        }
        self.sched.yield_now = false;
        self.sched.promote_immediate();
    }

    /// Takes in the reactor's completions (waiting for one when `block`), settling futures and
    /// waking tasks. An interrupt gives the error that stops the program.
    fn poll_reactor(&mut self, block: bool) -> Result<(), Exc> {
        self.sched.since_flush += 1;
        if block || self.sched.since_flush >= FLUSH_TURNS || self.sched.ready.is_empty() {
            self.reactor.flush();
            self.sched.since_flush = 0;
        }
        let mut next = if block {
            self.check_interrupt()?;
            self.reactor.wait()
        } else {
            self.reactor.try_next()
        };
        while let Some(completion) = next {
            self.complete(completion);
            next = self.reactor.try_next();
        }
        self.check_interrupt()?;
        self.dump_tasks_if_asked();
        self.sched.yield_now = false;
        self.sched.promote_immediate();
        Ok(())
    }

    pub(crate) fn check_interrupt(&mut self) -> Result<(), Exc> {
        if self.interrupt.load(std::sync::atomic::Ordering::Relaxed)
            && self
                .interrupt
                .swap(false, std::sync::atomic::Ordering::Relaxed)
        {
            let mut e = self.error("Interrupted", "interrupted");
            e.uncatchable = true;
            return Err(e);
        }
        Ok(())
    }

    /// The checkpoint of the dispatch loop: an interrupt to throw, or a reason to yield.
    #[cold]
    #[inline(never)]
    pub(super) fn checkpoint(&mut self) -> Option<Exc> {
        if self.debug.is_some() {
            self.debug_attend();
        }
        if let Err(e) = self.check_interrupt() {
            return Some(e);
        }
        self.dump_tasks_if_asked();
        if self.slow.is_some() {
            self.check_slow();
        }
        if !self.sched.ops.is_empty() {
            self.reactor.flush();
        }
        if !self.sched.ready.is_empty() || self.reactor.has_completions() {
            return Some(Exc::signal(Signal::Yield { front: false }));
        }
        None
    }

    /// SIGQUIT (through [`crate::reactor::Interrupt::request_dump`]): the task tree on stderr.
    fn dump_tasks_if_asked(&mut self) {
        if self.interrupt.take_dump_request() {
            let tasks = self.task_snapshot();
            if let Some(report) = self.services.task_reports.as_mut() {
                report(tasks);
                return;
            }
            let tree = super::render_task_tree(&tasks);
            self.services.out.flush();
            self.services
                .out
                .err(&format!("gene: tasks (on SIGQUIT):\n{tree}"));
        }
    }

    fn complete(&mut self, completion: Completion) {
        match completion {
            Completion::Wake => {}
            Completion::Timers(ids) => {
                for id in ids {
                    self.op_done(id, None);
                }
            }
            Completion::Io(id, outcome) => self.op_done(id, Some(outcome)),
            Completion::Job(id, result) => {
                // Ids are never reused: a job's id names a job (or nothing, once cancelled).
                match self.sched.ops.remove(&id).map(|entry| entry.target) {
                    Some(OpTarget::Job(job)) => self.job_done(*job, result),
                    Some(OpTarget::Stream(stream)) => self.stream_ended(*stream, Some(result)),
                    _ => {}
                }
            }
            Completion::Event(id, payload) => self.stream_event(id, payload),
        }
    }

    /// An operation completed: settle what it was for (nothing if it was cancelled).
    fn op_done(&mut self, id: OpId, outcome: Option<IoOutcome>) {
        let Some(entry) = self.sched.ops.remove(&id) else {
            return;
        };
        // A timer fails only when the runtime could not start.
        if let Some(IoOutcome::Failed(reason)) = &outcome
            && let OpTarget::Sleep(f) | OpTarget::FutureTimeout { future: f, .. } = &entry.target
        {
            let e = self.make_error_value("IOError", reason.clone());
            self.settle(f, Outcome::Failure(e, None));
            return;
        }
        match entry.target {
            OpTarget::Sleep(f) => {
                self.settle(&f, Outcome::Success(Value::Nil));
            }
            OpTarget::Io {
                future,
                action,
                path,
            } => {
                let outcome = match outcome {
                    Some(IoOutcome::Text(text)) => Outcome::Success(Value::str(text)),
                    Some(IoOutcome::Failed(reason)) => {
                        let e = self.make_error_value(
                            "IOError",
                            format!("cannot {action} '{path}': {reason}"),
                        );
                        Outcome::Failure(e, None)
                    }
                    Some(IoOutcome::Done) | None => Outcome::Success(Value::Nil),
                };
                self.settle(&future, outcome);
            }
            OpTarget::AwaitTimeout { task, ms } => {
                let waiting = self
                    .sched
                    .task_mut(task)
                    .is_some_and(|t| t.meta.timeout == Some(id));
                if waiting {
                    if let Some(t) = self.sched.task_mut(task) {
                        t.meta.timeout = None;
                    }
                    let e = self.error(
                        "TimeoutError",
                        format!("await timed out after {} ms", fmt_ms(ms)),
                    );
                    self.throw_into(task, e);
                }
            }
            OpTarget::Job(job) => {
                // Only when the runtime could not start does a job complete as I/O.
                let reason = match outcome {
                    Some(IoOutcome::Failed(reason)) => reason,
                    _ => "the async runtime stopped".to_string(),
                };
                self.job_done(
                    *job,
                    Err(crate::reactor::JobError::new("Exception", reason)),
                );
            }
            OpTarget::Stream(stream) => {
                let reason = match outcome {
                    Some(IoOutcome::Failed(reason)) => reason,
                    _ => "the async runtime stopped".to_string(),
                };
                let error = crate::reactor::JobError::new("Exception", reason);
                self.stream_ended(*stream, Some(Err(error)));
            }
            OpTarget::FutureTimeout { future, inner, ms } => {
                if future.is_pending() {
                    let e = self.make_error_value(
                        "TimeoutError",
                        format!("gene/timeout: not settled within {} ms", fmt_ms(ms)),
                    );
                    // The timeout's own failure is the outcome, not the cancellation: an
                    // operation's future (a sleep, a database statement) settles as cancelled at
                    // once, and must not pass that on.
                    inner
                        .reactions
                        .borrow_mut()
                        .retain(|r| !matches!(r, Reaction::Follow(f) if Rc::ptr_eq(f, &future)));
                    // The cancelled task runs its clean-up before anything awaiting the timeout
                    // resumes.
                    self.cancel_future(&inner);
                    self.settle(&future, Outcome::Failure(e, None));
                }
            }
        }
    }

    /// Stops waiting for a reactor operation.
    pub(crate) fn cancel_op(&mut self, id: OpId) {
        let Some(entry) = self.sched.ops.remove(&id) else {
            return;
        };
        if let Some(deadline) = entry.deadline {
            self.reactor.cancel_timer(id, deadline);
        }
        match entry.target {
            OpTarget::Job(job) => self.job_cancelled(id, *job),
            OpTarget::Stream(stream) => {
                self.reactor.abort(id);
                self.stream_ended(*stream, None);
            }
            _ => {}
        }
    }

    /// Nothing can run and no operation is pending: tasks in `$await_all` go on.
    fn wake_idle_waiters(&mut self) -> bool {
        let mut woke = false;
        for id in 0..self.sched.tasks.len() {
            let token = match self.sched.task_mut(id) {
                Some(t) if t.meta.idle_waiter => {
                    t.meta.idle_waiter = false;
                    t.meta.token
                }
                _ => continue,
            };
            self.wake(id, token);
            woke = true;
        }
        woke
    }

    /// Nothing can run, no operation is pending and nobody is in `$await_all`: every waiting
    /// task gets a DeadlockError at its `await`, the main task first.
    fn deliver_deadlock(&mut self, main: Option<usize>) -> bool {
        let mut waiting: Vec<usize> = (0..self.sched.tasks.len())
            .filter(|&id| self.sched.task_mut(id).is_some_and(|t| t.meta.token != 0))
            .collect();
        if waiting.is_empty() {
            return false;
        }
        if let Some(pos) = main.and_then(|m| waiting.iter().position(|&id| id == m)) {
            let m = waiting.remove(pos);
            waiting.insert(0, m);
        }
        // The tasks involved, as they wait now: shown if the error goes uncaught.
        let snapshot = self.task_snapshot();
        let note: Box<str> =
            tasks_note("the waiting tasks when the deadlock was found:", &snapshot).into();
        if self.trouble.deadlock.is_empty() {
            self.trouble.deadlock = snapshot;
        }
        for id in waiting {
            let mut e = self.error(
                "DeadlockError",
                "deadlock: this await waits for a future that nothing will settle (every task is waiting, and no timer or I/O operation is pending)",
            );
            e.note = Some(note.clone());
            self.throw_into(id, e);
        }
        true
    }

    /// Drops every task but the main one (which goes back to `self.task`) and every pending
    /// operation: after an interrupt, or when the main program failed.
    fn abort_all(&mut self, main: Option<usize>) {
        if let Some(task) = main.and_then(|m| self.sched.tasks.get_mut(m)?.take()) {
            self.task = *task;
        }
        let ops: Vec<OpId> = self.sched.ops.keys().copied().collect();
        for op in ops {
            self.cancel_op(op);
        }
        // The tasks that would have released what the services hold (a transaction to commit
        // or roll back) are going.
        self.services.abandon_open_work();
        self.reactor.flush();
        self.sched.clear_tasks();
    }

    /// The main program failed while tasks are still alive: the error's report lists them
    /// (they are dropped next).
    fn note_live_tasks(&self, e: &mut Exc) {
        if e.uncatchable
            || e.note.is_some()
            || e.exit_status().is_some()
            || self.sched.parked_or_ready() == 0
        {
            return;
        }
        let tasks = self.task_snapshot();
        if tasks.is_empty() {
            return;
        }
        let list = tasks_note("the tasks still alive, stopped now:", &tasks);
        e.note = Some(match e.note.take() {
            Some(note) => format!("{note}\n  {list}").into_boxed_str(),
            None => list.into_boxed_str(),
        });
    }

    fn abort_with(&mut self, main: Option<usize>, e: Exc) -> Exc {
        self.abort_all(main);
        e
    }

    /// Failed futures nobody awaited or handled, as exceptions with a note saying where they
    /// came from.
    fn take_unobserved(&mut self) -> Vec<Exc> {
        let failed = std::mem::take(&mut self.sched.failed);
        let mut out = Vec::new();
        for f in failed {
            if f.observed.get() {
                continue;
            }
            let FutState::Failure(value, trace) = &*f.state.borrow() else {
                continue;
            };
            let mut e = Exc::new(value.clone());
            e.trace = trace.clone();
            self.trouble.unobserved.push(super::UnobservedFailure {
                message: self.describe_exception(value),
                trace: trace.clone(),
                created_at: f.origin.as_ref().and_then(super::tasks::origin_site),
                ends_run: false,
            });
            let origin = f
                .origin
                .as_ref()
                .map(|o| o.describe())
                .unwrap_or_else(|| "an unknown place".to_string());
            e.note = Some(if f.is_callback {
                format!("thrown by a callback registered at {origin}")
            } else {
                format!(
                    "nothing awaited this failed future or handled it with .on_failure; it was created at {origin}"
                )
            }.into_boxed_str());
            out.push(e);
        }
        out
    }
}

/// A note (printed as `  note: ...` under an error) with a task tree indented beneath.
fn tasks_note(title: &str, tasks: &[super::TaskInfo]) -> String {
    let tree = super::render_task_tree(tasks);
    let mut note = title.to_string();
    for line in tree.lines() {
        note.push_str("\n    ");
        note.push_str(line);
    }
    note
}

/// Milliseconds as written: `100`, `2.5`.
pub(crate) fn fmt_ms(ms: f64) -> String {
    if ms.fract() == 0.0 && ms.abs() < 1e15 {
        format!("{}", ms as i64)
    } else {
        format!("{ms}")
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use super::*;
    use crate::CaptureOutput;
    use crate::vm::sched::Signal;

    /// Runs a program with the given preemption interval; its output, and the uncaught error's
    /// message if any.
    fn run(src: &str, preempt_interval: u32) -> String {
        let out = CaptureOutput::new();
        let mut vm = Vm::new(Box::new(out.clone()));
        vm.preempt_interval = preempt_interval;
        let result = vm.run_source("t.gene", src.to_string());
        let mut text = out.stdout_text();
        if let Err(crate::RunError::Uncaught(e)) = result {
            text.push_str(&format!("uncaught: {}\n", crate::value::display(&e.value)));
        }
        text
    }

    #[test]
    fn the_checkpoint_yields_only_when_another_task_is_ready() {
        let mut vm = Vm::new(Box::new(CaptureOutput::new()));
        assert!(vm.checkpoint().is_none(), "nothing else to run: no yield");
        vm.sched.ready.push_back(3);
        let e = vm.checkpoint().expect("another task is ready");
        assert!(e.signal == Signal::Yield { front: false });
        vm.sched.ready.clear();
        vm.interrupt.store(true, Ordering::SeqCst);
        let e = vm.checkpoint().expect("an interrupt stops the task");
        assert!(e.signal == Signal::None && e.uncatchable);
        assert!(
            !vm.interrupt.load(Ordering::SeqCst),
            "the interrupt is taken"
        );
        // Once: the next checkpoint does not throw it again (it may yield to take in the wake-up
        // the interrupt sent the reactor).
        assert!(vm.checkpoint().is_none_or(|e| e.is_signal()));
    }

    #[test]
    fn woken_tasks_resume_in_the_order_they_were_woken() {
        // Three tasks wait on three futures; settling them in the order c, a, b wakes the
        // tasks in that order, each after main has gone on to its next wait.
        let src = r#"
            (var fa (new gene/Future)) (var fb (new gene/Future)) (var fc (new gene/Future))
            (fn ^^async waiter [name f] (await f) (println name))
            (var ts [(waiter "a" fa) (waiter "b" fb) (waiter "c" fc)])
            (fc .complete 1) (fa .complete 1) (fb .complete 1)
            (println "main")
            (await ts...)
            (println "done")
        "#;
        assert_eq!(run(src, 10_000), "main\nc\na\nb\ndone\n");
    }

    #[test]
    fn a_busy_task_is_preempted_only_for_another_ready_task() {
        // Two tasks that never wait: with a checkpoint on every loop iteration they take turns,
        // each going to the back of the queue (and each runs an iteration per turn: an interval
        // of 1 once made them hand the turn back and forth forever); with the default interval
        // each runs through.
        let src = r#"
            (var log [])
            (fn ^^async spin [name] (repeat 3 (log .push name)))
            (var a (spin "a"))
            (var b (spin "b"))
            (await a b)
            (println (log .join ""))
        "#;
        assert_eq!(run(src, 10_000), "aaabbb\n");
        assert_eq!(run(src, 1), "ababab\n");
        // The main program, ready again once the task it started first waits or yields, gets
        // the next turn: at the task's first checkpoint, not after the task ends.
        let main_ready = r#"
            (var log [])
            (fn ^^async spin [name] (repeat 3 (log .push name)))
            (var a (spin "a"))
            (log .push "main")
            (await a)
            (println (log .join ""))
        "#;
        assert_eq!(run(main_ready, 1), "amainaa\n");
        assert_eq!(run(main_ready, 10_000), "aaamain\n");
    }

    #[test]
    fn a_deadlock_reaches_every_waiting_task_main_first() {
        let src = r#"
            (var never (new gene/Future))
            (fn ^^async stuck [name]
              (try (await never) catch DeadlockError (println name "deadlock")))
            (var tasks [(stuck "a") (stuck "b")])
            (try (await never) catch DeadlockError (println "main deadlock"))
            (await tasks...)
            (println "all recovered")
        "#;
        assert_eq!(
            run(src, 10_000),
            "main deadlock\na deadlock\nb deadlock\nall recovered\n"
        );
        // Uncaught in main, it ends the program.
        assert_eq!(
            run("(await (new gene/Future))", 10_000),
            "uncaught: DeadlockError: deadlock: this await waits for a future that nothing will settle (every task is waiting, and no timer or I/O operation is pending)\n"
        );
    }

    #[test]
    fn reactor_completions_wake_the_tasks_waiting_for_them() {
        // The short sleep's task is woken by its timer while the long one still waits; main,
        // waiting for both, wakes last.
        let src = r#"
            (fn ^^async sleeper [name ms] (await (gene/sleep_async ms)) (println name))
            (var slow (sleeper "slow" 200))
            (var fast (sleeper "fast" 1))
            (await slow fast)
            (println "main")
        "#;
        assert_eq!(run(src, 10_000), "fast\nslow\nmain\n");
    }

    #[test]
    fn cancelling_a_task_delivers_cancelled_error_where_it_waits() {
        let src = r#"
            (var t (async
              (try
                (await (new gene/Future))
              catch CancelledError
                (println "task: cancelled at its await")
                (throw $ex))))
            (t .cancel)
            (println (try (await t) catch CancelledError "main: the task's future is cancelled"))
        "#;
        assert_eq!(
            run(src, 10_000),
            "task: cancelled at its await\nmain: the task's future is cancelled\n"
        );
        // A task woken but not yet running gets it at the await it was woken from.
        let ready = r#"
            (var f (new gene/Future))
            (var t (async
              (try (await f) catch CancelledError (println "task: cancelled at its await"))
              (println "task: goes on")))
            (f .complete 1)
            (t .cancel)
            (await (gene/sleep_async 5))
            (println (t .state))
        "#;
        assert_eq!(
            run(ready, 10_000),
            "task: cancelled at its await\ntask: goes on\ncancelled\n"
        );
    }
}
