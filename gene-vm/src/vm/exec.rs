//! The dispatch loop.

use std::cell::RefCell;
use std::rc::Rc;

use super::code::Code;
use super::run_support::{clone_closure, pairs_to_map, props_map};
use super::{Exc, Handler, Vm};
use crate::bytecode::{Const, Op};
use crate::value::{Closure, FuncKind, GeneData, Value, values_equal};

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
        let mut budget = self.preempt_interval.max(1);
        // SAFETY: see the doc comment above; the pointers always come from the top frame.
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
                    Some(s) => (closure, code, ip, base) = s,
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

        loop {
            let op = match cd!().ops.get(ip) {
                Some(op) => *op,
                None => Op::Return,
            };
            ip += 1;
            match op {
                Op::Nop | Op::MacroArgs(_) => {}
                Op::Nil => push!(Value::Nil),
                Op::True => push!(Value::Bool(true)),
                Op::False => push!(Value::Bool(false)),
                Op::Int(i) => push!(Value::Int(i as i64)),
                Op::Const(i) => push!(cd!().constant(i)),
                Op::ConstCopy(i) => push!(cd!().constant(i).deep_copy()),
                Op::Pop => {
                    self.task.stack.pop();
                }
                Op::PopUnder(n) => {
                    let top = pop!();
                    let len = self.task.stack.len().saturating_sub(n as usize);
                    self.task.stack.truncate(len);
                    push!(top);
                }
                Op::Dup => {
                    let v = top!().clone();
                    push!(v);
                }
                Op::LoadLocal(s) => {
                    let v = match self.task.stack.get(base + s as usize) {
                        Some(Value::Cell(c)) => c.borrow().clone(),
                        Some(v) => v.clone(),
                        None => Value::Nil,
                    };
                    push!(v);
                }
                Op::StoreLocal(s) => {
                    let v = top!().clone();
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
                    let v = cl!()
                        .captures
                        .get(i as usize)
                        .map(|c| c.borrow().clone())
                        .unwrap_or_default();
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
                Op::LoadName(n) => {
                    let name = cd!().name(n);
                    match self.lookup_cached(cd!(), n, &cl!().ns) {
                        Some(v) => push!(v),
                        None => throw!(self.error("NameError", format!("{name} is not defined"))),
                    }
                }
                Op::LoadNameOrSymbol(n) => {
                    let name = cd!().name(n);
                    let v = self
                        .lookup_name(&cl!().ns, name)
                        .unwrap_or(Value::Symbol(name));
                    push!(v);
                }
                Op::LoadCallee(n) => {
                    let name = cd!().name(n);
                    match self.lookup_cached(cd!(), n, &cl!().ns) {
                        Some(Value::Func(f)) if f.kind == FuncKind::Macro => {
                            let c = match cd!().ops.get(ip) {
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
                        None => throw!(self.error("NameError", format!("{name} is not defined"))),
                    }
                }
                Op::CheckMacro(c) => {
                    if let Some(Value::Func(f)) = self.task.stack.last() {
                        if f.kind == FuncKind::Macro {
                            let f = f.clone();
                            self.task.stack.pop();
                            save_ip!();
                            tryv!(self.call_macro(f, c));
                            reload!();
                        }
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
                    let v = self
                        .task
                        .frames
                        .last()
                        .map(|f| f.self_val.clone())
                        .unwrap_or_default();
                    push!(v);
                }
                Op::LoadNs => push!(Value::Ns(cl!().ns.clone())),
                Op::GetMember(n) => {
                    let target = pop!();
                    let v = tryv!(self.get_member(&target, cd!().name(n)));
                    push!(v);
                }
                Op::SetMember(n) => {
                    let value = pop!();
                    let target = pop!();
                    tryv!(self.set_member(&target, cd!().name(n), value.clone()));
                    push!(value);
                }
                Op::GetIndex(i) => {
                    let target = pop!();
                    let v = tryv!(self.get_index(&target, i as i64));
                    push!(v);
                }
                Op::SetIndex(i) => {
                    let value = pop!();
                    let target = pop!();
                    tryv!(self.set_index(&target, i as i64, value.clone()));
                    push!(value);
                }
                Op::Select => {
                    let key = pop!();
                    let target = pop!();
                    let v = tryv!(self.select(&target, &key));
                    push!(v);
                }
                Op::SelectDefault => {
                    let default = pop!();
                    let key = pop!();
                    let target = pop!();
                    let v = tryv!(self.select(&target, &key));
                    push!(if matches!(v, Value::Nil) { default } else { v });
                }
                Op::SetSelect => {
                    let value = pop!();
                    let key = pop!();
                    let target = pop!();
                    tryv!(self.set_select(&target, &key, value.clone()));
                    push!(value);
                }
                Op::Add | Op::Sub | Op::Mul => {
                    let b = pop!();
                    let a = top!();
                    if let (Value::Int(x), Value::Int(y)) = (&*a, &b) {
                        let r = match op {
                            Op::Add => x.checked_add(*y),
                            Op::Sub => x.checked_sub(*y),
                            _ => x.checked_mul(*y),
                        };
                        if let Some(r) = r {
                            *a = Value::Int(r);
                            continue;
                        }
                    }
                    let a = a.clone();
                    let r = tryv!(self.arith(op, &a, &b));
                    *top!() = r;
                }
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
                Op::Lt | Op::Le | Op::Gt | Op::Ge => {
                    let b = pop!();
                    let a = pop!();
                    let r = match (&a, &b) {
                        (Value::Int(x), Value::Int(y)) => int_compare(op, *x, *y),
                        _ => tryv!(self.compare(op, &a, &b)),
                    };
                    push!(Value::Bool(r));
                }
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
                Op::AddLocalInt(s, delta) => {
                    let new = tryv!(self.add_to_local(base, s, delta));
                    push!(new);
                }
                Op::SetLocal(s) => {
                    let v = pop!();
                    self.set_local(base, s, v);
                }
                Op::IncLocal(s, delta) => {
                    if let Some(Value::Int(i)) = self.task.stack.get_mut(base + s as usize) {
                        if let Some(r) = i.checked_add(delta as i64) {
                            *i = r;
                            continue;
                        }
                    }
                    tryv!(self.add_to_local(base, s, delta));
                }
                Op::LocalAddInt(s, delta) => {
                    let r = match self.task.stack.get(base + s as usize) {
                        Some(Value::Int(i)) => i.checked_add(delta as i64).map(Value::Int),
                        _ => None,
                    };
                    let r = match r {
                        Some(r) => r,
                        None => {
                            let current = self.local_value(base, s);
                            tryv!(self.arith(Op::Add, &current, &Value::Int(delta as i64)))
                        }
                    };
                    push!(r);
                }
                Op::JumpUnlessLt(s, k, t)
                | Op::JumpUnlessLe(s, k, t)
                | Op::JumpUnlessGt(s, k, t)
                | Op::JumpUnlessGe(s, k, t) => {
                    let cmp = match op {
                        Op::JumpUnlessLt(..) => Op::Lt,
                        Op::JumpUnlessLe(..) => Op::Le,
                        Op::JumpUnlessGt(..) => Op::Gt,
                        _ => Op::Ge,
                    };
                    let holds = match self.task.stack.get(base + s as usize) {
                        Some(Value::Int(i)) => int_compare(cmp, *i, k as i64),
                        _ => {
                            let v = self.local_value(base, s as u32);
                            tryv!(self.compare(cmp, &v, &Value::Int(k as i64)))
                        }
                    };
                    if !holds {
                        ip = t as usize;
                    }
                }
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
                Op::MakeArray(n) => {
                    let len = self.task.stack.len();
                    let items = self.task.stack.split_off(len.saturating_sub(n as usize));
                    push!(Value::array(items));
                }
                Op::ArrayPush => {
                    let v = pop!();
                    if let Value::Array(a) = top!() {
                        a.borrow_mut().push(v);
                    }
                }
                Op::ArrayExtend => {
                    let v = pop!();
                    let items = tryv!(self.spread_items(&v));
                    if let Value::Array(a) = top!() {
                        a.borrow_mut().extend(items);
                    }
                }
                Op::MakeSet(n) => {
                    let len = self.task.stack.len();
                    let items = self.task.stack.split_off(len.saturating_sub(n as usize));
                    let mut set: Vec<Value> = Vec::new();
                    for v in items {
                        if !set.iter().any(|x| values_equal(x, &v)) {
                            set.push(v);
                        }
                    }
                    push!(Value::Set(Rc::new(RefCell::new(set))));
                }
                Op::MakeMap(n) => {
                    let len = self.task.stack.len();
                    let items = self
                        .task
                        .stack
                        .split_off(len.saturating_sub(2 * n as usize));
                    push!(Value::map(pairs_to_map(items)));
                }
                Op::MakeGene(packed) => {
                    let props = (packed >> 16) as usize;
                    let children = (packed & 0xffff) as usize;
                    let len = self.task.stack.len();
                    let children = self.task.stack.split_off(len.saturating_sub(children));
                    let len = self.task.stack.len();
                    let props =
                        pairs_to_map(self.task.stack.split_off(len.saturating_sub(2 * props)));
                    let head = pop!();
                    push!(Value::Gene(Rc::new(RefCell::new(GeneData {
                        head,
                        props,
                        children
                    }))));
                }
                Op::MakeRange(n) => {
                    let step = if n == 3 { Some(pop!()) } else { None };
                    let end = pop!();
                    let start = pop!();
                    let r = tryv!(self.make_range(&start, &end, step.as_ref()));
                    push!(r);
                }
                Op::Concat(n) => {
                    let len = self.task.stack.len();
                    let parts = self.task.stack.split_off(len.saturating_sub(n as usize));
                    push!(Vm::concat(&parts));
                }
                Op::MakeSpread => {
                    let v = pop!();
                    push!(Value::Spread(Rc::new(v)));
                }
                Op::MakeClosure(p) => {
                    let f = tryv!(self.make_closure(cl!(), cd!(), p, base));
                    push!(f);
                }
                Op::Call(argc) => {
                    check_budget!();
                    let argc = argc as usize;
                    let pos = self.task.stack.len() - argc - 1;
                    // Fast path: a Gene function with plain positional parameters. The callee
                    // moves from its stack slot into the frame (nothing reads that slot during
                    // the call), which saves reference counting.
                    let fast = self.task.frames.len() < super::MAX_FRAMES
                        && matches!(self.task.stack.get(pos), Some(Value::Func(f))
                            if f.code.proto.direct_call);
                    let callee = if fast {
                        self.task.stack.get_mut(pos).map(std::mem::take)
                    } else {
                        None
                    };
                    match callee {
                        Some(Value::Func(f)) => {
                            save_ip!();
                            let proto = &f.code.proto;
                            let new_base = pos + 1;
                            let nparams = proto.params.slots.len();
                            if argc > nparams {
                                self.task.stack.truncate(new_base + nparams);
                            }
                            let target = new_base + proto.nslots as usize;
                            while self.task.stack.len() < target {
                                self.task.stack.push(Value::Nil);
                            }
                            closure = Rc::as_ptr(&f);
                            code = Rc::as_ptr(&f.code);
                            let self_val = f.self_val.clone();
                            self.task.frames.push(super::Frame {
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
                        _ => call!(self.call_at(pos, argc, None)),
                    }
                }
                Op::TailCall(argc) => {
                    check_budget!();
                    let pos = self.task.stack.len() - argc as usize - 1;
                    let same = matches!(self.task.stack.get(pos), Some(Value::Func(f)) if Rc::as_ptr(f) == closure)
                        && self.task.frames.last().is_some_and(|f| !f.is_ctor);
                    if same {
                        let args = self.task.stack.split_off(pos + 1);
                        self.task.stack.truncate(base);
                        let argc = args.len();
                        self.task.stack.extend(args);
                        tryv!(self.bind_params(cl!(), base, argc, None));
                        ip = 0;
                    } else {
                        call!(self.call_at(pos, argc as usize, None));
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
                    let Some(frame) = self.task.frames.pop() else {
                        return Ok(result);
                    };
                    let result = if frame.is_ctor {
                        frame.self_val
                    } else {
                        result
                    };
                    self.task
                        .stack
                        .truncate((frame.base as usize).saturating_sub(1));
                    let depth = self.task.frames.len();
                    while self
                        .task
                        .handlers
                        .last()
                        .is_some_and(|h| h.frames as usize > depth)
                    {
                        self.task.handlers.pop();
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
                }
                Op::MakeClass(n) => {
                    let parent = pop!();
                    let class = tryv!(self.make_class(cd!().name(n), parent, &cl!().ns.clone()));
                    push!(class);
                }
                Op::MakeNs => {
                    let name = pop!();
                    let ns = crate::value::Namespace::new(
                        crate::value::display(&name),
                        Some(cl!().ns.clone()),
                    );
                    push!(Value::Ns(ns));
                }
                Op::RunBody => {
                    let body = pop!();
                    let self_val = top!().clone();
                    let Value::Func(body) = body else {
                        throw!(self.type_error("internal error: body is not a function"));
                    };
                    let body = match &self_val {
                        Value::Class(c) => Rc::new(Closure {
                            ns: c.ns.clone(),
                            ..clone_closure(&body)
                        }),
                        Value::Ns(n) => Rc::new(Closure {
                            ns: n.clone(),
                            ..clone_closure(&body)
                        }),
                        _ => body,
                    };
                    let pos = self.task.stack.len() - 1;
                    call!(self.enter(body, pos, 0, None, self_val, None, false));
                }
                Op::DefMethod(n) => {
                    let method = pop!();
                    let class = pop!();
                    match &class {
                        Value::Class(c) => {
                            c.methods.borrow_mut().insert(cd!().name(n), method.clone());
                        }
                        other => throw!(self.type_error(format!(
                            ".fn defines methods on a class, not on {}",
                            other.type_name()
                        ))),
                    }
                    push!(method);
                }
                Op::DefCtor => {
                    let ctor = pop!();
                    let class = pop!();
                    match &class {
                        Value::Class(c) => *c.ctor.borrow_mut() = Some(ctor.clone()),
                        other => throw!(self.type_error(format!(
                            ".ctor defines a constructor on a class, not on {}",
                            other.type_name()
                        ))),
                    }
                    push!(ctor);
                }
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
                Op::Export(c) => {
                    if let Some(Const::Exports(list)) = cd!().proto.consts.get(c as usize) {
                        for (name, slot) in list {
                            if let Some(Value::Cell(cell)) =
                                self.task.stack.get(base + *slot as usize)
                            {
                                self.exports.push((name.clone(), cell.clone()));
                            }
                        }
                    }
                }
                Op::Throw => {
                    let v = pop!();
                    throw!(Exc::new(v));
                }
                Op::Fail(c) => {
                    let e = match cd!().proto.consts.get(c as usize) {
                        Some(Const::Error { class, message }) => {
                            self.error(class, message.as_str())
                        }
                        _ => self.type_error("internal error"),
                    };
                    throw!(e);
                }
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
}

#[inline]
fn int_compare(op: Op, x: i64, y: i64) -> bool {
    match op {
        Op::Lt => x < y,
        Op::Le => x <= y,
        Op::Gt => x > y,
        _ => x >= y,
    }
}
