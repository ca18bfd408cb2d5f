//! The file-level pass: goes through the chunks in order, keeping the top-level variables
//! declared so far, decides pending diagnostics and the rules about top-level variables.

use std::borrow::Cow;
use std::collections::HashMap;

use rowan::TextSize;

use super::facts::{ChunkLint, Condition, FreeFuture, FutureOf, ModuleVar, UseFacts};
use super::infer::{Inference, Returns};
use super::rules::{self, VarView};
use super::symbols::{Def, DefKind, FileSymbols};
use crate::builtins::{BuiltinKind, ParamKind};
use crate::db::{self, Db, SourceFile};
use crate::diagnostic::Diagnostic;

/// A top-level variable with its facts gathered from every chunk, in file offsets. Borrows its
/// declaration from its chunk's lint facts (a file can have many).
struct VarState<'a> {
    var: &'a ModuleVar,
    /// Resolved: `Yes`, `No` or `Unknown`.
    init: FutureOf,
    offset: TextSize,
    facts: UseFacts,
}

pub(super) fn resolve_file(
    db: &dyn Db,
    file: SourceFile,
    symbols: &FileSymbols,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut env: HashMap<&str, VarState> = HashMap::new();
    let mut finished: Vec<VarState> = Vec::new();
    let infer = Inference::new(db);
    for at in db::chunks(db, file) {
        let lint = super::chunk_lint(db, at.chunk);
        out.extend(lint.diagnostics().iter().map(|d| d.shifted(at.offset)));
        if !lint.pending.is_empty() {
            let ctx = Ctx {
                env: &env,
                symbols,
                db,
                file,
                infer: &infer,
            };
            let text = at.chunk.text(db);
            for pending in lint.pending.iter() {
                if ctx.holds(pending.condition, lint)
                    && let Some(diagnostic) =
                        rules::pending_diagnostic(pending, lint, text, |name| {
                            ctx.required_args(name)
                        })
                {
                    out.push(diagnostic.shifted(at.offset));
                }
            }
        }
        for used in lint.free.iter() {
            if let Some(state) = env.get_mut(&*used.name) {
                state.facts.merge(&used.facts.shifted(at.offset));
            }
        }
        for var in lint.module_vars() {
            let init = Ctx {
                env: &env,
                symbols,
                db,
                file,
                infer: &infer,
            }
            .decide(&var.init);
            let state = VarState {
                var,
                init,
                offset: at.offset,
                facts: var.uses.shifted(at.offset),
            };
            if let Some(shadowed) = env.insert(&var.name, state) {
                finished.push(shadowed);
            }
        }
    }
    finished.extend(env.into_values());
    for state in &finished {
        let view = VarView {
            name: &state.var.name,
            range: state.var.name_range + state.offset,
            is_param: false,
            checked_for_unused: true,
            init: state.init.clone(),
            init_range: state.var.init_range.map(|r| r + state.offset),
            new_future: state.var.new_future,
            facts: &state.facts,
            dynamic: symbols.dynamic,
        };
        let mut produced = Vec::new();
        rules::end_of_var(&view, &mut produced);
        for (condition, diagnostic) in produced {
            if condition.is_none_or(|fut| fut.is_yes()) {
                out.push(diagnostic);
            }
        }
    }
    out
}

struct Ctx<'a> {
    env: &'a HashMap<&'a str, VarState<'a>>,
    symbols: &'a FileSymbols,
    db: &'a dyn Db,
    file: SourceFile,
    infer: &'a Inference<'a>,
}

use super::symbols::unqualified_builtin;

/// An inferred answer as a [`FutureOf`].
fn future_of(returns: Returns) -> FutureOf {
    match returns {
        Returns::Future => FutureOf::Yes(super::facts::FutureSource::AsyncCall),
        Returns::NotFuture => FutureOf::No,
        Returns::Unknown => FutureOf::Unknown,
    }
}

