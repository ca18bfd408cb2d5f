//! Special forms: which children are code, which bind names, which open scopes or functions.

use rowan::TextSize;

use super::{Checker, FnFrame, FnKind, Local, LocalKind, LoopFrame, LoopKind, Pos, use_facts_for};
use crate::analysis::facts::{FutureOf, UseFacts};
use crate::analysis::rules;
use crate::analysis::symbols::{self, parse_params};
use crate::form::{Form, FormKind, Gene};

impl Checker<'_> {
    pub(super) fn special(&mut self, form: &Form, gene: &Gene, name: &str, pos: Pos) {
        let children = &gene.children;
        match name {
            "var" => self.var(gene),
            "if" => self.if_form(children, pos),
            "do" => {
                self.push_scope();
                self.forms(children, pos);
                self.pop_scope();
            }
            "void" => self.forms(children, Pos::Discarded),
            "loop" | "while" | "repeat" => {
                let kind = match name {
                    "loop" => LoopKind::Loop,
                    "while" => LoopKind::While,
                    _ => LoopKind::Repeat,
                };
                let (head, body) = match kind {
                    LoopKind::Loop => (None, &children[..]),
                    _ => (children.first(), children.get(1..).unwrap_or(&[])),
                };
                if let Some(head) = head {
                    self.expr(
                        head,
                        if kind == LoopKind::While {
                            Pos::Condition
                        } else {
                            Pos::Operand
                        },
                    );
                }
                let assigned = self.loop_body(kind, None, body);
                rules::poll_loop(self, form, kind, head, body, &assigned);
            }
            "for" => self.for_form(children),
            "break" | "return" | "throw" => {
                if name != "throw" {
                    rules::jump_site(self, name, form.range);
                }
                if name != "throw"
                    && let Some(frame) = self.loops.last_mut()
                {
                    frame.has_exit = true;
                }
                if name == "return"
                    && let Some(value) = children.first()
                    && self.try_bodies.last() == Some(&self.fn_depth())
                {
                    rules::try_value(self, value, true);
                }
                if let Some(value) = children.first() {
                    self.expr(
                        value,
                        if name == "return" {
                            Pos::Tail
                        } else {
                            Pos::Escaping
                        },
                    );
                }
            }
            "continue" => rules::jump_site(self, name, form.range),
            "fn" | "fnx" | "fnxx" | "macro" => self.function(gene, name),
            "ns" => {
                self.fns.push(FnFrame::of(FnKind::Body));
                self.push_scope();
                self.forms(children.get(1..).unwrap_or(&[]), Pos::Discarded);
                self.pop_scope();
                self.fns.pop();
            }
            "class" => {
                // `(class Name < Parent body...)`
                let mut body_start = 1;
                if children.get(1).and_then(Form::as_symbol) == Some("<") {
                    if let Some(parent) = children.get(2) {
                        self.expr(parent, Pos::Value);
                    }
                    body_start = 3;
                }
                self.fns.push(FnFrame::of(FnKind::Body));
                let class = children.first().and_then(Form::as_symbol);
                if let Some(class) = class {
                    self.classes.push((class.to_string(), self.fn_depth()));
                }
                self.push_scope();
                self.forms(children.get(body_start..).unwrap_or(&[]), Pos::Discarded);
                self.pop_scope();
                if class.is_some() {
                    self.classes.pop();
                }
                self.fns.pop();
            }
            "try" => self.try_form(children, pos),
            "async" => {
                rules::async_block(self, form, children);
                self.fns.push(FnFrame::of(FnKind::AsyncBlock));
                self.push_scope();
                self.forms(children, Pos::Tail);
                self.pop_scope();
                let frame = self.fns.pop();
                if let Some(frame) = frame {
                    rules::end_of_async_code(self, &frame, form);
                }
            }
            "await" => self.await_form(form, gene),
            "yield" => {
                rules::yield_site(self, form.range);
                for child in children {
                    self.expr(child, Pos::Escaping);
                }
            }
            "new" => {
                for child in children {
                    self.expr(child, Pos::Escaping);
                }
            }
            "import" => self.import(gene),
            "enum" => {
                if let Some(name_form) = children.first()
                    && let Some(name) = name_form.as_symbol()
                {
                    self.declare_plain(name, name_form.range, LocalKind::Enum);
                }
            }
            "match" => {
                if let Some(value) = children.get(1) {
                    self.expr(value, Pos::Escaping);
                }
                if let Some(pattern) = children.first() {
                    let params = parse_params(pattern);
                    for p in params.bound_names() {
                        self.declare_plain(&p.name, p.range, LocalKind::Var);
                    }
                }
            }
            "$with" | "$tap" => {
                if name == "return"
                    && let Some(value) = children.first()
                    && self.try_bodies.last() == Some(&self.fn_depth())
                {
                    rules::try_value(self, value, true);
                }
                if let Some(value) = children.first() {
                    self.expr(value, Pos::Escaping);
                }
                self.push_scope();
                self.forms(
                    children.get(1..).unwrap_or(&[]),
                    if name == "$with" { pos } else { Pos::Discarded },
                );
                self.pop_scope();
            }
            "$set" => {
                for child in children {
                    if !matches!(&child.kind, FormKind::Symbol(s) if s.starts_with('@')) {
                        self.expr(child, Pos::Escaping);
                    }
                }
            }
            "super" => {
                for child in children.iter().skip(1) {
                    self.expr(child, Pos::Escaping);
                }
            }
            "$render" => {
                for child in children {
                    self.expr(child, Pos::Value);
                }
            }
            "$caller_eval" => {
                for child in children {
                    self.expr(child, Pos::Value);
                }
            }
            // A test's body runs later as a task of its own (like an `async` block, it may
            // await), its value unused; a test that never awaits is not worth a hint.
            "test" => {
                if let Some(name) = children.first() {
                    self.expr(name, Pos::Escaping);
                }
                for p in &gene.props {
                    self.expr(&p.value, Pos::Escaping);
                }
                self.fns.push(FnFrame::of(FnKind::AsyncBlock));
                self.push_scope();
                self.forms(children.get(1..).unwrap_or(&[]), Pos::Discarded);
                self.pop_scope();
                self.fns.pop();
            }
            "describe" | "assert_throws" | "assert_rejects" => {
                if let Some(first) = children.first() {
                    self.expr(first, Pos::Escaping);
                }
                self.push_scope();
                // `assert_rejects` awaits its future; the others give nothing of their body.
                let pos = if name == "assert_rejects" {
                    Pos::Awaited
                } else {
                    Pos::Discarded
                };
                self.forms(children.get(1..).unwrap_or(&[]), pos);
                self.pop_scope();
            }
            // An interpolated string: its pieces are shown as text.
            "#Str" => {
                for child in children {
                    self.expr(child, Pos::Interpolated);
                }
            }
            // `->` heads are blocks (`Shape::Block`), never walked here.
            _ => {}
        }
    }

    fn var(&mut self, gene: &Gene) {
        let Some(target) = gene.children.first() else {
            return;
        };
        let init = gene.children.get(1);
        if let Some(init) = init {
            self.expr(init, Pos::Escaping);
        }
        // `(var $ns/x v)` stores into the namespace: a definition, not a local.
        if let FormKind::Symbol(name) = &target.kind {
            let (fut, new_future, callable) = match init {
                Some(init) => (
                    self.future_of(init),
                    is_new_future(init),
                    callable_shape(init),
                ),
                None => (FutureOf::No, false, None),
            };
            let module_level = self.fn_depth() == 0 && self.scopes_len() == 1;
            let local = Local {
                name: name.clone(),
                range: target.range,
                kind: LocalKind::Var,
                init: fut,
                init_range: init.map(|i| i.range),
                new_future,
                callable,
                class: init
                    .and_then(crate::analysis::infer::new_instance_of)
                    .map(str::to_string),
                facts: UseFacts::default(),
                fn_depth: self.fn_depth(),
                module_level,
            };
            self.declare(local);
        }
    }

    fn if_form(&mut self, children: &[Form], pos: Pos) {
        let Some(cond) = children.first() else { return };
        let keyword = |f: &Form| matches!(f.as_symbol(), Some("then" | "else" | "elif"));
        // `(if c x y)`: y is the else branch.
        if children.len() == 3 && !keyword(&children[1]) && !keyword(&children[2]) {
            self.condition(cond);
            for branch in &children[1..] {
                self.push_scope();
                self.expr(branch, pos);
                self.pop_scope();
            }
            return;
        }
        // Keyword form: cond body... [elif cond body...]... [else body...]
        let mut i = 0;
        while i < children.len() {
            let mut cond = &children[i];
            if cond.as_symbol() == Some("not")
                && let Some(next) = children.get(i + 1)
            {
                i += 1;
                cond = next;
            }
            self.condition(cond);
            i += 1;
            if children.get(i).and_then(Form::as_symbol) == Some("then") {
                i += 1;
            }
            let start = i.min(children.len());
            while i < children.len() && !matches!(children[i].as_symbol(), Some("elif" | "else")) {
                i += 1;
            }
            self.push_scope();
            self.forms(&children[start..i], pos);
            self.pop_scope();
            match children.get(i).and_then(Form::as_symbol) {
                Some("elif") => i += 1,
                Some("else") => {
                    self.push_scope();
                    self.forms(children.get(i + 1..).unwrap_or(&[]), pos);
                    self.pop_scope();
                    return;
                }
                _ => return,
            }
        }
    }

    fn condition(&mut self, cond: &Form) {
        self.expr(cond, Pos::Condition);
    }

    fn for_form(&mut self, children: &[Form]) {
        // `(for x in coll body...)`, `(for await x in gen body...)`
        let is_await = children.first().and_then(Form::as_symbol) == Some("await");
        let offset = usize::from(is_await);
        let var = children.get(offset);
        if let Some(coll) = children.get(offset + 2) {
            self.expr(coll, Pos::Value);
        }
        if is_await && let Some(first) = children.first() {
            rules::await_site(self, first.range, None);
        }
        let body = children.get(offset + 3..).unwrap_or(&[]);
        let _ = self.loop_body(
            if is_await {
                LoopKind::ForAwait
            } else {
                LoopKind::For
            },
            var,
            body,
        );
    }

    /// Walks a loop's body; gives the names it assigns.
    fn loop_body(&mut self, kind: LoopKind, var: Option<&Form>, body: &[Form]) -> Vec<String> {
        self.loops.push(LoopFrame {
            kind,
            fn_depth: self.fn_depth(),
            has_exit: false,
            awaits: Vec::new(),
            awaited_reads: Vec::new(),
            assigned: Vec::new(),
        });
        self.push_scope();
        if let Some(var) = var {
            let params = parse_params(var);
            for p in params.bound_names() {
                self.declare_plain(&p.name, p.range, LocalKind::LoopVar);
            }
        }
        self.forms(body, Pos::Discarded);
        self.pop_scope();
        match self.loops.pop() {
            Some(frame) => {
                rules::end_of_loop(self, &frame);
                frame.assigned
            }
            None => Vec::new(),
        }
    }

    fn try_form(&mut self, children: &[Form], pos: Pos) {
        let mut i = 0;
        let section_end = |from: usize| {
            let mut j = from;
            while j < children.len()
                && !matches!(children[j].as_symbol(), Some("catch" | "finally"))
            {
                j += 1;
            }
            j
        };
        let end = section_end(0);
        if pos != Pos::Discarded
            && let Some(last) = children[..end].last()
        {
            rules::try_value(self, last, false);
        }
        self.try_bodies.push(self.fn_depth());
        self.push_scope();
        self.forms(&children[..end], pos);
        self.pop_scope();
        self.try_bodies.pop();
        i = i.max(end);
        while i < children.len() {
            match children[i].as_symbol() {
                Some("catch") => {
                    if let Some(pattern) = children.get(i + 1)
                        && pattern.as_symbol() != Some("*")
                    {
                        self.expr(pattern, Pos::Value);
                    }
                    let end = section_end(i + 2);
                    self.push_scope();
                    self.forms(children.get(i + 2..end).unwrap_or(&[]), pos);
                    self.pop_scope();
                    i = end;
                }
                Some("finally") => {
                    let end = section_end(i + 1);
                    self.finally_blocks
                        .push((self.fn_depth(), self.loops.len()));
                    self.push_scope();
                    self.forms(children.get(i + 1..end).unwrap_or(&[]), Pos::Discarded);
                    self.pop_scope();
                    self.finally_blocks.pop();
                    i = end;
                }
                _ => i += 1,
            }
        }
    }

    fn await_form(&mut self, form: &Form, gene: &Gene) {
        for p in &gene.props {
            self.expr(&p.value, Pos::Operand);
        }
        for operand in &gene.children {
            // `(await fs...)`: the elements of the array fs are awaited.
            if let FormKind::Symbol(s) = &operand.kind
                && let Some(name) = s.strip_suffix("...")
                && !name.is_empty()
            {
                rules::await_site(self, form.range, None);
                self.use_name(name, operand.range, use_facts_for(Pos::Value));
                continue;
            }
            rules::await_site(self, form.range, Some((form, operand)));
            let outer = self.await_range.replace(form.range);
            self.expr(operand, Pos::Awaited);
            self.await_range = outer;
        }
        if gene.children.is_empty() {
            rules::await_site(self, form.range, None);
        }
    }

    fn import(&mut self, gene: &Gene) {
        for (name, range) in symbols::imported_names(gene) {
            let index = self.declare_plain(&name, range, LocalKind::Import);
            // Imported names are namespace members at run time; they are never "unused locals".
            self.locals[index].facts.read = true;
        }
    }

    /// `fn`, `fnx`, `fnxx`, `macro`, `.fn`, `.ctor`: a new function with its parameters.
    pub(super) fn function(&mut self, gene: &Gene, head: &str) {
        let Some((shape, body_start)) = symbols::fn_shape(gene, head) else {
            return;
        };
        if head == "macro" {
            // Macro bodies work on forms as data: only what cannot compile is checked.
            let body = gene.children.get(body_start..).unwrap_or(&[]);
            rules::macro_body(self, body);
            return;
        }
        let is_async = shape.is_async;
        let async_key = gene
            .props
            .iter()
            .find(|p| p.key == "async")
            .map(|p| p.key_range);
        let async_insert = Some(async_insert_point(gene));
        let name = match head {
            "fn" | ".fn" => gene
                .children
                .first()
                .and_then(|f| f.as_symbol().map(str::to_string)),
            _ => None,
        };
        // Parameter defaults are evaluated at call time, in the function's scope.
        self.fns.push(FnFrame {
            kind: FnKind::Function { is_async },
            async_insert,
            async_key,
            awaits: 0,
            tails: Vec::new(),
            is_generator: shape.is_generator,
            name,
        });
        self.push_scope();
        for p in &shape.params.params {
            if let Some(default) = &p.default {
                self.expr(default, Pos::Escaping);
            }
            if p.kind != symbols::ParamKind::Skip && !p.name.is_empty() {
                self.declare_plain(&p.name, p.range, LocalKind::Param);
            }
        }
        let body = gene.children.get(body_start..).unwrap_or(&[]);
        // A constructor's value is thrown away; a function's last form is its value.
        let last = if head == ".ctor" {
            Pos::Discarded
        } else {
            Pos::Tail
        };
        self.body(body, last);
        self.pop_scope();
        if let Some(frame) = self.fns.pop() {
            rules::end_of_function(self, &frame, &shape);
        }
    }

    /// `(params -> body...)` / `(-> body...)`: a callback block, its own function.
    pub(super) fn block(&mut self, params: &Form, body: &[Form]) {
        self.fns.push(FnFrame::of(FnKind::Block));
        self.push_scope();
        if params.as_symbol() != Some("->") {
            let params = parse_params(params);
            self.declare_params(&params);
        }
        self.body(body, Pos::Tail);
        self.pop_scope();
        self.fns.pop();
    }

    pub(super) fn scopes_len(&self) -> usize {
        self.scopes.len()
    }
}

/// `(new gene/Future)` with no value: a future only `.complete`/`.fail` can settle.
fn is_new_future(form: &Form) -> bool {
    let Some(gene) = form.as_gene() else {
        return false;
    };
    gene.head.as_symbol() == Some("new")
        && gene.children.len() == 1
        && matches!(&gene.children[0].kind, FormKind::Path(s) if s.len() == 2 && s[0] == "gene" && s[1] == "Future")
}

/// The shape of a function value (`(fnx ...)`, `(fnxx ...)`, `(fn ...)`).
fn callable_shape(form: &Form) -> Option<symbols::FnShape> {
    let gene = form.as_gene()?;
    let head = gene.head.as_symbol()?;
    symbols::fn_shape(gene, head).map(|(shape, _)| shape)
}

/// Where `^^async` goes: next to the existing properties (they must stay one run), else right
/// after the head symbol.
fn async_insert_point(gene: &Gene) -> (TextSize, &'static str) {
    if let Some(first_prop) = gene.props.iter().map(|p| p.key_range.start()).min() {
        return (first_prop, "^^async ");
    }
    (gene.head.range.end(), " ^^async")
}
