//! The dispatch loop.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::Ordering;

use super::code::Code;
use super::{CHECK_INTERVAL, Exc, Handler, Vm};
use crate::bytecode::{Const, Op};
use crate::value::{Closure, FuncKind, GeneData, Map, Value, values_equal};

impl Vm {
    /// Runs the current task until its frame count drops back to `stop_depth`, and gives the
    /// value of the frame that returned there. An exception no handler above `stop_depth`
    /// catches unwinds to it and is returned.
    pub(crate) fn execute(&mut self, stop_depth: usize) -> Result<Value, Exc> {
        loop {
            match self.dispatch(stop_depth) {
                Ok(v) => return Ok(v),
                Err(exc) => self.unwind(exc, stop_depth)?,
            }
        }
    }

    /// Finds the handler for a thrown value, or unwinds to `stop_depth` and gives it back.
    fn unwind(&mut self, mut exc: Exc, stop_depth: usize) -> Result<(), Exc> {
        if exc.trace.is_none() {
            let from_instance = match &exc.value {
                Value::Instance(i) => i.trace.borrow().clone(),
                _ => None,
            };
            let trace = from_instance.unwrap_or_else(|| self.capture_trace());
            if let Value::Instance(i) = &exc.value {
                if i.class.is_exception && i.trace.borrow().is_none() {
                    *i.trace.borrow_mut() = Some(trace.clone());
                }
            }
            exc.trace = Some(trace);
        }
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

    /// The loop keeps the running frame's closure and code as raw pointers instead of `Rc`
    /// clones, so calls and returns do no reference counting for them. They are valid while that
    /// frame is on the frame stack: the frame owns an `Rc<Closure>`, which owns its `Rc<Code>`.
    /// Every place that can pop the running frame (`Return`) reloads them at once, and every
    /// other frame change goes through `reload!`; throwing leaves this function.
    fn dispatch(&mut self, stop_depth: usize) -> Result<Value, Exc> {
        let (mut closure, mut code, mut ip, mut base) = match self.frame_state() {
            Some(s) => s,
            None => return Ok(Value::Nil),
        };
        let mut budget = CHECK_INTERVAL;
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
        macro_rules! check_budget {
            () => {
                budget -= 1;
                if budget == 0 {
                    budget = CHECK_INTERVAL;
                    if self.interrupt.swap(false, Ordering::Relaxed) {
                        save_ip!();
                        let mut e = self.error("Interrupted", "interrupted");
                        e.uncatchable = true;
                        return Err(e);
                    }
                }
            };
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
                    match self.task.stack.get_mut(base + s as usize) {
                        Some(Value::Cell(c)) => *c.borrow_mut() = v,
                        Some(slot) => *slot = v,
                        None => {}
                    }
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
                    let name = cd!().name(n);
                    let v = top!().clone();
                    let mut ns = Some(cl!().ns.clone());
                    let mut stored = false;
                    while let Some(n) = ns {
                        if n.members.borrow().contains_key(&name) {
                            n.set(name, v.clone());
                            stored = true;
                            break;
                        }
                        ns = n.parent.clone();
                    }
                    if !stored {
                        throw!(self.error(
                            "NameError",
                            format!("{name} is not defined (declare it with var)")
                        ));
                    }
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
                    let r = if let (Value::Int(x), Value::Int(y)) = (&a, &b) {
                        match op {
                            Op::Lt => x < y,
                            Op::Le => x <= y,
                            Op::Gt => x > y,
                            _ => x >= y,
                        }
                    } else {
                        tryv!(self.compare(op, &a, &b))
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
                    let slot = match self.task.stack.get_mut(base + s as usize) {
                        Some(slot) => slot,
                        None => throw!(self.type_error("internal error: bad slot")),
                    };
                    let current = match slot {
                        Value::Cell(c) => c.borrow().clone(),
                        v => v.clone(),
                    };
                    let new = match current {
                        Value::Int(i) => match i.checked_add(delta as i64) {
                            Some(r) => Value::Int(r),
                            None => throw!(self.error(
                                "OverflowError",
                                format!("integer overflow in ({i} + {delta})")
                            )),
                        },
                        other => tryv!(self.arith(Op::Add, &other, &Value::Int(delta as i64))),
                    };
                    match self.task.stack.get_mut(base + s as usize) {
                        Some(Value::Cell(c)) => *c.borrow_mut() = new.clone(),
                        Some(slot) => *slot = new.clone(),
                        None => {}
                    }
                    push!(new);
                }
                Op::SetLocal(s) => {
                    let v = pop!();
                    match self.task.stack.get_mut(base + s as usize) {
                        Some(Value::Cell(c)) => *c.borrow_mut() = v,
                        Some(slot) => *slot = v,
                        None => {}
                    }
                }
                Op::IncLocal(s, delta) => {
                    if let Some(Value::Int(i)) = self.task.stack.get_mut(base + s as usize) {
                        if let Some(r) = i.checked_add(delta as i64) {
                            *i = r;
                            continue;
                        }
                    }
                    let current = match self.task.stack.get(base + s as usize) {
                        Some(Value::Cell(c)) => c.borrow().clone(),
                        Some(v) => v.clone(),
                        None => Value::Nil,
                    };
                    let new = tryv!(self.arith(Op::Add, &current, &Value::Int(delta as i64)));
                    match self.task.stack.get_mut(base + s as usize) {
                        Some(Value::Cell(c)) => *c.borrow_mut() = new,
                        Some(slot) => *slot = new,
                        None => {}
                    }
                }
                Op::LocalAddInt(s, delta) => {
                    let r = match self.task.stack.get(base + s as usize) {
                        Some(Value::Int(i)) => i.checked_add(delta as i64).map(Value::Int),
                        _ => None,
                    };
                    let r = match r {
                        Some(r) => r,
                        None => {
                            let current = match self.task.stack.get(base + s as usize) {
                                Some(Value::Cell(c)) => c.borrow().clone(),
                                Some(v) => v.clone(),
                                None => Value::Nil,
                            };
                            tryv!(self.arith(Op::Add, &current, &Value::Int(delta as i64)))
                        }
                    };
                    push!(r);
                }
                Op::JumpUnlessLt(s, k, t)
                | Op::JumpUnlessLe(s, k, t)
                | Op::JumpUnlessGt(s, k, t)
                | Op::JumpUnlessGe(s, k, t) => {
                    let holds = match self.task.stack.get(base + s as usize) {
                        Some(Value::Int(i)) => {
                            let (i, k) = (*i, k as i64);
                            match op {
                                Op::JumpUnlessLt(..) => i < k,
                                Op::JumpUnlessLe(..) => i <= k,
                                Op::JumpUnlessGt(..) => i > k,
                                _ => i >= k,
                            }
                        }
                        other => {
                            let v = match other {
                                Some(Value::Cell(c)) => c.borrow().clone(),
                                Some(v) => v.clone(),
                                None => Value::Nil,
                            };
                            let cmp = match op {
                                Op::JumpUnlessLt(..) => Op::Lt,
                                Op::JumpUnlessLe(..) => Op::Le,
                                Op::JumpUnlessGt(..) => Op::Gt,
                                _ => Op::Ge,
                            };
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
                    let Some(child) = cd!().protos.get(p as usize).cloned() else {
                        throw!(self.type_error("internal error: bad function index"));
                    };
                    let captures = child
                        .proto
                        .captures
                        .iter()
                        .map(|from| match *from {
                            crate::bytecode::CaptureFrom::Slot(s) => {
                                match self.task.stack.get(base + s as usize) {
                                    Some(Value::Cell(c)) => c.clone(),
                                    other => {
                                        Rc::new(RefCell::new(other.cloned().unwrap_or_default()))
                                    }
                                }
                            }
                            crate::bytecode::CaptureFrom::Capture(i) => {
                                cl!().captures.get(i as usize).cloned().unwrap_or_default()
                            }
                        })
                        .collect();
                    let kind = match child.proto.kind {
                        crate::bytecode::ProtoKind::Macro => FuncKind::Macro,
                        crate::bytecode::ProtoKind::Block => FuncKind::Block,
                        _ => FuncKind::Function,
                    };
                    let self_val = self
                        .task
                        .frames
                        .last()
                        .map(|f| f.self_val.clone())
                        .unwrap_or_default();
                    push!(Value::Func(Rc::new(Closure {
                        code: child,
                        captures,
                        ns: cl!().ns.clone(),
                        self_val,
                        kind
                    })));
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
                            if f.code.proto.params.simple && f.code.proto.cell_params.is_empty());
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

    /// Pushes the elements of an argument array (built for a spread/props call); gives the count.
    fn push_arg_array(&mut self, args: &Value) -> Result<usize, Exc> {
        match args {
            Value::Array(a) => {
                let items = a.borrow();
                self.task.stack.extend(items.iter().cloned());
                Ok(items.len())
            }
            _ => Ok(0),
        }
    }

    /// The elements a spread inlines.
    pub(crate) fn spread_items(&self, v: &Value) -> Result<Vec<Value>, Exc> {
        match v {
            Value::Array(a) => Ok(a.borrow().clone()),
            Value::Set(s) => Ok(s.borrow().clone()),
            Value::Gene(g) => Ok(g.borrow().children.clone()),
            Value::Range(r) => Ok((0..r.len())
                .filter_map(|i| r.get(i))
                .map(Value::Int)
                .collect()),
            Value::Nil => Ok(Vec::new()),
            other => Err(self.type_error(format!(
                "only arrays can be spread, got {}",
                other.type_name()
            ))),
        }
    }

    fn make_class(
        &self,
        name: crate::intern::Sym,
        parent: Value,
        ns: &Rc<crate::value::Namespace>,
    ) -> Result<Value, Exc> {
        let parent = match parent {
            Value::Nil => None,
            Value::Class(c) => Some(c),
            other => {
                return Err(self.type_error(format!(
                    "a class can only inherit from a class, not {}",
                    other.type_name()
                )));
            }
        };
        let name = name.name().to_string();
        // `Exception` defined by the prelude in `gene` is the root of the exception classes.
        let is_exception = match &parent {
            Some(p) => p.is_exception,
            None => name == "Exception" && Rc::ptr_eq(ns, &self.gene_ns),
        };
        Ok(Value::Class(Rc::new(crate::value::Class {
            ns: crate::value::Namespace::new(name.clone(), Some(ns.clone())),
            name,
            is_exception,
            parent,
            methods: RefCell::default(),
            ctor: RefCell::default(),
        })))
    }
}

fn clone_closure(c: &Closure) -> Closure {
    Closure {
        code: c.code.clone(),
        captures: c.captures.clone(),
        ns: c.ns.clone(),
        self_val: c.self_val.clone(),
        kind: c.kind,
    }
}

fn pairs_to_map(items: Vec<Value>) -> Map {
    let mut map = Map::default();
    let mut it = items.into_iter();
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        let key = match k {
            Value::Symbol(s) => s,
            other => crate::intern::Sym::new(&crate::value::display(&other)),
        };
        map.insert(key, v);
    }
    map
}

fn props_map(v: Value) -> Option<Map> {
    match v {
        Value::Map(m) => Some(m.borrow().clone()),
        _ => None,
    }
}
