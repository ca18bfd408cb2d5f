//! The dispatch loop.
//!
//! The running frame's closure is held as a raw pointer instead of an `Rc` clone, so calls and
//! returns do no reference counting for it; its code is read through it. It is valid while that
//! frame is on the frame stack: the frame owns an `Rc<Closure>`, which owns its `Rc<Code>`.
//! Every frame change reloads it (`reload!`, or the inline call and return paths).
//!
//! The hot ops run inline and work on the value stack through registers ([`StackRegs`]). The
//! others, and the slow paths of the hot ones, run out of line ([`Vm::cold_op`] in
//! `exec_cold.rs`) on the `Vec`: the loop stores its registers before (`flush!`) and loads
//! them after (`refresh!`). Keeping them out of this function keeps its state in registers.

use std::rc::Rc;

use super::cursor::Cursor;
use super::exec_cold::{Ctx, Flow};
use super::frames::take_direct;
use super::generator::steps_out_of_line;
use super::members::{read_member, write_member};
use super::stack::{StackRegs, discard, dup, is_scalar, overwrite, read_fresh};
use super::{Exc, MAX_FRAMES, Vm};
use crate::bytecode::Op;
use crate::value::{Value, quick_equal, values_equal};

impl Vm {
    pub(super) fn dispatch(&mut self, stop_depth: usize) -> Result<Value, Exc> {
        let (mut closure, mut ip, mut base) = match self.frame_state() {
            Some(s) => s,
            None => return Ok(Value::Nil),
        };
        // SAFETY (here and in `cl!`, `cd!`): see the module doc.
        let mut cursor = Cursor::at(unsafe { &(*closure).code }, ip);
        // One more than the interval: a checkpoint that yields comes before its op runs, and the
        // task starts again at that op, so with an interval of 1 two busy tasks would hand the
        // turn back and forth without either running anything.
        let mut budget = self.preempt_interval.max(1).saturating_add(1);
        let mut r = StackRegs::load(&mut self.task.stack, base);

        macro_rules! cl {
            () => {
                unsafe { &*closure }
            };
        }
        // The running code, through the closure (one load, one register less).
        macro_rules! cd {
            () => {
                unsafe { &(*closure).code }
            };
        }
        macro_rules! refresh {
            () => {
                r = StackRegs::load(&mut self.task.stack, base)
            };
        }
        macro_rules! flush {
            () => {
                r.store(&mut self.task.stack)
            };
        }
        // The index of the next op.
        macro_rules! ip {
            () => {
                cursor.index()
            };
        }
        macro_rules! jump {
            ($t:expr) => {
                cursor.jump(cd!(), $t as u32)
            };
        }
        // Positions the cursor in `code` at op `ip`.
        macro_rules! enter_code {
            () => {
                cursor = Cursor::at(cd!(), ip)
            };
        }
        macro_rules! save_ip {
            () => {
                let at = ip!();
                if let Some(f) = self.task.frames.last_mut() {
                    f.ip = at as u32;
                }
            };
        }
        macro_rules! throw {
            ($e:expr) => {{
                let e = $e;
                flush!();
                save_ip!();
                return Err(e);
            }};
        }
        // Room is made before the value is computed: a value made first would have to live
        // across the (rare) call that grows the stack, so it would be built in memory and copied
        // from there, which stalls the store-to-load forwarding of its two halves.
        macro_rules! push {
            ($v:expr) => {{
                r.reserve_one(&mut self.task.stack);
                let v = $v;
                // SAFETY: room for one value was made above.
                unsafe { r.push_unchecked(v) }
            }};
        }
        macro_rules! pop {
            () => {
                r.pop()
            };
        }
        macro_rules! top {
            () => {
                match r.top() {
                    Some(v) => v,
                    None => throw!(self.type_error("internal error: empty stack")),
                }
            };
        }
        // After the frame stack changed, with the `Vec` up to date.
        macro_rules! reload {
            () => {
                match self.frame_state() {
                    Some(s) => {
                        (closure, ip, base) = s;
                        enter_code!();
                        refresh!();
                    }
                    None => return Ok(self.task.stack.pop().unwrap_or_default()),
                }
            };
        }
        // A helper that works on the `Vec` (fallible), or one that may also push or pop frames:
        // for the common ops cheaper than going out of line.
        macro_rules! vec_try {
            ($e:expr) => {{
                flush!();
                match $e {
                    Ok(v) => {
                        refresh!();
                        v
                    }
                    Err(e) => {
                        save_ip!();
                        return Err(e);
                    }
                }
            }};
        }
        macro_rules! vec_call {
            ($e:expr) => {{
                flush!();
                save_ip!();
                let depth = self.task.frames.len();
                $e?;
                if self.task.frames.len() != depth {
                    reload!();
                } else {
                    refresh!();
                }
            }};
        }
        // An op run out of line (`exec_cold.rs`), on the `Vec`, with the frame's position saved.
        macro_rules! cold {
            ($op:expr) => {{
                flush!();
                save_ip!();
                let mut ctx = Ctx {
                    closure: cl!(),
                    code: cd!(),
                    base,
                    ip: cursor.index(),
                    budget: &mut budget,
                };
                match self.cold_op($op, &mut ctx, stop_depth) {
                    Ok(Flow::Next) => {
                        ip = ctx.ip;
                        enter_code!();
                        refresh!();
                    }
                    Ok(Flow::Reload) => reload!(),
                    Ok(Flow::Exit(v)) => return Ok(v),
                    Err(e) => return Err(e),
                }
            }};
        }
        // A checkpoint (every `preempt_interval` calls and backward jumps, always before the op
        // has done anything): an interrupt throws; when other tasks are ready or a timer or I/O
        // operation completed, the task yields and later runs the same op again.
        macro_rules! check_budget {
            () => {
                budget -= 1;
                if budget == 0 {
                    budget = self.preempt_interval.max(1);
                    flush!();
                    if let Some(e) = self.checkpoint() {
                        let at = if e.is_signal() { ip!() - 1 } else { ip!() };
                        if let Some(f) = self.task.frames.last_mut() {
                            f.ip = at as u32;
                        }
                        return Err(e);
                    }
                    refresh!();
                }
            };
        }
        // Leaves the running frame with the value of `$result` when it can be done inline (a
        // plain frame returning to a Gene caller, see `pop_inline_frame`): false when not.
        macro_rules! return_inline {
            ($result:expr) => {
                match self.pop_inline_frame(stop_depth) {
                    Some((returned, caller)) => {
                        let result = $result;
                        r.leave_frame(result);
                        // `closure` and `code` dangle once the returned closure goes.
                        drop(returned);
                        (closure, ip, base) = caller;
                        enter_code!();
                        r.set_base(base);
                        true
                    }
                    None => false,
                }
            };
        }
        // `(local < k)` then a conditional jump: jump when the comparison is false. False (and
        // nothing done) when the local is not an int.
        macro_rules! jump_unless {
            ($s:expr, $k:expr, $t:expr, $cmp:tt) => {
                match r.local($s as u32) {
                    Some(Value::Int(i)) => {
                        if !(*i $cmp $k as i64) {
                            jump!($t);
                        }
                        true
                    }
                    _ => false,
                }
            };
        }

        // The value of local `s` (through its cell when captured).
        macro_rules! load_local {
            ($s:expr) => {
                match r.local(u32::from($s)) {
                    Some(Value::Cell(c)) => c.borrow().clone(),
                    Some(v) => dup(v),
                    None => Value::Nil,
                }
            };
        }
        // `local a <op> local b` on two ints (`i64::$op`); `None` when either is not an int or
        // the result does not fit (the op then runs out of line).
        macro_rules! int_locals {
            ($a:expr, $b:expr, $op:ident) => {{
                let x = match r.local(u32::from($a)) {
                    Some(&mut Value::Int(x)) => Some(x),
                    _ => None,
                };
                match (x, r.local(u32::from($b))) {
                    (Some(x), Some(&mut Value::Int(y))) => x.$op(y),
                    _ => None,
                }
            }};
        }
        // `(local a < local b)` then a conditional jump: jump when the comparison is false.
        // False (and nothing done) when either is not an int.
        macro_rules! jump_unless_locals {
            ($a:expr, $b:expr, $t:expr, $cmp:tt) => {{
                let x = match r.local(u32::from($a)) {
                    Some(&mut Value::Int(x)) => Some(x),
                    _ => None,
                };
                match (x, r.local(u32::from($b))) {
                    (Some(x), Some(&mut Value::Int(y))) => {
                        if !(x $cmp y) {
                            jump!($t);
                        }
                        true
                    }
                    _ => false,
                }
            }};
        }
        // `CallMethod(n, argc)` after its checkpoint. Inline path: a Gene method of an instance (found through the
        // call site's cache) that a call only has to push a frame for, given exactly its
        // parameters. The receiver stays in the callee slot and is the frame's self.
        macro_rules! enter_method {
            ($n:expr, $argc:expr) => {{
                let (n, argc) = ($n, $argc);
                let method = match r.peek(argc) {
                    Some(Value::Instance(inst)) if self.task.frames.len() < MAX_FRAMES => {
                        cd!().method(n, &inst.class).and_then(|(f, home)| {
                            (f.code.direct && f.code.nparams as usize == argc)
                                .then(|| (f, home, Value::Instance(inst.clone())))
                        })
                    }
                    _ => None,
                };
                match method {
                    Some((f, home, receiver)) => {
                        base = r.enter_frame(&mut self.task.stack, argc, f.code.nlocals as usize);
                        closure = Rc::as_ptr(&f);
                        let caller_ip = cursor.index();
                        cursor = Cursor::start(cd!());
                        self.push_frame_with(caller_ip, f, base, Some(receiver), Some(home));
                    }
                    None => vec_call!(self.op_call_method_cached(cd!(), n, argc)),
                }
            }};
        }

        'ops: loop {
            // The raw closure pointer is the running frame's (see the module doc).
            debug_assert!(
                self.task
                    .frames
                    .last()
                    .is_some_and(|f| std::ptr::eq(Rc::as_ptr(&f.closure), closure)),
                "the dispatch loop's closure is not the running frame's"
            );
            // SAFETY: the cursor is positioned at each frame change (see `vm/cursor.rs`); the op is
            // matched in place, so each op reads only its own operands.
            let at = unsafe { &*cursor.fetch() };
            // The hot ops run inline; the others, and the hot ones off their fast path, leave
            // this block for the shared out-of-line path after it.
            'cold: {
                match *at {
                    Op::Nop | Op::MacroArgs(_) => {}
                    // ---- constants and stack
                    Op::Nil => push!(Value::Nil),
                    Op::True => push!(Value::Bool(true)),
                    Op::False => push!(Value::Bool(false)),
                    Op::Int(i) => push!(Value::Int(i as i64)),
                    Op::Const(i) => push!(cd!().constant(i)),
                    Op::Pop => discard(pop!()),
                    Op::Dup => {
                        let v = dup(top!());
                        push!(v);
                    }
                    // ---- variables
                    Op::LoadLocal(s) => push!(load_local!(s)),
                    Op::StoreLocal(s) => {
                        let v = dup(top!());
                        match r.local(s) {
                            Some(Value::Cell(c)) => *c.borrow_mut() = v,
                            Some(slot) => overwrite(slot, v),
                            None => discard(v),
                        }
                    }
                    Op::SetLocal(s) => {
                        let v = pop!();
                        match r.local(s) {
                            Some(Value::Cell(c)) => *c.borrow_mut() = v,
                            Some(slot) => overwrite(slot, v),
                            None => discard(v),
                        }
                    }
                    Op::InitLocal(s) => {
                        let v = pop!();
                        match r.local(s) {
                            Some(slot) => overwrite(slot, v),
                            None => discard(v),
                        }
                    }
                    Op::LoadCapture(i) => {
                        let v = match cl!().captures.get(i as usize) {
                            Some(c) => c.borrow().clone(),
                            None => Value::Nil,
                        };
                        push!(v);
                    }
                    Op::IncLocal(s, delta) => {
                        if let Some(Value::Int(i)) = r.local(s)
                            && let Some(r) = i.checked_add(delta as i64)
                        {
                            *i = r;
                            continue 'ops;
                        }
                        break 'cold;
                    }
                    Op::LocalAddInt(s, delta) => {
                        let Some(Value::Int(i)) = r.local(s) else {
                            break 'cold;
                        };
                        let Some(sum) = i.checked_add(delta as i64) else {
                            break 'cold;
                        };
                        push!(Value::Int(sum));
                    }
                    Op::LoadLocal2(a, b) => {
                        push!(load_local!(a));
                        push!(load_local!(b));
                    }
                    Op::AddLocals(a, b) => match int_locals!(a, b, checked_add) {
                        Some(v) => push!(Value::Int(v)),
                        None => break 'cold,
                    },
                    Op::SubLocals(a, b) => match int_locals!(a, b, checked_sub) {
                        Some(v) => push!(Value::Int(v)),
                        None => break 'cold,
                    },
                    Op::MulLocals(a, b) => match int_locals!(a, b, checked_mul) {
                        Some(v) => push!(Value::Int(v)),
                        None => break 'cold,
                    },
                    Op::AddToLocal(a, b) => {
                        let Some(&mut Value::Int(y)) = r.local(u32::from(b)) else {
                            break 'cold;
                        };
                        match r.local(u32::from(a)) {
                            Some(Value::Int(x)) => match x.checked_add(y) {
                                Some(sum) => *x = sum,
                                None => break 'cold,
                            },
                            _ => break 'cold,
                        }
                    }
                    Op::LoadName(n) => match self.lookup_cached(cd!(), n, &cl!().ns) {
                        Some(v) => push!(v),
                        None => throw!(self.name_error(cd!(), n)),
                    },
                    Op::LoadCallee(n) => {
                        let Some(entry) = cd!().name_cache.get(n as usize) else {
                            break 'cold;
                        };
                        let (version, ns) = (crate::value::ns_version(), Rc::as_ptr(&cl!().ns));
                        if let Some(f) = entry.get_function(version, ns) {
                            push!(Value::Func(f));
                        } else if let Some(f) = entry.get_native(version, ns) {
                            push!(Value::Native(f));
                        } else {
                            break 'cold;
                        }
                        cursor.skip_macro_args();
                    }
                    Op::LoadSelf => {
                        let v = match self.task.frames.last() {
                            Some(f) => f.self_val.clone(),
                            None => Value::Nil,
                        };
                        push!(v);
                    }
                    // ---- operators
                    Op::Add if r.num_arith(i64::checked_add, |x, y| x + y) => {}
                    Op::Sub if r.num_arith(i64::checked_sub, |x, y| x - y) => {}
                    Op::Mul if r.num_arith(i64::checked_mul, |x, y| x * y) => {}
                    Op::Div if r.num_div() => {}
                    Op::Lt if r.num_compare(|x, y| x < y, |x, y| x < y) => {}
                    Op::Le if r.num_compare(|x, y| x <= y, |x, y| x <= y) => {}
                    Op::Gt if r.num_compare(|x, y| x > y, |x, y| x > y) => {}
                    Op::Ge if r.num_compare(|x, y| x >= y, |x, y| x >= y) => {}
                    Op::Eq | Op::Ne => {
                        let b = pop!();
                        let a = pop!();
                        let eq = match quick_equal(&a, &b) {
                            Some(eq) => eq,
                            None => values_equal(&a, &b),
                        };
                        discard(a);
                        discard(b);
                        push!(Value::Bool(if *at == Op::Eq { eq } else { !eq }));
                    }
                    Op::Not => {
                        let a = pop!();
                        push!(Value::Bool(!a.truthy()));
                    }
                    // ---- control
                    Op::JumpUnlessLt(s, k, t) if jump_unless!(s, k, t, <) => {}
                    Op::JumpUnlessLe(s, k, t) if jump_unless!(s, k, t, <=) => {}
                    Op::JumpUnlessGt(s, k, t) if jump_unless!(s, k, t, >) => {}
                    Op::JumpUnlessGe(s, k, t) if jump_unless!(s, k, t, >=) => {}
                    Op::JumpUnlessLtLocal(a, b, t) if jump_unless_locals!(a, b, t, <) => {}
                    Op::JumpUnlessLeLocal(a, b, t) if jump_unless_locals!(a, b, t, <=) => {}
                    Op::JumpUnlessGtLocal(a, b, t) if jump_unless_locals!(a, b, t, >) => {}
                    Op::JumpUnlessGeLocal(a, b, t) if jump_unless_locals!(a, b, t, >=) => {}
                    Op::JumpIfNilLocal(s, t) => match r.local(u32::from(s)) {
                        Some(Value::Cell(_)) => break 'cold,
                        Some(Value::Nil) | None => jump!(t),
                        Some(_) => {}
                    },
                    Op::JumpUnlessNilLocal(s, t) => match r.local(u32::from(s)) {
                        Some(Value::Cell(_)) => break 'cold,
                        Some(Value::Nil) | None => {}
                        Some(_) => jump!(t),
                    },
                    Op::Jump(t) => {
                        if (t as usize) < ip!() {
                            check_budget!();
                        }
                        jump!(t);
                    }
                    Op::JumpIfFalse(t) => {
                        if !pop!().truthy() {
                            jump!(t);
                        }
                    }
                    Op::JumpIfTrue(t) => {
                        if pop!().truthy() {
                            jump!(t);
                        }
                    }
                    Op::AndJump(t) => {
                        if !top!().truthy() {
                            jump!(t);
                        } else {
                            discard(pop!());
                        }
                    }
                    Op::OrJump(t) => {
                        if top!().truthy() {
                            jump!(t);
                        } else {
                            discard(pop!());
                        }
                    }
                    Op::IterNext(t) => {
                        check_budget!();
                        let next = match top!() {
                            Value::Iter(state) => super::ops::iter_next(&mut state.borrow_mut()),
                            _ => None,
                        };
                        match next {
                            Some(v) => push!(v),
                            None if steps_out_of_line(Some(top!())) => break 'cold,
                            None => {
                                discard(pop!());
                                jump!(t);
                            }
                        }
                    }
                    // ---- functions and calls
                    Op::Call(argc) => {
                        check_budget!();
                        let argc = argc as usize;
                        // Inline path: a plain Gene function (`Code::direct`) given exactly its
                        // parameters. The callee moves from its stack slot into the frame (nothing
                        // reads that slot during the call), which saves reference counting; the
                        // arguments become its first slots.
                        let callee = match r.peek(argc) {
                            Some(slot) if self.task.frames.len() < MAX_FRAMES => {
                                take_direct(slot, argc)
                            }
                            _ => None,
                        };
                        let Some(f) = callee else {
                            vec_call!(self.op_call(argc));
                            continue 'ops;
                        };
                        base = r.enter_frame(&mut self.task.stack, argc, f.code.nlocals as usize);
                        closure = Rc::as_ptr(&f);
                        let caller_ip = cursor.index();
                        cursor = Cursor::start(cd!());
                        self.push_frame(caller_ip, f, base);
                    }
                    Op::Return if return_inline!(pop!()) => {}
                    // A scalar apart: merged with the path that clones, its copy would be made
                    // in memory and stall when read back (see `read_fresh`).
                    Op::ReturnLocal(s)
                        if r.local(s).is_some_and(|v| is_scalar(v))
                            && return_inline!(match r.local(s) {
                                // SAFETY: a scalar owns nothing: the copy is independent.
                                Some(v) => unsafe { read_fresh(v) },
                                None => Value::Nil,
                            }) => {}
                    Op::ReturnLocal(s)
                        if return_inline!(match r.local(s) {
                            Some(Value::Cell(c)) => c.borrow().clone(),
                            Some(v) => v.clone(),
                            None => Value::Nil,
                        }) => {}
                    Op::Return => {
                        // A method, a constructor, back to a native or to the stop depth.
                        let result = pop!();
                        flush!();
                        match self.return_from_frame(result, stop_depth) {
                            Ok(Some(v)) => return Ok(v),
                            Ok(None) => reload!(),
                            Err(e) => return Err(e),
                        }
                    }
                    // ---- common ops on the `Vec`
                    Op::CallMethod(n, argc) => {
                        check_budget!();
                        enter_method!(n, argc as usize);
                    }
                    // Element access: inline on an array, else a method call. Either counts as
                    // a call for the checkpoints, taken before the op does anything.
                    Op::GetItem(n) => {
                        check_budget!();
                        if !r.get_item() {
                            enter_method!(n, 1);
                        }
                    }
                    Op::SetItem(n) => {
                        check_budget!();
                        if !r.set_item() {
                            enter_method!(n, 2);
                        }
                    }
                    Op::PushItem(n) => {
                        check_budget!();
                        if !r.push_item() {
                            enter_method!(n, 1);
                        }
                    }
                    Op::SizeOf(n) => {
                        check_budget!();
                        if !r.size_of() {
                            enter_method!(n, 0);
                        }
                    }
                    // Instances' properties inline (`members.rs`), anything else on the `Vec`.
                    Op::New(argc) => vec_call!(self.op_new(argc as usize)),
                    Op::GetMember(n) => {
                        let code = cd!();
                        match (
                            code.names.get(n as usize),
                            code.member_hints.get(n as usize),
                        ) {
                            (Some(&name), Some(hint)) if r.get_member_inline(name, hint) => {}
                            _ => vec_try!(self.op_get_member(cd!().name(n))),
                        }
                    }
                    Op::SetMember(n) => {
                        let code = cd!();
                        match (
                            code.names.get(n as usize),
                            code.member_hints.get(n as usize),
                        ) {
                            (Some(&name), Some(hint)) if r.set_member_inline(name, hint) => {}
                            _ => vec_try!(self.op_set_member(cd!().name(n))),
                        }
                    }
                    Op::GetSelfMember(n) => {
                        let code = cd!();
                        let v = match (
                            self.task.frames.last(),
                            code.names.get(n as usize),
                            code.member_hints.get(n as usize),
                        ) {
                            (Some(f), Some(&name), Some(hint)) => match &f.self_val {
                                Value::Instance(inst) => read_member(inst, name, hint),
                                _ => None,
                            },
                            _ => None,
                        };
                        match v {
                            Some(v) => push!(v),
                            None => break 'cold,
                        }
                    }
                    Op::SetSelfMember(n) => {
                        let code = cd!();
                        let done = match (
                            self.task.frames.last(),
                            code.names.get(n as usize),
                            code.member_hints.get(n as usize),
                            r.top(),
                        ) {
                            (Some(f), Some(&name), Some(hint), Some(value)) => match &f.self_val {
                                Value::Instance(inst) => write_member(inst, name, hint, value),
                                _ => false,
                            },
                            _ => false,
                        };
                        if !done {
                            break 'cold;
                        }
                    }
                    Op::GetIndex(i) => vec_try!(self.op_get_index(i)),
                    Op::SetIndex(i) => vec_try!(self.op_set_index(i)),
                    // ---- everything else, out of line (`exec_cold.rs`)
                    _ => break 'cold,
                }
                continue 'ops;
            }
            cold!(*at);
        }
    }
}
