//! What one chunk's walk produces: diagnostics it can decide alone, diagnostics that wait on
//! names defined elsewhere in the file ([`Pending`]), and the module-level variables it declares
//! and uses. Everything is plain data with chunk-relative ranges, so the walk is memoized per
//! chunk and reused while the chunk's text is unchanged.

use std::sync::Arc;

use rowan::TextRange;

use crate::diagnostic::Diagnostic;

/// Why an expression is a future.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FutureSource {
    AsyncBlock,
    AsyncCall,
    AsyncBuiltin,
    NewFuture,
}

/// Whether an expression's value is a future, as far as one chunk can tell.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FutureOf {
    Yes(FutureSource),
    No,
    Unknown,
    /// A call of a name the chunk does not bind: decided with the whole file.
    CallOf(String),
    /// A variable the chunk does not bind: decided with the whole file.
    RefOf(String),
    /// A call of `method` on an instance of the class named `class` (`self` in its methods, a
    /// variable bound to `(new C ...)`): decided with the class's definition.
    MethodOf {
        class: String,
        method: String,
    },
    /// A call of `method` on a variable the chunk does not bind: decided with the class of
    /// the `(new C ...)` it is bound to, if it is.
    VarMethodOf {
        var: String,
        method: String,
    },
}

impl FutureOf {
    pub fn is_yes(&self) -> bool {
        matches!(self, FutureOf::Yes(_))
    }
}

/// A name the chunk does not bind, as an index into its [`ChunkLint::names`]: each such name is
/// kept once per chunk, however often the chunk's pending diagnostics and uses refer to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NameId(pub u32);

/// When a pending diagnostic applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Condition {
    /// The expression turns out to be a future: `what` is decided with the file.
    IsFuture(FreeFuture),
    /// The expression turns out not to be a future.
    NotFuture(FreeFuture),
    /// The name is not defined anywhere the analysis can see (N001).
    Unresolved(NameId),
    /// A call of `name` with `given` positional arguments (N003, decided from its parameters).
    TooFewArgs { name: NameId, given: u32 },
    /// A call of the unqualified name resolves to a blocking builtin (A005).
    BlockingCall(NameId),
    /// A callback argument `name` turns out to be an async function (A010).
    AsyncCallback(NameId),
}

impl Condition {
    /// The name the condition waits on.
    pub fn name(self) -> NameId {
        match self {
            Condition::IsFuture(free) | Condition::NotFuture(free) => free.name(),
            Condition::Unresolved(name)
            | Condition::TooFewArgs { name, .. }
            | Condition::BlockingCall(name)
            | Condition::AsyncCallback(name) => name,
        }
    }
}

/// A [`FutureOf::CallOf`] or [`FutureOf::RefOf`] with its name in the chunk's table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FreeFuture {
    CallOf(NameId),
    RefOf(NameId),
    /// [`FutureOf::MethodOf`]: one name `Class .method` (a pair of names would make every
    /// pending record bigger).
    MethodOf(NameId),
    /// [`FutureOf::VarMethodOf`]: one name `var .method`.
    VarMethodOf(NameId),
}

impl FreeFuture {
    /// The name it waits on (for a method call, `receiver .method`).
    pub fn name(self) -> NameId {
        match self {
            FreeFuture::CallOf(name)
            | FreeFuture::RefOf(name)
            | FreeFuture::MethodOf(name)
            | FreeFuture::VarMethodOf(name) => name,
        }
    }
}

/// Where a future was used as a value (A008), which its message names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueUse {
    Condition,
    Operand,
    Interpolated,
    Printed,
}

/// The diagnostic a pending record stands for, made only if its condition holds: the common
/// ones as a few words that the rule turns into the diagnostic, the rare ones made already.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Report {
    /// N001 on the name.
    UndefinedName,
    /// N003 on the call; the message names what the callee turns out to require.
    TooFewArguments,
    /// A001 on a call of the condition's name or a read of it (the whole form).
    FloatingFuture,
    /// A008 on a call of the condition's name or a read of it.
    FutureUsedAsValue(ValueUse),
    /// A003 on the `await` form; `operand` is the range of its operand, which the fix puts in
    /// its place when `removable` (the `await` has that one operand and nothing else).
    AwaitNonFuture { operand: TextRange, removable: bool },
    /// A005 on the callee of the call `form`.
    BlockingCall { form: TextRange },
    /// Any other diagnostic, made by the walk: an index into [`ChunkLint::made`].
    Made(u32),
}

/// A diagnostic that applies only if its condition holds once the whole file is known: a few
/// words, most of them (a chunk has a pending record for nearly every use of a name it does not
/// bind: most of them never become a diagnostic).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Pending {
    pub condition: Condition,
    /// Where the diagnostic goes (for [`Report::Made`], its own range).
    pub range: TextRange,
    pub report: Report,
}

/// How a variable was used.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct UseFacts {
    /// Read in any way.
    pub read: bool,
    /// Where it was awaited (ranges of the `await` forms). Boxed, not a `Vec`: most uses are
    /// never awaited, and every chunk keeps the facts of the names it uses.
    pub awaited_at: Box<[TextRange]>,
    /// Where `.on_success` was registered, if it was.
    pub on_success: Option<TextRange>,
    pub on_failure: bool,
    /// `.complete`, `.fail`, `.cancel` or `complete_future` on it.
    pub settled: bool,
    /// Passed to a call, stored in a collection, returned, assigned elsewhere or captured by a
    /// closure: something the analysis cannot follow may settle or observe it.
    pub escapes: bool,
    /// Reassigned after its declaration.
    pub reassigned: bool,
}

