//! Future inference: which functions and methods return a future.
//!
//! A function returns a future when it is `^^async`, or when a value it can return (the last
//! form of any branch of its body, or a `return`) is one. The first half is read from one
//! function's body alone, per chunk ([`tails`], kept in its [`FnShape`]): a tail that is a
//! future by itself (an `async` block, a `*_async` builtin, `(new gene/Future)`), and the calls
//! whose value the body returns (`(f ...)`, `(self .m ...)`), which depend on other definitions.
//! The second half ([`Inference`]) follows those calls through the file's definitions, methods of
//! known classes (inherited ones included) and imports, to a fixed point: a function returns a
//! future if any chain of returned calls reaches one that does by itself. A chain that reaches
//! nothing known says nothing: unknown stays unknown.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use super::shape::{self, Shape};
use super::symbols::{self, ClassShape, DefKind, FnShape, Params};
use crate::builtins;
use crate::db::{Db, SourceFile};
use crate::form::{Form, FormKind, Gene};

/// A call whose value a function body returns.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TailCall {
    /// `(f ...)` of a name the body does not bind.
    Name(Box<str>),
    /// `(self .m ...)`: a method of the class the function is a method of.
    SelfMethod(Box<str>),
}

/// What one function body's returned values say about futures.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Tails {
    /// A returned value is a future by itself.
    pub future: bool,
    /// Returned calls that may give a future, decided with the other definitions.
    pub calls: Box<[TailCall]>,
}

/// The returned values of a body (`body` is the function's forms after its parameters).
pub fn tails(body: &[Form], params: &Params) -> Tails {
    let mut bound: Vec<&str> = params.bound_names().map(|p| p.name.as_str()).collect();
    for form in body {
        bound_names(form, &mut bound, 0);
    }
    let mut finder = TailFinder {
        bound,
        future: false,
        calls: Vec::new(),
    };
    if let Some(last) = body.last() {
        finder.tail(last, 0);
    }
    for form in body {
        finder.returns(form, 0);
    }
    Tails {
        future: finder.future,
        calls: finder.calls.into(),
    }
}

/// How deep the tail search goes into nested forms (the parser caps nesting anyway).
const MAX_DEPTH: usize = 64;

struct TailFinder<'a> {
    /// Names the body binds (parameters and `var`s): a call of one of them is unknown.
    bound: Vec<&'a str>,
    future: bool,
    calls: Vec<TailCall>,
}

