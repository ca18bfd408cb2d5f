//! `gene run` and termination signals (Ctrl-C's SIGINT, a `kill`'s SIGTERM, a closed
//! terminal's SIGHUP). Without this, a signal would end the process at once and drop whatever
//! the program had printed into the stdout buffer.
//!
//! The first signal asks the VM to stop (its interrupt flag: the running evaluation ends at its
//! next checkpoint, open database transactions are rolled back, stdout is flushed), and then
//! the process dies of that signal, so its parent (a shell, `timeout`, a supervisor) sees how it
//! ended. If the VM does not stop within [`GRACE`] (stuck in a blocking read, say) or a second
//! signal comes, stdout is flushed from the watching thread and the process dies anyway.

use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

use gene_vm::output::stdout;
use gene_vm::reactor::Interrupt;

/// How long the program has to stop by itself after a signal.
const GRACE: Duration = Duration::from_secs(2);

/// Watches the termination signals for one run.
pub struct SignalStop {
    /// The first signal received (0 while none).
    received: Arc<AtomicI32>,
}

impl SignalStop {
    /// Starts watching; the first signal sets `interrupt`. Without the means to watch (no
    /// thread, a refused handler) signals keep their default action.
    #[cfg(unix)]
    pub fn install(interrupt: Arc<Interrupt>) -> SignalStop {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let received = Arc::new(AtomicI32::new(0));
        if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) {
            let first = received.clone();
            let _ = std::thread::Builder::new()
                .name("gene-signals".into())
                .spawn(move || {
                    let Some(signal) = signals.forever().next() else {
                        return;
                    };
                    first.store(signal, Ordering::SeqCst);
                    interrupt.store(true, Ordering::SeqCst);
                    let deadline = Instant::now() + GRACE;
                    while Instant::now() < deadline {
                        if let Some(again) = signals.pending().next() {
                            die_of(again);
                        }
                        std::thread::sleep(Duration::from_millis(20));
                    }
                    die_of(signal);
                });
        }
        SignalStop { received }
    }
}

/// SIGQUIT (Ctrl-\ in a terminal) asks the VM for its task tree, printed on stderr; the
/// program goes on. Watched for the whole run on a thread of its own.
#[cfg(unix)]
pub fn dump_tasks_on_sigquit(interrupt: Arc<Interrupt>) {
    use signal_hook::consts::SIGQUIT;
    if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGQUIT]) {
        let _ = std::thread::Builder::new()
            .name("gene-sigquit".into())
            .spawn(move || {
                for _ in signals.forever() {
                    interrupt.request_dump();
                }
            });
    }
}

#[cfg(not(unix))]
pub fn dump_tasks_on_sigquit(_interrupt: Arc<Interrupt>) {}

impl SignalStop {
    #[cfg(not(unix))]
    pub fn install(_interrupt: Arc<Interrupt>) -> SignalStop {
        SignalStop {
            received: Arc::new(AtomicI32::new(0)),
        }
    }

    /// The signal that stopped the program, if one did.
    pub fn received(&self) -> Option<i32> {
        match self.received.load(Ordering::SeqCst) {
            0 => None,
            signal => Some(signal),
        }
    }
}

/// Flushes stdout and ends the process by `signal`'s default action (as if nothing had caught
/// it).
pub fn die_of(signal: i32) -> ! {
    stdout::flush_within(Duration::from_millis(500));
    #[cfg(unix)]
    let _ = signal_hook::low_level::emulate_default_handler(signal);
    // Only if the signal could not end the process: the shell's convention for it.
    std::process::exit(128 + signal)
}
