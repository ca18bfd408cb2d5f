//! The dispatch loop.
//!
//! The running frame's closure and code are held as raw pointers instead of `Rc` clones, so
//! calls and returns do no reference counting for them. They are valid while that frame is on
//! the frame stack: the frame owns an `Rc<Closure>`, which owns its `Rc<Code>`. Every frame
//! change reloads them (`reload!`, or the inline call and return paths).
//!
//! The hot ops work on the value stack through registers ([`StackRegs`]); the others call
//! helpers that work on the `Vec`, written with `vec_do!`, `vec_try!` and `vec_call!`, which
//! store the registers before and load them after (`flush!`, `refresh!`).

use std::cell::RefCell;
use std::rc::Rc;

use super::cursor::Cursor;
use super::frames::take_direct;
use super::generator::{GenStep, is_generator_iter};
use super::stack::{StackRegs, discard, dup, overwrite};
use super::{Exc, Handler, MAX_FRAMES, Vm};
use crate::bytecode::Op;
use crate::value::{Value, values_equal};

impl Vm {
    pub(super) fn dispatch(&mut self, stop_depth: usize) -> Result<Value, Exc> {
        let (mut closure, mut code, mut ip, mut base) = match self.frame_state() {
            Some(s) => s,
            None => return Ok(Value::Nil),
        };
        // SAFETY (here and in `cl!`, `cd!`): see the module doc.
        let mut cursor = Cursor::at(unsafe { &*code }, ip);
        let mut budget = self.preempt_interval.max(1);
        let mut r = StackRegs::load(&mut self.task.stack, base);

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
                r.push(&mut self.task.stack, v);
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
                $e?;
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
                let result = $result;
                if let Some((returned, caller)) = self.pop_inline_frame(stop_depth) {
                    r.leave_frame(result);
                    // `closure` and `code` dangle once the returned closure goes.
                    drop(returned);
                    (closure, code, ip, base) = caller;
                    enter_code!();
                    r.set_base(base);
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
            ($checked:path, $op:expr) => {{
                if r.int_arith($checked) {
                    continue;
                }
                let b = pop!();
                let a = pop!();
                let v = tryv!(self.arith($op, &a, &b));
                push!(v);
            }};
        }
        // `< <= > >=` of two ints in place, else the generic comparison.
        macro_rules! compare {
            ($cmp:tt, $op:expr) => {{
                if r.int_compare(|x, y| x $cmp y) {
                    continue;
                }
                let b = pop!();
                let a = pop!();
                let v = tryv!(self.compare($op, &a, &b));
                push!(Value::Bool(v));
            }};
        }
        // `(local < k)` then a conditional jump: jump when the comparison is false.
        macro_rules! jump_unless {
            ($s:expr, $k:expr, $t:expr, $cmp:tt, $op:expr) => {{
                let holds = match r.local($s as u32) {
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

        loop {
            // SAFETY: the cursor is positioned at each frame change (see `vm/cursor.rs`); the op is
            // matched in place, so each op reads only its own operands.
            let at = unsafe { &*cursor.fetch() };
            match *at {
                Op::Nop | Op::MacroArgs(_) => {}
                // ---- constants and stack
                Op::Nil => push!(Value::Nil),
                Op::True => push!(Value::Bool(true)),
                Op::False => push!(Value::Bool(false)),
                Op::Int(i) => push!(Value::Int(i as i64)),
                Op::Const(i) => push!(cd!().constant(i)),
                Op::ConstCopy(i) => push!(cd!().constant(i).deep_copy()),
                Op::Pop => discard(pop!()),
                Op::PopUnder(n) => r.drop_under(n as usize),
                Op::Dup => {
                    let v = dup(top!());
                    push!(v);
                }
                // ---- variables
                Op::LoadLocal(s) => {
                    let v = match r.local(s) {
                        Some(Value::Cell(c)) => c.borrow().clone(),
                        Some(v) => dup(v),
                        None => Value::Nil,
                    };
                    push!(v);
                }
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
                Op::InitCell(s) => {
                    let v = pop!();
                    if let Some(slot) = r.local(s) {
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
                    let v = r.local(s).map(|v| v.clone()).unwrap_or_default();
                    push!(v);
                }
                Op::AddLocalInt(s, delta) => {
                    let new = vec_try!(self.add_to_local(base, s, delta));
                    push!(new);
                }
                Op::IncLocal(s, delta) => {
                    if let Some(Value::Int(i)) = r.local(s)
                        && let Some(r) = i.checked_add(delta as i64)
                    {
                        *i = r;
                        continue;
                    }
                    vec_try!(self.add_to_local(base, s, delta));
                }
                Op::LocalAddInt(s, delta) => {
                    let sum = match r.local(s) {
                        Some(Value::Int(i)) => i.checked_add(delta as i64).map(Value::Int),
                        _ => None,
                    };
                    let sum = match sum {
                        Some(sum) => sum,
                        None => {
                            let current = match r.local(s) {
                                Some(Value::Cell(c)) => c.borrow().clone(),
                                Some(v) => v.clone(),
                                None => Value::Nil,
                            };
                            tryv!(self.arith(Op::Add, &current, &Value::Int(delta as i64)))
                        }
                    };
                    push!(sum);
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
                            cursor.skip_macro_args();
                        }
                        None => {
                            flush!();
                            save_ip!();
                            let depth = self.task.frames.len();
                            self.load_callee(cl!(), cd!(), n, ip!())?;
                            if self.task.frames.len() != depth {
                                // A macro call.
                                reload!();
                            } else {
                                refresh!();
                                cursor.skip_macro_args();
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
                Op::Add => arith!(i64::checked_add, *at),
                Op::Sub => arith!(i64::checked_sub, *at),
                Op::Mul => arith!(i64::checked_mul, *at),
                Op::Div => {
                    let b = pop!();
                    let a = pop!();
                    let r = tryv!(self.arith(*at, &a, &b));
                    push!(r);
                }
                Op::Neg => {
                    let a = pop!();
                    let r = tryv!(self.negate(&a));
                    push!(r);
                }
                Op::Lt => compare!(<, *at),
                Op::Le => compare!(<=, *at),
                Op::Gt => compare!(>, *at),
                Op::Ge => compare!(>=, *at),
                Op::Eq | Op::Ne => {
                    let b = pop!();
                    let a = pop!();
                    let eq = values_equal(&a, &b);
                    push!(Value::Bool(if *at == Op::Eq { eq } else { !eq }));
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
                    let given = match r.local(s as u32) {
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
                        None if is_generator_iter(Some(top!())) => generator_op!(*at),
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
                    let callee = match r.peek(argc) {
                        Some(slot) if self.task.frames.len() < MAX_FRAMES => {
                            take_direct(slot, argc)
                        }
                        _ => None,
                    };
                    let Some(f) = callee else {
                        vec_call!(self.op_call(argc));
                        continue;
                    };
                    base = r.enter_frame(&mut self.task.stack, argc, f.code.nlocals as usize);
                    closure = Rc::as_ptr(&f);
                    code = Rc::as_ptr(&f.code);
                    let caller_ip = cursor.index();
                    cursor = Cursor::start(cd!());
                    self.push_frame(caller_ip, f, base);
                }
                Op::TailCall(argc) => {
                    check_budget!();
                    let argc = argc as usize;
                    flush!();
                    let pos = self.task.stack.len().wrapping_sub(argc + 1);
                    if self.restart_frame(cl!(), base, pos, argc) {
                        refresh!();
                        cursor.restart();
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
                Op::ReturnLocal(s) => return_with!(match r.local(s) {
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
                    let depth = r.depth() as u32;
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
                | Op::IterUnwrap(_) => generator_op!(*at),
            }
        }
    }
}