impl<'a> TailFinder<'a> {
    /// `form` is a value the function returns.
    fn tail(&mut self, form: &'a Form, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let Some(gene) = form.as_gene() else { return };
        let children = &gene.children;
        match shape::classify(gene) {
            Shape::Special("async") => self.future = true,
            Shape::Special("new") if children.first().is_some_and(is_future_class) => {
                self.future = true;
            }
            Shape::Special("if") => {
                for branch in if_branches(children) {
                    if let Some(last) = branch.last() {
                        self.tail(last, depth + 1);
                    }
                }
            }
            Shape::Special("do") => {
                if let Some(last) = children.last() {
                    self.tail(last, depth + 1);
                }
            }
            Shape::Special("try") => {
                for section in try_sections(children) {
                    if let Some(last) = section.last() {
                        self.tail(last, depth + 1);
                    }
                }
            }
            Shape::Method {
                receiver, method, ..
            } => {
                if method.ends_with("_async") {
                    self.future = true;
                } else if receiver.as_symbol() == Some("self")
                    && !matches!(method, "on_success" | "on_failure" | "on_progress")
                {
                    self.push(TailCall::SelfMethod(method.into()));
                }
            }
            Shape::Call { callee, .. } => match &callee.kind {
                FormKind::Path(segments)
                    if builtins::lookup(&segments.join("/"))
                        .is_some_and(|b| b.flags.returns_future) =>
                {
                    self.future = true;
                }
                FormKind::Symbol(name) => {
                    if let Some(rest) = name.strip_prefix('$') {
                        if builtins::lookup(&format!("gene/{rest}"))
                            .is_some_and(|b| b.flags.returns_future)
                        {
                            self.future = true;
                        }
                    } else if !self.bound.contains(&name.as_str()) {
                        self.push(TailCall::Name(name.as_str().into()));
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }

    fn push(&mut self, call: TailCall) {
        if !self.calls.contains(&call) {
            self.calls.push(call);
        }
    }

    /// The `return`s anywhere in `form` that return from this function (not a nested one).
    fn returns(&mut self, form: &'a Form, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match &form.kind {
            FormKind::Gene(gene) => {
                match shape::classify(gene) {
                    Shape::Special("fn" | "fnx" | "fnxx" | "macro" | "class" | "ns")
                    | Shape::Block { .. } => return,
                    Shape::Special("return") => {
                        if let Some(value) = gene.children.first() {
                            self.tail(value, depth + 1);
                        }
                    }
                    _ => {}
                }
                for child in &gene.children {
                    self.returns(child, depth + 1);
                }
            }
            FormKind::Array(items) => {
                for item in items {
                    self.returns(item, depth + 1);
                }
            }
            _ => {}
        }
    }
}

/// Collects the names `form` binds with `var` (anywhere, conservatively).
fn bound_names<'a>(form: &'a Form, out: &mut Vec<&'a str>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    if let Some(gene) = form.as_gene() {
        if gene.head.as_symbol() == Some("var")
            && let Some(name) = gene.children.first().and_then(Form::as_symbol)
        {
            out.push(name);
        }
        for child in &gene.children {
            bound_names(child, out, depth + 1);
        }
    }
}

/// `gene/Future` (or `$Future`).
pub fn is_future_class(form: &Form) -> bool {
    match &form.kind {
        FormKind::Path(s) => s.len() == 2 && s[0] == "gene" && s[1] == "Future",
        FormKind::Symbol(s) => s == "$Future",
        _ => false,
    }
}

/// The branches of an `if`'s children (after the head): `(if c x y)` or the keyword form.
pub fn if_branches(children: &[Form]) -> Vec<&[Form]> {
    let keyword = |f: &Form| matches!(f.as_symbol(), Some("then" | "else" | "elif"));
    if children.len() == 3 && !keyword(&children[1]) && !keyword(&children[2]) {
        return vec![&children[1..2], &children[2..3]];
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < children.len() {
        if children[i].as_symbol() == Some("not") {
            i += 1;
        }
        i += 1;
        if children.get(i).and_then(Form::as_symbol) == Some("then") {
            i += 1;
        }
        let start = i.min(children.len());
        while i < children.len() && !matches!(children[i].as_symbol(), Some("elif" | "else")) {
            i += 1;
        }
        out.push(&children[start..i]);
        match children.get(i).and_then(Form::as_symbol) {
            Some("elif") => i += 1,
            Some("else") => {
                out.push(children.get(i + 1..).unwrap_or(&[]));
                break;
            }
            _ => break,
        }
    }
    out
}

/// A `try`'s body and its `catch` bodies (whose last forms are the `try`'s value).
pub fn try_sections(children: &[Form]) -> Vec<&[Form]> {
    let section_end = |from: usize| {
        let mut j = from;
        while j < children.len() && !matches!(children[j].as_symbol(), Some("catch" | "finally")) {
            j += 1;
        }
        j
    };
    let end = section_end(0);
    let mut out = vec![&children[..end]];
    let mut i = end;
    while i < children.len() {
        match children[i].as_symbol() {
            Some("catch") => {
                let end = section_end(i + 2);
                out.push(children.get(i + 2..end).unwrap_or(&[]));
                i = end;
            }
            _ => i = section_end(i + 1),
        }
    }
    out
}

/// The answer for one function or method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Returns {
    Future,
    NotFuture,
    Unknown,
}

/// Follows returned calls through definitions, classes and imports for one file-level pass,
/// remembering each answer.
pub struct Inference<'a> {
    db: &'a dyn Db,
    memo: RefCell<HashMap<Key, bool>>,
}

