//! Generators in the VM: making one, resuming it, `yield`, returning, `for` loops over
//! generators, closing, and what an exception does to them.
//!
//! A generator runs as one ordinary frame. `.next` (or a `for` loop's step) moves its saved
//! segment ([`Segment`]) onto the running task's stack, with the generator itself in the
//! frame's callee slot, and the dispatch loop goes on in that frame. `yield` moves the segment
//! back and hands the value to whoever resumed it, as the [`Mode`] says; so does the body's
//! return (`GenReturn`). No Rust recursion per resume, and the frames of a running generator are
//! part of the task's stack: traces show them, `MAX_FRAMES` counts them, `await` inside one
//! suspends the whole task.
//!
//! An async generator's body runs in a task of its own, one request (`.next` / `.close`) at a
//! time: the request's future is the task's future, a `yield` settles it and either serves the
//! next queued request in the same task or ends the task.
//!
//! Closing: a `break` or `return` leaving a loop runs `IterClose`; an exception leaving a loop
//! is caught on its way by [`Vm::unwind_generators`], which closes the loop's generator first
//! and then lets the exception go on. Either way the generator resumes on its current
//! `yield`'s close path, which runs the `finally` blocks around that `yield`.

mod async_gen;
mod unwind;

use std::rc::Rc;

use super::native::{Flow, Resume, Step};
use super::{Exc, Handler, MAX_FRAMES, Vm};
use crate::bytecode::Op;
use crate::intern::Sym;
use crate::value::generator::{CloseThen, GenState, Mode, Segment};
use crate::value::{GeneratorObj, IterState, Map, Value};

/// What the dispatch loop does after a generator op.
pub(crate) enum GenStep {
    /// Go on with whatever frame is on top now.
    Reload,
    /// The frame count is back to the stop depth: this value is the result.
    Finish(Value),
}

/// What [`Vm::unwind_generators`] decided.
pub(crate) enum Unwinding {
    /// Unwind as usual.
    Proceed(Exc),
    /// A generator is being closed first (the exception goes on afterwards): this is what
    /// `unwind` gives.
    Diverted(Result<(), Exc>),
}

/// `.next` / `.close` through `call_at`: the step map is the call's value.
struct StepResult;

impl Resume for StepResult {
    fn resume(&mut self, _vm: &mut Vm, result: Value) -> Result<Step, Exc> {
        Ok(Step::Return(result))
    }
}

/// `{^value v ^done false}` or, when done, `{^done true}`.
pub(crate) fn step_map(value: Option<Value>) -> Value {
    let mut map = Map::default();
    match value {
        Some(v) => {
            map.insert(Sym::new("value"), v);
            map.insert(Sym::new("done"), Value::Bool(false));
        }
        None => {
            map.insert(Sym::new("done"), Value::Bool(true));
        }
    }
    Value::map(map)
}

/// Whether `v` is a `for` iterator whose steps run out of line: over a generator, or over an
/// async iterator (the dispatch loop asks on every step of a loop over a generator, so no
/// reference is taken).
pub(crate) fn steps_out_of_line(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Iter(state)) => state
            .try_borrow()
            .is_ok_and(|s| matches!(*s, IterState::Generator(_) | IterState::Async(_))),
        _ => false,
    }
}

