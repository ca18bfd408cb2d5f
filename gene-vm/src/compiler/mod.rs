//! The compiler: lowered forms -> [`Proto`] bytecode.
//!
//! Names are resolved here: a symbol is a local slot of the function being compiled, a capture
//! (a cell shared with an enclosing function, Lua-style upvalues), or a namespace name looked up
//! at run time. A local starts as a plain slot; when an inner function first captures it, its
//! declaring ops are patched to create a cell instead, so only captured variables pay for cells.
//!
//! The compiler never fails: a malformed form compiles to code that throws a catchable error at
//! run time, where the form is.

mod control;
mod defs;
mod expr;
mod generator;
mod params;

use std::sync::Arc;

use gene_syntax::TextRange;
use gene_syntax::form::Form;

use crate::bytecode::{CaptureFrom, Const, LocalInfo, Op, Params, Proto, ProtoKind};

/// Heads the compiler handles itself (the catalogue's special forms are checked against this).
pub const SPECIAL_FORMS: &[&str] = &[
    "var",
    "if",
    "do",
    "void",
    "loop",
    "while",
    "for",
    "repeat",
    "break",
    "continue",
    "return",
    "fn",
    "fnx",
    "fnxx",
    "->",
    "macro",
    "$caller_eval",
    "ns",
    "class",
    "new",
    "super",
    "self",
    "try",
    "throw",
    "$ex",
    "enum",
    "match",
    "quote",
    "$render",
    "$with",
    "$tap",
    "$set",
    "import",
    "#Str",
    "async",
    "await",
    "yield",
];

/// Operators the compiler handles (infix or prefix).
pub const OPERATORS: &[&str] = &[
    "+", "-", "*", "/", "<", "<=", ">", ">=", "==", "!=", "&&", "||", "not", "..", "./", "=", "+=",
    "-=", "...",
];

/// How a compilation unit is entered.
#[derive(Clone, Debug, Default)]
pub struct Env {
    /// Names of cells the code can see (eval's view of a frame, a REPL session's variables);
    /// capture `i` of the unit comes from cell `i`.
    pub names: Vec<String>,
    /// Publish the unit's top-level variables (REPL).
    pub export_top_level: bool,
}

/// Compiles a module (a whole file).
pub fn compile_module(forms: &[Form], name: &str) -> Proto {
    let mut c = Compiler::new(name, ProtoKind::Module, &Env::default());
    c.compile_unit(forms);
    c.finish_unit()
}

/// Compiles code evaluated at run time against an environment of cells.
pub fn compile_eval(forms: &[Form], env: &Env) -> Proto {
    let mut c = Compiler::new("<eval>", ProtoKind::Eval, env);
    c.compile_unit(forms);
    c.finish_unit()
}

struct Var {
    name: String,
    slot: u32,
    captured: bool,
    is_param: bool,
    /// The ops that declare it (patched to `InitCell` when it gets captured).
    decls: Vec<usize>,
    start: u32,
}

struct Scope {
    vars: Vec<usize>,
    slot_base: u32,
}

struct LoopCtx {
    break_jumps: Vec<usize>,
    continue_jumps: Vec<usize>,
    /// Where the loop's value goes.
    result_slot: u32,
    /// Stack depth at a `break` target and at a `continue` target.
    depth: i32,
    continue_depth: i32,
    /// How many tries were open when the loop started (a jump out runs the newer ones' finally).
    tries: usize,
    /// `in_finally` when the loop started: break/continue are ignored in a finally block
    /// entered after that.
    finally_level: u32,
}

struct TryCtx {
    /// A handler of this try is installed at this point of the code.
    handler: bool,
    finally: Option<Vec<Form>>,
    /// Not a try but a `for` loop: leaving it early closes its iterator (a generator's
    /// `finally` blocks run), in order with the tries around it.
    iter: Option<generator::LoopIter>,
}

