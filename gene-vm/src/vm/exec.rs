//! The dispatch loop.
//!
//! The running frame's closure and code are held as raw pointers instead of `Rc` clones, so
//! calls and returns do no reference counting for them. They are valid while that frame is on
//! the frame stack: the frame owns an `Rc<Closure>`, which owns its `Rc<Code>`. Every frame
//! change reloads them (`reload!`, or the inline call and return paths).
//!
//! The task's value stack is a `Vec<Value>`, but the hot ops work on it through registers:
//! `bottom` (its buffer), `sp` (one past its top), `limit` (the end of its capacity) and
//! `slots` (the running frame's slot 0). While they are in use the `Vec`'s length is stale:
//! `flush!` writes it back before anything else touches the stack (a helper working on the
//! `Vec`, a native, unwinding, leaving the loop) and `refresh!` reloads the registers after.
//! The ops written with `vec_do!`, `vec_try!` and `vec_call!` do exactly that around a helper.

use std::cell::RefCell;
use std::rc::Rc;

use super::frames::{is_plain, pop_plain_frame, take_direct};
use super::generator::{GenStep, is_generator_iter};
use super::stack::{discard, drop_range, dup, overwrite};
use super::{Exc, Frame, Handler, MAX_FRAMES, Vm};
use crate::bytecode::Op;
use crate::value::{Value, values_equal};

