//! What one chunk's walk produces: diagnostics it can decide alone, diagnostics that wait on
//! names defined elsewhere in the file ([`Pending`]), and the module-level variables it declares
//! and uses. Everything is plain data with chunk-relative ranges, so the walk is memoized per
//! chunk and reused while the chunk's text is unchanged.

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
}

impl FutureOf {
    pub fn is_yes(&self) -> bool {
        matches!(self, FutureOf::Yes(_))
    }
}

/// When a pending diagnostic applies.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Condition {
    /// The expression turns out to be a future.
    IsFuture(FutureOf),
    /// The expression turns out not to be a future.
    NotFuture(FutureOf),
    /// The name is not defined anywhere the analysis can see (N001).
    Unresolved(String),
    /// A call of `name` with `given` positional arguments (N003, decided from its parameters).
    TooFewArgs { name: String, given: usize },
    /// A call of the unqualified name resolves to a blocking builtin (A005).
    BlockingCall(String),
    /// A callback argument `name` turns out to be an async function (A010).
    AsyncCallback(String),
}

/// A diagnostic that applies only if its condition holds once the whole file is known.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Pending {
    pub condition: Condition,
    pub diagnostic: Diagnostic,
}

/// How a variable was used.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct UseFacts {
    /// Read in any way.
    pub read: bool,
    /// Where it was awaited (ranges of the `await` forms).
    pub awaited_at: Vec<TextRange>,
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
        self.awaited_at.extend(other.awaited_at.iter().copied());
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
    /// Uses inside the declaring chunk.
    pub uses: UseFacts,
}

/// A use of a top-level variable declared in an earlier chunk (resolved by name).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FreeUse {
    pub name: String,
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

/// One chunk's analysis.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ChunkAnalysis {
    pub diagnostics: Vec<Diagnostic>,
    pub pending: Vec<Pending>,
    pub module_vars: Vec<ModuleVar>,
    pub free_uses: Vec<FreeUse>,
    /// Every use of a name, in source order.
    pub refs: Vec<NameRef>,
    /// Every local declaration.
    pub decls: Vec<LocalDecl>,
}
