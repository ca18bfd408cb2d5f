//! What the dispatch loop does around frames off its fast paths: the general return (handlers,
//! stop depth, waiting natives, constructors), self tail calls, call ops that work on the top
//! of the stack, macro calls from a call head. All of these work on the task's value stack as
//! a `Vec` (the loop's registers are flushed around them).

use std::rc::Rc;

use super::args::props_map;
use super::code::{BuiltinKind, Code};
use super::stack::{discard, dup, is_scalar, truncate_values};
use super::{Exc, Frame, Vm};
use crate::bytecode::Op;
use crate::intern::Sym;
use crate::value::{Class, Closure, FuncKind, Value};

/// What the dispatch loop keeps of the running frame: its closure (a pointer, see `exec.rs`),
/// the position of its next op and its base.
pub(super) type FrameState = (*const Closure, usize, usize);

/// Drops a frame's self and method home in place (a method's frame, or a block's inside a
/// method), before the frame is given up.
///
/// # Safety
/// The frame must not be read or dropped afterwards (its length is cut right after).
#[inline(never)]
unsafe fn drop_self_and_home(frame: &mut Frame) {
    // SAFETY: see the function's contract.
    unsafe {
        std::ptr::drop_in_place(&mut frame.self_val);
        std::ptr::drop_in_place(&mut frame.home);
    }
}

/// Takes the callee out of its stack slot when it is a function a call with `argc` arguments
/// only has to push a frame for (see `Code::direct`).
#[inline(always)]
pub(super) fn take_direct(slot: &mut Value, argc: usize) -> Option<Rc<Closure>> {
    match slot {
        Value::Func(f) if f.code.direct && f.code.nparams as usize == argc => {
            // SAFETY: the `Rc` is moved out and the slot overwritten with a nil without dropping
            // the old value, so it is owned once. Only the pointer is read (not the whole value):
            // the slot was usually just written by `LoadCallee` in two stores, and a wide load of
            // it would stall.
            let f = unsafe { std::ptr::read(f) };
            unsafe { std::ptr::write(slot, Value::Nil) };
            Some(f)
        }
        _ => None,
    }
}

impl Vm {
    /// The running frame's closure (as a pointer, see [`Vm::dispatch`]), ip and base.
    pub(super) fn frame_state(&self) -> Option<FrameState> {
        let f = self.task.frames.last()?;
        Some((Rc::as_ptr(&f.closure), f.ip as usize, f.base as usize))
    }

    /// Pops the running frame when it can return inline: not a constructor, returning to a
    /// Gene caller above `stop_depth`, with no handler of its own left and no native waiting for
    /// it. Its self and method home are dropped here; gives its closure (to drop once its
    /// slots are gone) and the caller's state (closure, ip, base). (The other returns take
    /// [`Vm::return_from_frame`]: kept apart, the checks here stay few.)
    #[inline(always)]
    pub(super) fn pop_inline_frame(
        &mut self,
        stop_depth: usize,
    ) -> Option<(Rc<Closure>, FrameState)> {
        let frames = &mut self.task.frames;
        let depth = frames.len().checked_sub(1)?;
        let [.., caller, frame] = frames.as_mut_slice() else {
            return None;
        };
        let inline = depth > stop_depth
            && !frame.is_ctor
            && self
                .task
                .handlers
                .last()
                .is_none_or(|h| h.frames as usize <= depth)
            && self.task.natives.last().is_none_or(|n| n.depth != depth);
        if !inline {
            return None;
        }
        let caller = (
            Rc::as_ptr(&caller.closure),
            caller.ip as usize,
            caller.base as usize,
        );
        // SAFETY: the closure is moved out once, the other owned fields are dropped in place,
        // and the frame is then given up without being read again (its length is cut), so each
        // is owned once. The checks read only the tag and the pointer (nothing to drop for a
        // plain function's frame).
        let returned = unsafe {
            let closure = std::ptr::read(&frame.closure);
            if frame.home.is_some() || !is_scalar(&frame.self_val) {
                drop_self_and_home(frame);
            }
            frames.set_len(depth);
            closure
        };
        Some((returned, caller))
    }