struct FnState {
    name: String,
    kind: ProtoKind,
    is_async: bool,
    /// A `^^generator` function: `yield` is allowed and returning ends the generator.
    is_generator: bool,
    /// Class and namespace bodies do not see the enclosing function's locals.
    opaque: bool,
    /// A class body: `.fn` and `.ctor` define methods.
    class_body: bool,
    ops: Vec<Op>,
    ranges: Vec<TextRange>,
    consts: Vec<Const>,
    names: Vec<String>,
    protos: Vec<Arc<Proto>>,
    captures: Vec<(String, CaptureFrom)>,
    vars: Vec<Var>,
    scopes: Vec<Scope>,
    next_slot: u32,
    max_slot: u32,
    loops: Vec<LoopCtx>,
    tries: Vec<TryCtx>,
    /// The slot holding `$ex` inside a catch clause.
    ex_slot: Option<u32>,
    in_finally: u32,
    /// Stack depth above the frame's slots, tracked to leave nested expressions cleanly.
    depth: i32,
    /// The highest position used as a jump target (no fusion across it).
    max_label: usize,
    params: Params,
    cell_params: Vec<u32>,
    locals: Vec<LocalInfo>,
    export_top_level: bool,
    range: TextRange,
}

impl FnState {
    fn new(name: &str, kind: ProtoKind, range: TextRange) -> FnState {
        FnState {
            name: name.to_string(),
            kind,
            is_async: false,
            is_generator: false,
            opaque: false,
            class_body: false,
            ops: Vec::new(),
            ranges: Vec::new(),
            consts: Vec::new(),
            names: Vec::new(),
            protos: Vec::new(),
            captures: Vec::new(),
            vars: Vec::new(),
            scopes: vec![Scope {
                vars: Vec::new(),
                slot_base: 0,
            }],
            next_slot: 0,
            max_slot: 0,
            loops: Vec::new(),
            tries: Vec::new(),
            ex_slot: None,
            in_finally: 0,
            depth: 0,
            max_label: 0,
            params: Params::default(),
            cell_params: Vec::new(),
            locals: Vec::new(),
            export_top_level: false,
            range,
        }
    }

    fn find_var(&self, name: &str) -> Option<usize> {
        for scope in self.scopes.iter().rev() {
            for &v in scope.vars.iter().rev() {
                if self.vars[v].name == name {
                    return Some(v);
                }
            }
        }
        None
    }
}

/// Where a name lives, seen from the function being compiled.
enum Resolved {
    Local(u32),
    Capture(u32),
    Global,
}

pub(crate) struct Compiler {
    fns: Vec<FnState>,
    /// The environment's cell names (index = capture source).
    env: Vec<String>,
    /// The range of the form being compiled (given to emitted ops).
    range: TextRange,
    /// Errors that stop a program from running (`yield` outside a generator); the code that
    /// raises them at run time is emitted too, for `eval` and the REPL.
    errors: Vec<gene_syntax::Diagnostic>,
}

impl Compiler {
    fn new(name: &str, kind: ProtoKind, env: &Env) -> Compiler {
        let mut root = FnState::new(name, kind, TextRange::default());
        root.export_top_level = env.export_top_level;
        Compiler {
            fns: vec![root],
            env: env.names.clone(),
            range: TextRange::default(),
            errors: Vec::new(),
        }
    }

    fn compile_unit(&mut self, forms: &[Form]) {
        if let (Some(first), Some(last)) = (forms.first(), forms.last()) {
            self.f().range = first.range.cover(last.range);
        }
        self.compile_body(forms, false);
        self.emit_exports();
        self.emit(Op::Return);
    }

    fn finish_unit(&mut self) -> Proto {
        let state = self
            .fns
            .pop()
            .unwrap_or_else(|| FnState::new("<empty>", ProtoKind::Module, TextRange::default()));
        let mut proto = finish(state);
        proto.errors = std::mem::take(&mut self.errors);
        proto
    }

    // ---- emission -------------------------------------------------------------------------

    fn f(&mut self) -> &mut FnState {
        let last = self.fns.len() - 1;
        &mut self.fns[last]
    }

    fn fr(&self) -> &FnState {
        &self.fns[self.fns.len() - 1]
    }

