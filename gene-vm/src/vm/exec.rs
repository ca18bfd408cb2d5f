//! The dispatch loop. Hot ops (locals, int arithmetic and comparisons, jumps, calls of plain
//! functions, returns) are handled inline; the rest call out to `build.rs`, `ops.rs`,
//! `call.rs` and friends.

use std::cell::RefCell;
use std::rc::Rc;

use super::code::Code;
use super::run_support::props_map;
use super::stack::{discard, dup, is_scalar, overwrite_scalar, truncate};
use super::{Exc, Frame, Handler, MAX_FRAMES, Vm};
use crate::bytecode::Op;
use crate::value::{Closure, FuncKind, Value, values_equal};

impl Vm {
    /// The loop keeps the running frame's closure and code as raw pointers instead of `Rc`
    /// clones, so calls and returns do no reference counting for them. They are valid while that
    /// frame is on the frame stack: the frame owns an `Rc<Closure>`, which owns its `Rc<Code>`.
    /// Every place that can pop the running frame (`Return`) reloads them at once, and every
    /// other frame change goes through `reload!`; throwing leaves this function.
    pub(super) fn dispatch(&mut self, stop_depth: usize) -> Result<Value, Exc> {
        let (mut closure, mut code, mut ip, mut base) = match self.frame_state() {
            Some(s) => s,
            None => return Ok(Value::Nil),
        };
        // SAFETY: see the doc comment above; the pointers always come from the top frame, and
        // `ops` is always the ops of `code`.
        let mut ops: &[Op] = unsafe { &(*code).ops };
        let mut budget = self.preempt_interval.max(1);
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

        macro_rules! save_ip {
            () => {
                if let Some(f) = self.task.frames.last_mut() {
                    f.ip = ip as u32;
                }
            };
        }
        macro_rules! throw {
            ($e:expr) => {{
                let e = $e;
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
        macro_rules! reload {
            () => {
                match self.frame_state() {
                    Some(s) => {
                        (closure, code, ip, base) = s;
                        ops = unsafe { &(*code).ops };
                    }
                    None => return Ok(self.task.stack.pop().unwrap_or_default()),
                }
            };
        }
        macro_rules! pop {
            () => {
                self.task.stack.pop().unwrap_or_default()
            };
        }
        macro_rules! push {
            ($v:expr) => {
                self.task.stack.push($v)
            };
        }
        macro_rules! top {
            () => {
                match self.task.stack.last_mut() {
                    Some(v) => v,
                    None => throw!(self.type_error("internal error: empty stack")),
                }
            };
        }
        // A checkpoint (every `preempt_interval` calls and backward jumps, always before the op
        // has done anything): an interrupt throws; when other tasks are ready or a timer or I/O
        // operation completed, the task yields and later runs the same op again.
        macro_rules! check_budget {
            () => {
                budget -= 1;
                if budget == 0 {
                    budget = self.preempt_interval.max(1);
                    if let Some(e) = self.checkpoint() {
                        let at = if e.is_signal() { ip - 1 } else { ip };
                        if let Some(f) = self.task.frames.last_mut() {
                            f.ip = at as u32;
                        }
                        return Err(e);
                    }
                }
            };
        }
        // A generator op (`vm/generator.rs`): it may have moved frames in or out.
        macro_rules! generator_op {
            ($op:expr) => {{
                save_ip!();
                match self.generator_op($op, stop_depth) {
                    Ok(super::generator::GenStep::Reload) => reload!(),
                    Ok(super::generator::GenStep::Finish(v)) => return Ok(v),
                    // The op set the frame's ip itself.
                    Err(e) => return Err(e),
                }
            }};
        }
        // An op that may push or pop frames (a call, an import, `$caller_eval` ...).
        macro_rules! call {
            ($e:expr) => {{
                save_ip!();
                let depth = self.task.frames.len();
                tryv!($e);
                if self.task.frames.len() != depth {
                    reload!();
                }
            }};
        }
        // Leaves the running frame with `result`: back to the caller (or out of the loop at
        // `stop_depth`), resuming a native that waits for this call.
        macro_rules! return_with {
            ($result:expr) => {{
                let result = $result;
                if self.task.frames.is_empty() {
                    return Ok(result);
                }
                // `closure` and `code` may dangle from here: reloaded below or unused.
                let result = self.leave_frame(result);
                let depth = self.task.frames.len();
                if self
                    .task
                    .handlers
                    .last()
                    .is_some_and(|h| h.frames as usize > depth)
                {
                    self.drop_handlers_above(depth);
                }
                if depth <= stop_depth {
                    return Ok(result);
                }
                push!(result);
                if self.task.natives.last().is_some_and(|n| n.depth == depth) {
                    // Back to the native's caller first, so that an error or a task switch
                    // in the native saves the caller's position, not the returned frame's.
                    if let Some(f) = self.task.frames.last() {
                        ip = f.ip as usize;
                    }
                    tryv!(self.continue_natives());
                }
                reload!();
            }};
        }
        // `+ - *` of two ints in place, else the generic path (floats, strings, overflow).
        macro_rules! arith {
            ($checked:ident, $op:expr) => {{
                if let [.., Value::Int(x), Value::Int(y)] = self.task.stack.as_mut_slice() {
                    if let Some(r) = x.$checked(*y) {
                        *x = r;
                        if let Some(b) = self.task.stack.pop() {
                            discard(b);
                        }
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
                if let [.., a, b] = self.task.stack.as_mut_slice() {
                    if let (Value::Int(x), Value::Int(y)) = (&*a, &*b) {
                        let r = *x $cmp *y;
                        overwrite_scalar(a, Value::Bool(r));
                        if let Some(b) = self.task.stack.pop() {
                            discard(b);
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
                let holds = match self.task.stack.get(base + $s as usize) {
                    Some(Value::Int(i)) => *i $cmp $k as i64,
                    _ => {
                        let v = self.local_value(base, $s as u32);
                        tryv!(self.compare($op, &v, &Value::Int($k as i64)))
                    }
                };
                if !holds {
                    ip = $t as usize;
                }
            }};
        }

        loop {
            let op = match ops.get(ip) {
                Some(op) => *op,
                None => Op::Return,
            };
            ip += 1;
            match op {
                Op::Nop | Op::MacroArgs(_) => {}
                // ---- constants and stack
                Op::Nil => push!(Value::Nil),
                Op::True => push!(Value::Bool(true)),
                Op::False => push!(Value::Bool(false)),
                Op::Int(i) => push!(Value::Int(i as i64)),
                Op::Const(i) => push!(cd!().constant(i)),
                Op::ConstCopy(i) => push!(cd!().constant(i).deep_copy()),
                Op::Pop => {
                    if let Some(v) = self.task.stack.pop() {
                        discard(v);
                    }
                }
                Op::PopUnder(n) => {
                    let top = pop!();
                    let len = self.task.stack.len().saturating_sub(n as usize);
                    truncate(&mut self.task.stack, len);
                    push!(top);
                }
                Op::Dup => {
                    let v = dup(top!());
                    push!(v);
                }
                // ---- variables
                Op::LoadLocal(s) => {
                    let v = match self.task.stack.get(base + s as usize) {
                        Some(Value::Cell(c)) => c.borrow().clone(),
                        Some(v) => dup(v),
                        None => Value::Nil,
                    };
                    push!(v);
                }
                Op::StoreLocal(s) => {
                    let v = dup(top!());
                    self.set_local(base, s, v);
                }
                Op::SetLocal(s) => {
                    let v = pop!();
                    self.set_local(base, s, v);
                }
                Op::InitLocal(s) => {
                    let v = pop!();
                    if let Some(slot) = self.task.stack.get_mut(base + s as usize) {
                        *slot = v;
                    }
                }
                Op::InitCell(s) => {
                    let v = pop!();
                    if let Some(slot) = self.task.stack.get_mut(base + s as usize) {
                        *slot = Value::Cell(Rc::new(RefCell::new(v)));
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
                    let v = self
                        .task
                        .stack
                        .get(base + s as usize)
                        .cloned()
                        .unwrap_or_default();
                    push!(v);
                }
                Op::AddLocalInt(s, delta) => {
                    let new = tryv!(self.add_to_local(base, s, delta));
                    push!(new);
                }
                Op::IncLocal(s, delta) => {
                    if let Some(Value::Int(i)) = self.task.stack.get_mut(base + s as usize)
                        && let Some(r) = i.checked_add(delta as i64)
                    {
                        *i = r;
                        continue;
                    }
                    tryv!(self.add_to_local(base, s, delta));
                }
                Op::LocalAddInt(s, delta) => {
                    let r = match self.task.stack.get(base + s as usize) {
                        Some(Value::Int(i)) => i.checked_add(delta as i64),
                        _ => None,
                    };
                    let r = match r {
                        Some(r) => Value::Int(r),
                        None => {
                            let current = self.local_value(base, s);
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
                    if let Some(f) = cached {
                        push!(Value::Func(f));
                        // Over the `MacroArgs` that follows.
                        ip += 1;
                        continue;
                    }
                    match self.lookup_cached(cd!(), n, &cl!().ns) {
                        Some(Value::Func(f)) if f.kind == FuncKind::Macro => {
                            let c = match ops.get(ip) {
                                Some(Op::MacroArgs(c)) => *c,
                                _ => throw!(
                                    self.type_error("internal error: macro call without arguments")
                                ),
                            };
                            save_ip!();
                            tryv!(self.call_macro(f, c));
                            reload!();
                        }
                        Some(v) => {
                            push!(v);
                            ip += 1;
                        }
                        None => throw!(self.name_error(cd!(), n)),
                    }
                }
                Op::CheckMacro(c) => {
                    if let Some(Value::Func(f)) = self.task.stack.last()
                        && f.kind == FuncKind::Macro
                    {
                        let f = f.clone();
                        self.task.stack.pop();
                        save_ip!();
                        tryv!(self.call_macro(f, c));
                        reload!();
                    }
                }
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
                Op::GetMember(n) => tryv!(self.op_get_member(cd!().name(n))),
                Op::SetMember(n) => tryv!(self.op_set_member(cd!().name(n))),
                Op::GetIndex(i) => tryv!(self.op_get_index(i)),
                Op::SetIndex(i) => tryv!(self.op_set_index(i)),
                Op::Select => tryv!(self.op_select(false)),
                Op::SelectDefault => tryv!(self.op_select(true)),
                Op::SetSelect => tryv!(self.op_set_select()),
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
                    if (t as usize) < ip {
                        check_budget!();
                    }
                    ip = t as usize;
                }
                Op::JumpIfFalse(t) => {
                    if !pop!().truthy() {
                        ip = t as usize;
                    }
                }
                Op::JumpIfTrue(t) => {
                    if pop!().truthy() {
                        ip = t as usize;
                    }
                }
                Op::AndJump(t) => {
                    if !top!().truthy() {
                        ip = t as usize;
                    } else {
                        self.task.stack.pop();
                    }
                }
                Op::OrJump(t) => {
                    if top!().truthy() {
                        ip = t as usize;
                    } else {
                        self.task.stack.pop();
                    }
                }
                Op::JumpIfGiven(s, t) => {
                    let given = match self.task.stack.get(base + s as usize) {
                        Some(Value::Cell(c)) => !matches!(*c.borrow(), Value::NotGiven),
                        Some(v) => !matches!(v, Value::NotGiven),
                        None => true,
                    };
                    if given {
                        ip = t as usize;
                    }
                }
                Op::IterStart => {
                    let coll = pop!();
                    let it = tryv!(self.iter_start(&coll));
                    push!(it);
                }
                Op::IterNext(t) => {
                    check_budget!();
                    let next = match self.task.stack.last() {
                        Some(Value::Iter(state)) => super::ops::iter_next(&mut state.borrow_mut()),
                        _ => None,
                    };
                    match next {
                        Some(v) => push!(v),
                        None if super::generator::is_generator_iter(self.task.stack.last()) => {
                            generator_op!(op)
                        }
                        None => {
                            self.task.stack.pop();
                            ip = t as usize;
                        }
                    }
                }
                // ---- data
                Op::MakeArray(n) => self.op_make_array(n),
                Op::ArrayPush => self.op_array_push(),
                Op::ArrayExtend => tryv!(self.op_array_extend()),
                Op::MakeSet(n) => self.op_make_set(n),
                Op::MakeMap(n) => self.op_make_map(n),
                Op::MakeGene(packed) => self.op_make_gene(packed),
                Op::MakeRange(n) => tryv!(self.op_make_range(n)),
                Op::Concat(n) => self.op_concat(n),
                Op::MakeSpread => {
                    let v = pop!();
                    push!(Value::Spread(Rc::new(v)));
                }
                // ---- functions and calls
                Op::MakeClosure(p) => {
                    let f = tryv!(self.make_closure(cl!(), cd!(), p, base));
                    push!(f);
                }
                Op::Call(argc) => {
                    check_budget!();
                    let argc = argc as usize;
                    let pos = self.task.stack.len().wrapping_sub(argc + 1);
                    // Inline path: a plain Gene function (`Code::direct`). The callee moves from
                    // its stack slot into the frame (nothing reads that slot during the call),
                    // which saves reference counting; the arguments become its first slots.
                    let callee = match self.task.stack.get_mut(pos) {
                        Some(slot) if self.task.frames.len() < MAX_FRAMES => take_direct(slot),
                        _ => None,
                    };
                    let Some(f) = callee else {
                        call!(self.call_at(pos, argc, None));
                        continue;
                    };
                    save_ip!();
                    let new_base = pos + 1;
                    let callee_code: &Code = &f.code;
                    let nparams = callee_code.nparams as usize;
                    if argc > nparams {
                        truncate(&mut self.task.stack, new_base + nparams);
                    }
                    let frame_top = new_base + callee_code.nslots as usize;
                    if self.task.stack.len() < frame_top {
                        self.task.stack.resize(frame_top, Value::Nil);
                    }
                    closure = Rc::as_ptr(&f);
                    code = Rc::as_ptr(&f.code);
                    ops = unsafe { &(*code).ops };
                    let self_val = dup(&f.self_val);
                    self.task.frames.push(Frame {
                        closure: f,
                        ip: 0,
                        base: new_base as u32,
                        self_val,
                        home: None,
                        is_ctor: false,
                    });
                    ip = 0;
                    base = new_base;
                }
                Op::TailCall(argc) => {
                    check_budget!();
                    let argc = argc as usize;
                    let pos = self.task.stack.len().wrapping_sub(argc + 1);
                    let same = matches!(self.task.stack.get(pos), Some(Value::Func(f)) if Rc::as_ptr(f) == closure)
                        && self.task.frames.last().is_some_and(|f| !f.is_ctor);
                    if same {
                        // The arguments move down into the frame's first slots (`pos` is above
                        // the slots), the rest of the frame goes, and the body starts over.
                        for i in 0..argc {
                            self.task.stack.swap(base + i, pos + 1 + i);
                        }
                        truncate(&mut self.task.stack, base + argc);
                        tryv!(self.bind_params(cl!(), base, argc, None));
                        ip = 0;
                    } else {
                        call!(self.call_at(pos, argc, None));
                    }
                }
                Op::CallComplex => {
                    check_budget!();
                    let props = pop!();
                    let args = pop!();
                    let pos = self.task.stack.len() - 1;
                    let argc = tryv!(self.push_arg_array(&args));
                    call!(self.call_at(pos, argc, props_map(props)));
                }
                Op::CallMethod(n, argc) => {
                    check_budget!();
                    let pos = self.task.stack.len() - argc as usize - 1;
                    call!(self.call_method(cd!().name(n), pos, argc as usize, None));
                }
                Op::CallMethodComplex(n) => {
                    check_budget!();
                    let props = pop!();
                    let args = pop!();
                    let pos = self.task.stack.len() - 1;
                    let argc = tryv!(self.push_arg_array(&args));
                    call!(self.call_method(cd!().name(n), pos, argc, props_map(props)));
                }
                Op::CallSuper(n, argc) => {
                    call!(self.call_super(cd!().name(n), argc as usize));
                }
                Op::New(argc) => {
                    let pos = self.task.stack.len() - argc as usize - 1;
                    call!(self.new_instance(pos, argc as usize, None));
                }
                Op::NewComplex => {
                    let props = pop!();
                    let args = pop!();
                    let pos = self.task.stack.len() - 1;
                    let argc = tryv!(self.push_arg_array(&args));
                    call!(self.new_instance(pos, argc, props_map(props)));
                }
                Op::Return => {
                    let result = pop!();
                    return_with!(result);
                }
                Op::ReturnLocal(s) => {
                    let result = match self.task.stack.get(base + s as usize) {
                        Some(Value::Cell(c)) => c.borrow().clone(),
                        Some(v) => dup(v),
                        None => Value::Nil,
                    };
                    return_with!(result);
                }
                // ---- classes, namespaces, macros, eval
                Op::MakeClass(n) => tryv!(self.op_make_class(cd!().name(n), &cl!().ns)),
                Op::MakeNs => self.op_make_ns(&cl!().ns),
                Op::RunBody => call!(self.op_run_body()),
                Op::DefMethod(n) => tryv!(self.op_def_method(cd!().name(n))),
                Op::DefCtor => tryv!(self.op_def_ctor()),
                Op::CallerEval => {
                    let v = pop!();
                    call!(self.eval_in_frame(v, true));
                }
                Op::Render => {
                    let v = pop!();
                    call!(self.render_at_runtime(v));
                }
                Op::Import(c) => {
                    let code_rc = match self.task.frames.last() {
                        Some(f) => f.closure.code.clone(),
                        None => throw!(self.type_error("internal error: no frame")),
                    };
                    call!(self.import(&code_rc, c));
                }
                Op::Export(c) => self.op_export(cd!(), c, base),
                // ---- exceptions
                Op::Throw => {
                    let v = pop!();
                    throw!(Exc::new(v));
                }
                Op::Fail(c) => throw!(self.compiled_error(cd!(), c)),
                Op::PushHandler(t) => {
                    self.task.handlers.push(Handler {
                        frames: self.task.frames.len() as u32,
                        stack: self.task.stack.len() as u32,
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
                    save_ip!();
                    self.await_op(flags)?;
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

    /// The running frame's closure and code (as pointers, see [`Vm::dispatch`]), ip and base.
    fn frame_state(&self) -> Option<(*const Closure, *const Code, usize, usize)> {
        let f = self.task.frames.last()?;
        Some((
            Rc::as_ptr(&f.closure),
            Rc::as_ptr(&f.closure.code),
            f.ip as usize,
            f.base as usize,
        ))
    }

    /// Pops the running frame with its slots (and the callee slot below them) and gives the
    /// call's value: `result`, or self for a constructor.
    #[inline(always)]
    fn leave_frame(&mut self, result: Value) -> Value {
        let frames = &mut self.task.frames;
        let Some(frame) = frames.last_mut() else {
            return result;
        };
        if frame.is_ctor || frame.home.is_some() || !is_scalar(&frame.self_val) {
            return self.leave_method_frame(result);
        }
        let base = frame.base as usize;
        // SAFETY: the closure is moved out once and the frame is then forgotten without being
        // touched again; its other fields own nothing (a scalar self, no home class).
        let closure = unsafe { std::ptr::read(&frame.closure) };
        unsafe { frames.set_len(frames.len() - 1) };
        truncate(&mut self.task.stack, base.saturating_sub(1));
        drop(closure);
        result
    }

    /// [`Vm::leave_frame`] for a method or constructor frame.
    #[inline(never)]
    fn leave_method_frame(&mut self, result: Value) -> Value {
        let Some(frame) = self.task.frames.pop() else {
            return result;
        };
        let result = if frame.is_ctor {
            discard(result);
            frame.self_val
        } else {
            result
        };
        truncate(
            &mut self.task.stack,
            (frame.base as usize).saturating_sub(1),
        );
        result
    }

    #[cold]
    fn drop_handlers_above(&mut self, depth: usize) {
        while self
            .task
            .handlers
            .last()
            .is_some_and(|h| h.frames as usize > depth)
        {
            self.task.handlers.pop();
        }
    }

    fn name_error(&self, code: &Code, n: u32) -> Exc {
        self.error("NameError", format!("{} is not defined", code.name(n)))
    }
}

/// Takes the callee out of its stack slot when it is a function a call only has to push a
/// frame for (see `Code::direct`).
#[inline(always)]
fn take_direct(slot: &mut Value) -> Option<Rc<Closure>> {
    match slot {
        Value::Func(f) if f.code.direct => match std::mem::take(slot) {
            Value::Func(f) => Some(f),
            _ => None,
        },
        _ => None,
    }
}
