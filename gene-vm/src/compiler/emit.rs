//! Emitting ops: peephole fusion, jump patching, constant and name tables, and the stack
//! depth each op leaves (tracked to leave nested expressions cleanly).

use super::{Compiler, FnState};
use crate::bytecode::{Const, Op};

impl Compiler {
    pub(super) fn f(&mut self) -> &mut FnState {
        let last = self.fns.len() - 1;
        &mut self.fns[last]
    }

    pub(super) fn fr(&self) -> &FnState {
        &self.fns[self.fns.len() - 1]
    }

    pub(super) fn emit(&mut self, op: Op) -> usize {
        if let Some(at) = self.fuse(op) {
            return at;
        }
        let range = self.range;
        let f = self.f();
        f.depth += stack_effect(op);
        f.ops.push(op);
        f.ranges.push(range);
        f.ops.len() - 1
    }

    /// The current position as a jump target: ops before it are never merged with later ones.
    pub(super) fn here(&mut self) -> u32 {
        let f = self.f();
        let at = f.ops.len();
        f.max_label = f.max_label.max(at);
        at as u32
    }

    /// The current position, for debug information only.
    pub(super) fn pos(&self) -> u32 {
        self.fr().ops.len() as u32
    }

    /// Peephole fusion of the op about to be emitted with the ones before it (when no jump
    /// lands between them): `StoreLocal; Pop`, `AddLocalInt; Pop`, `LoadSelf; GetMember`,
    /// `Dup; InitLocal; Pop`, a pure push then `Pop` (both dropped), `Not` then a conditional
    /// jump, `LoadLocal; Int; Add|Sub`, `LoadLocal; Int; <compare>; JumpIfFalse`, and on two
    /// locals `LoadLocal; LoadLocal` and that followed by `Add|Sub|Mul`, then `SetLocal` to the
    /// first, or by `<compare>; JumpIfFalse`; `LoadLocal; Nil; ==|!=; JumpIfFalse`. Gives the
    /// fused op's index.
    pub(super) fn fuse(&mut self, op: Op) -> Option<usize> {
        let here = self.range;
        let f = self.f();
        let n = f.ops.len();
        let free = |k: usize| n >= k && f.max_label <= n - k;
        let last = |k: usize| {
            if n >= k {
                f.ops.get(n - k).copied()
            } else {
                None
            }
        };
        let slot8 = |s: u16| u8::try_from(s).ok();
        let fused = match (op, last(1), last(2), last(3)) {
            (Op::Pop, Some(Op::StoreLocal(s)), Some(Op::AddLocals(a, b)), _)
                if free(2) && u32::from(a) == s =>
            {
                (2, Some(Op::AddToLocal(a, b)))
            }
            (Op::Pop, Some(Op::StoreLocal(s)), _, _) if free(1) => (1, Some(Op::SetLocal(s))),
            (Op::Pop, Some(Op::AddLocalInt(s, d)), _, _) if free(1) => {
                (1, Some(Op::IncLocal(s, d)))
            }
            // `(var x v)` as a statement. The declaring op moves down one: the variable's
            // record of it (patched into `InitCell` if x gets captured) moves with it.
            (Op::Pop, Some(decl @ (Op::InitLocal(_) | Op::InitCell(_))), Some(Op::Dup), _)
                if free(2) =>
            {
                let var = f.vars.last_mut()?;
                let at = var.decls.last_mut().filter(|at| **at == n - 1)?;
                *at = n - 2;
                var.start = var.start.min((n - 2) as u32);
                (2, Some(decl))
            }
            // A value pushed only to be dropped: neither op is needed.
            (
                Op::Pop,
                Some(
                    Op::LoadLocal(_)
                    | Op::Nil
                    | Op::True
                    | Op::False
                    | Op::Int(_)
                    | Op::Const(_)
                    | Op::LoadSelf,
                ),
                _,
                _,
            ) if free(1) => (1, None),
            (Op::JumpIfFalse(t), Some(Op::Not), _, _) if free(1) => (1, Some(Op::JumpIfTrue(t))),
            (Op::JumpIfTrue(t), Some(Op::Not), _, _) if free(1) => (1, Some(Op::JumpIfFalse(t))),
            (Op::GetMember(m), Some(Op::LoadSelf), _, _) if free(1) => {
                (1, Some(Op::GetSelfMember(m)))
            }
            (Op::LoadLocal(b), Some(Op::LoadLocal(a)), _, _) if free(1) => {
                let (a, b) = (u16::try_from(a).ok()?, u16::try_from(b).ok()?);
                (1, Some(Op::LoadLocal2(a, b)))
            }
            (Op::Add | Op::Sub | Op::Mul, Some(Op::LoadLocal2(a, b)), _, _) if free(1) => {
                let arith = match op {
                    Op::Add => Op::AddLocals(a, b),
                    Op::Sub => Op::SubLocals(a, b),
                    _ => Op::MulLocals(a, b),
                };
                (1, Some(arith))
            }
            (Op::Add | Op::Sub, Some(Op::Int(k)), Some(Op::LoadLocal(s)), _) if free(2) => {
                let k = if op == Op::Sub { k.checked_neg()? } else { k };
                (2, Some(Op::LocalAddInt(s, i16::try_from(k).ok()?)))
            }
            (
                Op::JumpIfFalse(t),
                Some(cmp @ (Op::Lt | Op::Le | Op::Gt | Op::Ge)),
                Some(Op::Int(k)),
                Some(Op::LoadLocal(s)),
            ) if free(3) => {
                let s = u8::try_from(s).ok()?;
                let k = i16::try_from(k).ok()?;
                let jump = match cmp {
                    Op::Lt => Op::JumpUnlessLt(s, k, t),
                    Op::Le => Op::JumpUnlessLe(s, k, t),
                    Op::Gt => Op::JumpUnlessGt(s, k, t),
                    _ => Op::JumpUnlessGe(s, k, t),
                };
                (3, Some(jump))
            }
            (
                Op::JumpIfFalse(t),
                Some(cmp @ (Op::Lt | Op::Le | Op::Gt | Op::Ge)),
                Some(Op::LoadLocal2(a, b)),
                _,
            ) if free(2) => {
                let (a, b) = (slot8(a)?, slot8(b)?);
                let jump = match cmp {
                    Op::Lt => Op::JumpUnlessLtLocal(a, b, t),
                    Op::Le => Op::JumpUnlessLeLocal(a, b, t),
                    Op::Gt => Op::JumpUnlessGtLocal(a, b, t),
                    _ => Op::JumpUnlessGeLocal(a, b, t),
                };
                (2, Some(jump))
            }
            (
                Op::JumpIfFalse(t),
                Some(cmp @ (Op::Eq | Op::Ne)),
                Some(Op::Nil),
                Some(Op::LoadLocal(s)),
            ) if free(3) => {
                let s = u16::try_from(s).ok()?;
                let jump = if cmp == Op::Ne {
                    Op::JumpIfNilLocal(s, t)
                } else {
                    Op::JumpUnlessNilLocal(s, t)
                };
                (3, Some(jump))
            }
            _ => return None,
        };
        let (remove, new_op) = fused;
        let start = n - remove;
        // A fused `Pop` reports errors (an increment's overflow) where the op it swallows came
        // from, `(i += 1)`, not the enclosing body that the `Pop` belongs to; a fused jump where
        // its comparison came from.
        let range = match op {
            Op::Pop | Op::JumpIfFalse(_) | Op::JumpIfTrue(_) => {
                f.ranges.get(n - 1).copied().unwrap_or(here)
            }
            _ => here,
        };
        let removed_effect: i32 = f.ops[start..].iter().map(|o| stack_effect(*o)).sum();
        f.ops.truncate(start);
        f.ranges.truncate(start);
        f.depth -= removed_effect;
        // (Without a new op, the `Pop` being emitted goes with the push it would undo.)
        if let Some(new_op) = new_op {
            f.depth += stack_effect(new_op);
            f.ops.push(new_op);
            f.ranges.push(range);
        }
        Some(start)
    }