impl UseFacts {
    pub fn awaited(&self) -> bool {
        !self.awaited_at.is_empty()
    }

    /// The same facts with their ranges moved by `offset` (from one chunk into the file).
    pub fn shifted(&self, offset: rowan::TextSize) -> UseFacts {
        UseFacts {
            awaited_at: self.awaited_at.iter().map(|r| *r + offset).collect(),
            on_success: self.on_success.map(|r| r + offset),
            ..self.clone()
        }
    }

    pub fn merge(&mut self, other: &UseFacts) {
        self.read |= other.read;
        if !other.awaited_at.is_empty() {
            let mut awaited_at = std::mem::take(&mut self.awaited_at).into_vec();
            awaited_at.extend(other.awaited_at.iter().copied());
            self.awaited_at = awaited_at.into();
        }
        if self.on_success.is_none() {
            self.on_success = other.on_success;
        }
        self.on_failure |= other.on_failure;
        self.settled |= other.settled;
        self.escapes |= other.escapes;
        self.reassigned |= other.reassigned;
    }
}

/// A variable declared by a top-level `var` (visible to later top-level forms).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ModuleVar {
    pub name: String,
    /// The name's range in the `var` form.
    pub name_range: TextRange,
    /// The initializer's range, if there is one.
    pub init_range: Option<TextRange>,
    pub init: FutureOf,
    /// Bound to `(new gene/Future)`.
    pub new_future: bool,
    /// Bound to a function value: its shape.
    pub callable: Option<super::symbols::FnShape>,
    /// Bound to `(new C ...)`: the class's name.
    pub class: Option<Box<str>>,
    /// Uses inside the declaring chunk.
    pub uses: UseFacts,
}

/// A name the chunk uses without binding it, and how the chunk uses it as a variable (a
/// top-level variable of an earlier chunk, if it turns out to be one).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FreeName {
    pub name: Box<str>,
    pub facts: UseFacts,
}

/// What a name in the source refers to, as far as its chunk can tell.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RefTarget {
    /// A local declared in the same chunk, by the range of its declaring name.
    Local(TextRange),
    /// A name the chunk does not bind: decided with the whole file.
    Free(String),
}

/// One use of a name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NameRef {
    pub range: TextRange,
    pub target: RefTarget,
}

/// What kind of local a declaration makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeclKind {
    Variable,
    Parameter,
    LoopVariable,
    Enum,
    Import,
}

/// A local declaration, for navigation and completion.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LocalDecl {
    pub name: String,
    pub range: TextRange,
    pub kind: DeclKind,
    /// Where its scope ends: the name is visible from its declaration to here.
    pub scope_end: rowan::TextSize,
    /// Declared by a top-level `var` (visible to later top-level forms too).
    pub module_level: bool,
    /// Bound to a function value: its shape (for hover and signature help).
    pub callable: Option<super::symbols::FnShape>,
    /// Bound to a future, as far as the chunk can tell.
    pub future: bool,
}

/// One chunk's analysis: what the file-level lint pass reads, and the names and declarations
/// the editor features read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ChunkAnalysis {
    /// What [`super::chunk_lint`] gives (a batch tool keeps it in [`super::chunk_facts`]).
    pub lint: Arc<ChunkLint>,
    /// Every use of a name, in source order.
    pub refs: Box<[NameRef]>,
    /// Every local declaration.
    pub decls: Box<[LocalDecl]>,
}

/// What the file-level lint pass needs from one chunk. Kept for every chunk of a file until
/// that pass has run (for every chunk of a big file at once in `gene check`), so it is kept
/// small: boxed slices, names once each, the parts most chunks lack behind one pointer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ChunkLint {
    /// The names the chunk uses without binding them, indexed by [`NameId`].
    pub free: Box<[FreeName]>,
    pub pending: Box<[Pending]>,
    pub more: Option<Box<MoreLint>>,
}

/// What most chunks have none of.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct MoreLint {
    /// The diagnostics the chunk decides alone.
    pub diagnostics: Box<[Diagnostic]>,
    pub module_vars: Box<[ModuleVar]>,
    /// The diagnostics of [`Report::Made`] pending records.
    pub made: Box<[Diagnostic]>,
}

impl ChunkLint {
    pub fn name(&self, id: NameId) -> &str {
        self.free.get(id.0 as usize).map_or("", |n| &n.name)
    }

    pub fn diagnostics(&self) -> &[Diagnostic] {
        self.more.as_ref().map_or(&[], |m| &m.diagnostics)
    }

    pub fn module_vars(&self) -> &[ModuleVar] {
        self.more.as_ref().map_or(&[], |m| &m.module_vars)
    }

    /// The diagnostic of a [`Report::Made`].
    pub fn made(&self, index: u32) -> Option<&Diagnostic> {
        self.more.as_ref()?.made.get(index as usize)
    }
}
