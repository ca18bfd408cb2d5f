//! The walk over one chunk's forms: scopes, the function and loop context, where each value
//! goes, and the hooks that let each rule look at what it cares about.
//!
//! The walk knows Gene's special forms (in [`special`]); the rules know nothing about
//! traversal. Anything that depends on a name the chunk does not bind becomes a
//! [`Pending`](super::facts::Pending) record, decided later with the whole file.

mod futures;
mod names;
mod special;

use std::collections::HashMap;

use rustc_hash::FxHashMap;
use std::sync::Arc;

use rowan::TextRange;

use super::facts::{
    ChunkAnalysis, ChunkLint, Condition, DeclKind, FreeFuture, FreeName, FutureOf, LocalDecl,
    ModuleVar, MoreLint, NameId, NameRef, Pending, RefTarget, Report, UseFacts,
};
use super::rules;
use super::shape::{self, Shape};
use super::symbols::{FnShape, Params, unqualified_builtin};
use crate::diagnostic::Diagnostic;
use crate::form::{Form, FormKind, Gene};

/// Where a value goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pos {
    /// Thrown away: a statement, or any top-level form.
    Discarded,
    /// The value of a function, block or async body.
    Tail,
    /// Used in some way the rules need not tell apart.
    Value,
    /// The condition of `if`, `elif`, `while`, or an operand of `&&`/`||`.
    Condition,
    /// An operand of arithmetic or comparison.
    Operand,
    /// A piece of an interpolated string.
    Interpolated,
    /// An argument of `println`/`print`.
    Printed,
    /// The operand of `await`.
    Awaited,
    /// An argument of a call or an element stored in a collection.
    Escaping,
}