    /// Pushes the frame of a plain call of `closure` with its slots at `base`; the caller goes
    /// on at `caller_ip` when it returns.
    #[inline(always)]
    pub(super) fn push_frame(&mut self, caller_ip: usize, closure: Rc<Closure>, base: usize) {
        // Most functions have no self: its copy is left out of the frame's first write (a
        // copied value would go through memory, see `push_frame_with`).
        let self_val = match &closure.self_val {
            Value::Nil => None,
            v => Some(dup(v)),
        };
        self.push_frame_with(caller_ip, closure, base, self_val, None);
    }

    /// Pushes the frame of a call of `closure` with its slots at `base`, its self (nil when
    /// `None`) and its method home; the caller goes on at `caller_ip` when it returns.
    #[inline(always)]
    pub(super) fn push_frame_with(
        &mut self,
        caller_ip: usize,
        closure: Rc<Closure>,
        base: usize,
        self_val: Option<Value>,
        home: Option<Rc<Class>>,
    ) {
        let frames = &mut self.task.frames;
        if let Some(caller) = frames.last_mut() {
            caller.ip = caller_ip as u32;
        }
        // Room first, then the frame written in place: a frame built before the (rare) call
        // that grows the `Vec` would be built in memory and copied from there in wide loads,
        // which stall on the narrow stores that just built it.
        if frames.len() == frames.capacity() {
            frames.reserve(1);
        }
        let len = frames.len();
        // SAFETY: there is room for one more frame (reserved above); it is initialized before
        // the length covers it.
        unsafe {
            let frame = frames.as_mut_ptr().add(len);
            frame.write(Frame {
                closure,
                ip: 0,
                base: base as u32,
                self_val: Value::Nil,
                home,
                is_ctor: false,
            });
            if let Some(v) = self_val {
                (*frame).self_val = v;
            }
            frames.set_len(len + 1);
        }
    }

    /// Leaves the running frame with `result`, the general way: constructors give self, the
    /// handlers of the frame go, and a native waiting for this call resumes. Gives the value
    /// the dispatch loop stops with (no frame left, or back at `stop_depth`), else `None`: go on
    /// in the frame now on top.
    pub(super) fn return_from_frame(
        &mut self,
        result: Value,
        stop_depth: usize,
    ) -> Result<Option<Value>, Exc> {
        let Some(frame) = self.task.frames.pop() else {
            return Ok(Some(result));
        };
        let result = if frame.is_ctor {
            discard(result);
            frame.self_val
        } else {
            result
        };
        // The frame's slots and the callee slot below them.
        truncate_values(
            &mut self.task.stack,
            (frame.base as usize).saturating_sub(1),
        );
        let depth = self.task.frames.len();
        self.pop_handlers_above(depth);
        if depth <= stop_depth {
            return Ok(Some(result));
        }
        self.task.stack.push(result);
        if self.task.natives.last().is_some_and(|n| n.depth == depth) {
            // An error or a task switch in the native leaves the caller at its own position
            // (saved when it made the call), not at the returned frame's.
            self.continue_natives()?;
        }
        Ok(None)
    }

    /// Drops the handlers of frames above the first `depth` (frames that are gone).
    pub(super) fn pop_handlers_above(&mut self, depth: usize) {
        while self
            .task
            .handlers
            .last()
            .is_some_and(|h| h.frames as usize > depth)
        {
            self.task.handlers.pop();
        }
    }

    /// `TailCall` when the callee at `pos` is the running function (not a constructor): the
    /// arguments move down into the frame's first slots (`pos` is above the slots), the rest of
    /// the frame goes, and the caller restarts the body. False when it is another call.
    pub(super) fn restart_frame(
        &mut self,
        closure: &Closure,
        base: usize,
        pos: usize,
        argc: usize,
    ) -> bool {
        let same = matches!(self.task.stack.get(pos), Some(Value::Func(f)) if std::ptr::eq(Rc::as_ptr(f), closure))
            && self.task.frames.last().is_some_and(|f| !f.is_ctor)
            && pos >= base;
        if !same {
            return false;
        }
        for i in 0..argc {
            self.task.stack.swap(base + i, pos + 1 + i);
        }
        self.task.stack.truncate(base + argc);
        super::sched::bind_params(&mut self.task.stack, closure, base, argc, None);
        true
    }

