//! The ops the dispatch loop does not run inline: they work on the value stack as a `Vec`
//! (the loop stores its registers before and loads them after), out of the loop's body so that
//! the hot ops keep their state in registers.

use std::cell::RefCell;
use std::rc::Rc;

use super::code::Code;
use super::generator::GenStep;
use super::{Exc, Handler, Vm};
use crate::bytecode::Op;
use crate::value::{Closure, Value, values_equal};

/// The running frame as the dispatch loop sees it, for an op run out of line.
pub(super) struct Ctx<'a> {
    pub closure: &'a Closure,
    pub code: &'a Code,
    pub base: usize,
    /// The index of the next op; an op may move it (a jump).
    pub ip: usize,
    /// Calls and backward jumps left before the next checkpoint.
    pub budget: &'a mut u32,
}

/// What the dispatch loop does after an op run out of line.
pub(super) enum Flow {
    /// Go on at `Ctx::ip` in the same frame.
    Next,
    /// The frame stack changed: go on in whatever frame is on top.
    Reload,
    /// Leave the loop with this value.
    Exit(Value),
}

impl Vm {
    /// Runs `op`, with the frame's position already saved (`Ctx::ip`).
    #[inline(never)]
    pub(super) fn cold_op(
        &mut self,
        op: Op,
        ctx: &mut Ctx,
        stop_depth: usize,
    ) -> Result<Flow, Exc> {
        let (closure, code) = (ctx.closure, ctx.code);
        let depth = self.task.frames.len();
        match op {
            Op::ConstCopy(i) => self.stack_push(code.constant(i).deep_copy()),
            Op::PopUnder(n) => {
                let top = self.stack_pop();
                let len = self.task.stack.len().saturating_sub(n as usize);
                self.task.stack.truncate(len);
                self.stack_push(top);
            }
            Op::InitCell(s) => {
                let v = self.stack_pop();
                if let Some(slot) = self.task.stack.get_mut(ctx.base + s as usize) {
                    *slot = Value::Cell(Rc::new(RefCell::new(v)));
                }
            }
            Op::StoreCapture(i) => {
                let v = self.task.stack.last().cloned().unwrap_or_default();
                if let Some(c) = closure.captures.get(i as usize) {
                    *c.borrow_mut() = v;
                }
            }
            Op::LoadSlotRaw(s) => {
                let v = self.task.stack.get(ctx.base + s as usize);
                self.stack_push(v.cloned().unwrap_or_default());
            }
            Op::AddLocalInt(s, delta) => {
                let v = self.add_to_local(ctx.base, s, delta)?;
                self.stack_push(v);
            }
            Op::IncLocal(s, delta) => {
                self.add_to_local(ctx.base, s, delta)?;
            }
            Op::LoadNameOrSymbol(n) => {
                let name = code.name(n);
                let v = self
                    .lookup_name(&closure.ns, name)
                    .unwrap_or(Value::Symbol(name));
                self.stack_push(v);
            }
            Op::LoadCallee(n) => {
                self.load_callee(closure, code, n, ctx.ip)?;
                if self.task.frames.len() == depth {
                    // Over the `MacroArgs` that follows.
                    ctx.ip += 1;
                }
            }
            Op::CheckMacro(c) => self.check_macro(c)?,
            Op::StoreName(n) => {
                let v = self.task.stack.last().cloned().unwrap_or_default();
                self.store_name(&closure.ns, code.name(n), v)?;
            }
            Op::DefineName(n) => {
                let v = self.task.stack.last().cloned().unwrap_or_default();
                closure.ns.set(code.name(n), v);
            }
            Op::LoadNs => self.stack_push(Value::Ns(closure.ns.clone())),
            Op::GetSelfMember(n) => {
                let target = self.self_value();
                let v = self.get_member(&target, code.name(n))?;
                self.stack_push(v);
            }
            Op::SetSelfMember(n) => {
                let target = self.self_value();
                let v = self.task.stack.last().cloned().unwrap_or_default();
                self.set_member(&target, code.name(n), v)?;
            }
            Op::Select => self.op_select(false)?,
            Op::SelectDefault => self.op_select(true)?,
            Op::SetSelect => self.op_set_select()?,
            Op::Add | Op::Sub | Op::Mul | Op::Div => {
                let b = self.stack_pop();
                let a = self.stack_pop();
                let v = self.arith(op, &a, &b)?;
                self.stack_push(v);
            }
            Op::Pow => {
                let b = self.stack_pop();
                let a = self.stack_pop();
                let v = crate::builtins::power(self, &a, &b)?;
                self.stack_push(v);
            }
            Op::Lt | Op::Le | Op::Gt | Op::Ge => {
                let b = self.stack_pop();
                let a = self.stack_pop();
                let v = self.compare(op, &a, &b)?;
                self.stack_push(Value::Bool(v));
            }
            Op::Neg => {
                let a = self.stack_pop();
                let v = self.negate(&a)?;
                self.stack_push(v);
            }
            Op::Eq | Op::Ne => {
                let b = self.stack_pop();
                let a = self.stack_pop();
                let eq = values_equal(&a, &b);
                self.stack_push(Value::Bool(if op == Op::Eq { eq } else { !eq }));
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
                let v = self.local_value(ctx.base, s as u32);
                if !self.compare(cmp, &v, &Value::Int(k as i64))? {
                    ctx.ip = t as usize;
                }
            }
            Op::AddLocals(a, b) | Op::SubLocals(a, b) | Op::MulLocals(a, b) => {
                let x = self.local_value(ctx.base, u32::from(a));
                let y = self.local_value(ctx.base, u32::from(b));
                let arith = match op {
                    Op::AddLocals(..) => Op::Add,
                    Op::SubLocals(..) => Op::Sub,
                    _ => Op::Mul,
                };
                let v = self.arith(arith, &x, &y)?;
                self.stack_push(v);
            }
            Op::AddToLocal(a, b) => {
                let x = self.local_value(ctx.base, u32::from(a));
                let y = self.local_value(ctx.base, u32::from(b));
                let v = self.arith(Op::Add, &x, &y)?;
                self.set_local(ctx.base, u32::from(a), v);
            }
            Op::JumpUnlessLtLocal(a, b, t)
            | Op::JumpUnlessLeLocal(a, b, t)
            | Op::JumpUnlessGtLocal(a, b, t)
            | Op::JumpUnlessGeLocal(a, b, t) => {
                let cmp = match op {
                    Op::JumpUnlessLtLocal(..) => Op::Lt,
                    Op::JumpUnlessLeLocal(..) => Op::Le,
                    Op::JumpUnlessGtLocal(..) => Op::Gt,
                    _ => Op::Ge,
                };
                let x = self.local_value(ctx.base, u32::from(a));
                let y = self.local_value(ctx.base, u32::from(b));
                if !self.compare(cmp, &x, &y)? {
                    ctx.ip = t as usize;
                }
            }
            Op::JumpIfNilLocal(s, t) | Op::JumpUnlessNilLocal(s, t) => {
                let is_nil = matches!(self.local_value(ctx.base, u32::from(s)), Value::Nil);
                if is_nil == matches!(op, Op::JumpIfNilLocal(..)) {
                    ctx.ip = t as usize;
                }
            }
            Op::LocalAddInt(s, delta) => {
                let v = self.local_value(ctx.base, s);
                let sum = self.arith(Op::Add, &v, &Value::Int(delta as i64))?;
                self.stack_push(sum);
            }
            Op::JumpIfGiven(s, t) => {
                let given = match self.task.stack.get(ctx.base + s as usize) {
                    Some(Value::Cell(c)) => !matches!(*c.borrow(), Value::NotGiven),
                    Some(v) => !matches!(v, Value::NotGiven),
                    None => true,
                };
                if given {
                    ctx.ip = t as usize;
                }
            }
            Op::IterStart => {
                let coll = self.stack_pop();
                let it = self.iter_start(&coll)?;
                self.stack_push(it);
            }
            Op::IterNext(t) => {
                // The loop's inline path found a generator (or an async iterator), or no next
                // element.
                if super::generator::steps_out_of_line(self.task.stack.last()) {
                    return self.generator_flow(op, stop_depth);
                }
                self.task.stack.pop();
                ctx.ip = t as usize;
            }
            Op::MakeArray(n) => self.op_make_array(n),
            Op::ArrayPush => self.op_array_push(),
            Op::ArrayExtend => self.op_array_extend()?,
            Op::MakeSet(n) => self.op_make_set(n),
            Op::MakeMap(n) => self.op_make_map(n),
            Op::MakeGene(packed) => self.op_make_gene(packed),
            Op::MakeRange(n) => self.op_make_range(n)?,
            Op::RangeBounds => {
                let len = self.task.stack.len();
                if let [start, end] = self
                    .task
                    .stack
                    .get(len.saturating_sub(2)..)
                    .unwrap_or_default()
                    && !matches!((start, end), (Value::Int(_), Value::Int(_)))
                {
                    // Both ints or the range's own error.
                    self.make_range(start, end, None)?;
                }
            }
            Op::Concat(n) => self.op_concat(n)?,
            Op::MakeSpread => {
                let v = self.stack_pop();
                self.stack_push(Value::Spread(Rc::new(v)));
            }
            Op::MakeClosure(p) => {
                let f = self.make_closure(closure, code, p, ctx.base)?;
                self.stack_push(f);
            }
            Op::Call(argc) => self.op_call(argc as usize)?,
            Op::TailCall(argc) => {
                self.tick(ctx)?;
                let argc = argc as usize;
                let pos = self.task.stack.len().wrapping_sub(argc + 1);
                if self.restart_frame(closure, ctx.base, pos, argc) {
                    ctx.ip = 0;
                } else {
                    self.op_call(argc)?;
                }
            }
            Op::CallComplex => {
                self.tick(ctx)?;
                self.op_call_complex()?;
            }
            Op::CallMethodComplex(n) => {
                self.tick(ctx)?;
                self.op_call_method_complex(code.name(n))?;
            }
            Op::CallSuper(n, argc) => self.call_super(code.name(n), argc as usize)?,
            Op::NewComplex => self.op_new_complex()?,
            Op::Return | Op::ReturnLocal(_) => {
                let result = match op {
                    Op::ReturnLocal(s) => self.local_value(ctx.base, s),
                    _ => self.stack_pop(),
                };
                return Ok(match self.return_from_frame(result, stop_depth)? {
                    Some(v) => Flow::Exit(v),
                    None => Flow::Reload,
                });
            }
            Op::MakeClass(n) => self.op_make_class(code.name(n), &closure.ns)?,
            Op::MakeNs => self.op_make_ns(&closure.ns),
            Op::RunBody => self.op_run_body()?,
            Op::DefMethod(n) => self.op_def_method(code.name(n))?,
            Op::DefCtor => self.op_def_ctor()?,
            Op::CallerEval => {
                let v = self.stack_pop();
                self.eval_in_frame(v, true)?;
            }
            Op::Render => {
                let v = self.stack_pop();
                self.render_at_runtime(v)?;
            }
            Op::Import(c) => {
                let code_rc = match self.task.frames.last() {
                    Some(f) => f.closure.code.clone(),
                    None => return Err(self.type_error("internal error: no frame")),
                };
                self.import(&code_rc, c)?;
            }
            Op::Export(c) => self.op_export(code, c, ctx.base),
            Op::Throw => {
                let v = self.stack_pop();
                return Err(Exc::new(v));
            }
            Op::Fail(c) => return Err(self.compiled_error(code, c)),
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
                let pattern = self.stack_pop();
                let thrown = self.stack_pop();
                let matches = self.catch_matches(&thrown, &pattern);
                self.stack_push(Value::Bool(matches));
            }
            Op::CatchAny => {
                let thrown = self.stack_pop();
                let takes = crate::builtins::exit_code(&thrown).is_none();
                self.stack_push(Value::Bool(takes));
            }
            // A debugger's patch: maybe a stop, then the op it replaced (`vm/debug/`).
            Op::Break => {
                let replaced = self.debug_break(code, ctx.ip - 1);
                return self.run_replaced(replaced, ctx, stop_depth);
            }
            // Suspending leaves the frame at this op, to run it again when woken.
            Op::Await(flags) => self.await_op(flags)?,
            Op::MakeGenerator(_)
            | Op::Yield(_)
            | Op::GenReturn
            | Op::IterClose(..)
            | Op::IterNextAsync(_)
            | Op::IterUnwrap(_) => return self.generator_flow(op, stop_depth),
            // The ops the loop always runs inline.
            Op::Nop
            | Op::MacroArgs(_)
            | Op::Nil
            | Op::True
            | Op::False
            | Op::Int(_)
            | Op::Const(_)
            | Op::Pop
            | Op::Dup
            | Op::LoadLocal(_)
            | Op::LoadLocal2(..)
            | Op::StoreLocal(_)
            | Op::SetLocal(_)
            | Op::InitLocal(_)
            | Op::LoadCapture(_)
            | Op::LoadName(_)
            | Op::LoadSelf
            | Op::Not
            | Op::Jump(_)
            | Op::JumpIfFalse(_)
            | Op::JumpIfTrue(_)
            | Op::AndJump(_)
            | Op::OrJump(_)
            | Op::CallMethod(..)
            | Op::New(_)
            | Op::GetItem(_)
            | Op::SetItem(_)
            | Op::PushItem(_)
            | Op::SizeOf(_)
            | Op::GetMember(_)
            | Op::SetMember(_)
            | Op::GetIndex(_)
            | Op::SetIndex(_) => {
                return Err(self.type_error("internal error: an inline op run out of line"));
            }
        }
        Ok(if self.task.frames.len() == depth {
            Flow::Next
        } else {
            Flow::Reload
        })
    }

    /// A generator op (`vm/generator.rs`): it may have moved frames in or out, and sets the
    /// frame's position itself when it fails.
    fn generator_flow(&mut self, op: Op, stop_depth: usize) -> Result<Flow, Exc> {
        Ok(match self.generator_op(op, stop_depth)? {
            GenStep::Reload => Flow::Reload,
            GenStep::Finish(v) => Flow::Exit(v),
        })
    }

    /// A checkpoint (every `preempt_interval` calls and backward jumps, always before the op
    /// has done anything): an interrupt throws; when other tasks are ready or a timer or I/O
    /// operation completed, the task yields and later runs the same op again.
    pub(super) fn tick(&mut self, ctx: &mut Ctx) -> Result<(), Exc> {
        *ctx.budget -= 1;
        if *ctx.budget > 0 {
            return Ok(());
        }
        *ctx.budget = self.preempt_interval.max(1);
        match self.checkpoint() {
            None => Ok(()),
            Some(e) => {
                let at = if e.is_signal() { ctx.ip - 1 } else { ctx.ip };
                if let Some(f) = self.task.frames.last_mut() {
                    f.ip = at as u32;
                }
                Err(e)
            }
        }
    }

    /// The running frame's self.
    fn self_value(&self) -> Value {
        self.task
            .frames
            .last()
            .map(|f| f.self_val.clone())
            .unwrap_or_default()
    }

    #[inline]
    fn stack_push(&mut self, v: Value) {
        self.task.stack.push(v);
    }

    #[inline]
    fn stack_pop(&mut self) -> Value {
        self.task.stack.pop().unwrap_or_default()
    }
}