/// The object a `for await` iterator steps through with `.next`, if it is one.
fn iter_async_target(v: Option<&Value>) -> Option<Value> {
    match v? {
        Value::Iter(state) => match &*state.try_borrow().ok()? {
            IterState::Async(target) => Some(target.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// The generator a `for` iterator steps through, if it is one.
pub(crate) fn iter_generator(v: Option<&Value>) -> Option<Rc<GeneratorObj>> {
    match v? {
        Value::Iter(state) => match &*state.try_borrow().ok()? {
            IterState::Generator(g) => Some(g.clone()),
            _ => None,
        },
        _ => None,
    }
}

impl Vm {
    /// Runs a generator op (and `IterNext` on a generator). The frame's ip is saved.
    pub(crate) fn generator_op(&mut self, op: Op, stop_depth: usize) -> Result<GenStep, Exc> {
        match op {
            Op::MakeGenerator(flags) => {
                self.make_generator(flags & 1 != 0)?;
                Ok(GenStep::Reload)
            }
            Op::Yield(over) => self.gen_yield(over, stop_depth),
            Op::GenReturn => self.gen_return(stop_depth),
            Op::IterNext(exit) => self.iter_step_generator(exit, 0),
            Op::IterNextAsync(exit) => self.iter_next_async(exit),
            Op::IterUnwrap(exit) => self.iter_unwrap(exit),
            Op::IterClose(below, awaits) => self.iter_close(below as usize, awaits != 0),
            _ => Err(self.type_error("internal error: not a generator op")),
        }
    }

    /// The running frame (a generator function's, its parameters bound) becomes a suspended
    /// generator, pushed on the stack for the `Return` that follows.
    fn make_generator(&mut self, is_async: bool) -> Result<(), Exc> {
        let Some(frame) = self.task.frames.last() else {
            return Err(self.type_error("internal error: no frame for a generator"));
        };
        let closure = frame.closure.clone();
        let base = (frame.base as usize).min(self.task.stack.len());
        let saved = super::Frame {
            closure: closure.clone(),
            // The body starts after the `Return` that follows this op.
            ip: frame.ip + 1,
            base: 1,
            self_val: frame.self_val.clone(),
            home: frame.home.clone(),
            is_ctor: false,
        };
        let slots = self.task.stack.split_off(base);
        let mut stack = Vec::with_capacity(slots.len() + 8);
        stack.push(Value::Nil);
        stack.extend(slots);
        let g = GeneratorObj::new(closure, is_async, Segment::new(saved, stack));
        self.task.stack.push(Value::Generator(g));
        Ok(())
    }

    /// The generator whose frame is on top (its callee slot holds it).
    fn running_generator(&self) -> Result<Rc<GeneratorObj>, Exc> {
        let g = self.task.frames.last().and_then(|f| {
            match self.task.stack.get((f.base as usize).checked_sub(1)?) {
                Some(Value::Generator(g)) => Some(g.clone()),
                _ => None,
            }
        });
        g.ok_or_else(|| self.type_error("internal error: yield outside a generator frame"))
    }

    /// Moves a suspended generator's segment onto the running task, its callee slot at `pos`
    /// (the stack is cut to `pos` first), to run in `mode`; `sent` is the value of the `yield`
    /// it stopped at.
    fn resume_here(
        &mut self,
        g: &Rc<GeneratorObj>,
        pos: usize,
        sent: Value,
        mode: Mode,
    ) -> Result<(), Exc> {
        if self.task.frames.len() >= MAX_FRAMES {
            return Err(self.error(
                "StackOverflow",
                format!(
                    "stack overflow: more than {MAX_FRAMES} nested calls (resuming {})",
                    g.name()
                ),
            ));
        }
        let mut seg = match std::mem::replace(&mut *g.state.borrow_mut(), GenState::Done) {
            GenState::Suspended(seg) => seg,
            other => {
                *g.state.borrow_mut() = other;
                return Err(
                    self.type_error("internal error: resuming a generator that is not suspended")
                );
            }
        };
        let Some(mut frame) = seg.frame.take() else {
            return Err(self.type_error("internal error: a generator without its frame"));
        };
        let closing = matches!(mode, Mode::Close(_));
        if seg.started {
            frame.ip = if closing { seg.close_ip } else { seg.resume_ip };
        }
        frame.base = (pos + 1) as u32;
        self.task.stack.truncate(pos);
        if let Some(slot) = seg.stack.first_mut() {
            *slot = Value::Generator(g.clone());
        }
        self.task.stack.append(&mut seg.stack);
        if seg.started && !closing {
            self.task.stack.push(sent);
        }
        let natives_base = self.task.natives.len() as u32;
        let frames = (self.task.frames.len() + 1) as u32;
        for h in seg.handlers.drain(..) {
            self.task.handlers.push(Handler {
                frames,
                stack: pos as u32 + h.stack,
                natives: natives_base + h.natives,
                ip: h.ip,
            });
        }
        self.task.frames.push(frame);
        *g.state.borrow_mut() = GenState::Running {
            mode,
            shell: seg,
            natives_base,
        };
        Ok(())
    }

    /// The generator frame on top stops at a `yield` (its value already popped): its segment
    /// goes back into the generator. Gives the mode it ran in.
    fn suspend_top(&mut self, g: &GeneratorObj, over: u32) -> Result<Mode, Exc> {
        let (mode, mut shell, natives_base) =
            match std::mem::replace(&mut *g.state.borrow_mut(), GenState::Done) {
                GenState::Running {
                    mode,
                    shell,
                    natives_base,
                } => (mode, shell, natives_base),
                other => {
                    *g.state.borrow_mut() = other;
                    return Err(self.type_error("internal error: yield in a generator not running"));
                }
            };
        let Some(mut frame) = self.task.frames.pop() else {
            return Err(self.type_error("internal error: no generator frame"));
        };
        let depth = self.task.frames.len();
        let start = (frame.base as usize).saturating_sub(1);
        let mut handlers = Vec::new();
        while self
            .task
            .handlers
            .last()
            .is_some_and(|h| h.frames as usize > depth)
        {
            handlers.extend(self.task.handlers.pop());
        }
        for h in handlers.into_iter().rev() {
            shell.handlers.push(Handler {
                frames: 0,
                stack: h.stack.saturating_sub(start as u32),
                natives: h.natives.saturating_sub(natives_base),
                ip: h.ip,
            });
        }
        self.task.natives.truncate(natives_base as usize);
        crate::vm::stack::move_tail(&mut self.task.stack, start, &mut shell.stack);
        if let Some(slot) = shell.stack.first_mut() {
            // The generator does not keep itself alive.
            *slot = Value::Nil;
        }
        shell.started = true;
        shell.resume_ip = over;
        shell.close_ip = frame.ip;
        frame.ip = over;
        shell.frame = Some(frame);
        *g.state.borrow_mut() = GenState::Suspended(shell);
        Ok(mode)
    }

    /// The generator frame on top is done: it goes, and so do its handlers and stack.
    fn finish_top(&mut self, g: &GeneratorObj) -> Mode {
        let mode = match std::mem::replace(&mut *g.state.borrow_mut(), GenState::Done) {
            GenState::Running { mode, .. } => mode,
            _ => Mode::Next,
        };
        if let Some(frame) = self.task.frames.pop() {
            self.pop_handlers_above(self.task.frames.len());
            self.task
                .stack
                .truncate((frame.base as usize).saturating_sub(1));
        }
        mode
    }

    /// Back in the frame that resumed the generator: `value` (if any) is what it gets, and a
    /// native waiting at this depth goes on, as after a `Return`.
    fn deliver(&mut self, value: Option<Value>, stop_depth: usize) -> Result<GenStep, Exc> {
        let depth = self.task.frames.len();
        let pushed = value.is_some();
        if let Some(v) = value {
            self.task.stack.push(v);
        }
        if self.task.natives.last().is_some_and(|n| n.depth == depth) {
            self.continue_natives()?;
            if self.task.frames.len() > depth {
                return Ok(GenStep::Reload);
            }
        }
        if pushed && depth <= stop_depth {
            return Ok(GenStep::Finish(self.task.stack.pop().unwrap_or_default()));
        }
        Ok(GenStep::Reload)
    }

    /// Moves the resuming frame's ip on (`for await` skipping its await, a loop's exit).
    fn caller_jump(&mut self, ip: impl FnOnce(u32) -> u32) {
        if let Some(f) = self.task.frames.last_mut() {
            f.ip = ip(f.ip);
        }
    }

    fn gen_yield(&mut self, over: u32, stop_depth: usize) -> Result<GenStep, Exc> {
        let value = self.task.stack.pop().unwrap_or_default();
        let g = self.running_generator()?;
        if matches!(
            &*g.state.borrow(),
            GenState::Running {
                mode: Mode::Task,
                ..
            }
        ) {
            return self.async_yield(&g, value, over);
        }
        match self.suspend_top(&g, over)? {
            Mode::Next | Mode::Close(CloseThen::Result) => {
                self.deliver(Some(step_map(Some(value))), stop_depth)
            }
            Mode::Iter { skip_plain, .. } => {
                let plain = !matches!(value, Value::Future(_));
                self.task.stack.push(value);
                if plain {
                    self.caller_jump(|ip| ip + skip_plain);
                }
                self.deliver(None, stop_depth)
            }
            Mode::Close(CloseThen::Continue { skip }) => {
                self.caller_jump(|ip| ip + skip);
                self.deliver(None, stop_depth)
            }
            Mode::Close(CloseThen::Rethrow(e)) => Err(*e),
            Mode::Task => Err(self.type_error("internal error: generator mode")),
        }
    }

    fn gen_return(&mut self, stop_depth: usize) -> Result<GenStep, Exc> {
        self.task.stack.pop();
        let g = self.running_generator()?;
        match self.finish_top(&g) {
            Mode::Next | Mode::Close(CloseThen::Result) => {
                self.deliver(Some(step_map(None)), stop_depth)
            }
            Mode::Iter { exit, .. } => {
                // The loop is over: its iterator goes too.
                self.task.stack.pop();
                self.caller_jump(|_| exit);
                self.deliver(None, stop_depth)
            }
            Mode::Close(CloseThen::Continue { skip }) => {
                self.caller_jump(|ip| ip + skip);
                self.deliver(None, stop_depth)
            }
            Mode::Close(CloseThen::Rethrow(e)) => Err(*e),
            Mode::Task => {
                if let Some(f) = self.task.meta.future.take() {
                    self.task_settles(f, Ok(step_map(None)));
                }
                self.flush_requests(&g);
                Ok(GenStep::Finish(Value::Nil))
            }
        }
    }

    // ---- for loops ----------------------------------------------------------------------

    /// A `for` step over a generator (the iterator on top): resume it, or end the loop.
    /// `skip_plain` is 2 in a `for await` loop (see [`Mode::Iter`]).
    fn iter_step_generator(&mut self, exit: u32, skip_plain: u32) -> Result<GenStep, Exc> {
        if let Some(target) = iter_async_target(self.task.stack.last()) {
            return Err(self.type_error(format!(
                "{} is iterated asynchronously: use (for await x in ...) in async code or at top level",
                crate::value::display(&target)
            )));
        }
        let Some(g) = iter_generator(self.task.stack.last()) else {
            return Err(self.type_error("internal error: not a generator iterator"));
        };
        if g.is_async && skip_plain == 0 {
            return Err(self.type_error(format!(
                "{} is an async generator: iterate it with (for await x in ...) in async code or at top level",
                crate::value::display(&Value::Generator(g.clone()))
            )));
        }
        if g.is_done() {
            self.task.stack.pop();
            self.caller_jump(|_| exit);
            return Ok(GenStep::Reload);
        }
        if g.is_running() {
            return Err(already_running(self, &g));
        }
        let pos = self.task.stack.len();
        self.resume_here(&g, pos, Value::Nil, Mode::Iter { exit, skip_plain })?;
        Ok(GenStep::Reload)
    }

    /// `for await`'s step: an element (a plain value skips the await), a sync generator's
    /// next value, or the future of an async generator's next step.
    fn iter_next_async(&mut self, exit: u32) -> Result<GenStep, Exc> {
        if let Some(target) = iter_async_target(self.task.stack.last()) {
            // The async-iteration protocol: `(target .next)` gives the future of a step, which
            // the loop's `Await` and `IterUnwrap` take as an async generator's.
            let pos = self.task.stack.len();
            self.task.stack.push(target);
            self.call_method(Sym::new("next"), pos, 0, None)?;
            return Ok(GenStep::Reload);
        }
        if let Some(g) = iter_generator(self.task.stack.last()) {
            if !g.is_async {
                return self.iter_step_generator(exit, 2);
            }
            let f = self.async_request(&g, false, Value::Nil);
            self.task.stack.push(Value::Future(f));
            return Ok(GenStep::Reload);
        }
        let next = match self.task.stack.last() {
            Some(Value::Iter(state)) => super::ops::iter_next(&mut state.borrow_mut()),
            _ => None,
        };
        match next {
            Some(v) => {
                let plain = !matches!(v, Value::Future(_));
                self.task.stack.push(v);
                if plain {
                    self.caller_jump(|ip| ip + 2);
                }
            }
            None => {
                self.task.stack.pop();
                self.caller_jump(|_| exit);
            }
        }
        Ok(GenStep::Reload)
    }

    /// `for await`: an async generator's (or an async iterator's) step map becomes the element, or
    /// ends the loop.
    fn iter_unwrap(&mut self, exit: u32) -> Result<GenStep, Exc> {
        let len = self.task.stack.len();
        let iter = len.checked_sub(2).and_then(|i| self.task.stack.get(i));
        let steps =
            iter_generator(iter).is_some_and(|g| g.is_async) || iter_async_target(iter).is_some();
        if !steps {
            return Ok(GenStep::Reload);
        }
        let step = self.task.stack.pop().unwrap_or_default();
        let (value, done) = match &step {
            Value::Map(m) => {
                let m = m.borrow();
                (
                    m.get(&Sym::new("value")).cloned().unwrap_or_default(),
                    m.get(&Sym::new("done")).is_some_and(Value::truthy),
                )
            }
            _ => (Value::Nil, true),
        };
        if done {
            self.task.stack.pop();
            self.caller_jump(|_| exit);
        } else {
            self.task.stack.push(value);
        }
        Ok(GenStep::Reload)
    }

    /// `IterClose`: a loop is left early; its generator (if any) is closed.
    fn iter_close(&mut self, below: usize, awaits: bool) -> Result<GenStep, Exc> {
        let skip = if awaits { 2 } else { 0 };
        let at = self.task.stack.len().checked_sub(below + 1);
        let Some(g) = at.and_then(|i| take_iter_generator(self.task.stack.get(i))) else {
            self.caller_jump(|ip| ip + skip);
            return Ok(GenStep::Reload);
        };
        if g.is_async && awaits {
            let f = self.async_request(&g, true, Value::Nil);
            self.task.stack.push(Value::Future(f));
            return Ok(GenStep::Reload);
        }
        if self.close_unstarted(&g) {
            let pos = self.task.stack.len();
            let mode = Mode::Close(CloseThen::Continue { skip });
            self.resume_here(&g, pos, Value::Nil, mode)?;
        } else {
            self.caller_jump(|ip| ip + skip);
        }
        Ok(GenStep::Reload)
    }

    /// Before closing: a generator that never started is done at once (it has no clean-up to
    /// run). True when it is suspended at a `yield`, so closing it has to run its close path.
    fn close_unstarted(&self, g: &GeneratorObj) -> bool {
        let mut state = g.state.borrow_mut();
        match &*state {
            GenState::Suspended(seg) if seg.started => true,
            GenState::Suspended(_) => {
                *state = GenState::Done;
                false
            }
            _ => false,
        }
    }

    /// Whether `v` follows the async-iteration protocol: an object with a `.next` method
    /// (a builtin one for its type, or one its class defines) giving the future of a step map,
    /// as an async generator's does.
    pub(crate) fn is_async_iterator(&self, v: &Value) -> bool {
        let next = Sym::new("next");
        match v {
            Value::Host(h) => self.methods.contains_key(&(h.type_name(), next)),
            Value::Instance(i) => i.class.find_method(next).is_some(),
            _ => false,
        }
    }

    // ---- .next and .close -----------------------------------------------------------------

    /// `call_at` on a generator armed by `.next` / `.close`: resume it with the arguments
    /// (`stack[pos+1]` is the sent value).
    pub(crate) fn call_generator(
        &mut self,
        g: Rc<GeneratorObj>,
        pos: usize,
        argc: usize,
    ) -> Result<(), Exc> {
        let Some(mode) = g.armed.borrow_mut().take() else {
            return Err(self.type_error("a generator is not callable: use (g .next)"));
        };
        let sent = if argc > 0 {
            self.task.stack.get(pos + 1).cloned().unwrap_or_default()
        } else {
            Value::Nil
        };
        self.resume_here(&g, pos, sent, mode)
    }

    /// `(g .next [v])` on a generator.
    pub(crate) fn generator_next(&mut self, g: Rc<GeneratorObj>, sent: Value) -> Result<Flow, Exc> {
        if g.is_async {
            return Ok(Flow::Return(self.async_call(&g, false, sent)));
        }
        if g.is_done() {
            return Ok(Flow::Return(step_map(None)));
        }
        if g.is_running() {
            return Err(already_running(self, &g));
        }
        *g.armed.borrow_mut() = Some(Mode::Next);
        Ok(Flow::call(StepResult, Value::Generator(g), vec![sent]))
    }

    /// `(g .close)`: runs the `finally` blocks around the `yield` it stopped at.
    pub(crate) fn generator_close(&mut self, g: Rc<GeneratorObj>) -> Result<Flow, Exc> {
        if g.is_async {
            return Ok(Flow::Return(self.async_call(&g, true, Value::Nil)));
        }
        if g.is_running() {
            return Err(already_running(self, &g));
        }
        if !self.close_unstarted(&g) {
            return Ok(Flow::Return(step_map(None)));
        }
        *g.armed.borrow_mut() = Some(Mode::Close(CloseThen::Result));
        Ok(Flow::call(StepResult, Value::Generator(g), Vec::new()))
    }
}

/// The generator of the `for` iterator `v`, taking it out of the iterator (which then counts
/// as exhausted: a loop closes its generator once).
fn take_iter_generator(v: Option<&Value>) -> Option<Rc<GeneratorObj>> {
    let Value::Iter(state) = v? else {
        return None;
    };
    let mut state = state.try_borrow_mut().ok()?;
    if !matches!(&*state, IterState::Generator(_)) {
        return None;
    }
    match std::mem::replace(
        &mut *state,
        IterState::Values {
            items: Vec::new(),
            next: 0,
        },
    ) {
        IterState::Generator(g) => Some(g),
        _ => None,
    }
}

fn already_running(vm: &Vm, g: &GeneratorObj) -> Exc {
    vm.type_error(format!(
        "generator {} is already running (a generator cannot resume itself)",
        g.name()
    ))
}
