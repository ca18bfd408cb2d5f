//! The compiled form of Gene code: plain data (`Send + Sync`), so the `compile` query can hand it
//! out of the salsa database. The VM links a [`Proto`] into runtime values once ([`crate::vm::link`]).
//!
//! A stack machine. Every op is 8 bytes. Locals live in the frame's slots; `u32` operands index
//! the proto's `consts`, `names` or `protos` tables, or are slot numbers / jump targets.

mod disasm;

use std::sync::Arc;

use gene_syntax::TextRange;
use gene_syntax::form::Form;

pub use disasm::disassemble;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Nop,
    // ---- constants and stack
    Nil,
    True,
    False,
    Int(i32),
    /// Push `consts[i]` (immutable: numbers, strings, symbols, paths).
    Const(u32),
    /// Push a fresh deep copy of `consts[i]` (a quoted array, map or gene: mutable data).
    ConstCopy(u32),
    Pop,
    /// Drop n values under the top of the stack (leaving jumps out of nested expressions).
    PopUnder(u32),
    Dup,
    // ---- variables
    LoadLocal(u32),
    StoreLocal(u32),
    /// Declare a local: pop into the slot (a `var`, a loop variable).
    InitLocal(u32),
    /// Declare a captured local: pop into a fresh cell in the slot. (Loads and stores of a
    /// slot holding a cell go through the cell, so only declarations differ.)
    InitCell(u32),
    LoadCapture(u32),
    StoreCapture(u32),
    /// Push the raw slot content (a cell itself), for REPL exports.
    LoadSlotRaw(u32),
    /// Look `names[i]` up: current namespace chain, then global, gene, genex.
    LoadName(u32),
    /// Like LoadName, but an unbound name gives the symbol itself (`$render` templates).
    LoadNameOrSymbol(u32),
    /// Assign to an existing namespace member `names[i]` (keeps the value on the stack).
    StoreName(u32),
    /// Like LoadName for a call's head; when the value is a macro, the next op
    /// (`MacroArgs`) says where its quoted arguments are and where to continue.
    LoadCallee(u32),
    /// Operand: a `Const::MacroCall`. Skipped when the callee is not a macro.
    MacroArgs(u32),
    /// Like MacroArgs after an arbitrary head expression (the callee is on the stack).
    CheckMacro(u32),
    /// Bind the top of the stack as `names[i]` in the current namespace (keeps it on the stack).
    DefineName(u32),
    LoadSelf,
    /// Push the current namespace.
    LoadNs,
    // ---- members, indexes, paths
    GetMember(u32),
    /// [target value] -> value; sets member names[i].
    SetMember(u32),
    /// `/x`: `LoadSelf; GetMember(i)` without pushing self.
    GetSelfMember(u32),
    /// `(/x = v)`: [value] -> value; sets member names[i] of self.
    SetSelfMember(u32),
    GetIndex(i32),
    /// [target value] -> value
    SetIndex(i32),
    /// [target key] -> member or element (nil when absent).
    Select,
    /// [target key default] -> member or element, or default.
    SelectDefault,
    /// [target key value] -> value
    SetSelect,
    // ---- operators
    Add,
    Sub,
    Mul,
    Div,
    /// `**`: power (out of line: `builtins::power`).
    Pow,
    Neg,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    Not,
    /// Add an int constant to a local slot in place: `(i += 1)`; pushes the new value.
    AddLocalInt(u32, i16),
    /// `AddLocalInt` whose value is not used.
    IncLocal(u32, i16),
    /// Push local + int constant: `(n - 1)`.
    LocalAddInt(u32, i16),
    /// Pop into a local (through its cell if captured): `StoreLocal; Pop`.
    SetLocal(u32),
    /// `LoadLocal(a); LoadLocal(b)`.
    LoadLocal2(u16, u16),
    /// `LoadLocal(a); LoadLocal(b); Add`: push local a + local b.
    AddLocals(u16, u16),
    /// `LoadLocal(a); LoadLocal(b); Sub`.
    SubLocals(u16, u16),
    /// `LoadLocal(a); LoadLocal(b); Mul`.
    MulLocals(u16, u16),
    /// `(a += b)` on two locals, the value unused: `AddLocals(a, b); SetLocal(a)`.
    AddToLocal(u16, u16),
    // ---- control
    Jump(u32),
    JumpIfFalse(u32),
    JumpIfTrue(u32),
    /// `&&`: when the top is falsy jump and keep it, else pop it.
    AndJump(u32),
    /// `||`: when the top is truthy jump and keep it, else pop it.
    OrJump(u32),
    /// `(local < k)` and friends followed by a conditional jump: jump when the comparison is
    /// false. Operands: slot, int constant, target.
    JumpUnlessLt(u8, i16, u32),
    JumpUnlessLe(u8, i16, u32),
    JumpUnlessGt(u8, i16, u32),
    JumpUnlessGe(u8, i16, u32),
    /// `(a < b)` on two locals followed by a conditional jump: jump when the comparison is
    /// false. Operands: the two slots, target.
    JumpUnlessLtLocal(u8, u8, u32),
    JumpUnlessLeLocal(u8, u8, u32),
    JumpUnlessGtLocal(u8, u8, u32),
    JumpUnlessGeLocal(u8, u8, u32),
    /// `(x != nil)` on a local followed by a conditional jump: jump when the local is nil.
    JumpIfNilLocal(u16, u32),
    /// `(x == nil)` on a local followed by a conditional jump: jump unless the local is nil.
    JumpUnlessNilLocal(u16, u32),
    /// Jump unless the slot holds the "argument not given" marker (default parameters).
    JumpIfGiven(u16, u32),
    /// [collection] -> [iterator]
    IterStart,
    /// Push the next element, or pop the iterator and jump when exhausted.
    IterNext(u32),
    // ---- data
    MakeArray(u32),
    /// [array value] -> [array] with value appended.
    ArrayPush,
    /// [array items] -> [array] with the items spread in.
    ArrayExtend,
    MakeSet(u32),
    /// [k1 v1 ... kn vn] with keys as symbol constants -> map
    MakeMap(u32),
    /// [type k1 v1 ... kn vn c1 ... cm] with n in the high 16 bits and m in the low 16 bits.
    MakeGene(u32),
    /// [start end] or [start end step] (operand = 3) -> range
    MakeRange(u32),
    /// [start end] -> [start end]: a `(for x in (a .. b))` loop's bounds, which must be ints
    /// (the TypeError `MakeRange` raises otherwise).
    RangeBounds,
    /// Join the display forms of n values into a string (interpolation).
    Concat(u32),
    /// [value] -> spread marker
    MakeSpread,
    // ---- functions and calls
    MakeClosure(u32),
    /// [callee args...]
    Call(u32),
    /// [callee args...]: reuse the frame when callee is the running function.
    TailCall(u32),
    /// [callee args-array props-or-nil]
    CallComplex,
    /// [receiver args...]: method names[name], argc in the second operand.
    CallMethod(u32, u16),
    /// `(x .get i)`: [x i] -> element i of an array (nil when out of range), else the method
    /// names[n] called with one argument.
    GetItem(u32),
    /// `(x .set i v)`: [x i v] -> v, storing v at index i of an array (in range), else the
    /// method names[n] called with two arguments.
    SetItem(u32),
    /// `(x .push v)`: [x v] -> x, appending v to an array with room for it, else the method
    /// names[n] called with one argument.
    PushItem(u32),
    /// `(x .size)`, `(x .length)`: [x] -> the number of elements of an array, else the method
    /// names[n] called with no argument.
    SizeOf(u32),
    /// [receiver args-array props-or-nil]
    CallMethodComplex(u32),
    /// [args...]: method on the parent class of the running method, with the same self.
    CallSuper(u32, u16),
    /// [class args...]
    New(u32),
    /// [class args-array props-or-nil]
    NewComplex,
    Return,
    /// `LoadLocal; Return`: returns a local (through its cell when captured).
    ReturnLocal(u32),
    // ---- classes, namespaces, macros, eval
    /// [parent-or-nil] -> class named names[i] (not yet bound).
    MakeClass(u32),
    /// [name-string] -> a fresh namespace whose parent is the current one.
    MakeNs,
    /// [body-closure self] -> run the body with self and self's namespace; push its value.
    RunBody,
    /// [class closure] -> [class]: define method names[i].
    DefMethod(u32),
    /// [class closure] -> [class]
    DefCtor,
    /// [value] -> evaluate value as code in the caller of the running frame (`$caller_eval`).
    CallerEval,
    /// [template] -> render it against the current environment (`$render`).
    Render,
    /// Run `Const::Import`.
    Import(u32),
    /// Publish module-scope variables (REPL sessions): operand is a `Const::Exports`.
    Export(u32),
    // ---- exceptions
    Throw,
    /// Install a handler that jumps to the target with the thrown value pushed.
    PushHandler(u32),
    PopHandler,
    /// [value class-or-star] -> bool: does the catch clause match?
    CatchMatch,
    /// [value] -> bool: does `catch *` take it? (Everything but `gene/exit`'s request.)
    CatchAny,
    /// Throw a new exception described by `Const::Error` (malformed forms raise at run time).
    Fail(u32),
    // ---- async
    /// [futures... timeout?] or [array-of-futures timeout?] -> value (or array of values).
    /// Operand: [`await_flags`]. Suspends the task while a future is pending.
    Await(u32),
    // ---- generators (`vm/generator.rs`)
    /// The first op of a generator function's body, once its parameters are bound: the frame
    /// becomes a suspended generator (operand 1: an async one), pushed for the `Return` that
    /// follows. The body proper starts after that `Return`.
    MakeGenerator(u32),
    /// [value] -> [sent]: suspends the generator and hands the value out. `.next` continues
    /// at the operand with the sent value pushed; `.close` at the next op, the yield's close
    /// path (the enclosing `finally` blocks, then `GenReturn`).
    Yield(u32),
    /// [value] -> the generator is done: its frame goes, the value is dropped.
    GenReturn,
    /// Closes the iterator `n` values below the top if it is a generator not yet done (a
    /// `break` or `return` leaving its loop runs its `finally` blocks). Second operand 1: the
    /// two ops after it (`Await`, `Pop`) wait for an async generator's close, else are skipped.
    IterClose(u32, u16),
    /// `for await`: [iterator] -> [iterator x], where x is the next element or the future of
    /// an async generator's next step. A value that is not a future skips the next two ops
    /// (`Await`, `IterUnwrap`); when exhausted, pops the iterator and jumps.
    IterNextAsync(u32),
    /// `for await`: [iterator step] -> [iterator value] for an async generator's step map, or
    /// pops both and jumps when the step says done. Other iterators: nothing to do.
    IterUnwrap(u32),
    // ---- debugging (`vm/debug/`)
    /// Never compiled: a debugger patches it over the first op of a line in linked code (its
    /// copy of the proto's ops) and keeps the op it replaced, which runs after the stop.
    Break,
}