/// A function (`method` empty) or a method of a class, where it is looked up from.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    file: SourceFile,
    class: Option<Box<str>>,
    name: Box<str>,
}

/// How many definitions one chain of returned calls may go through.
const MAX_CHAIN: usize = 64;

impl<'a> Inference<'a> {
    pub fn new(db: &'a dyn Db) -> Self {
        Inference {
            db,
            memo: RefCell::new(HashMap::new()),
        }
    }

    /// Whether a function with `shape`, defined in `file` (inside `class`, for a method),
    /// returns a future: through its returned calls when it is not `^^async` itself.
    pub fn shape_returns(&self, file: SourceFile, class: Option<&str>, shape: &FnShape) -> Returns {
        if shape.returns_future() {
            return Returns::Future;
        }
        if shape.never_returns_future {
            return Returns::NotFuture;
        }
        let mut visiting = Vec::new();
        if self.follows(file, class, shape, &mut visiting) {
            Returns::Future
        } else {
            Returns::Unknown
        }
    }

    /// Whether calling `method` on an instance of `class` (a name as seen from `file`) gives a
    /// future.
    pub fn method_returns(&self, file: SourceFile, class: &str, method: &str) -> Returns {
        match self.find_method(file, class, method, 0) {
            Some((at, owner, shape)) => self.shape_returns(at, Some(&owner), &shape),
            None => Returns::Unknown,
        }
    }

    /// Some returned call of `shape` gives a future.
    fn follows(
        &self,
        file: SourceFile,
        class: Option<&str>,
        shape: &FnShape,
        visiting: &mut Vec<Key>,
    ) -> bool {
        let Some(tails) = &shape.tails else {
            return false;
        };
        if tails.future {
            return true;
        }
        tails.calls.iter().any(|call| match call {
            TailCall::Name(name) => self.name_gives(file, name, visiting),
            TailCall::SelfMethod(method) => {
                class.is_some_and(|class| self.method_gives(file, class, method, visiting))
            }
        })
    }

    fn name_gives(&self, file: SourceFile, name: &str, visiting: &mut Vec<Key>) -> bool {
        let key = Key {
            file,
            class: None,
            name: name.into(),
        };
        self.remembered(key, visiting, |visiting| {
            match symbols::namespace_def(self.db, file, name) {
                Some((at, def)) => match &def.kind {
                    DefKind::Function(shape) => {
                        shape.returns_future() || self.follows(at, None, shape, visiting)
                    }
                    _ => false,
                },
                None => builtins::unqualified(name).is_some_and(|b| b.flags.returns_future),
            }
        })
    }

    fn method_gives(
        &self,
        file: SourceFile,
        class: &str,
        method: &str,
        visiting: &mut Vec<Key>,
    ) -> bool {
        let key = Key {
            file,
            class: Some(class.into()),
            name: method.into(),
        };
        self.remembered(key, visiting, |visiting| {
            match self.find_method(file, class, method, 0) {
                Some((at, owner, shape)) => {
                    shape.returns_future() || self.follows(at, Some(&owner), &shape, visiting)
                }
                None => false,
            }
        })
    }

    /// The memoized answer for `key`; a key already on the chain being followed (recursion)
    /// adds nothing to it, which gives the least fixed point.
    fn remembered(
        &self,
        key: Key,
        visiting: &mut Vec<Key>,
        compute: impl FnOnce(&mut Vec<Key>) -> bool,
    ) -> bool {
        if let Some(&known) = self.memo.borrow().get(&key) {
            return known;
        }
        if visiting.contains(&key) || visiting.len() >= MAX_CHAIN {
            return false;
        }
        visiting.push(key.clone());
        let answer = compute(visiting);
        visiting.pop();
        // A negative answer found inside a cycle may be revised once the cycle closes: keep
        // only answers that cannot change (positive ones, or any found at the chain's root).
        if answer || visiting.is_empty() {
            self.memo.borrow_mut().insert(key, answer);
        }
        answer
    }

