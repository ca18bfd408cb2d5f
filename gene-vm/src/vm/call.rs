//! Calls: entering Gene functions (argument binding), natives, methods, constructors, `super`,
//! macros, and resuming native continuations.

use std::rc::Rc;

use super::native::{Flow, Step};
use super::{Exc, Frame, MAX_FRAMES, NativeCont, Vm};
use crate::bytecode::Const;
use crate::intern::Sym;
use crate::value::{
    Class, Closure, FuncKind, Instance, Map, NativeFn, NativeImpl, Value, form_to_value,
};

impl Vm {
    /// Calls the value at `stack[pos]` with the `argc` values above it. A Gene callee gets a new
    /// frame (the dispatch loop continues there); anything else leaves its result at `pos`.
    pub(crate) fn call_at(
        &mut self,
        pos: usize,
        argc: usize,
        props: Option<Map>,
    ) -> Result<(), Exc> {
        if props.is_none() && self.try_call_direct(pos, argc) {
            return Ok(());
        }
        let callee = self.task.stack.get(pos).cloned().unwrap_or_default();
        match callee {
            Value::Func(closure) => {
                let self_val = closure.self_val.clone();
                self.enter(closure, pos, argc, props, self_val, None, false)
            }
            Value::Native(f) => self.call_native(f, pos + 1, pos, props),
            Value::BoundMethod(bm) => {
                if let Some(slot) = self.task.stack.get_mut(pos) {
                    *slot = bm.0.clone();
                }
                self.call_method(bm.1, pos, argc, props)
            }
            Value::Selector(path) => {
                let target = self.task.stack.get(pos + 1).cloned().unwrap_or_default();
                let default = if argc > 1 {
                    self.task.stack.get(pos + 2).cloned()
                } else {
                    None
                };
                let mut v = target;
                for key in path.iter() {
                    v = self.select(&v, key)?;
                }
                let v = match (v, default) {
                    (Value::Nil, Some(d)) => d,
                    (v, _) => v,
                };
                self.task.stack.truncate(pos);
                self.task.stack.push(v);
                Ok(())
            }
            // `.next` / `.close` resuming a generator (see `vm/generator.rs`).
            Value::Generator(g) if g.armed.borrow().is_some() => self.call_generator(g, pos, argc),
            head => {
                // Not callable: a data gene with the evaluated children.
                let children = self.task.stack.split_off(pos + 1);
                self.task.stack.truncate(pos);
                self.task
                    .stack
                    .push(Value::gene(head, props.unwrap_or_default(), children));
                Ok(())
            }
        }
    }