/// `Op::Await`'s operand: bit 0 = a `^timeout` value is on top, bit 1 = the futures come as
/// one array (a spread), the rest = how many futures are on the stack.
pub const fn await_flags(count: u32, spread: bool, timeout: bool) -> u32 {
    (count << 2) | ((spread as u32) << 1) | (timeout as u32)
}

/// (futures on the stack, spread, timeout) from [`await_flags`].
pub const fn await_operands(flags: u32) -> (u32, bool, bool) {
    (flags >> 2, flags & 2 != 0, flags & 1 != 0)
}

/// A constant operand.
#[derive(Clone, Debug, PartialEq)]
pub enum Const {
    Int(i64),
    Float(f64),
    Str(String),
    Char(char),
    Symbol(String),
    Path(Vec<String>),
    /// Quoted data, converted to a value when linked.
    Form(Form),
    /// The unevaluated arguments of a possible macro call and where the normal call path ends.
    MacroCall {
        args: Vec<Form>,
        props: Vec<(String, Form)>,
        resume: u32,
    },
    /// `(import ...)`: (source path, alias) pairs and the module path.
    Import {
        names: Vec<ImportName>,
        from: String,
    },
    /// Module-scope variables to publish: (name, slot).
    Exports(Vec<(String, u32)>),
    /// An exception to raise: the class name in `gene` and the message.
    Error {
        class: String,
        message: String,
    },
    /// `(enum ...)`: its name and members.
    Enum {
        name: String,
        members: Vec<(String, i64)>,
    },
    /// A runtime value embedded in code built from data (`eval` of macro output): the index into
    /// the table given when the code is linked.
    Embedded(u32),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportName {
    /// The member path inside the module (`f`, `n/f`).
    pub path: Vec<String>,
    /// The name it gets in the importing namespace.
    pub alias: String,
}

/// Where a closure's captured cell comes from when the closure is created.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaptureFrom {
    /// The creating frame's slot (which holds a cell).
    Slot(u32),
    /// The creating closure's own capture.
    Capture(u32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProtoKind {
    Module,
    Function,
    Macro,
    Block,
    /// A `class` body (self = the class) or `ns` body.
    Body,
    /// Code compiled at run time by `eval`, `$caller_eval`, `$render` or the REPL.
    Eval,
}

/// How one parameter takes its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamKind {
    Positional,
    /// `_` in a list: skips a position.
    Skip,
    /// `^name`: taken from the prop, else from the next positional argument.
    Named(String),
    /// `name...`: the remaining positional arguments as an array.
    Rest,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamSlot {
    pub kind: ParamKind,
    pub slot: u32,
    /// A default expression exists: a missing argument leaves the "not given" marker for the
    /// prologue to replace.
    pub has_default: bool,
}

/// The parameter list.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Params {
    /// `_`: take nothing, ignore every argument.
    pub ignore_all: bool,
    pub slots: Vec<ParamSlot>,
    /// Every parameter is plain positional without default: args go straight into slots.
    pub simple: bool,
}

/// A local's name and where it is live, for `eval` and `$caller_eval` in that frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalInfo {
    pub name: String,
    pub slot: u32,
    pub start: u32,
    pub end: u32,
}

