//! `gene run --warn-slow MS`: a warning on stderr when a task runs more than MS milliseconds
//! without reaching an `await` (or being preempted), since every other task waits meanwhile.
//! The scheduler notes when each turn of a task begins; the dispatch loop's checkpoint (every
//! `preempt_interval` calls and loop iterations) compares, so the loop itself does no work for
//! it. One warning per turn, naming the task and the line it was at when noticed.

use std::time::{Duration, Instant};

use super::Vm;

pub(crate) struct SlowWatch {
    limit: Duration,
    /// When the running task's turn began.
    started: Instant,
    /// This turn was reported already.
    warned: bool,
}

impl SlowWatch {
    /// A task starts (or resumes) running.
    pub fn start(&mut self) {
        self.started = Instant::now();
        self.warned = false;
    }
}

impl Vm {
    /// Warns about tasks that run longer than `ms` milliseconds at a time.
    pub fn warn_slow_tasks(&mut self, ms: u64) {
        self.slow = Some(Box::new(SlowWatch {
            limit: Duration::from_millis(ms),
            started: Instant::now(),
            warned: false,
        }));
    }

    /// At a checkpoint: the running task has had its turn for too long.
    #[cold]
    pub(super) fn check_slow(&mut self) {
        let Some(watch) = self.slow.as_deref_mut() else {
            return;
        };
        let ran = watch.started.elapsed();
        if watch.warned || ran < watch.limit {
            return;
        }
        watch.warned = true;
        let limit = watch.limit.as_millis();
        let info = self.task_info(&self.task, super::TaskState::Running, 0);
        let at = info
            .site
            .as_ref()
            .map(|s| format!(" (now at {s})"))
            .unwrap_or_default();
        let text = format!(
            "gene: warning: task {} {} has run {:.3}s without reaching an await, longer than --warn-slow {limit} ms; every other task waits meanwhile{at}\n",
            info.id,
            info.name,
            ran.as_secs_f64(),
        );
        self.services.out.err(&text);
    }
}