    fn emit(&mut self, op: Op) -> usize {
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
    fn here(&mut self) -> u32 {
        let f = self.f();
        let at = f.ops.len();
        f.max_label = f.max_label.max(at);
        at as u32
    }

    /// The current position, for debug information only.
    fn pos(&self) -> u32 {
        self.fr().ops.len() as u32
    }

    /// Peephole fusion of the op about to be emitted with the ones before it (when no jump
    /// lands between them): `StoreLocal; Pop`, `AddLocalInt; Pop`, `LoadLocal; Int; Add|Sub`,
    /// `LoadLocal; Int; <compare>; JumpIfFalse`. Gives the fused op's index.
    fn fuse(&mut self, op: Op) -> Option<usize> {
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
        let fused = match (op, last(1), last(2), last(3)) {
            (Op::Pop, Some(Op::StoreLocal(s)), _, _) if free(1) => (1, Op::SetLocal(s)),
            (Op::Pop, Some(Op::AddLocalInt(s, d)), _, _) if free(1) => (1, Op::IncLocal(s, d)),
            (Op::Add | Op::Sub, Some(Op::Int(k)), Some(Op::LoadLocal(s)), _) if free(2) => {
                let k = if op == Op::Sub { k.checked_neg()? } else { k };
                (2, Op::LocalAddInt(s, i16::try_from(k).ok()?))
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
                (3, jump)
            }
            _ => return None,
        };
        let (remove, new_op) = fused;
        let start = n - remove;
        let removed_effect: i32 = f.ops[start..].iter().map(|o| stack_effect(*o)).sum();
        f.ops.truncate(start);
        f.ranges.truncate(start);
        f.depth += stack_effect(new_op) - removed_effect;
        let range = self.range;
        let f = self.f();
        f.ops.push(new_op);
        f.ranges.push(range);
        Some(start)
    }

    /// Points the jump at `at` to the current position.
    fn patch_here(&mut self, at: usize) {
        let target = self.here();
        self.patch_to(at, target);
    }

    fn patch_to(&mut self, at: usize, target: u32) {
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
                other => other,
            };
        }
    }

    fn add_const(&mut self, c: Const) -> u32 {
        let f = self.f();
        if let Some(i) = f.consts.iter().position(|x| x == &c) {
            return i as u32;
        }
        f.consts.push(c);
        (f.consts.len() - 1) as u32
    }

    fn name_index(&mut self, name: &str) -> u32 {
        let f = self.f();
        if let Some(i) = f.names.iter().position(|n| n == name) {
            return i as u32;
        }
        f.names.push(name.to_string());
        (f.names.len() - 1) as u32
    }

    fn emit_const(&mut self, c: Const) {
        let i = self.add_const(c);
        self.emit(Op::Const(i));
    }

    fn emit_str(&mut self, s: &str) {
        self.emit_const(Const::Str(s.to_string()));
    }

    /// Code that throws `class` (a `gene` exception class) with the message when reached.
    fn emit_fail(&mut self, class: &str, message: impl Into<String>) {
        let i = self.add_const(Const::Error {
            class: class.to_string(),
            message: message.into(),
        });
        self.emit(Op::Fail(i));
        // Fail never returns; account for the value the expression was expected to leave.
        self.f().depth += 1;
    }

    fn emit_int(&mut self, i: i64) {
        match i32::try_from(i) {
            Ok(small) => {
                self.emit(Op::Int(small));
            }
            Err(_) => self.emit_const(Const::Int(i)),
        }
    }

    // ---- scopes and variables ---------------------------------------------------------------

    fn begin_scope(&mut self) {
        let f = self.f();
        let slot_base = f.next_slot;
        f.scopes.push(Scope {
            vars: Vec::new(),
            slot_base,
        });
    }

    fn end_scope(&mut self) {
        let here = self.pos();
        let f = self.f();
        if let Some(scope) = f.scopes.pop() {
            for v in scope.vars {
                let var = &f.vars[v];
                f.locals.push(LocalInfo {
                    name: var.name.clone(),
                    slot: var.slot,
                    start: var.start,
                    end: here,
                });
            }
            f.next_slot = scope.slot_base;
        }
    }

    fn alloc_slot(&mut self) -> u32 {
        let f = self.f();
        let slot = f.next_slot;
        f.next_slot += 1;
        f.max_slot = f.max_slot.max(f.next_slot);
        slot
    }

    /// A new binding in the innermost scope; the caller emits its declaring op.
    fn declare(&mut self, name: &str, is_param: bool) -> usize {
        let slot = self.alloc_slot();
        let start = self.pos();
        let f = self.f();
        let export = f.export_top_level && f.scopes.len() == 1 && !is_param;
        f.vars.push(Var {
            name: name.to_string(),
            slot,
            captured: export,
            is_param,
            decls: Vec::new(),
            start,
        });
        let v = f.vars.len() - 1;
        if let Some(scope) = f.scopes.last_mut() {
            scope.vars.push(v);
        }
        v
    }

    /// Declares `name` and pops the top of the stack into it.
    fn declare_and_init(&mut self, name: &str) -> u32 {
        let v = self.declare(name, false);
        self.init_var(v);
        self.fr().vars[v].slot
    }

    fn init_var(&mut self, v: usize) {
        let (slot, captured) = {
            let var = &self.fr().vars[v];
            (var.slot, var.captured)
        };
        let at = self.emit(if captured {
            Op::InitCell(slot)
        } else {
            Op::InitLocal(slot)
        });
        self.f().vars[v].decls.push(at);
    }

    /// A slot for compiler temporaries (loop counters, `$ex`), freed with its scope.
    fn hidden_slot(&mut self) -> u32 {
        self.alloc_slot()
    }

    fn resolve(&mut self, name: &str) -> Resolved {
        let top = self.fns.len() - 1;
        match self.resolve_in(top, name) {
            Some((true, slot)) => Resolved::Local(slot),
            Some((false, index)) => Resolved::Capture(index),
            None => Resolved::Global,
        }
    }

    /// (is_local, slot-or-capture-index) of `name` in function `fi`.
    fn resolve_in(&mut self, fi: usize, name: &str) -> Option<(bool, u32)> {
        if let Some(v) = self.fns[fi].find_var(name) {
            return Some((true, self.fns[fi].vars[v].slot));
        }
        if let Some(i) = self.fns[fi].captures.iter().position(|(n, _)| n == name) {
            return Some((false, i as u32));
        }
        if self.fns[fi].opaque {
            return None;
        }
        let from = if fi == 0 {
            let i = self.env.iter().rposition(|n| n == name)?;
            CaptureFrom::Slot(i as u32)
        } else {
            let parent = fi - 1;
            match self.resolve_in(parent, name)? {
                (true, slot) => {
                    self.mark_captured(parent, name);
                    CaptureFrom::Slot(slot)
                }
                (false, index) => CaptureFrom::Capture(index),
            }
        };
        let f = &mut self.fns[fi];
        f.captures.push((name.to_string(), from));
        Some((false, (f.captures.len() - 1) as u32))
    }

    fn mark_captured(&mut self, fi: usize, name: &str) {
        let f = &mut self.fns[fi];
        let Some(v) = f.find_var(name) else { return };
        if f.vars[v].captured {
            return;
        }
        f.vars[v].captured = true;
        let slot = f.vars[v].slot;
        if f.vars[v].is_param {
            f.cell_params.push(slot);
        }
        for &at in &f.vars[v].decls {
            if let Some(op) = f.ops.get_mut(at) {
                *op = Op::InitCell(slot);
            }
        }
    }

    fn load_var(&mut self, name: &str) {
        match self.resolve(name) {
            Resolved::Local(slot) => {
                self.emit(Op::LoadLocal(slot));
            }
            Resolved::Capture(i) => {
                self.emit(Op::LoadCapture(i));
            }
            Resolved::Global => {
                let n = self.name_index(name);
                self.emit(Op::LoadName(n));
            }
        }
    }

    /// Stores the top of the stack into a bound name, keeping it on the stack.
    fn store_var(&mut self, name: &str) {
        match self.resolve(name) {
            Resolved::Local(slot) => {
                self.emit(Op::StoreLocal(slot));
            }
            Resolved::Capture(i) => {
                self.emit(Op::StoreCapture(i));
            }
            Resolved::Global => {
                let n = self.name_index(name);
                self.emit(Op::StoreName(n));
            }
        }
    }

    /// Variables published at the end of a REPL input.
    fn emit_exports(&mut self) {
        if !self.fr().export_top_level {
            return;
        }
        let f = self.fr();
        let mut exports: Vec<(String, u32)> = Vec::new();
        if let Some(scope) = f.scopes.first() {
            for &v in &scope.vars {
                let var = &f.vars[v];
                exports.retain(|(n, _)| n != &var.name);
                exports.push((var.name.clone(), var.slot));
            }
        }
        if !exports.is_empty() {
            let i = self.add_const(Const::Exports(exports));
            self.emit(Op::Export(i));
        }
    }

    // ---- nested functions --------------------------------------------------------------------

    fn push_fn(&mut self, name: &str, kind: ProtoKind, range: TextRange) {
        self.fns.push(FnState::new(name, kind, range));
    }

    /// Finishes the innermost function and emits `MakeClosure` for it in the enclosing one.
    fn pop_fn_make_closure(&mut self) {
        let Some(state) = self.fns.pop() else { return };
        let proto = finish(state);
        let f = self.f();
        f.protos.push(Arc::new(proto));
        let index = (f.protos.len() - 1) as u32;
        self.emit(Op::MakeClosure(index));
    }

    /// Compiles forms in sequence; the last one's value stays on the stack (nil when empty).
    fn compile_body(&mut self, forms: &[Form], tail: bool) {
        if forms.is_empty() {
            self.emit(Op::Nil);
            return;
        }
        let last = forms.len() - 1;
        for (i, form) in forms.iter().enumerate() {
            self.compile(form, tail && i == last);
            if i != last {
                self.emit(Op::Pop);
            }
        }
    }

    /// Compiles forms in a new scope.
    fn compile_scoped_body(&mut self, forms: &[Form], tail: bool) {
        self.begin_scope();
        self.compile_body(forms, tail);
        self.end_scope();
    }
}

