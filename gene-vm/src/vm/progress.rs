//! Progress reports on futures.
//!
//! `(gene/progress fraction [message])` reports on the running task's future. Every report
//! becomes the future's last one (`.progress`), starts its `.on_progress` callbacks (as tasks,
//! in registration order, before the reporting task goes on: the same path as `.on_success`
//! callbacks) and is passed on to the futures that settle the way this one does and have a
//! single source: the future of a task whose body evaluated to this future (adoption), and
//! `gene/timeout`'s future. A `gene/race` future does not pass its contenders' reports on: they
//! are separate pieces of work whose fractions do not add up to one.
//!
//! Reports made after a future settled (a cancelled task unwinding) are dropped. A callback
//! registered after reports were made gets the last one at once: a task starts eagerly and may
//! report before its caller holds the future.
//!
//! The main program has no future. Its own reports, and those of the future it is awaiting, go
//! to the host's progress display (`services/progress.rs`), if one is installed (`gene run`'s
//! bar on a terminal).

use std::rc::Rc;

use super::Vm;
use crate::value::future::{Origin, Progress, ProgressListener};
use crate::value::{FutureObj, Value};

impl Vm {
    /// `(gene/progress fraction message)` by the running task; `fraction` is in 0..=1 and
    /// `message` a string or nil (the caller checked).
    pub(crate) fn report_progress(&mut self, fraction: f64, message: Value) {
        match self.task.meta.future.clone() {
            Some(f) => self.deliver_progress(&f, fraction, message),
            None => self.main_reports(fraction, &message),
        }
    }

    /// `(f .on_progress callback)`.
    pub(crate) fn on_progress(
        &mut self,
        f: &Rc<FutureObj>,
        callback: Value,
        origin: Option<Origin>,
    ) {
        let last = {
            let mut slot = f.progress.borrow_mut();
            let progress = slot.get_or_insert_with(Box::default);
            if f.is_pending() {
                progress.listeners.push(ProgressListener::Callback {
                    f: callback.clone(),
                    origin: origin.clone(),
                });
            }
            progress.last.clone()
        };
        if let Some((fraction, message)) = last {
            self.start_callback(callback, Value::Float(fraction), Some(message), origin);
        }
    }

    /// `target` settles like `source` (adoption, `gene/timeout`): it reports what `source`
    /// reports from now on, starting with its last report.
    pub(crate) fn forward_progress(&mut self, source: &Rc<FutureObj>, target: &Rc<FutureObj>) {
        if !source.is_pending() {
            return;
        }
        let last = {
            let mut slot = source.progress.borrow_mut();
            let progress = slot.get_or_insert_with(Box::default);
            progress
                .listeners
                .push(ProgressListener::Forward(target.clone()));
            progress.last.clone()
        };
        if let Some((fraction, message)) = last {
            self.deliver_progress(target, fraction, message);
        }
    }

    /// A report reaches `f`, then the futures it forwards to (each once: adoption can make a
    /// loop of futures that never settle).
    fn deliver_progress(&mut self, f: &Rc<FutureObj>, fraction: f64, message: Value) {
        let mut work = self.report_to(f, fraction, &message);
        if work.is_empty() {
            return;
        }
        let mut done = vec![f.clone()];
        let mut next = 0;
        while let Some(target) = work.get(next).cloned() {
            next += 1;
            if done.iter().any(|d| Rc::ptr_eq(d, &target)) {
                continue;
            }
            done.push(target.clone());
            work.extend(self.report_to(&target, fraction, &message));
        }
    }

    /// Makes the report `f`'s last one, starts its callbacks and shows it if the main task
    /// awaits `f`. Gives the futures `f` forwards to (no allocation when there are none).
    fn report_to(
        &mut self,
        f: &Rc<FutureObj>,
        fraction: f64,
        message: &Value,
    ) -> Vec<Rc<FutureObj>> {
        if !f.is_pending() {
            return Vec::new();
        }
        let mut callbacks = Vec::new();
        let mut forwards = Vec::new();
        {
            let mut slot = f.progress.borrow_mut();
            let progress: &mut Progress = slot.get_or_insert_with(Box::default);
            progress.last = Some((fraction, message.clone()));
            for listener in &progress.listeners {
                match listener {
                    ProgressListener::Callback { f, origin } => {
                        callbacks.push((f.clone(), origin.clone()))
                    }
                    ProgressListener::Forward(target) => forwards.push(target.clone()),
                }
            }
        }
        for (callback, origin) in callbacks {
            let second = Some(message.clone());
            self.start_callback(callback, Value::Float(fraction), second, origin);
        }
        let watched = self.main_awaited.as_ref().is_some_and(|w| Rc::ptr_eq(w, f));
        if watched {
            let text = message_text(message);
            self.services.progress.show(fraction, text.as_deref());
        }
        forwards
    }

    fn main_reports(&mut self, fraction: f64, message: &Value) {
        let awaiting = self.main_awaited.is_some();
        let progress = &mut self.services.progress;
        if progress.has_display() {
            progress.program_reports(fraction, message_text(message), awaiting);
        }
    }

    /// The main task waits for `f` (at an `await`): show its progress while it does.
    pub(crate) fn main_awaits(&mut self, f: &Rc<FutureObj>) {
        if !self.services.progress.has_display() || self.task.meta.future.is_some() {
            return;
        }
        self.main_awaited = Some(f.clone());
        let last = f.progress.borrow().as_ref().and_then(|p| p.last.clone());
        let last = last.map(|(fraction, message)| (fraction, message_text(&message)));
        self.services.progress.await_started(last);
    }

    /// The running task's `await` is over: if it was the main task's, its bar goes.
    pub(crate) fn await_ended(&mut self) {
        if self.task.meta.future.is_none() && self.main_awaited.take().is_some() {
            self.services.progress.await_ended();
        }
    }
}

/// A report's message (a string or nil) as text for the display.
fn message_text(message: &Value) -> Option<String> {
    match message {
        Value::Str(s) => Some(s.to_string()),
        _ => None,
    }
}