impl Ctx<'_> {
    /// A namespace-level definition of `name`: in this file, else through an import.
    fn def(&self, name: &str) -> Option<Cow<'_, Def>> {
        if let Some(def) = self.symbols.get(name) {
            return Some(Cow::Borrowed(def));
        }
        if !self.symbols.is_imported(name) {
            return None;
        }
        super::symbols::namespace_def(self.db, self.file, name).map(|(_, def)| Cow::Owned(def))
    }

    /// [`Ctx::def`] with the file that defines it.
    fn def_at(&self, name: &str) -> Option<(SourceFile, Cow<'_, Def>)> {
        if let Some(def) = self.symbols.get(name) {
            return Some((self.file, Cow::Borrowed(def)));
        }
        if !self.symbols.is_imported(name) {
            return None;
        }
        super::symbols::namespace_def(self.db, self.file, name)
            .map(|(at, def)| (at, Cow::Owned(def)))
    }

    fn decide_free(&self, free: FreeFuture, lint: &ChunkLint) -> FutureOf {
        match free {
            FreeFuture::CallOf(name) => self.call_of(lint.name(name)),
            FreeFuture::RefOf(name) => self.ref_of(lint.name(name)),
            FreeFuture::MethodOf(name) => match lint.name(name).split_once(" .") {
                Some((class, method)) => self.method_of(class, method),
                None => FutureOf::Unknown,
            },
            FreeFuture::VarMethodOf(name) => match lint.name(name).split_once(" .") {
                Some((var, method)) => self.var_method_of(var, method),
                None => FutureOf::Unknown,
            },
        }
    }

    /// A call of `method` on an instance of `class`.
    fn method_of(&self, class: &str, method: &str) -> FutureOf {
        future_of(self.infer.method_returns(self.file, class, method))
    }

    /// A call of `method` on the top-level variable `var`, if it holds an instance of a known
    /// class (bound to `(new C ...)` and never reassigned).
    fn var_method_of(&self, var: &str, method: &str) -> FutureOf {
        match self.env.get(var) {
            Some(state) if !state.facts.reassigned => match state.var.class.as_deref() {
                Some(class) => self.method_of(class, method),
                None => FutureOf::Unknown,
            },
            _ => FutureOf::Unknown,
        }
    }

    fn decide(&self, fut: &FutureOf) -> FutureOf {
        match fut {
            FutureOf::CallOf(name) => self.call_of(name),
            FutureOf::RefOf(name) => self.ref_of(name),
            FutureOf::MethodOf { class, method } => self.method_of(class, method),
            FutureOf::VarMethodOf { var, method } => self.var_method_of(var, method),
            other => other.clone(),
        }
    }

    fn call_of(&self, name: &str) -> FutureOf {
        if let Some(state) = self.env.get(name) {
            return match &state.var.callable {
                Some(shape) => future_of(self.infer.shape_returns(self.file, None, shape)),
                None => FutureOf::Unknown,
            };
        }
        if let Some((at, def)) = self.def_at(name) {
            return match &def.as_ref().kind {
                DefKind::Function(shape) => future_of(self.infer.shape_returns(at, None, shape)),
                DefKind::Class | DefKind::Namespace => FutureOf::No,
                _ => FutureOf::Unknown,
            };
        }
        if self.symbols.is_imported(name) {
            return FutureOf::Unknown;
        }
        match unqualified_builtin(name) {
            Some(b) if b.flags.returns_future => {
                FutureOf::Yes(super::facts::FutureSource::AsyncBuiltin)
            }
            Some(b) if b.kind == BuiltinKind::Function && b.name != "eval" => FutureOf::No,
            _ => FutureOf::Unknown,
        }
    }

    fn ref_of(&self, name: &str) -> FutureOf {
        if let Some(state) = self.env.get(name) {
            return if state.facts.reassigned {
                FutureOf::Unknown
            } else {
                state.init.clone()
            };
        }
        if self.def(name).is_some() {
            return FutureOf::No;
        }
        FutureOf::Unknown
    }

    fn is_defined(&self, name: &str) -> bool {
        self.env.contains_key(name)
            || self.symbols.get(name).is_some()
            || self.symbols.is_imported(name)
            || self.symbols.dynamic
            || unqualified_builtin(name).is_some()
    }

    /// Whether a pending record's condition holds; `lint` is its chunk's (for the names).
    fn holds(&self, condition: Condition, lint: &ChunkLint) -> bool {
        match condition {
            Condition::IsFuture(free) => self.decide_free(free, lint).is_yes(),
            Condition::NotFuture(free) => self.decide_free(free, lint) == FutureOf::No,
            Condition::Unresolved(name) => !self.is_defined(lint.name(name)),
            Condition::TooFewArgs { name, given } => self
                .required_count(lint.name(name))
                .is_some_and(|required| required > given as usize),
            Condition::BlockingCall(name) => {
                let name = lint.name(name);
                !self.env.contains_key(name)
                    && self.def(name).is_none()
                    && unqualified_builtin(name).is_some_and(|b| b.flags.blocking)
            }
            Condition::AsyncCallback(name) => self.call_of(lint.name(name)).is_yes(),
        }
    }

    /// What a call of `name` calls, when the file tells: a function's shape or a builtin.
    fn callee(&self, name: &str) -> Option<Callee<'_>> {
        if let Some(state) = self.env.get(name) {
            return state
                .var
                .callable
                .as_ref()
                .map(|s| Callee::Shape(Cow::Borrowed(s)));
        }
        if let Some(def) = self.def(name) {
            return match def {
                Cow::Borrowed(Def {
                    kind: DefKind::Function(shape),
                    ..
                }) => Some(Callee::Shape(Cow::Borrowed(shape))),
                Cow::Owned(Def {
                    kind: DefKind::Function(shape),
                    ..
                }) => Some(Callee::Shape(Cow::Owned(shape))),
                _ => None,
            };
        }
        unqualified_builtin(name)
            .filter(|b| b.kind == BuiltinKind::Function)
            .map(Callee::Builtin)
    }

    /// The number of positional arguments `name` requires.
    fn required_count(&self, name: &str) -> Option<usize> {
        match self.callee(name)? {
            Callee::Shape(shape) => {
                (!shape.params.ignores_all).then(|| shape.params.required_positional())
            }
            Callee::Builtin(builtin) => Some(
                builtin
                    .params
                    .iter()
                    .filter(|p| p.kind == ParamKind::Required)
                    .count(),
            ),
        }
    }

    /// The number of positional arguments `name` requires, and their names.
    fn required_args(&self, name: &str) -> Option<(usize, Vec<String>)> {
        match self.callee(name)? {
            Callee::Shape(shape) => (!shape.params.ignores_all).then(|| {
                let names = shape
                    .params
                    .params
                    .iter()
                    .filter(|p| p.kind == super::symbols::ParamKind::Required);
                (
                    shape.params.required_positional(),
                    names.map(|p| p.name.clone()).collect(),
                )
            }),
            Callee::Builtin(builtin) => {
                let required: Vec<String> = builtin
                    .params
                    .iter()
                    .filter(|p| p.kind == ParamKind::Required)
                    .map(|p| p.name.to_string())
                    .collect();
                Some((required.len(), required))
            }
        }
    }
}

/// What a call of a name calls.
enum Callee<'a> {
    Shape(Cow<'a, super::symbols::FnShape>),
    Builtin(&'static crate::builtins::Builtin),
}