fn finish(mut f: FnState) -> Proto {
    // Close the outermost scope for debug info.
    let end = f.ops.len() as u32;
    if let Some(scope) = f.scopes.first() {
        for &v in &scope.vars {
            let var = &f.vars[v];
            f.locals.push(LocalInfo {
                name: var.name.clone(),
                slot: var.slot,
                start: var.start,
                end,
            });
        }
    }
    let cell_params = std::mem::take(&mut f.cell_params);
    // A jump to a `Return` returns at once (the `if` branches of a function body).
    for i in 0..f.ops.len() {
        if let Op::Jump(t) = f.ops[i] {
            if f.ops.get(t as usize) == Some(&Op::Return) {
                f.ops[i] = Op::Return;
            }
        }
    }
    let direct_call = f.params.simple && cell_params.is_empty() && !f.is_async;
    Proto {
        name: f.name,
        kind: f.kind,
        is_async: f.is_async,
        direct_call,
        params: f.params,
        ops: f.ops,
        ranges: f.ranges,
        consts: f.consts,
        names: f.names,
        protos: f.protos,
        capture_names: f.captures.iter().map(|(n, _)| n.clone()).collect(),
        captures: f.captures.into_iter().map(|(_, c)| c).collect(),
        nslots: f.max_slot,
        cell_params,
        locals: f.locals,
        range: f.range,
        errors: Vec::new(),
    }
}

