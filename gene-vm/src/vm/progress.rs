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
//! to the VM's [`ProgressDisplay`], if one is installed (`gene run`'s bar on a terminal).

use std::rc::Rc;

use super::Vm;
use crate::value::future::{Origin, Progress, ProgressListener};
use crate::value::{FutureObj, Value};

/// Shows the progress of the main program (what it awaits, or its own reports).
pub trait ProgressDisplay {
    /// Shows or updates the progress: `fraction` in 0..=1, with an optional message.
    fn show(&mut self, fraction: f64, message: Option<&str>);
    /// Nothing to show any more: the await ended, or the program's own progress reached 1.
    fn hide(&mut self);
}

#[derive(Default)]
pub(crate) struct ProgressState {
    display: Option<Box<dyn ProgressDisplay>>,
    /// The future the main task is waiting for: its reports are shown.
    watched: Option<Rc<FutureObj>>,
    /// The main task's own last report while below 1, shown again when an await's bar ends.
    main_last: Option<(f64, Option<String>)>,
    /// Whether the display shows something now.
    shown: bool,
}

impl Vm {
    /// Where the progress of the main program is shown (by default nowhere).
    pub fn set_progress_display(&mut self, display: Box<dyn ProgressDisplay>) {
        self.progress.display = Some(display);
    }

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
        let watched = self
            .progress
            .watched
            .as_ref()
            .is_some_and(|w| Rc::ptr_eq(w, f));
        if watched {
            self.show_progress(fraction, message_text(message).as_deref());
        }
        forwards
    }

    fn main_reports(&mut self, fraction: f64, message: &Value) {
        if self.progress.display.is_none() {
            return;
        }
        let text = message_text(message);
        self.progress.main_last = (fraction < 1.0).then(|| (fraction, text.clone()));
        if self.progress.watched.is_some() {
            // The awaited future's progress is on show; the program's comes back after.
            return;
        }
        if fraction < 1.0 {
            self.show_progress(fraction, text.as_deref());
        } else {
            self.hide_progress();
        }
    }

    /// The main task waits for `f` (at an `await`): show its progress while it does.
    pub(crate) fn main_awaits(&mut self, f: &Rc<FutureObj>) {
        if self.progress.display.is_none() || self.task.meta.future.is_some() {
            return;
        }
        self.progress.watched = Some(f.clone());
        let last = f.progress.borrow().as_ref().and_then(|p| p.last.clone());
        match last {
            Some((fraction, message)) => {
                self.show_progress(fraction, message_text(&message).as_deref())
            }
            None => self.show_main_or_hide(),
        }
    }

    /// The running task's `await` is over: if it was the main task's, its bar goes.
    pub(crate) fn await_ended(&mut self) {
        if self.task.meta.future.is_none() && self.progress.watched.take().is_some() {
            self.show_main_or_hide();
        }
    }

    fn show_main_or_hide(&mut self) {
        match self.progress.main_last.clone() {
            Some((fraction, text)) => self.show_progress(fraction, text.as_deref()),
            None => self.hide_progress(),
        }
    }

    fn show_progress(&mut self, fraction: f64, message: Option<&str>) {
        if let Some(display) = self.progress.display.as_mut() {
            display.show(fraction, message);
            self.progress.shown = true;
        }
    }

    fn hide_progress(&mut self) {
        if !self.progress.shown {
            return;
        }
        self.progress.shown = false;
        if let Some(display) = self.progress.display.as_mut() {
            display.hide();
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