    /// Points the jump at `at` to the current position.
    pub(super) fn patch_here(&mut self, at: usize) {
        let target = self.here();
        self.patch_to(at, target);
    }

    pub(super) fn patch_to(&mut self, at: usize, target: u32) {
        let f = self.f();
        if let Some(op) = f.ops.get_mut(at) {
            *op = match *op {
                Op::Jump(_) => Op::Jump(target),
                Op::JumpIfFalse(_) => Op::JumpIfFalse(target),
                Op::JumpIfTrue(_) => Op::JumpIfTrue(target),
                Op::AndJump(_) => Op::AndJump(target),
                Op::OrJump(_) => Op::OrJump(target),
                Op::IterNext(_) => Op::IterNext(target),
                Op::IterNextAsync(_) => Op::IterNextAsync(target),
                Op::IterUnwrap(_) => Op::IterUnwrap(target),
                Op::Yield(_) => Op::Yield(target),
                Op::PushHandler(_) => Op::PushHandler(target),
                Op::JumpIfGiven(slot, _) => Op::JumpIfGiven(slot, target),
                Op::JumpUnlessLt(s, k, _) => Op::JumpUnlessLt(s, k, target),
                Op::JumpUnlessLe(s, k, _) => Op::JumpUnlessLe(s, k, target),
                Op::JumpUnlessGt(s, k, _) => Op::JumpUnlessGt(s, k, target),
                Op::JumpUnlessGe(s, k, _) => Op::JumpUnlessGe(s, k, target),
                Op::JumpUnlessLtLocal(a, b, _) => Op::JumpUnlessLtLocal(a, b, target),
                Op::JumpUnlessLeLocal(a, b, _) => Op::JumpUnlessLeLocal(a, b, target),
                Op::JumpUnlessGtLocal(a, b, _) => Op::JumpUnlessGtLocal(a, b, target),
                Op::JumpUnlessGeLocal(a, b, _) => Op::JumpUnlessGeLocal(a, b, target),
                Op::JumpIfNilLocal(s, _) => Op::JumpIfNilLocal(s, target),
                Op::JumpUnlessNilLocal(s, _) => Op::JumpUnlessNilLocal(s, target),
                other => other,
            };
        }
    }

