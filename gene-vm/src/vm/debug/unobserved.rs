//! The `unobserved` exception filter: stop where a task fails whose future nothing will ever
//! observe, or, when something still held the future then, at the end of the program.

use std::rc::Rc;

use super::{Stop, StopReason};
use crate::value::{FutState, FutureObj};
use crate::vm::Vm;

impl Vm {
    /// The running task is about to fail with a throw nothing catches: whether its future's
    /// failure will never be observed. Its task (`meta.future`) holds the one reference left,
    /// no reaction follows it and nothing observed it.
    pub(super) fn failure_unobserved(&self) -> bool {
        self.task.meta.future.as_ref().is_some_and(|f| {
            !f.observed.get() && f.reactions.borrow().is_empty() && Rc::strong_count(f) == 1
        })
    }

    /// The program is over and `failed` holds the failed futures: with the `unobserved` filter,
    /// stop once for those nothing observed whose throw did not stop already (something still
    /// held their future then). The failing tasks are gone: the stop shows where each future
    /// was made.
    #[cold]
    pub(crate) fn debug_unobserved_at_exit(&mut self, failed: &[Rc<FutureObj>]) {
        let Some(d) = self.debug.as_deref_mut() else {
            return;
        };
        if !d.stop_on_unobserved {
            return;
        }
        let mut errors = Vec::new();
        let mut at = None;
        for f in failed {
            if f.observed.get() || d.unobserved_stops.contains(&(Rc::as_ptr(f) as usize)) {
                continue;
            }
            if let FutState::Failure(value, _) = &*f.state.borrow() {
                let origin = f.origin.as_ref();
                errors.push(format!(
                    "{} (future made at {})",
                    crate::value::display(value),
                    origin.map_or_else(|| "an unknown place".to_string(), |o| o.describe())
                ));
                if at.is_none() {
                    at = origin.map(|o| {
                        let range = o.code.proto.range_at(o.ip.saturating_sub(1) as usize);
                        let line = o.code.source.line_index.line_col(range.start()).line;
                        (o.code.source.path.clone(), line)
                    });
                }
            }
        }
        if errors.is_empty() {
            return;
        }
        let Some(mut host) = d.host.take() else {
            return;
        };
        d.end_step();
        let (path, line) = at.unwrap_or_default();
        let stop = Stop {
            reason: StopReason::Exception,
            task: self.task.meta.id,
            path,
            line,
            description: Some(format!(
                "unobserved failure at the end of the program: {}",
                errors.join("; ")
            )),
        };
        host.stopped(self, stop);
        if let Some(d) = self.debug.as_deref_mut() {
            d.host = Some(host);
        }
    }
}
