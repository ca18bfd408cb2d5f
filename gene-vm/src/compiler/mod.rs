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
mod emit;
mod exceptions;
mod expr;
mod generator;
mod loops;
mod params;
mod scope;
mod testing;

use std::sync::Arc;

use gene_syntax::TextRange;
use gene_syntax::form::Form;

use crate::bytecode::{CaptureFrom, Const, LocalInfo, Op, Params, Proto, ProtoKind};

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
    /// `in_finally` when the loop started: break/continue in a finally block entered after
    /// that would leave it (a compile error).
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
    /// The index of each literal constant in `consts` (see [`emit::ConstKey`]).
    const_indices: rustc_hash::FxHashMap<emit::ConstKey, u32>,
    names: Vec<String>,
    /// The index of each name in `names`: a module defining or using n distinct names would
    /// otherwise search the list n times (40k top-level functions compiled in 1.9 s, 100k in 14 s).
    name_indices: rustc_hash::FxHashMap<String, u32>,
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
            const_indices: Default::default(),
            names: Vec::new(),
            name_indices: Default::default(),
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
    // A jump to a return returns at once (the `if` branches of a function body).
    for i in 0..f.ops.len() {
        if let Op::Jump(t) = f.ops[i]
            && let Some(ret @ (Op::Return | Op::ReturnLocal(_))) = f.ops.get(t as usize)
        {
            f.ops[i] = *ret;
        }
    }
    // `LoadLocal; Return` returns the local in one op. The `Return` stays for jumps landing on
    // it, so no position moves and a jump to the `LoadLocal` still means the same.
    for i in 1..f.ops.len() {
        if let (Op::LoadLocal(s), Op::Return) = (f.ops[i - 1], f.ops[i]) {
            f.ops[i - 1] = Op::ReturnLocal(s);
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
