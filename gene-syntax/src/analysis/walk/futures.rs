//! Whether an expression is a future, as far as one chunk can tell.

use super::{Checker, Resolved};
use crate::analysis::facts::{FutureOf, FutureSource};
use crate::analysis::shape::{self, Shape};
use crate::builtins;
use crate::form::{Form, FormKind, Gene};

impl Checker<'_> {
    /// Whether `form` evaluates to a future, as far as this chunk can tell.
    pub fn future_of(&self, form: &Form) -> FutureOf {
        match &form.kind {
            FormKind::Symbol(name) => match self.resolve(name) {
                Resolved::Local(i) => {
                    let local = &self.locals[i];
                    if local.facts.reassigned {
                        FutureOf::Unknown
                    } else {
                        local.init.clone()
                    }
                }
                Resolved::Free => FutureOf::RefOf(name.clone()),
                Resolved::Builtin => FutureOf::Unknown,
            },
            FormKind::Gene(gene) => self.gene_future_of(gene),
            FormKind::Path(_) | FormKind::Error | FormKind::Unquote { .. } => FutureOf::Unknown,
            _ => FutureOf::No,
        }
    }

    fn gene_future_of(&self, gene: &Gene) -> FutureOf {
        match shape::classify(gene) {
            Shape::Special("async") => FutureOf::Yes(FutureSource::AsyncBlock),
            Shape::Special("new") => {
                if gene
                    .children
                    .first()
                    .is_some_and(crate::analysis::infer::is_future_class)
                {
                    FutureOf::Yes(FutureSource::NewFuture)
                } else {
                    FutureOf::No
                }
            }
            Shape::Special(
                "fn" | "fnx" | "fnxx" | "class" | "ns" | "var" | "enum" | "match" | "import"
                | "#Str",
            ) => FutureOf::No,
            Shape::Special(_) => FutureOf::Unknown,
            Shape::Infix { op, .. } | Shape::Prefix { op, .. } if op != "./" => FutureOf::No,
            Shape::Range { .. } | Shape::Data | Shape::Empty | Shape::Block { .. } => FutureOf::No,
            Shape::Method {
                receiver, method, ..
            } => match method {
                "on_success" | "on_failure" | "on_progress" => self.future_of(receiver),
                m if m.ends_with("_async") => FutureOf::Yes(FutureSource::AsyncBuiltin),
                "complete" | "fail" | "cancel" | "state" | "value" | "progress" => FutureOf::No,
                _ => self.method_future_of(receiver, method),
            },
            Shape::Call { callee, .. } => self.call_future_of(callee),
            _ => FutureOf::Unknown,
        }
    }

    /// Whether `(receiver .method ...)` gives a future, when the receiver's class can be known:
    /// `self` inside a method of a class, a variable bound to `(new C ...)`.
    fn method_future_of(&self, receiver: &Form, method: &str) -> FutureOf {
        let Some(name) = receiver.as_symbol() else {
            return FutureOf::Unknown;
        };
        let method = method.to_string();
        if name == "self" {
            return match self.classes.last() {
                Some((class, depth)) if self.fn_depth() > *depth => FutureOf::MethodOf {
                    class: class.clone(),
                    method,
                },
                _ => FutureOf::Unknown,
            };
        }
        match self.resolve(name) {
            Resolved::Local(i) => {
                let local = &self.locals[i];
                match &local.class {
                    Some(class) if !local.facts.reassigned => FutureOf::MethodOf {
                        class: class.clone(),
                        method,
                    },
                    _ => FutureOf::Unknown,
                }
            }
            Resolved::Free => FutureOf::VarMethodOf {
                var: name.to_string(),
                method,
            },
            Resolved::Builtin => FutureOf::Unknown,
        }
    }

    /// Whether calling `callee` gives a future.
    pub fn call_future_of(&self, callee: &Form) -> FutureOf {
        match &callee.kind {
            FormKind::Symbol(name) => match self.resolve(name) {
                Resolved::Local(i) => match &self.locals[i].callable {
                    Some(shape) if shape.returns_future() => FutureOf::Yes(FutureSource::AsyncCall),
                    Some(shape) if shape.never_returns_future => FutureOf::No,
                    _ => FutureOf::Unknown,
                },
                Resolved::Free => {
                    if let Some(builtin) = name
                        .strip_prefix('$')
                        .and_then(|n| builtins::lookup(&format!("gene/{n}")))
                    {
                        return builtin_future_of(builtin);
                    }
                    FutureOf::CallOf(name.clone())
                }
                Resolved::Builtin => FutureOf::Unknown,
            },
            FormKind::Path(segments) => match builtins::lookup(&segments.join("/")) {
                Some(builtin) => builtin_future_of(builtin),
                None => FutureOf::Unknown,
            },
            FormKind::Gene(g) => match shape::classify(g) {
                Shape::Special("fnx" | "fnxx") => {
                    let flag = |key: &str| g.props.iter().any(|p| p.key == key);
                    // An async generator's call gives the generator, not a future.
                    if flag("async") && !flag("generator") {
                        FutureOf::Yes(FutureSource::AsyncCall)
                    } else {
                        FutureOf::Unknown
                    }
                }
                _ => FutureOf::Unknown,
            },
            _ => FutureOf::Unknown,
        }
    }
}

fn builtin_future_of(builtin: &builtins::Builtin) -> FutureOf {
    if builtin.flags.returns_future {
        FutureOf::Yes(FutureSource::AsyncBuiltin)
    } else if matches!(builtin.name, "eval") {
        FutureOf::Unknown
    } else {
        FutureOf::No
    }
}