    /// Pushes a frame for `closure` whose arguments are `stack[pos+1..]`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn enter(
        &mut self,
        closure: Rc<Closure>,
        pos: usize,
        argc: usize,
        props: Option<Map>,
        self_val: Value,
        home: Option<Rc<Class>>,
        is_ctor: bool,
    ) -> Result<(), Exc> {
        if self.task.frames.len() >= MAX_FRAMES {
            return Err(self.error(
                "StackOverflow",
                format!(
                    "stack overflow: more than {MAX_FRAMES} nested calls (in {})",
                    closure.name()
                ),
            ));
        }
        if closure.is_async && !is_ctor {
            return self.spawn_call(closure, pos, argc, props, self_val, home);
        }
        let base = pos + 1;
        debug_assert_eq!(self.task.stack.len(), base + argc);
        self.bind_params(&closure, base, argc, props)?;
        self.task.frames.push(Frame {
            closure,
            ip: 0,
            base: base as u32,
            self_val,
            home,
            is_ctor,
        });
        Ok(())
    }

    /// When `stack[pos]` is a plain function given exactly its parameters (a callback, most
    /// often), pushes its frame as the dispatch loop's inline call does (emptying its callee
    /// slot) and gives true.
    #[inline]
    fn try_call_direct(&mut self, pos: usize, argc: usize) -> bool {
        if self.task.frames.len() >= MAX_FRAMES {
            return false;
        }
        let Some(closure) = self
            .task
            .stack
            .get_mut(pos)
            .and_then(|slot| super::frames::take_direct(slot, argc))
        else {
            return false;
        };
        let self_val = closure.self_val.clone();
        self.enter_direct(closure, pos + 1, self_val, None, false);
        true
    }

    /// Pushes the frame of a call of a plain function (`Code::direct`) whose arguments, exactly
    /// its parameters, are `stack[base..]`.
    fn enter_direct(
        &mut self,
        closure: Rc<Closure>,
        base: usize,
        self_val: Value,
        home: Option<Rc<Class>>,
        is_ctor: bool,
    ) {
        let nlocals = closure.code.nlocals as usize;
        if nlocals > 0 {
            let stack = &mut self.task.stack;
            stack.reserve(nlocals);
            for _ in 0..nlocals {
                stack.push(Value::Nil);
            }
        }
        self.task.frames.push(Frame {
            closure,
            ip: 0,
            base: base as u32,
            self_val,
            home,
            is_ctor,
        });
    }

    /// Whether a call of `closure` with `argc` arguments only has to push a frame.
    fn is_direct(&self, closure: &Closure, argc: usize) -> bool {
        closure.code.direct
            && closure.code.nparams as usize == argc
            && self.task.frames.len() < MAX_FRAMES
    }

    /// Turns the arguments at `stack[base..]` into the frame's slots.
    #[inline(always)]
    pub(crate) fn bind_params(
        &mut self,
        closure: &Closure,
        base: usize,
        argc: usize,
        props: Option<Map>,
    ) -> Result<(), Exc> {
        if closure.code.positional {
            bind_positional(&mut self.task.stack, closure, base, argc);
        } else {
            super::sched::bind_params(&mut self.task.stack, closure, base, argc, props.as_ref());
        }
        Ok(())
    }

    /// Runs a native with the arguments `stack[args_from..]`; its result replaces `stack[pos..]`.
    pub(crate) fn call_native(
        &mut self,
        f: &'static NativeFn,
        args_from: usize,
        pos: usize,
        props: Option<Map>,
    ) -> Result<(), Exc> {
        let mut args = std::mem::take(&mut self.arg_buf);
        args.clear();
        super::stack::move_tail(&mut self.task.stack, args_from, &mut args);
        self.task.stack.truncate(pos);
        // Most calls have no props: the field is then left alone (writing it runs the old
        // map's drop glue).
        if props.is_some() {
            self.native_props = props;
        }
        // A plain native's value goes straight on the stack; a flow native's first step is
        // carried out once the arguments are back in their buffer.
        let outcome = match f.imp {
            NativeImpl::Simple(imp) => imp(self, &args).map(|v| {
                self.task.stack.push(v);
                None
            }),
            NativeImpl::Flow(imp) => imp(self, &args).map(Some),
        };
        args.clear();
        self.arg_buf = args;
        if self.native_props.is_some() {
            self.native_props = None;
        }
        let result = match outcome? {
            Some(flow) => self.drive(flow),
            None => Ok(()),
        };
        if self.sched.yield_now {
            // The native started tasks (callbacks) that run before the caller goes on.
            self.sched.yield_now = false;
            result?;
            return Err(Exc::signal(super::sched::Signal::Yield { front: true }));
        }
        result
    }

    /// Carries out a native's first step.
    pub(crate) fn drive(&mut self, flow: Flow) -> Result<(), Exc> {
        match flow {
            Flow::Return(v) => {
                self.task.stack.push(v);
                Ok(())
            }
            Flow::Call { cont, callee, args } => {
                let depth = self.task.frames.len();
                self.task.natives.push(NativeCont { depth, cont });
                let pos = self.task.stack.len();
                let argc = args.len();
                self.task.stack.push(callee);
                self.task.stack.extend(args);
                self.call_at(pos, argc, None)?;
                if self.task.frames.len() > depth {
                    return Ok(());
                }
                self.continue_natives()
            }
        }
    }

    /// Resumes the native continuations waiting at the current depth with the value on top of
    /// the stack, until one starts a Gene call or none is left.
    pub(crate) fn continue_natives(&mut self) -> Result<(), Exc> {
        loop {
            let depth = self.task.frames.len();
            if self.task.natives.last().is_none_or(|n| n.depth != depth) {
                return Ok(());
            }
            let result = self.task.stack.pop().unwrap_or_default();
            let Some(mut waiting) = self.task.natives.pop() else {
                return Ok(());
            };
            let step = waiting.cont.resume(self, result)?;
            if let Step::Return(v) = step {
                self.task.stack.push(v);
                continue;
            }
            self.native_call_budget -= 1;
            if self.native_call_budget == 0 {
                self.native_call_budget = super::CHECK_INTERVAL;
                self.check_interrupt()?;
            }
            self.task.natives.push(waiting);
            let pos = self.task.stack.len();
            let stack = &mut self.task.stack;
            let argc = match step {
                Step::CallOne(callee, a) => {
                    stack.reserve(2);
                    stack.push(callee);
                    stack.push(a);
                    1
                }
                Step::CallTwo(callee, a, b) => {
                    stack.reserve(3);
                    stack.push(callee);
                    stack.push(a);
                    stack.push(b);
                    2
                }
                Step::Call(callee, args) => {
                    let argc = args.len();
                    stack.push(callee);
                    stack.extend(args);
                    argc
                }
                Step::Return(_) => 0,
            };
            if !self.try_call_direct(pos, argc) {
                self.call_at(pos, argc, None)?;
            }
            if self.task.frames.len() > depth {
                return Ok(());
            }
        }
    }

    /// `(receiver .name args...)` with the receiver at `stack[pos]`.
    pub(crate) fn call_method(
        &mut self,
        name: Sym,
        pos: usize,
        argc: usize,
        props: Option<Map>,
    ) -> Result<(), Exc> {
        let receiver = self.task.stack.get(pos).cloned().unwrap_or_default();
        match &receiver {
            Value::Instance(inst) => {
                if let Some((method, home)) = inst.class.find_method(name) {
                    return self.call_method_value(
                        method,
                        receiver.clone(),
                        Some(home),
                        pos,
                        argc,
                        props,
                    );
                }
            }
            Value::Class(class) => {
                if let Some(member) = class.ns.get(name) {
                    return self.call_method_value(
                        member,
                        receiver.clone(),
                        None,
                        pos,
                        argc,
                        props,
                    );
                }
            }
            Value::Ns(ns) => {
                if let Some(member) = ns.get(name) {
                    if let Some(slot) = self.task.stack.get_mut(pos) {
                        *slot = member;
                    }
                    return self.call_at(pos, argc, props);
                }
            }
            _ => {}
        }
        if let Some(native) = self.find_native_method(&receiver, name) {
            return self.call_native(native, pos, pos, props);
        }
        // An instance's property read as a method with no arguments (`(e .message)`).
        if let (Value::Instance(inst), 0) = (&receiver, argc)
            && let Some(v) = inst.props.borrow().get(&name).cloned()
        {
            self.task.stack.truncate(pos);
            self.task.stack.push(v);
            return Ok(());
        }
        Err(self.type_error(format!("{} has no method .{}", receiver.type_name(), name)))
    }

    fn call_method_value(
        &mut self,
        method: Value,
        receiver: Value,
        home: Option<Rc<Class>>,
        pos: usize,
        argc: usize,
        props: Option<Map>,
    ) -> Result<(), Exc> {
        match method {
            Value::Func(closure) => self.enter(closure, pos, argc, props, receiver, home, false),
            Value::Native(f) => self.call_native(f, pos, pos, props),
            other => {
                if let Some(slot) = self.task.stack.get_mut(pos) {
                    *slot = other;
                }
                self.call_at(pos, argc, props)
            }
        }
    }

    /// The builtin method `name` for the receiver's type, or one every value has.
    pub(crate) fn find_native_method(
        &self,
        receiver: &Value,
        name: Sym,
    ) -> Option<&'static NativeFn> {
        let kind: &'static str = match receiver {
            Value::Str(_) => "String",
            Value::Array(_) => "Array",
            Value::Set(_) => "Set",
            Value::Map(_) => "Map",
            Value::Int(_) => "Int",
            Value::Float(_) => "Float",
            Value::Range(_) => "Range",
            Value::Gene(_) => "Gene",
            Value::Class(_) => "Class",
            Value::Symbol(_) => "Symbol",
            Value::EnumMember(_) => "EnumMember",
            Value::Instance(i) if i.class.is_exception => "Exception",
            Value::Future(_) => "Future",
            Value::Generator(g) => g.type_name(),
            Value::Bytes(_) => "Bytes",
            Value::Host(h) => h.type_name(),
            _ => "Any",
        };
        self.methods
            .get(&(kind, name))
            .or_else(|| self.methods.get(&("Any", name)))
            .copied()
    }

    /// `(new Class args...)` with the class at `stack[pos]`.
    pub(crate) fn new_instance(
        &mut self,
        pos: usize,
        argc: usize,
        props: Option<Map>,
    ) -> Result<(), Exc> {
        let Value::Class(class) = self.task.stack.get(pos).cloned().unwrap_or_default() else {
            let what = self
                .task
                .stack
                .get(pos)
                .map(|v| v.type_name())
                .unwrap_or_default();
            return Err(self.type_error(format!("new needs a class, got {what}")));
        };
        if class.name == "Future"
            && matches!(self.gene_ns.get(Sym::new("Future")), Some(Value::Class(c)) if Rc::ptr_eq(&c, &class))
        {
            return self.new_future(pos, argc);
        }
        if let Some(make) = crate::builtins::constructor(&class.name)
            && self.is_builtin_class(&class)
        {
            let args: Vec<Value> = self.task.stack.drain(pos + 1..).collect();
            self.task.stack.truncate(pos);
            let made = make(self, &args)?;
            self.task.stack.push(made);
            return Ok(());
        }
        let instance = Value::Instance(Rc::new(Instance::empty(class.clone())));
        match class.find_ctor() {
            Some((Value::Func(ctor), home)) if props.is_none() && self.is_direct(&ctor, argc) => {
                self.enter_direct(ctor, pos + 1, instance, Some(home), true);
                Ok(())
            }
            Some((Value::Func(ctor), home)) => {
                self.enter(ctor, pos, argc, props, instance, Some(home), true)
            }
            _ => {
                self.task.stack.truncate(pos);
                self.task.stack.push(instance);
                Ok(())
            }
        }
    }

    /// Whether `class` is the class `gene/NAME` of a builtin type (not a user class so named).
    fn is_builtin_class(&self, class: &Rc<Class>) -> bool {
        !class.is_exception
            && class.parent.is_none()
            && matches!(self.gene_ns.get(Sym::new(&class.name)), Some(Value::Class(c)) if Rc::ptr_eq(&c, class))
    }

    /// `(super .name args...)`: the args are on top of the stack.
    pub(crate) fn call_super(&mut self, name: Sym, argc: usize) -> Result<(), Exc> {
        let Some(frame) = self.task.frames.last() else {
            return Err(self.type_error("super outside a method"));
        };
        let self_val = frame.self_val.clone();
        let Some(parent) = frame.home.as_ref().and_then(|h| h.parent.clone()) else {
            return Err(self.type_error(format!("super .{name}: the class has no parent")));
        };
        let found = if name == self.sym.ctor {
            parent.find_ctor()
        } else {
            parent.find_method(name)
        };
        let pos = self.task.stack.len() - argc;
        self.task.stack.insert(pos, self_val.clone());
        match found {
            Some((Value::Func(closure), home)) => {
                self.enter(closure, pos, argc, None, self_val, Some(home), false)
            }
            Some((Value::Native(f), _)) => self.call_native(f, pos, pos, None),
            _ if name == self.sym.ctor => {
                // No parent constructor: nothing to run.
                self.task.stack.truncate(pos);
                self.task.stack.push(Value::Nil);
                Ok(())
            }
            _ => Err(self.type_error(format!("{} has no method .{name}", parent.name))),
        }
    }

    /// A macro call: binds the unevaluated arguments of `Const::MacroCall` `c` and continues the
    /// caller at its `resume` point when the macro returns.
    pub(crate) fn call_macro(&mut self, mac: Rc<Closure>, c: u32) -> Result<(), Exc> {
        let Some(frame) = self.task.frames.last_mut() else {
            return Ok(());
        };
        let code = frame.closure.code.clone();
        let Some(Const::MacroCall {
            args,
            props,
            resume,
        }) = code.proto.consts.get(c as usize)
        else {
            return Err(self.type_error("malformed macro call"));
        };
        frame.ip = *resume;
        let pos = self.task.stack.len();
        self.task.stack.push(Value::Func(mac.clone()));
        self.task.stack.extend(args.iter().map(form_to_value));
        let props = if props.is_empty() {
            None
        } else {
            Some(
                props
                    .iter()
                    .map(|(k, v)| (Sym::new(k), form_to_value(v)))
                    .collect(),
            )
        };
        let self_val = mac.self_val.clone();
        self.enter(mac, pos, args.len(), props, self_val, None, false)
    }

    /// Calls a Gene function (or any callable) from Rust and runs it to completion. Other tasks
    /// run while it waits; the call of a `^^async` function gives its future once every task
    /// has run as far as it can.
    pub fn call_function(&mut self, callee: Value, args: Vec<Value>) -> Result<Value, Exc> {
        let depth = self.task.frames.len();
        let pos = self.task.stack.len();
        let argc = args.len();
        self.task.stack.push(callee);
        self.task.stack.extend(args);
        match self.call_at(pos, argc, None) {
            Ok(()) => {}
            Err(e) if e.is_signal() => {
                let future = self.task.stack.pop().unwrap_or_default();
                self.sched.promote_immediate();
                self.drain()?;
                return Ok(future);
            }
            Err(e) => return Err(e),
        }
        if self.task.frames.len() > depth {
            return self.run_main(depth);
        }
        Ok(self.task.stack.pop().unwrap_or_default())
    }
}

impl Closure {
    pub fn is_macro(&self) -> bool {
        self.kind == FuncKind::Macro
    }
}

/// Binds the arguments at `stack[base..]` of a function whose parameters are all positional,
/// in slots 0, 1, ... (some with defaults or destructured by its prologue): in place, as
/// `sched::bind_params` does for them: extra arguments dropped, a missing one nil, or the
/// "not given" marker when it has a default.
fn bind_positional(stack: &mut Vec<Value>, closure: &Closure, base: usize, argc: usize) {
    let proto = &closure.code.proto;
    let params = &proto.params.slots;
    let n = params.len();
    if argc > n {
        super::stack::truncate_values(stack, base + n);
    }
    let nslots = proto.nslots as usize;
    stack.reserve((base + nslots).saturating_sub(stack.len()));
    for p in params.iter().skip(argc) {
        stack.push(if p.has_default {
            Value::NotGiven
        } else {
            Value::Nil
        });
    }
    stack.resize(base + nslots, Value::Nil);
    for &slot in &proto.cell_params {
        if let Some(v) = stack.get_mut(base + slot as usize) {
            let inner = std::mem::take(v);
            *v = Value::Cell(Rc::new(std::cell::RefCell::new(inner)));
        }
    }
}