    pub(super) fn add_const(&mut self, c: Const) -> u32 {
        let f = self.f();
        let Some(key) = ConstKey::of(&c) else {
            if let Some(i) = f.consts.iter().position(|x| x == &c) {
                return i as u32;
            }
            f.consts.push(c);
            return (f.consts.len() - 1) as u32;
        };
        if let Some(&i) = f.const_indices.get(&key) {
            return i;
        }
        let i = f.consts.len() as u32;
        f.consts.push(c);
        f.const_indices.insert(key, i);
        i
    }

    pub(super) fn name_index(&mut self, name: &str) -> u32 {
        let f = self.f();
        if let Some(&i) = f.name_indices.get(name) {
            return i;
        }
        let i = f.names.len() as u32;
        f.names.push(name.to_string());
        f.name_indices.insert(name.to_string(), i);
        i
    }

    pub(super) fn emit_const(&mut self, c: Const) {
        let i = self.add_const(c);
        self.emit(Op::Const(i));
    }

    pub(super) fn emit_str(&mut self, s: &str) {
        self.emit_const(Const::Str(s.to_string()));
    }

    /// Code that throws `class` (a `gene` exception class) with the message when reached.
    pub(super) fn emit_fail(&mut self, class: &str, message: impl Into<String>) {
        let i = self.add_const(Const::Error {
            class: class.to_string(),
            message: message.into(),
        });
        self.emit(Op::Fail(i));
        // Fail never returns; account for the value the expression was expected to leave.
        self.f().depth += 1;
    }

    pub(super) fn emit_int(&mut self, i: i64) {
        match i32::try_from(i) {
            Ok(small) => {
                self.emit(Op::Int(small));
            }
            Err(_) => self.emit_const(Const::Int(i)),
        }
    }
}