    /// The method's shape in `class` or the nearest ancestor that has it: the file and class
    /// that define it.
    fn find_method(
        &self,
        file: SourceFile,
        class: &str,
        method: &str,
        depth: usize,
    ) -> Option<(SourceFile, String, FnShape)> {
        if depth > MAX_CHAIN {
            return None;
        }
        let (at, shape) = class_shape(self.db, file, class)?;
        if let Some((_, found)) = shape.methods.iter().find(|(name, _)| &**name == method) {
            return Some((at, class.to_string(), found.clone()));
        }
        let parent = shape.parent.as_deref()?;
        self.find_method(at, parent, method, depth + 1)
    }
}

/// The shape of class `name` as seen from `file` (defined there or imported): the file that
/// defines it too.
fn class_shape(db: &dyn Db, file: SourceFile, name: &str) -> Option<(SourceFile, Arc<ClassShape>)> {
    let symbols = symbols::file_symbols(db, file);
    if let Some(shape) = symbols.class(name) {
        return Some((file, shape.clone()));
    }
    let (at, def) = symbols::namespace_def(db, file, name)?;
    symbols::file_symbols(db, at)
        .class(&def.name)
        .map(|shape| (at, shape.clone()))
}

/// `(new C ...)` of a class named by a symbol (not `gene/Future`): the class's name.
pub fn new_instance_of(form: &Form) -> Option<&str> {
    let gene: &Gene = form.as_gene()?;
    if gene.head.as_symbol() != Some("new") {
        return None;
    }
    let class = gene.children.first()?;
    class.as_symbol().filter(|s| !s.starts_with('$'))
}

#[cfg(test)]
mod tests {
    use super::super::rules::fixture::check;

    #[test]
    fn a_sync_function_that_returns_a_future_gives_one() {
        check(
            "A001",
            "(fn start_save [x] (gene/io/write_async \"out.txt\" x))\n(fn ^^async g [] «(start_save \"a\")» 1)",
        );
        // Through a chain of returned calls, defined after use, with `if` and `return`.
        check(
            "A001",
            "(fn main [] «(outer 1)» nil)\n(fn outer [x] (if (x > 0) (inner x) else 0))\n(fn inner [x] (if (x > 5) (return (gene/sleep_async x))) nil)",
        );
        // Recursion that reaches no future says nothing; recursion that reaches one does.
        check(
            "A001",
            "(fn spin [n] (if (n > 0) (spin (n - 1)) else (other)))\n(spin 3)\n(fn loop2 [n] (if (n > 0) (loop2 (n - 1)) else (gene/sleep_async 1)))\n«(loop2 3)»",
        );
    }

    #[test]
    fn methods_of_known_classes_give_futures() {
        check(
            "A001",
            "(class Client (.fn ^^async fetch [x] (await (gene/sleep_async 1)) x))\n(var c (new Client))\n(fn ^^async main []\n  «(c .fetch 1)»\n  (await (c .fetch 2)))",
        );
        // `self` inside the class, an inherited method, a local instance.
        check(
            "A001",
            "(class Base (.fn ^^async save [x] (await (gene/sleep_async x))))\n(class Child < Base\n  (.fn run [x] «(self .save x)» x))\n(fn go [] (var k (new Child)) «(k .save 1)» nil)",
        );
    }

    #[test]
    fn unknown_stays_unknown() {
        // A parameter's method, a reassigned variable, a method the class lacks, a sync method.
        check(
            "A001",
            "(class C (.fn ^^async f [] 1) (.fn g [] 2))\n(fn ^^async run [x] (x .f) 1)\n(var c (new C))\n(c = 5)\n(fn h [] (c .f) nil)\n(var d (new C))\n(fn k [] (d .zz) (d .g) nil)",
        );
        // A sync function whose returned call is a parameter or a local.
        check(
            "A001",
            "(fn pass [f] (f))\n(pass 1)\n(fn loc [] (var f (fnx [] 1)) (f))\n(loc)",
        );
    }

    #[test]
    fn awaiting_an_inferred_future_is_not_a003() {
        check(
            "A003",
            "(fn start [x] (gene/sleep_async x))\n(fn ^^async main [] (await (start 1)))",
        );
    }
}