/// One compiled function body (or module, block, class body...).
#[derive(Clone, Debug, PartialEq)]
pub struct Proto {
    pub name: String,
    pub kind: ProtoKind,
    pub is_async: bool,
    /// Plain positional parameters, none captured, not async: a call only pushes a frame.
    pub direct_call: bool,
    pub params: Params,
    pub ops: Vec<Op>,
    /// The source range of the form each op came from (same length as `ops`).
    pub ranges: Vec<TextRange>,
    pub consts: Vec<Const>,
    pub names: Vec<String>,
    pub protos: Vec<Arc<Proto>>,
    pub captures: Vec<CaptureFrom>,
    pub capture_names: Vec<String>,
    /// Slots the frame needs (parameters first).
    pub nslots: u32,
    /// Parameter slots captured by inner closures: wrapped into cells on entry.
    pub cell_params: Vec<u32>,
    pub locals: Vec<LocalInfo>,
    /// The range of the whole definition.
    pub range: TextRange,
    /// A compilation unit's errors that keep it from running (`yield` outside a generator).
    pub errors: Vec<gene_syntax::Diagnostic>,
}

impl Proto {
    pub fn range_at(&self, ip: usize) -> TextRange {
        self.ranges.get(ip).copied().unwrap_or(self.range)
    }
}