    /// The position of the callee of a call with `argc` arguments on top of the stack.
    fn callee_pos(&self, argc: usize) -> Result<usize, Exc> {
        self.task
            .stack
            .len()
            .checked_sub(argc + 1)
            .ok_or_else(|| self.type_error("internal error: call without a callee"))
    }

    /// `[callee args...]`
    pub(super) fn op_call(&mut self, argc: usize) -> Result<(), Exc> {
        let pos = self.callee_pos(argc)?;
        self.call_at(pos, argc, None)
    }

    /// `[callee args-array props-or-nil]`
    pub(super) fn op_call_complex(&mut self) -> Result<(), Exc> {
        let (pos, argc, props) = self.spread_call_args()?;
        self.call_at(pos, argc, props_map(props))
    }

    /// `[receiver args...]` of `CallMethod` `n` in `code`, off the dispatch loop's inline path: a
    /// builtin method of a string, array, map or number is found through the call site's cache
    /// and called without the general lookup.
    #[inline(never)]
    pub(super) fn op_call_method_cached(
        &mut self,
        code: &Code,
        n: u32,
        argc: usize,
    ) -> Result<(), Exc> {
        let pos = self.callee_pos(argc)?;
        let builtin = self.task.stack.get(pos).and_then(|receiver| {
            let kind = BuiltinKind::of(receiver)?;
            code.builtin_method(n, kind, |name| self.find_native_method(receiver, name))
        });
        match builtin {
            Some(native) => self.call_native(native, pos, pos, None),
            None => self.call_method(code.name(n), pos, argc, None),
        }
    }

    /// `[receiver args-array props-or-nil]`
    pub(super) fn op_call_method_complex(&mut self, name: Sym) -> Result<(), Exc> {
        let (pos, argc, props) = self.spread_call_args()?;
        self.call_method(name, pos, argc, props_map(props))
    }

    /// `[class args...]`
    pub(super) fn op_new(&mut self, argc: usize) -> Result<(), Exc> {
        let pos = self.callee_pos(argc)?;
        self.new_instance(pos, argc, None)
    }

    /// `[class args-array props-or-nil]`
    pub(super) fn op_new_complex(&mut self) -> Result<(), Exc> {
        let (pos, argc, props) = self.spread_call_args()?;
        self.new_instance(pos, argc, props_map(props))
    }

    /// Pops the args array and props of a spread call and pushes the args: (callee position,
    /// argument count, props).
    fn spread_call_args(&mut self) -> Result<(usize, usize, Value), Exc> {
        let props = self.task.stack.pop().unwrap_or_default();
        let args = self.task.stack.pop().unwrap_or_default();
        let pos = self.callee_pos(0)?;
        let argc = self.push_arg_array(&args)?;
        Ok((pos, argc, props))
    }

    /// `LoadCallee` off the cache's fast path: a macro is called with its arguments as data
    /// (the caller goes on at the macro call's resume point); anything else is pushed, and the
    /// caller skips the `MacroArgs` at `macro_args`.
    pub(super) fn load_callee(
        &mut self,
        closure: &Closure,
        code: &Code,
        n: u32,
        macro_args: usize,
    ) -> Result<(), Exc> {
        match self.lookup_cached(code, n, &closure.ns) {
            Some(Value::Func(f)) if f.kind == FuncKind::Macro => {
                let c = match code.op(macro_args) {
                    Some(Op::MacroArgs(c)) => c,
                    _ => {
                        return Err(self.type_error("internal error: macro call without arguments"));
                    }
                };
                self.call_macro(f, c)
            }
            Some(v) => {
                self.task.stack.push(v);
                Ok(())
            }
            None => Err(self.name_error(code, n)),
        }
    }

    /// `CheckMacro`: when the callee on top is a macro, calls it with the arguments of
    /// `Const::MacroCall` `c` as data.
    pub(super) fn check_macro(&mut self, c: u32) -> Result<(), Exc> {
        if let Some(Value::Func(f)) = self.task.stack.last()
            && f.kind == FuncKind::Macro
        {
            let f = f.clone();
            self.task.stack.pop();
            return self.call_macro(f, c);
        }
        Ok(())
    }

    pub(super) fn name_error(&self, code: &Code, n: u32) -> Exc {
        self.error("NameError", format!("{} is not defined", code.name(n)))
    }
}
