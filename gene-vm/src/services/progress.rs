//! How the main program's progress is shown. The core (`vm/progress.rs`) tells [`MainProgress`]
//! what the main program reports and what it awaits; this decides what the front end's
//! [`ProgressDisplay`] shows: the awaited future's reports while an await lasts, otherwise the
//! program's own last report below 1, otherwise nothing.

/// Shows the progress of the main program (what it awaits, or its own reports).
pub trait ProgressDisplay {
    /// Shows or updates the progress: `fraction` in 0..=1, with an optional message.
    fn show(&mut self, fraction: f64, message: Option<&str>);
    /// Nothing to show any more: the await ended, or the program's own progress reached 1.
    fn hide(&mut self);
}

#[derive(Default)]
pub(crate) struct MainProgress {
    display: Option<Box<dyn ProgressDisplay>>,
    /// The main program's own last report while below 1, shown again when an await's bar ends.
    own_last: Option<(f64, Option<String>)>,
    /// Whether the display shows something now.
    shown: bool,
}

impl MainProgress {
    pub(crate) fn set_display(&mut self, display: Box<dyn ProgressDisplay>) {
        self.display = Some(display);
    }

    /// Whether a display is installed: without one the core keeps no progress bookkeeping for
    /// the main program.
    pub(crate) fn has_display(&self) -> bool {
        self.display.is_some()
    }

    /// The main program's own report; `awaiting`: an awaited future's progress is on show, and
    /// the program's comes back after.
    pub(crate) fn program_reports(&mut self, fraction: f64, text: Option<String>, awaiting: bool) {
        if self.display.is_none() {
            return;
        }
        let done = fraction >= 1.0;
        self.own_last = (!done).then(|| (fraction, text.clone()));
        if awaiting {
            return;
        }
        if done {
            self.hide();
        } else {
            self.show(fraction, text.as_deref());
        }
    }

    /// The main program started waiting for a future whose last report is `last`.
    pub(crate) fn await_started(&mut self, last: Option<(f64, Option<String>)>) {
        match last {
            Some((fraction, text)) => self.show(fraction, text.as_deref()),
            None => self.show_own_or_hide(),
        }
    }

    /// The main program's await is over: its own progress, if any, shows again.
    pub(crate) fn await_ended(&mut self) {
        self.show_own_or_hide();
    }

    /// The future the main program awaits reported.
    pub(crate) fn show(&mut self, fraction: f64, message: Option<&str>) {
        if let Some(display) = self.display.as_mut() {
            display.show(fraction, message);
            self.shown = true;
        }
    }

    fn show_own_or_hide(&mut self) {
        match self.own_last.clone() {
            Some((fraction, text)) => self.show(fraction, text.as_deref()),
            None => self.hide(),
        }
    }

    fn hide(&mut self) {
        if !self.shown {
            return;
        }
        self.shown = false;
        if let Some(display) = self.display.as_mut() {
            display.hide();
        }
    }
}
