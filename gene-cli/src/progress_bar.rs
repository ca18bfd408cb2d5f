//! `gene run`'s progress bar: an indicatif bar on stderr showing the main program's progress
//! (its own `gene/progress` reports, and those of the future it awaits; see `vm/progress.rs`).
//! `run.rs` installs it only when stderr is a terminal and `--no-progress` was not given.
//!
//! The bar and the program share the terminal. The program's output goes through
//! [`BarOutput`], which buffers stdout in the process's stdout buffer as [`gene_vm::StdOutput`]
//! does (`gene_vm::output::stdout`: line-buffered on a terminal, flushed on signals) and, while
//! a bar is on screen, writes with the bar taken off (indicatif's `suspend`): lines printed by the
//! program appear above the bar, never through it.

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;
use std::time::Duration;

use gene_vm::output::stdout;
use gene_vm::{Output, ProgressDisplay};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Steps of the bar: a fraction is shown to a tenth of a percent.
const STEPS: u64 = 1000;

/// The bar on screen, if any; shared by the display (which shows and hides it) and the output
/// (which takes it off while writing).
#[derive(Clone, Default)]
pub struct BarSlot(Rc<RefCell<Option<ProgressBar>>>);

impl BarSlot {
    /// Takes the bar off the screen for good (the program ended).
    pub fn clear(&self) {
        if let Some(bar) = self.0.borrow_mut().take() {
            bar.finish_and_clear();
        }
    }

    /// Runs `write` with the bar (if one shows) off the screen.
    fn suspended<R>(&self, write: impl FnOnce() -> R) -> R {
        // A clone: `write` must not run under the slot's borrow.
        let bar = self.0.borrow().clone();
        match bar {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }
}

/// The [`ProgressDisplay`] of `gene run`.
pub struct BarDisplay(pub BarSlot);

impl ProgressDisplay for BarDisplay {
    fn show(&mut self, fraction: f64, message: Option<&str>) {
        let mut slot = (self.0).0.borrow_mut();
        let bar = slot.get_or_insert_with(new_bar);
        // `fraction` is in 0..=1 (gene/progress checks it), so this cannot overflow.
        bar.set_position((fraction * STEPS as f64).round() as u64);
        bar.set_message(message.unwrap_or_default().to_string());
    }

    fn hide(&mut self) {
        self.0.clear();
    }
}

fn new_bar() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(STEPS), ProgressDrawTarget::stderr());
    let style =
        ProgressStyle::with_template("{spinner} {elapsed:>4} [{bar:30}] {percent:>3}% {wide_msg}")
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    // Redrawn now and then even without reports: the spinner and the time say it is alive.
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// Stdout (buffered) and stderr for a program that may have a bar on screen.
pub struct BarOutput {
    bar: BarSlot,
}

impl BarOutput {
    pub fn new(bar: BarSlot) -> BarOutput {
        BarOutput { bar }
    }

    fn write_stdout(&mut self) {
        if stdout::has_pending() {
            self.bar.suspended(stdout::flush);
        }
    }
}

impl Output for BarOutput {
    fn out(&mut self, text: &str) {
        if stdout::buffer(text) {
            self.write_stdout();
        }
    }

    fn err(&mut self, text: &str) {
        self.write_stdout();
        self.bar.suspended(|| {
            let _ = std::io::stderr().write_all(text.as_bytes());
        });
    }

    fn flush(&mut self) {
        self.write_stdout();
    }
}

impl Drop for BarOutput {
    fn drop(&mut self) {
        self.write_stdout();
    }
}