/// How an op changes the stack depth (calls: callee and arguments replaced by the result).
fn stack_effect(op: Op) -> i32 {
    use Op::*;
    match op {
        Nop | Jump(_) | Return | PopHandler | JumpIfGiven(..) | Export(_) | RangeBounds | Break => {
            0
        }
        Nil | True | False | Int(_) | Const(_) | ConstCopy(_) | Dup | LoadLocal(_)
        | LoadCapture(_) | LoadSlotRaw(_) | LoadName(_) | LoadNameOrSymbol(_) | LoadCallee(_)
        | LoadSelf | LoadNs | MakeClosure(_) | AddLocalInt(..) | ReturnLocal(_)
        | GetSelfMember(_) => 1,
        Pop | InitLocal(_) | InitCell(_) | JumpIfFalse(_) | JumpIfTrue(_) | AndJump(_)
        | OrJump(_) | SetLocal(_) => -1,
        IncLocal(..)
        | JumpUnlessLt(..)
        | JumpUnlessLe(..)
        | JumpUnlessGt(..)
        | JumpUnlessGe(..)
        | JumpUnlessLtLocal(..)
        | JumpUnlessLeLocal(..)
        | JumpUnlessGtLocal(..)
        | JumpUnlessGeLocal(..)
        | JumpIfNilLocal(..)
        | JumpUnlessNilLocal(..)
        | AddToLocal(..) => 0,
        LoadLocal2(..) => 2,
        AddLocals(..) | SubLocals(..) | MulLocals(..) => 1,
        LocalAddInt(..) => 1,
        PopUnder(n) => -(n as i32),
        StoreLocal(_) | StoreCapture(_) | StoreName(_) | DefineName(_) | MacroArgs(_)
        | CheckMacro(_) | SetSelfMember(_) => 0,
        GetMember(_) | GetIndex(_) | Neg | Not | IterStart | MakeSpread | MakeClass(_) | MakeNs
        | CallerEval | Render | Fail(_) | CatchAny => 0,
        Import(_) => 1,
        SetMember(_) | SetIndex(_) | Select | ArrayPush | ArrayExtend | RunBody | DefMethod(_)
        | DefCtor | CatchMatch => -1,
        SelectDefault | SetSelect => -2,
        Add | Sub | Mul | Div | Pow | Lt | Le | Gt | Ge | Eq | Ne => -1,
        IterNext(_) => 1,
        MakeArray(n) | MakeSet(n) | Concat(n) => 1 - n as i32,
        MakeMap(n) => 1 - 2 * n as i32,
        MakeGene(packed) => {
            let props = (packed >> 16) as i32;
            let children = (packed & 0xffff) as i32;
            -(2 * props + children)
        }
        MakeRange(n) => 1 - n as i32,
        Call(n) | TailCall(n) | New(n) => -(n as i32),
        CallComplex | NewComplex | CallMethodComplex(_) => -2,
        CallMethod(_, n) => -(n as i32),
        GetItem(_) | PushItem(_) => -1,
        SizeOf(_) => 0,
        SetItem(_) => -2,
        CallSuper(_, n) => 1 - n as i32,
        Throw => -1,
        PushHandler(_) => 0,
        MakeGenerator(_) | IterNextAsync(_) => 1,
        Yield(_) | IterClose(..) | IterUnwrap(_) => 0,
        GenReturn => -1,
        Await(flags) => {
            let (count, spread, timeout) = crate::bytecode::await_operands(flags);
            let operands = if spread { 1 } else { count as i32 };
            1 - operands - timeout as i32
        }
    }
}

/// The constants a unit can hold by the thousand (literals), found by hash instead of by a
/// search of the whole list: 40k top-level `(var vN "sN")` took 2.1 s to compile with the
/// search. Other constants are rare and compared one by one.
#[derive(PartialEq, Eq, Hash)]
pub(super) enum ConstKey {
    Int(i64),
    /// By its bits: `0.0` and `-0.0` are `==` but different constants.
    Float(u64),
    Str(String),
    Symbol(String),
}

impl ConstKey {
    fn of(c: &Const) -> Option<ConstKey> {
        match c {
            Const::Int(n) => Some(ConstKey::Int(*n)),
            Const::Float(f) => Some(ConstKey::Float(f.to_bits())),
            Const::Str(s) => Some(ConstKey::Str(s.clone())),
            Const::Symbol(s) => Some(ConstKey::Symbol(s.clone())),
            _ => None,
        }
    }
}