/// How an op changes the stack depth (calls: callee and arguments replaced by the result).
fn stack_effect(op: Op) -> i32 {
    use Op::*;
    match op {
        Nop | Jump(_) | Return | PopHandler | JumpIfGiven(..) | Export(_) => 0,
        Nil | True | False | Int(_) | Const(_) | ConstCopy(_) | Dup | LoadLocal(_)
        | LoadCapture(_) | LoadSlotRaw(_) | LoadName(_) | LoadNameOrSymbol(_) | LoadCallee(_)
        | LoadSelf | LoadNs | MakeClosure(_) | AddLocalInt(..) => 1,
        Pop | InitLocal(_) | InitCell(_) | JumpIfFalse(_) | JumpIfTrue(_) | AndJump(_)
        | OrJump(_) | SetLocal(_) => -1,
        IncLocal(..) | JumpUnlessLt(..) | JumpUnlessLe(..) | JumpUnlessGt(..)
        | JumpUnlessGe(..) => 0,
        LocalAddInt(..) => 1,
        PopUnder(n) => -(n as i32),
        StoreLocal(_) | StoreCapture(_) | StoreName(_) | DefineName(_) | MacroArgs(_)
        | CheckMacro(_) => 0,
        GetMember(_) | GetIndex(_) | Neg | Not | IterStart | MakeSpread | MakeClass(_) | MakeNs
        | CallerEval | Render | Fail(_) => 0,
        Import(_) => 1,
        SetMember(_) | SetIndex(_) | Select | ArrayPush | ArrayExtend | RunBody | DefMethod(_)
        | DefCtor | CatchMatch => -1,
        SelectDefault | SetSelect => -2,
        Add | Sub | Mul | Div | Lt | Le | Gt | Ge | Eq | Ne => -1,
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
