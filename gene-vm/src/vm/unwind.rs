//! Running a task to a stop depth, and what a thrown value does on its way to a handler.

use super::{Exc, Vm};
use crate::value::Value;

impl Vm {
    /// Runs the current task until its frame count drops back to `stop_depth`, and gives the
    /// value of the frame that returned there. An exception no handler above `stop_depth`
    /// catches unwinds to it and is returned.
    pub(crate) fn execute(&mut self, stop_depth: usize) -> Result<Value, Exc> {
        loop {
            match self.dispatch(stop_depth) {
                Ok(v) => return Ok(v),
                Err(exc) if exc.is_signal() => return Err(exc),
                Err(exc) => self.unwind(exc, stop_depth)?,
            }
        }
    }

    /// Finds the handler for a thrown value, or unwinds to `stop_depth` and gives it back.
    pub(super) fn unwind(&mut self, mut exc: Exc, stop_depth: usize) -> Result<(), Exc> {
        if exc.trace.is_none() {
            let from_instance = match &exc.value {
                Value::Instance(i) => i.trace.borrow().clone(),
                _ => None,
            };
            let trace = from_instance.unwrap_or_else(|| self.capture_trace());
            if let Value::Instance(i) = &exc.value
                && i.class.is_exception
                && i.trace.borrow().is_none()
            {
                *i.trace.borrow_mut() = Some(trace.clone());
            }
            exc.trace = Some(trace);
        }
        if self.debug.is_some() && !exc.uncatchable {
            let caught = self
                .task
                .handlers
                .last()
                .is_some_and(|h| h.frames as usize > stop_depth);
            self.debug_exception(&exc, caught);
        }
        // Generators first: those whose frames go are done, and a loop being left closes its
        // generator before the exception goes on.
        let exc = match self.unwind_generators(exc, stop_depth) {
            super::generator::Unwinding::Proceed(exc) => exc,
            super::generator::Unwinding::Diverted(flow) => return flow,
        };
        let handler = if exc.uncatchable {
            None
        } else {
            self.task.handlers.last()
        };
        match handler {
            Some(h) if h.frames as usize > stop_depth => {
                let (frames, stack, natives, ip) = (
                    h.frames as usize,
                    h.stack as usize,
                    h.natives as usize,
                    h.ip,
                );
                self.task.handlers.pop();
                self.task.frames.truncate(frames);
                self.task.natives.truncate(natives);
                self.task.stack.truncate(stack);
                self.task.stack.push(exc.value);
                if let Some(f) = self.task.frames.last_mut() {
                    f.ip = ip;
                }
                Ok(())
            }
            _ => {
                let entry_stack = self
                    .task
                    .frames
                    .get(stop_depth)
                    .map(|f| f.base.saturating_sub(1) as usize);
                self.task.frames.truncate(stop_depth);
                self.task
                    .handlers
                    .retain(|h| (h.frames as usize) <= stop_depth);
                self.task.natives.retain(|n| n.depth <= stop_depth);
                if let Some(len) = entry_stack {
                    self.task.stack.truncate(len);
                }
                Err(exc)
            }
        }
    }
}