/// The innermost code unit, for `await` and async-code rules.
#[derive(Clone, Debug)]
pub struct FnFrame {
    pub kind: FnKind,
    /// Where `^^async` would go: (offset, text to insert).
    pub async_insert: Option<(rowan::TextSize, &'static str)>,
    /// The range of an existing `^^async` key (for removing it).
    pub async_key: Option<TextRange>,
    pub awaits: usize,
    /// The values of a `^^async` function (its last form, `return`s) that are or may be
    /// futures, with how A001 describes each: reported if the function never awaits.
    pub tails: Vec<(TextRange, FutureOf, String)>,
    /// A `^^generator` function: its own body may `yield`.
    pub is_generator: bool,
    pub name: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FnKind {
    TopLevel,
    Function {
        is_async: bool,
    },
    /// `(-> ...)`: a callback block, never async.
    Block,
    AsyncBlock,
    /// `class` and `ns` bodies: run once, synchronously, like top level.
    Body,
}

impl FnFrame {
    /// A frame of `kind` with nothing seen yet: no `^^async` key, no name, not a generator.
    pub fn of(kind: FnKind) -> FnFrame {
        FnFrame {
            kind,
            async_insert: None,
            async_key: None,
            awaits: 0,
            tails: Vec::new(),
            is_generator: false,
            name: None,
        }
    }

    /// Code that runs as a task (a `^^async` function or an `async` block).
    pub fn is_async_code(&self) -> bool {
        matches!(
            self.kind,
            FnKind::Function { is_async: true } | FnKind::AsyncBlock
        )
    }
}

#[derive(Clone, Debug)]
pub struct Local {
    pub name: String,
    pub range: TextRange,
    pub kind: LocalKind,
    pub init: FutureOf,
    pub init_range: Option<TextRange>,
    pub new_future: bool,
    pub callable: Option<FnShape>,
    /// Bound to `(new C ...)`: the class's name.
    pub class: Option<String>,
    pub facts: UseFacts,
    /// The function depth the local was declared at.
    pub fn_depth: usize,
    /// Declared by a top-level `var`.
    pub module_level: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocalKind {
    Var,
    Param,
    LoopVar,
    Enum,
    Import,
}

#[derive(Clone, Debug)]
pub struct LoopFrame {
    pub kind: LoopKind,
    pub fn_depth: usize,
    /// A `break` or `return` leaves it early: iterations depend on what came before.
    pub has_exit: bool,
    /// `await` forms directly in the body (not in a nested function).
    pub awaits: Vec<TextRange>,
    /// Names read by the awaited operands.
    pub awaited_reads: Vec<String>,
    /// Names assigned in the body.
    pub assigned: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoopKind {
    For,
    ForAwait,
    Repeat,
    While,
    Loop,
}

/// A resolved name.
pub enum Resolved {
    Local(usize),
    /// Not bound in this chunk: a top-level variable of an earlier chunk, a namespace member, an
    /// import or a builtin, decided with the whole file.
    Free,
    /// A name that is always there (`self`, `_`, `$ex`, `gene` ...).
    Builtin,
}

/// What the walk has found so far.
#[derive(Default)]
struct Found {
    diagnostics: Vec<Diagnostic>,
    pending: Vec<Pending>,
    /// The diagnostics of `Report::Made` pending records.
    made: Vec<Diagnostic>,
    refs: Vec<NameRef>,
    decls: Vec<LocalDecl>,
}

pub struct Checker<'a> {
    /// The chunk's text; ranges index into it.
    pub text: &'a str,
    out: Found,
    /// The names the chunk uses without binding them, each once ([`NameId`]s index it).
    free: Vec<FreeName>,
    name_ids: HashMap<Box<str>, NameId>,
    scopes: Vec<Vec<usize>>,
    /// The locals in scope by name, innermost (latest declared) last: resolving a name is a
    /// lookup, not a scan of every scope (a form left unclosed can hold the rest of a big file,
    /// and every name it uses scanned every local declared before).
    visible: FxHashMap<Box<str>, Vec<usize>>,
    pub locals: Vec<Local>,
    pub fns: Vec<FnFrame>,
    pub loops: Vec<LoopFrame>,
    /// The chunk uses `eval`, macros or `$caller_eval`: unused-name rules stay quiet.
    pub dynamic: bool,
    /// While walking an `await` operand: the `await` form's range.
    pub await_range: Option<TextRange>,
    /// The `finally` blocks being walked, innermost last: (function depth, loops open) when
    /// each was entered.
    pub finally_blocks: Vec<(usize, usize)>,
    /// The ends of the genes being walked, innermost last (a scope ends with its form).
    form_ends: Vec<rowan::TextSize>,
    scope_ends: Vec<rowan::TextSize>,
    /// The classes whose bodies are being walked, innermost last: (name, the function depth
    /// of the body), so that `self` inside a method names an instance of the class.
    pub classes: Vec<(String, usize)>,
    /// The function depths of the `try` bodies being walked, innermost last (a `return` in
    /// one, from the same function, leaves the `try`).
    pub try_bodies: Vec<usize>,
}

/// Names every program can use without defining them.
const ALWAYS_DEFINED: &[&str] = &[
    "#Str", "self", "_", "$ex", "$ns", "$args", "gene", "genex", "global", "nil", "true", "false",
    "...",
];

impl<'a> Checker<'a> {
    pub fn new(text: &'a str) -> Self {
        Checker {
            text,
            out: Found::default(),
            free: Vec::new(),
            name_ids: HashMap::new(),
            scopes: vec![Vec::new()],
            visible: FxHashMap::default(),
            locals: Vec::new(),
            fns: vec![FnFrame::of(FnKind::TopLevel)],
            loops: Vec::new(),
            dynamic: false,
            await_range: None,
            finally_blocks: Vec::new(),
            form_ends: Vec::new(),
            scope_ends: vec![rowan::TextSize::of(text)],
            classes: Vec::new(),
            try_bodies: Vec::new(),
        }
    }

    pub fn fn_depth(&self) -> usize {
        self.fns.len() - 1
    }

    pub fn current_fn(&self) -> &FnFrame {
        self.fns
            .last()
            .expect("the top-level frame is never popped")
    }

    pub fn report(&mut self, diagnostic: Diagnostic) {
        self.out.diagnostics.push(diagnostic);
    }

    /// A diagnostic at `range` that `report` describes, made if `condition` holds once the
    /// whole file is known.
    pub fn pending(&mut self, condition: Condition, range: TextRange, report: Report) {
        self.out.pending.push(Pending {
            condition,
            range,
            report,
        });
    }

    /// The chunk's id for a name it does not bind.
    pub fn name_id(&mut self, name: &str) -> NameId {
        if let Some(&id) = self.name_ids.get(name) {
            return id;
        }
        // A chunk's text is under 4 GiB (ranges are u32), and so is its number of names.
        let id = NameId(u32::try_from(self.free.len()).unwrap_or(u32::MAX));
        self.free.push(FreeName {
            name: name.into(),
            facts: UseFacts::default(),
        });
        self.name_ids.insert(name.into(), id);
        id
    }

    /// A pending record's report for a diagnostic the walk makes itself (the rare kinds).
    pub fn made(&mut self, diagnostic: Diagnostic) -> Report {
        let index = u32::try_from(self.out.made.len()).unwrap_or(u32::MAX);
        self.out.made.push(diagnostic);
        Report::Made(index)
    }

    /// `fut` as a condition's operand, when it waits on a name the chunk does not bind.
    pub fn free_future(&mut self, fut: &FutureOf) -> Option<FreeFuture> {
        match fut {
            FutureOf::CallOf(name) => Some(FreeFuture::CallOf(self.name_id(name))),
            FutureOf::RefOf(name) => Some(FreeFuture::RefOf(self.name_id(name))),
            FutureOf::MethodOf { class, method } => Some(FreeFuture::MethodOf(
                self.name_id(&format!("{class} .{method}")),
            )),
            FutureOf::VarMethodOf { var, method } => Some(FreeFuture::VarMethodOf(
                self.name_id(&format!("{var} .{method}")),
            )),
            _ => None,
        }
    }

    /// Reports now if `fut` is known to be a future, later if it depends on the file.
    pub fn report_if_future(&mut self, fut: &FutureOf, diagnostic: Diagnostic) {
        match fut {
            FutureOf::Yes(_) => self.report(diagnostic),
            FutureOf::CallOf(_)
            | FutureOf::RefOf(_)
            | FutureOf::MethodOf { .. }
            | FutureOf::VarMethodOf { .. } => {
                if let Some(free) = self.free_future(fut) {
                    let range = diagnostic.range;
                    let report = self.made(diagnostic);
                    self.pending(Condition::IsFuture(free), range, report);
                }
            }
            FutureOf::No | FutureOf::Unknown => {}
        }
    }

    pub fn source(&self, range: TextRange) -> &'a str {
        self.text
            .get(std::ops::Range::<usize>::from(range))
            .unwrap_or("")
    }

    // ---- scopes and locals ----

    pub fn push_scope(&mut self) {
        self.scopes.push(Vec::new());
        let end = self
            .form_ends
            .last()
            .copied()
            .unwrap_or_else(|| rowan::TextSize::of(self.text));
        self.scope_ends.push(end);
    }

    /// Closes the innermost scope and runs the end-of-life rules on its locals.
    pub fn pop_scope(&mut self) {
        let Some(scope) = self.scopes.pop() else {
            return;
        };
        for &index in scope.iter().rev() {
            if let Some(indices) = self.visible.get_mut(self.locals[index].name.as_str()) {
                // Declared last in its innermost scope, so last among its name's locals.
                match indices.last() {
                    Some(&last) if last == index => {
                        indices.pop();
                    }
                    _ => indices.retain(|&i| i != index),
                }
            }
        }
        for index in scope {
            let local = self.locals[index].clone();
            if local.module_level {
                continue;
            }
            rules::end_of_local(self, &local);
        }
    }

    pub fn declare(&mut self, local: Local) -> usize {
        let kind = match local.kind {
            LocalKind::Var => DeclKind::Variable,
            LocalKind::Param => DeclKind::Parameter,
            LocalKind::LoopVar => DeclKind::LoopVariable,
            LocalKind::Enum => DeclKind::Enum,
            LocalKind::Import => DeclKind::Import,
        };
        self.out.decls.push(LocalDecl {
            name: local.name.clone(),
            range: local.range,
            kind,
            scope_end: self
                .scope_ends
                .last()
                .copied()
                .unwrap_or_else(|| rowan::TextSize::of(self.text)),
            module_level: local.module_level,
            callable: local.callable.clone(),
            future: local.init.is_yes(),
        });
        let index = self.locals.len();
        if let Some(scope) = self.scopes.last_mut() {
            scope.push(index);
            match self.visible.get_mut(local.name.as_str()) {
                Some(indices) => indices.push(index),
                None => {
                    self.visible.insert(local.name.as_str().into(), vec![index]);
                }
            }
        }
        self.locals.push(local);
        index
    }

    /// Declares a simple local with no known value.
    pub fn declare_plain(&mut self, name: &str, range: TextRange, kind: LocalKind) -> usize {
        // Top-level `enum` and `match` bindings live on for later top-level forms.
        let module_level = matches!(kind, LocalKind::Var | LocalKind::Enum)
            && self.fn_depth() == 0
            && self.scopes.len() == 1;
        self.declare(Local {
            name: name.to_string(),
            range,
            kind,
            init: FutureOf::Unknown,
            init_range: None,
            new_future: false,
            callable: None,
            class: None,
            facts: UseFacts::default(),
            fn_depth: self.fn_depth(),
            module_level,
        })
    }

    pub fn declare_params(&mut self, params: &Params) {
        for p in params.bound_names() {
            self.declare_plain(&p.name, p.range, LocalKind::Param);
        }
    }

    pub fn resolve(&self, name: &str) -> Resolved {
        // Locals of inner scopes were declared after those of the scopes around them: the
        // latest declared is the innermost.
        if let Some(&index) = self.visible.get(name).and_then(|indices| indices.last()) {
            return Resolved::Local(index);
        }
        // `@key` is a selector value, not a variable.
        if ALWAYS_DEFINED.contains(&name) || name.starts_with('@') {
            Resolved::Builtin
        } else {
            Resolved::Free
        }
    }

    /// Records a use of a variable by name, wherever it lives.
    pub fn use_name(&mut self, name: &str, range: TextRange, facts: UseFacts) {
        self.use_name_reporting(name, range, facts, true);
    }

    /// Records a use; `report_undefined` is false where a name may legitimately not exist yet
    /// (a template's unquotes).
    fn use_name_reporting(
        &mut self,
        name: &str,
        range: TextRange,
        facts: UseFacts,
        report_undefined: bool,
    ) {
        match self.resolve(name) {
            Resolved::Local(index) => {
                let target = RefTarget::Local(self.locals[index].range);
                self.out.refs.push(NameRef { range, target });
                let captured = self.locals[index].fn_depth < self.fn_depth();
                let local = &mut self.locals[index];
                local.facts.merge(&facts);
                if captured {
                    local.facts.escapes = true;
                }
            }
            Resolved::Builtin => {}
            Resolved::Free => {
                self.out.refs.push(NameRef {
                    range,
                    target: RefTarget::Free(name.to_string()),
                });
                if report_undefined && name.starts_with('$') && !facts.reassigned {
                    rules::dollar_name_used(self, name, range);
                }
                let id = self.name_id(name);
                // A builtin's name is always defined: no need to wait for the file to tell.
                if report_undefined
                    && !self.dynamic
                    && !name.starts_with('$')
                    && unqualified_builtin(name).is_none()
                {
                    self.pending(Condition::Unresolved(id), range, Report::UndefinedName);
                }
                let mut facts = facts;
                if self.fn_depth() > 0 {
                    facts.escapes = true;
                }
                if let Some(free) = self.free.get_mut(id.0 as usize) {
                    free.facts.merge(&facts);
                }
            }
        }
    }

    // ---- the walk ----

    pub fn forms(&mut self, forms: &[Form], last: Pos) {
        if forms.len() > 1 {
            rules::sequence(self, forms);
        }
        for (i, form) in forms.iter().enumerate() {
            let pos = if i + 1 == forms.len() {
                last
            } else {
                Pos::Discarded
            };
            self.expr(form, pos);
        }
    }

    /// Walks a body that ends a code unit: every form but the last is a statement.
    pub fn body(&mut self, forms: &[Form], last: Pos) {
        self.forms(forms, last);
    }

    pub fn expr(&mut self, form: &Form, pos: Pos) {
        rules::value_used(self, form, pos);
        match &form.kind {
            FormKind::Symbol(name) => {
                let facts = use_facts_at(pos, self.await_range.unwrap_or(form.range));
                self.use_name(name, form.range, facts);
            }
            FormKind::Path(segments) => {
                rules::path_used(self, segments, form.range);
                self.path(segments, form.range, pos)
            }
            FormKind::Array(items) | FormKind::Set(items) => {
                for item in items {
                    if let FormKind::Symbol(s) = &item.kind
                        && let Some(name) = s.strip_suffix("...")
                        && !name.is_empty()
                    {
                        self.use_name(name, item.range, use_facts_for(Pos::Escaping));
                        continue;
                    }
                    self.expr(item, Pos::Escaping);
                }
            }
            FormKind::Map(props) => {
                for p in props {
                    self.expr(&p.value, Pos::Escaping);
                }
            }
            FormKind::Gene(gene) => {
                self.form_ends.push(form.range.end());
                self.gene(gene, form, pos);
                self.form_ends.pop();
            }
            // Quoted forms are data; an unquote outside a template is left to the VM.
            // A quoted template's unquotes (`%x`) read variables when `$render` fills it in.
            FormKind::Quote(inner) => self.template_reads(inner, 0),
            FormKind::Unquote { .. } => {}
            _ => {}
        }
    }

    fn gene(&mut self, gene: &Gene, form: &Form, pos: Pos) {
        match shape::classify(gene) {
            Shape::Empty | Shape::Data => {
                // `(_ a b)`: the children are evaluated.
                for child in &gene.children {
                    self.expr(child, Pos::Escaping);
                }
            }
            Shape::Selector => {
                self.expr(&gene.head, Pos::Value);
                for child in &gene.children {
                    if child.as_symbol() != Some("./") {
                        self.expr(child, Pos::Value);
                    }
                }
            }
            Shape::Range { start, end } => {
                self.expr(start, Pos::Operand);
                self.expr(end, Pos::Operand);
            }
            Shape::Infix { operands, .. } => {
                for operand in operands {
                    self.expr(operand, Pos::Operand);
                }
            }
            Shape::Prefix { operands, .. } => {
                for operand in operands {
                    self.expr(operand, Pos::Operand);
                }
            }
            Shape::Assign { target, op, value } => self.assign(target, op, value),
            Shape::Logic { left, right } => {
                self.expr(left, Pos::Condition);
                if let Some(right) = right {
                    self.expr(right, Pos::Condition);
                }
            }
            Shape::Block { params, body } => self.block(params, body),
            Shape::Method {
                receiver,
                method,
                args,
            } => self.method_call(form, receiver, method, args, pos),
            Shape::SelfMethod { method, args } => match method {
                "fn" | "ctor" => self.function(gene, if method == "fn" { ".fn" } else { ".ctor" }),
                _ => {
                    for arg in args {
                        self.expr(arg, Pos::Escaping);
                    }
                }
            },
            Shape::Special(name) => self.special(form, gene, name, pos),
            Shape::Call { callee, args } => self.call(form, gene, callee, args),
        }
    }

    fn assign(&mut self, target: &Form, op: &str, value: Option<&Form>) {
        if let Some(value) = value {
            self.expr(value, Pos::Escaping);
        }
        match &target.kind {
            FormKind::Symbol(name) => {
                let facts = UseFacts {
                    read: op != "=",
                    reassigned: true,
                    ..Default::default()
                };
                self.use_name(name, target.range, facts);
                let depth = self.fn_depth();
                for frame in self.loops.iter_mut().filter(|l| l.fn_depth == depth) {
                    frame.assigned.push(name.clone());
                }
            }
            FormKind::Path(segments) => self.path(segments, target.range, Pos::Value),
            _ => {}
        }
    }

    fn call(&mut self, form: &Form, gene: &Gene, callee: &Form, args: &[Form]) {
        let callee_name = match &callee.kind {
            FormKind::Symbol(s) => Some(s.clone()),
            FormKind::Path(segments) => Some(segments.join("/")),
            _ => None,
        };
        let is_print = matches!(
            callee_name.as_deref(),
            Some("println" | "print" | "gene/println" | "gene/print")
        );
        rules::call(self, form, callee, args);
        self.expr(callee, Pos::Value);
        for p in &gene.props {
            self.expr(&p.value, Pos::Escaping);
        }
        for arg in args {
            if let FormKind::Symbol(s) = &arg.kind
                && let Some(name) = s.strip_suffix("...")
                && !name.is_empty()
            {
                self.use_name(name, arg.range, use_facts_for(Pos::Escaping));
                continue;
            }
            let arg_pos = if is_print {
                Pos::Printed
            } else {
                Pos::Escaping
            };
            self.expr(arg, arg_pos);
        }
    }

    fn method_call(&mut self, form: &Form, receiver: &Form, method: &str, args: &[Form], pos: Pos) {
        rules::method_call(self, form, receiver, method, args, pos);
        // The receiver is used by the method, not lost; method-specific facts for variables.
        if let FormKind::Symbol(name) = &receiver.kind {
            let mut facts = UseFacts {
                read: true,
                ..Default::default()
            };
            record_method_use(&mut facts, method, form.range);
            self.use_name(name, receiver.range, facts);
        } else {
            self.expr(receiver, Pos::Value);
        }
        for arg in args {
            self.expr(arg, Pos::Escaping);
        }
    }
}

/// The facts a plain read in position `pos` establishes.
pub fn use_facts_for(pos: Pos) -> UseFacts {
    UseFacts {
        read: true,
        awaited_at: Box::default(),
        escapes: matches!(pos, Pos::Escaping | Pos::Tail),
        ..Default::default()
    }
}

/// The facts of a read in `pos` at `range`.
pub fn use_facts_at(pos: Pos, range: TextRange) -> UseFacts {
    let mut facts = use_facts_for(pos);
    if pos == Pos::Awaited {
        facts.awaited_at = Box::new([range]);
    }
    facts
}

fn record_method_use(facts: &mut UseFacts, method: &str, range: TextRange) {
    match method {
        "on_success" => facts.on_success = Some(range),
        "on_failure" => facts.on_failure = true,
        "complete" | "fail" | "cancel" => facts.settled = true,
        _ => {}
    }
}

/// Runs the walk over one chunk's forms.
pub fn analyze(forms: &[Form], text: &str) -> ChunkAnalysis {
    let mut checker = Checker::new(text);
    checker.dynamic = forms.iter().any(uses_dynamic_names);
    for form in forms {
        checker.expr(form, Pos::Discarded);
    }
    // Module-level variables live on after this chunk: hand them to the file-level pass.
    let module_vars: Vec<ModuleVar> = checker
        .locals
        .iter()
        .filter(|l| l.module_level)
        .map(|l| ModuleVar {
            name: l.name.clone(),
            name_range: l.range,
            init_range: l.init_range,
            init: l.init.clone(),
            new_future: l.new_future,
            callable: l.callable.clone(),
            class: l.class.as_deref().map(Box::from),
            uses: l.facts.clone(),
        })
        .collect();
    checker.pop_scope();
    let found = checker.out;
    let more = !(found.diagnostics.is_empty() && module_vars.is_empty() && found.made.is_empty());
    ChunkAnalysis {
        lint: Arc::new(ChunkLint {
            free: checker.free.into(),
            pending: found.pending.into(),
            more: more.then(|| {
                Box::new(MoreLint {
                    diagnostics: found.diagnostics.into(),
                    module_vars: module_vars.into(),
                    made: found.made.into(),
                })
            }),
        }),
        refs: found.refs.into(),
        decls: found.decls.into(),
    }
}

/// Does the form use `eval`, `$caller_eval` or define a macro anywhere?
fn uses_dynamic_names(form: &Form) -> bool {
    match &form.kind {
        FormKind::Symbol(s) => matches!(s.as_str(), "eval" | "$caller_eval" | "macro"),
        FormKind::Gene(g) => {
            uses_dynamic_names(&g.head)
                || g.children.iter().any(uses_dynamic_names)
                || g.props.iter().any(|p| uses_dynamic_names(&p.value))
        }
        FormKind::Array(items) | FormKind::Set(items) => items.iter().any(uses_dynamic_names),
        FormKind::Map(props) => props.iter().any(|p| uses_dynamic_names(&p.value)),
        _ => false,
    }
}