impl Vm {
    // The register macros always refresh everything together, even when the op at hand then
    // flushes again at once.
    #[allow(unused_assignments)]
    pub(super) fn dispatch(&mut self, stop_depth: usize) -> Result<Value, Exc> {
        let (mut closure, mut code, mut ip, mut base) = match self.frame_state() {
            Some(s) => s,
            None => return Ok(Value::Nil),
        };
        // The next op, a pointer into `code`'s ops: every way of setting it keeps it inside them
        // (see `Code::ops`: frame positions and jump targets are clamped to the last op).
        // SAFETY (here and in `cl!`, `cd!`): see the module doc.
        let mut ops_base: *const Op = unsafe { (*code).ops().as_ptr() };
        let mut next: *const Op = unsafe { ops_base.add(ip.min((*code).last_op())) };
        let mut budget = self.preempt_interval.max(1);
        let (mut bottom, mut sp, mut limit, mut slots): (
            *mut Value,
            *mut Value,
            *mut Value,
            *mut Value,
        );

        macro_rules! cl {
            () => {
                unsafe { &*closure }
            };
        }
        macro_rules! cd {
            () => {
                unsafe { &*code }
            };
        }
        macro_rules! refresh {
            () => {{
                let stack = &mut self.task.stack;
                bottom = stack.as_mut_ptr();
                // SAFETY: all three offsets are within the allocation (length <= capacity).
                unsafe {
                    sp = bottom.add(stack.len());
                    limit = bottom.add(stack.capacity());
                    slots = bottom.add(base.min(stack.len()));
                }
            }};
        }
        macro_rules! flush {
            () => {
                // SAFETY: `sp` is in `bottom..=limit` and the values below it are initialized.
                unsafe { self.task.stack.set_len(sp.offset_from(bottom) as usize) }
            };
        }
        // The index of the next op.
        macro_rules! ip {
            () => {
                // SAFETY: `next` points into the ops that start at `ops_base`.
                unsafe { next.offset_from(ops_base) as usize }
            };
        }
        macro_rules! jump {
            ($t:expr) => {
                // SAFETY: clamped to the last op.
                next = {
                    let last = cd!().last_op();
                    unsafe { ops_base.add(($t as usize).min(last)) }
                }
            };
        }
        // Points `ops_base` and `next` at `code`'s ops, at op `ip`.
        macro_rules! enter_code {
            () => {
                // SAFETY: `code` is the running frame's code; the position is clamped.
                unsafe {
                    ops_base = (*code).ops().as_ptr();
                    next = ops_base.add(ip.min((*code).last_op()));
                }
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
        macro_rules! tryv {
            ($e:expr) => {
                match $e {
                    Ok(v) => v,
                    Err(e) => throw!(e),
                }
            };
        }
        macro_rules! push {
            ($v:expr) => {{
                let v = $v;
                if sp == limit {
                    flush!();
                    self.task.stack.reserve(1);
                    refresh!();
                }
                // SAFETY: `sp < limit`: room for one value.
                unsafe {
                    sp.write(v);
                    sp = sp.add(1);
                }
            }};
        }
        macro_rules! pop {
            () => {
                if sp > bottom {
                    // SAFETY: the value below `sp` is initialized and is given up here.
                    unsafe {
                        sp = sp.sub(1);
                        sp.read()
                    }
                } else {
                    Value::Nil
                }
            };
        }
        macro_rules! top {
            () => {
                if sp > bottom {
                    // SAFETY: the value below `sp` is initialized.
                    unsafe { &mut *sp.sub(1) }
                } else {
                    throw!(self.type_error("internal error: empty stack"))
                }
            };
        }
        // The running frame's slot `s`, if it is below the top of the stack.
        macro_rules! local {
            ($s:expr) => {{
                let p = slots.wrapping_add($s as usize);
                // SAFETY: `slots <= p < sp`: an initialized value of the stack.
                if p < sp {
                    Some(unsafe { &mut *p })
                } else {
                    None
                }
            }};
        }
        // After the frame stack changed, with the `Vec` up to date.
        macro_rules! reload {
            () => {
                match self.frame_state() {
                    Some(s) => {
                        (closure, code, ip, base) = s;
                        enter_code!();
                        refresh!();
                    }
                    None => return Ok(self.task.stack.pop().unwrap_or_default()),
                }
            };
        }
        // Helpers that work on the `Vec`: infallible, fallible, and ones that may push or pop
        // frames (calls, imports, `$caller_eval` ...).
        macro_rules! vec_do {
            ($e:expr) => {{
                flush!();
                let v = $e;
                refresh!();
                v
            }};
        }
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
                if let Err(e) = $e {
                    return Err(e);
                }
                if self.task.frames.len() != depth {
                    reload!();
                } else {
                    refresh!();
                }
            }};
        }
        // A generator op (`vm/generator.rs`): it may have moved frames in or out.
        macro_rules! generator_op {
            ($op:expr) => {{
                flush!();
                save_ip!();
                match self.generator_op($op, stop_depth) {
                    Ok(GenStep::Reload) => reload!(),
                    Ok(GenStep::Finish(v)) => return Ok(v),
                    // The op set the frame's ip itself.
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
        // Leaves the running frame with the value of `$result`. A plain frame returning to a
        // Gene caller (no handler or native waiting, not the stop depth) is popped inline; the
        // rest is `return_from_frame`'s.
        macro_rules! return_with {
            ($result:expr) => {{
                let depth = self.task.frames.len().wrapping_sub(1);
                let inline = depth > stop_depth
                    && self.task.frames.last().is_some_and(is_plain)
                    && !self
                        .task
                        .handlers
                        .last()
                        .is_some_and(|h| h.frames as usize > depth)
                    && !self.task.natives.last().is_some_and(|n| n.depth == depth);
                let result = $result;
                if inline {
                    let returned = pop_plain_frame(&mut self.task.frames);
                    // The frame's slots and the callee slot below them go; the result takes
                    // the callee slot.
                    let callee_slot = if slots > bottom {
                        slots.wrapping_sub(1)
                    } else {
                        bottom
                    };
                    // SAFETY: `callee_slot..sp` are initialized values given up here.
                    unsafe {
                        drop_range(callee_slot, sp);
                        sp = callee_slot;
                    }
                    push!(result);
                    // `closure` and `code` may dangle once the returned closure goes.
                    drop(returned);
                    if let Some(f) = self.task.frames.last() {
                        closure = Rc::as_ptr(&f.closure);
                        code = Rc::as_ptr(&f.closure.code);
                        ip = f.ip as usize;
                        base = f.base as usize;
                        enter_code!();
                        slots = bottom.wrapping_add(base).min(sp);
                    } else {
                        flush!();
                        return Ok(self.task.stack.pop().unwrap_or_default());
                    }
                } else {
                    flush!();
                    match self.return_from_frame(result, stop_depth) {
                        Ok(Some(v)) => return Ok(v),
                        Ok(None) => reload!(),
                        Err(e) => return Err(e),
                    }
                }
            }};
        }
        // `+ - *` of two ints in place, else the generic path (floats, strings, overflow).
        macro_rules! arith {
            ($checked:ident, $op:expr) => {{
                if sp.wrapping_sub(2) >= bottom {
                    // SAFETY: the two values below `sp` are initialized.
                    let (a, b) = unsafe { (&mut *sp.sub(2), &*sp.sub(1)) };
                    if let (Value::Int(x), Value::Int(y)) = (&mut *a, b)
                        && let Some(r) = x.$checked(*y)
                    {
                        *x = r;
                        // SAFETY: the int on top is given up (nothing to drop).
                        sp = unsafe { sp.sub(1) };
                        continue;
                    }
                }
                let b = pop!();
                let a = pop!();
                let r = tryv!(self.arith($op, &a, &b));
                push!(r);
            }};
        }
        // `< <= > >=` of two ints in place, else the generic comparison.
        macro_rules! compare {
            ($cmp:tt, $op:expr) => {{
                if sp.wrapping_sub(2) >= bottom {
                    // SAFETY: the two values below `sp` are initialized.
                    let (a, b) = unsafe { (&mut *sp.sub(2), &*sp.sub(1)) };
                    if let (Value::Int(x), Value::Int(y)) = (&*a, b) {
                        let r = *x $cmp *y;
                        // SAFETY: both are ints (nothing to drop); the top one is given up.
                        unsafe {
                            std::ptr::write(a, Value::Bool(r));
                            sp = sp.sub(1);
                        }
                        continue;
                    }
                }
                let b = pop!();
                let a = pop!();
                let r = tryv!(self.compare($op, &a, &b));
                push!(Value::Bool(r));
            }};
        }
        // `(local < k)` then a conditional jump: jump when the comparison is false.
        macro_rules! jump_unless {
            ($s:expr, $k:expr, $t:expr, $cmp:tt, $op:expr) => {{
                let holds = match local!($s) {
                    Some(Value::Int(i)) => *i $cmp $k as i64,
                    Some(Value::Cell(c)) => {
                        let v = c.borrow().clone();
                        tryv!(self.compare($op, &v, &Value::Int($k as i64)))
                    }
                    v => {
                        let v = v.map(|v| v.clone()).unwrap_or_default();
                        tryv!(self.compare($op, &v, &Value::Int($k as i64)))
                    }
                };
                if !holds {
                    jump!($t);
                }
            }};
        }

        refresh!();
        loop {
            // SAFETY: `next` points at an op, and the last op (a `Return`) does not run on.
            let op = unsafe { *next };
            next = unsafe { next.add(1) };
            match op {
                Op::Nop | Op::MacroArgs(_) => {}
                // ---- constants and stack
                Op::Nil => push!(Value::Nil),
                Op::True => push!(Value::Bool(true)),
                Op::False => push!(Value::Bool(false)),
                Op::Int(i) => push!(Value::Int(i as i64)),
                Op::Const(i) => push!(cd!().constant(i)),
                Op::ConstCopy(i) => push!(cd!().constant(i).deep_copy()),
                Op::Pop => discard(pop!()),
                Op::PopUnder(n) => {
                    let top = pop!();
                    let keep = sp.wrapping_sub(n as usize).max(bottom);
                    // SAFETY: `keep..sp` are initialized values given up here.
                    unsafe {
                        drop_range(keep, sp);
                        sp = keep;
                    }
                    push!(top);
                }
                Op::Dup => {
                    let v = dup(top!());
                    push!(v);
                }
                // ---- variables
                Op::LoadLocal(s) => {
                    let v = match local!(s) {
                        Some(Value::Cell(c)) => c.borrow().clone(),
                        Some(v) => dup(v),
                        None => Value::Nil,
                    };
                    push!(v);
                }
                Op::StoreLocal(s) => {
                    let v = dup(top!());
                    match local!(s) {
                        Some(Value::Cell(c)) => *c.borrow_mut() = v,
                        Some(slot) => overwrite(slot, v),
                        None => discard(v),
                    }
                }
                Op::SetLocal(s) => {
                    let v = pop!();
                    match local!(s) {
                        Some(Value::Cell(c)) => *c.borrow_mut() = v,
                        Some(slot) => overwrite(slot, v),
                        None => discard(v),
                    }
                }
                Op::InitLocal(s) => {
                    let v = pop!();
                    match local!(s) {
                        Some(slot) => overwrite(slot, v),
                        None => discard(v),
                    }
                }
                Op::InitCell(s) => {
                    let v = pop!();
                    if let Some(slot) = local!(s) {
                        overwrite(slot, Value::Cell(Rc::new(RefCell::new(v))));
                    }
                }
                Op::LoadCapture(i) => {
                    let v = match cl!().captures.get(i as usize) {
                        Some(c) => c.borrow().clone(),
                        None => Value::Nil,
                    };
                    push!(v);
                }
                Op::StoreCapture(i) => {
                    let v = top!().clone();
                    if let Some(c) = cl!().captures.get(i as usize) {
                        *c.borrow_mut() = v;
                    }
                }
                Op::LoadSlotRaw(s) => {
                    let v = local!(s).map(|v| v.clone()).unwrap_or_default();
                    push!(v);
                }
                Op::AddLocalInt(s, delta) => {
                    let new = vec_try!(self.add_to_local(base, s, delta));
                    push!(new);
                }
                Op::IncLocal(s, delta) => {
                    if let Some(Value::Int(i)) = local!(s)
                        && let Some(r) = i.checked_add(delta as i64)
                    {
                        *i = r;
                        continue;
                    }
                    vec_try!(self.add_to_local(base, s, delta));
                }
                Op::LocalAddInt(s, delta) => {
                    let r = match local!(s) {
                        Some(Value::Int(i)) => i.checked_add(delta as i64).map(Value::Int),
                        _ => None,
                    };
                    let r = match r {
                        Some(r) => r,
                        None => {
                            let current = match local!(s) {
                                Some(Value::Cell(c)) => c.borrow().clone(),
                                Some(v) => v.clone(),
                                None => Value::Nil,
                            };
                            tryv!(self.arith(Op::Add, &current, &Value::Int(delta as i64)))
                        }
                    };
                    push!(r);
                }
                // ---- namespace names
                Op::LoadName(n) => match self.lookup_cached(cd!(), n, &cl!().ns) {
                    Some(v) => push!(v),
                    None => throw!(self.name_error(cd!(), n)),
                },
                Op::LoadNameOrSymbol(n) => {
                    let name = cd!().name(n);
                    let v = self
                        .lookup_name(&cl!().ns, name)
                        .unwrap_or(Value::Symbol(name));
                    push!(v);
                }
                Op::LoadCallee(n) => {
                    let cached = cd!().name_cache.get(n as usize).and_then(|entry| {
                        entry.get_function(crate::value::ns_version(), Rc::as_ptr(&cl!().ns))
                    });
                    match cached {
                        Some(f) => {
                            push!(Value::Func(f));
                            // Over the `MacroArgs` that follows (see `Code::ops`).
                            next = unsafe { next.add(1) };
                        }
                        None => {
                            flush!();
                            save_ip!();
                            let depth = self.task.frames.len();
                            if let Err(e) = self.load_callee(cl!(), cd!(), n, ip!()) {
                                return Err(e);
                            }
                            if self.task.frames.len() != depth {
                                // A macro call.
                                reload!();
                            } else {
                                refresh!();
                                next = unsafe { next.add(1) };
                            }
                        }
                    }
                }
                Op::CheckMacro(c) => vec_call!(self.check_macro(c)),
                Op::StoreName(n) => {
                    let v = top!().clone();
                    tryv!(self.store_name(&cl!().ns, cd!().name(n), v));
                }
                Op::DefineName(n) => {
                    let v = top!().clone();
                    cl!().ns.set(cd!().name(n), v);
                }
                Op::LoadSelf => {
                    let v = match self.task.frames.last() {
                        Some(f) => f.self_val.clone(),
                        None => Value::Nil,
                    };
                    push!(v);
                }
                Op::LoadNs => push!(Value::Ns(cl!().ns.clone())),
                // ---- members, indexes, paths
                Op::GetMember(n) => vec_try!(self.op_get_member(cd!().name(n))),
                Op::SetMember(n) => vec_try!(self.op_set_member(cd!().name(n))),
                Op::GetIndex(i) => vec_try!(self.op_get_index(i)),
                Op::SetIndex(i) => vec_try!(self.op_set_index(i)),
                Op::Select => vec_try!(self.op_select(false)),
                Op::SelectDefault => vec_try!(self.op_select(true)),
                Op::SetSelect => vec_try!(self.op_set_select()),
                // ---- operators
                Op::Add => arith!(checked_add, op),
                Op::Sub => arith!(checked_sub, op),
                Op::Mul => arith!(checked_mul, op),
                Op::Div => {
                    let b = pop!();
                    let a = pop!();
                    let r = tryv!(self.arith(op, &a, &b));
                    push!(r);
                }
                Op::Neg => {
                    let a = pop!();
                    let r = tryv!(self.negate(&a));
                    push!(r);
                }
                Op::Lt => compare!(<, op),
                Op::Le => compare!(<=, op),
                Op::Gt => compare!(>, op),
                Op::Ge => compare!(>=, op),
                Op::Eq | Op::Ne => {
                    let b = pop!();
                    let a = pop!();
                    let eq = values_equal(&a, &b);
                    push!(Value::Bool(if op == Op::Eq { eq } else { !eq }));
                }
                Op::Not => {
                    let a = pop!();
                    push!(Value::Bool(!a.truthy()));
                }
                // ---- control
                Op::JumpUnlessLt(s, k, t) => jump_unless!(s, k, t, <, Op::Lt),
                Op::JumpUnlessLe(s, k, t) => jump_unless!(s, k, t, <=, Op::Le),
                Op::JumpUnlessGt(s, k, t) => jump_unless!(s, k, t, >, Op::Gt),
                Op::JumpUnlessGe(s, k, t) => jump_unless!(s, k, t, >=, Op::Ge),
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
                Op::JumpIfGiven(s, t) => {
                    let given = match local!(s) {
                        Some(Value::Cell(c)) => !matches!(*c.borrow(), Value::NotGiven),
                        Some(v) => !matches!(v, Value::NotGiven),
                        None => true,
                    };
                    if given {
                        jump!(t);
                    }
                }
                Op::IterStart => {
                    let coll = pop!();
                    let it = tryv!(self.iter_start(&coll));
                    push!(it);
                }
                Op::IterNext(t) => {
                    check_budget!();
                    let next = match top!() {
                        Value::Iter(state) => super::ops::iter_next(&mut state.borrow_mut()),
                        _ => None,
                    };
                    match next {
                        Some(v) => push!(v),
                        None if is_generator_iter(Some(top!())) => generator_op!(op),
                        None => {
                            discard(pop!());
                            jump!(t);
                        }
                    }
                }
                // ---- data
                Op::MakeArray(n) => vec_do!(self.op_make_array(n)),
                Op::ArrayPush => vec_do!(self.op_array_push()),
                Op::ArrayExtend => vec_try!(self.op_array_extend()),
                Op::MakeSet(n) => vec_do!(self.op_make_set(n)),
                Op::MakeMap(n) => vec_do!(self.op_make_map(n)),
                Op::MakeGene(packed) => vec_do!(self.op_make_gene(packed)),
                Op::MakeRange(n) => vec_try!(self.op_make_range(n)),
                Op::Concat(n) => vec_do!(self.op_concat(n)),
                Op::MakeSpread => {
                    let v = pop!();
                    push!(Value::Spread(Rc::new(v)));
                }
                // ---- functions and calls
                Op::MakeClosure(p) => {
                    let f = vec_try!(self.make_closure(cl!(), cd!(), p, base));
                    push!(f);
                }
                Op::Call(argc) => {
                    check_budget!();
                    let argc = argc as usize;
                    // Inline path: a plain Gene function (`Code::direct`) given exactly its
                    // parameters. The callee moves from its stack slot into the frame (nothing
                    // reads that slot during the call), which saves reference counting; the
                    // arguments become its first slots.
                    let callee_slot = sp.wrapping_sub(argc + 1);
                    let callee = if callee_slot >= bottom && self.task.frames.len() < MAX_FRAMES {
                        // SAFETY: `bottom <= callee_slot < sp`: an initialized value.
                        take_direct(unsafe { &mut *callee_slot }, argc)
                    } else {
                        None
                    };
                    let Some(f) = callee else {
                        vec_call!(self.op_call(argc));
                        continue;
                    };
                    save_ip!();
                    // SAFETY: `callee_slot` is in the stack (checked above).
                    let new_base = unsafe { callee_slot.offset_from(bottom) } as usize + 1;
                    let locals = (f.code.nslots as usize).saturating_sub(argc);
                    if locals > 0 {
                        // SAFETY: `sp <= limit`.
                        if (unsafe { limit.offset_from(sp) } as usize) < locals {
                            flush!();
                            self.task.stack.reserve(locals);
                            refresh!();
                        }
                        for _ in 0..locals {
                            // SAFETY: room for `locals` values was made above.
                            unsafe {
                                sp.write(Value::Nil);
                                sp = sp.add(1);
                            }
                        }
                    }
                    closure = Rc::as_ptr(&f);
                    code = Rc::as_ptr(&f.code);
                    ip = 0;
                    enter_code!();
                    let self_val = dup(&f.self_val);
                    self.task.frames.push(Frame {
                        closure: f,
                        ip: 0,
                        base: new_base as u32,
                        self_val,
                        home: None,
                        is_ctor: false,
                    });
                    base = new_base;
                    slots = bottom.wrapping_add(base);
                }
                Op::TailCall(argc) => {
                    check_budget!();
                    let argc = argc as usize;
                    flush!();
                    let pos = self.task.stack.len().wrapping_sub(argc + 1);
                    if self.restart_frame(cl!(), base, pos, argc) {
                        refresh!();
                        next = ops_base;
                    } else {
                        vec_call!(self.op_call(argc));
                    }
                }
                Op::CallComplex => {
                    check_budget!();
                    vec_call!(self.op_call_complex());
                }
                Op::CallMethod(n, argc) => {
                    check_budget!();
                    vec_call!(self.op_call_method(cd!().name(n), argc as usize));
                }
                Op::CallMethodComplex(n) => {
                    check_budget!();
                    vec_call!(self.op_call_method_complex(cd!().name(n)));
                }
                Op::CallSuper(n, argc) => vec_call!(self.call_super(cd!().name(n), argc as usize)),
                Op::New(argc) => vec_call!(self.op_new(argc as usize)),
                Op::NewComplex => vec_call!(self.op_new_complex()),
                Op::Return => return_with!(pop!()),
                Op::ReturnLocal(s) => return_with!(match local!(s) {
                    Some(Value::Cell(c)) => c.borrow().clone(),
                    Some(v) => dup(v),
                    None => Value::Nil,
                }),
                // ---- classes, namespaces, macros, eval
                Op::MakeClass(n) => vec_try!(self.op_make_class(cd!().name(n), &cl!().ns)),
                Op::MakeNs => vec_do!(self.op_make_ns(&cl!().ns)),
                Op::RunBody => vec_call!(self.op_run_body()),
                Op::DefMethod(n) => vec_try!(self.op_def_method(cd!().name(n))),
                Op::DefCtor => vec_try!(self.op_def_ctor()),
                Op::CallerEval => {
                    let v = pop!();
                    vec_call!(self.eval_in_frame(v, true));
                }
                Op::Render => {
                    let v = pop!();
                    vec_call!(self.render_at_runtime(v));
                }
                Op::Import(c) => {
                    let code_rc = match self.task.frames.last() {
                        Some(f) => f.closure.code.clone(),
                        None => throw!(self.type_error("internal error: no frame")),
                    };
                    vec_call!(self.import(&code_rc, c));
                }
                Op::Export(c) => vec_do!(self.op_export(cd!(), c, base)),
                // ---- exceptions
                Op::Throw => {
                    let v = pop!();
                    throw!(Exc::new(v));
                }
                Op::Fail(c) => throw!(self.compiled_error(cd!(), c)),
                Op::PushHandler(t) => {
                    // SAFETY: `bottom <= sp`.
                    let depth = unsafe { sp.offset_from(bottom) } as u32;
                    self.task.handlers.push(Handler {
                        frames: self.task.frames.len() as u32,
                        stack: depth,
                        natives: self.task.natives.len() as u32,
                        ip: t,
                    });
                }
                Op::PopHandler => {
                    self.task.handlers.pop();
                }
                Op::CatchMatch => {
                    let pattern = pop!();
                    let thrown = pop!();
                    push!(Value::Bool(self.catch_matches(&thrown, &pattern)));
                }
                // ---- async
                Op::Await(flags) => {
                    // Suspending leaves the frame at this op, to run it again when woken.
                    flush!();
                    save_ip!();
                    self.await_op(flags)?;
                    refresh!();
                }
                Op::MakeGenerator(_)
                | Op::Yield(_)
                | Op::GenReturn
                | Op::IterClose(..)
                | Op::IterNextAsync(_)
                | Op::IterUnwrap(_) => generator_op!(op),
            }
        }
    }
}
