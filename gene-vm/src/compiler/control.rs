//! Special forms: dispatch, variables, conditionals, loops, jumps, exceptions and templates.

use gene_syntax::form::{Form, FormKind, Gene};

use super::{Compiler, LoopCtx, TryCtx};
use crate::bytecode::{Const, Op, ProtoKind};

fn is_sym(form: &Form, name: &str) -> bool {
    form.as_symbol() == Some(name)
}

fn is_if_keyword(form: &Form) -> bool {
    matches!(form.as_symbol(), Some("then" | "elif" | "else"))
}

impl Compiler {
    /// Compiles `g` if its head names a special form; false otherwise.
    pub(super) fn compile_special(
        &mut self,
        name: &str,
        g: &Gene,
        form: &Form,
        tail: bool,
    ) -> bool {
        let ch = g.children.as_slice();
        match name {
            ".fn" | ".ctor" if self.fr().class_body => self.compile_method_def(name, g, form),
            "#Str" => {
                // An interpolated string: the display forms of its pieces, joined.
                for c in ch {
                    self.compile(c, false);
                }
                self.emit(Op::Concat(ch.len() as u32));
            }
            "var" => self.compile_var(ch),
            "if" => self.compile_if(ch, tail),
            "do" => self.compile_scoped_body(ch, tail),
            "void" => {
                for c in ch {
                    self.compile(c, false);
                    self.emit(Op::Pop);
                }
                self.emit(Op::Nil);
            }
            "loop" => self.compile_loop(ch),
            "while" => self.compile_while(ch),
            "for" => self.compile_for(ch),
            "repeat" => self.compile_repeat(ch),
            "break" => self.compile_break(ch),
            "continue" => self.compile_continue(),
            "return" => self.compile_return(ch),
            "try" => self.compile_try(ch),
            "throw" => self.compile_throw(ch),
            "fn" | "macro" => self.compile_fn(name, g, form),
            "fnx" => self.compile_fnx(g, form, true),
            "fnxx" => self.compile_fnx(g, form, false),
            "->" => self.compile_block(None, ch, form),
            "ns" => self.compile_ns(ch),
            "class" => self.compile_class(ch),
            "new" => self.compile_new(g),
            "super" => self.compile_super(g),
            "enum" => self.compile_enum(g),
            "match" => self.compile_match(ch),
            "import" => self.compile_import(ch),
            "$caller_eval" => {
                let [expr] = ch else {
                    self.emit_fail("ArgumentError", "($caller_eval expr) takes one form");
                    return true;
                };
                self.compile(expr, false);
                self.emit(Op::CallerEval);
            }
            "$render" => {
                let [tpl] = ch else {
                    self.emit_fail("ArgumentError", "($render template) takes one form");
                    return true;
                };
                match &tpl.kind {
                    FormKind::Quote(inner) => self.compile_template(inner),
                    _ => {
                        self.compile(tpl, false);
                        self.emit(Op::Render);
                    }
                }
            }
            "$with" | "$tap" => {
                let Some((value, body)) = ch.split_first() else {
                    self.emit_fail(
                        "ArgumentError",
                        format!("({name} value body...) needs a value"),
                    );
                    return true;
                };
                self.compile(value, false);
                if name == "$tap" {
                    self.emit(Op::Dup);
                }
                self.push_fn("<body>", ProtoKind::Block, form.range);
                self.compile_body(body, false);
                self.emit(Op::Return);
                self.pop_fn_make_closure();
                self.emit(Op::RunBody);
                if name == "$tap" {
                    self.emit(Op::Pop);
                }
            }
            "$set" => {
                let [target, selector, value] = ch else {
                    self.emit_fail(
                        "ArgumentError",
                        "($set target @selector value) takes three forms",
                    );
                    return true;
                };
                self.compile(target, false);
                match selector.as_symbol() {
                    Some(s) if s.len() > 1 && s.starts_with('@') => match s[1..].parse::<i64>() {
                        Ok(i) => self.emit_int(i),
                        Err(_) => self.emit_str(&s[1..]),
                    },
                    _ => self.compile(selector, false),
                }
                self.compile(value, false);
                self.emit(Op::SetSelect);
            }
            "async" => {
                // A `^^async` function of no parameters, called at once: the body runs as a
                // new task that shares the enclosing variables (captured cells).
                self.compile_function("<async>", ProtoKind::Function, None, ch, form, true);
                self.emit(Op::Call(0));
            }
            "await" => self.compile_await(g),
            "yield" => self.compile_yield(g, form),
            _ => return false,
        }
        true
    }

    /// `(await f)`, `(await f1 f2 ...)`, `(await fs...)`, each with an optional `^timeout ms`.
    fn compile_await(&mut self, g: &Gene) {
        let ch = g.children.as_slice();
        if ch.is_empty() {
            return self.emit_fail("ArgumentError", "(await future...) needs a future");
        }
        if let Some(p) = g.props.iter().find(|p| p.key != "timeout") {
            let message = format!("await takes no property ^{} (only ^timeout)", p.key);
            return self.emit_fail("ArgumentError", message);
        }
        let spread = ch.iter().any(|c| super::expr::spread_target(c).is_some());
        if spread {
            self.compile_array(ch);
        } else {
            for c in ch {
                self.compile(c, false);
            }
        }
        let timeout = g.props.iter().find(|p| p.key == "timeout");
        if let Some(t) = timeout {
            self.compile(&t.value, false);
        }
        let count = if spread { 0 } else { ch.len() as u32 };
        self.emit(Op::Await(crate::bytecode::await_flags(
            count,
            spread,
            timeout.is_some(),
        )));
    }

    fn compile_var(&mut self, ch: &[Form]) {
        let Some(target) = ch.first() else {
            return self.emit_fail("SyntaxError", "(var name [value]) needs a name");
        };
        if ch.len() > 2 {
            return self.emit_fail("SyntaxError", "(var name [value]) takes at most one value");
        }
        let value = |c: &mut Compiler| match ch.get(1) {
            Some(v) => c.compile(v, false),
            None => {
                c.emit(Op::Nil);
            }
        };
        match &target.kind {
            FormKind::Symbol(name) => {
                // The initializer does not see the new variable.
                value(self);
                self.emit(Op::Dup);
                self.declare_and_init(name);
            }
            FormKind::Path(segs) if segs.len() == 2 && segs[0] == "$ns" => {
                // (var $ns/x v): a member of the current namespace.
                self.emit(Op::LoadNs);
                value(self);
                let m = self.name_index(&segs[1]);
                self.emit(Op::SetMember(m));
            }
            FormKind::Array(_) => {
                value(self);
                self.emit(Op::Dup);
                self.compile_destructure(target);
            }
            _ => self.emit_fail(
                "SyntaxError",
                "(var name [value]): the name must be a symbol",
            ),
        }
    }

    fn compile_if(&mut self, ch: &[Form], tail: bool) {
        if ch.is_empty() {
            return self.emit_fail("SyntaxError", "(if cond then...) needs a condition");
        }
        let read_cond = |i: usize| -> Option<(Form, bool, usize)> {
            let c = ch.get(i)?;
            if is_sym(c, "not") {
                if let Some(inner) = ch.get(i + 1) {
                    return Some((inner.clone(), true, i + 2));
                }
            }
            Some((c.clone(), false, i + 1))
        };
        let mut branches: Vec<(Form, bool, &[Form])> = Vec::new();
        let mut else_body: Option<&[Form]> = None;
        let Some((cond, negated, mut i)) = read_cond(0) else {
            return self.emit_fail("SyntaxError", "(if cond then...) needs a condition");
        };
        let rest = &ch[i..];
        if rest.len() == 2 && !is_if_keyword(&rest[0]) && !is_if_keyword(&rest[1]) {
            // The three-child rule: (if c x y) has y as its else branch.
            branches.push((cond, negated, &rest[..1]));
            else_body = Some(&rest[1..]);
        } else {
            let mut cond = Some((cond, negated));
            loop {
                if ch.get(i).is_some_and(|f| is_sym(f, "then")) {
                    i += 1;
                }
                let start = i;
                while i < ch.len() && !is_sym(&ch[i], "elif") && !is_sym(&ch[i], "else") {
                    i += 1;
                }
                if let Some((c, n)) = cond.take() {
                    branches.push((c, n, &ch[start..i]));
                }
                match ch.get(i).and_then(|f| f.as_symbol()) {
                    Some("elif") => match read_cond(i + 1) {
                        Some((c, n, next)) => {
                            cond = Some((c, n));
                            i = next;
                        }
                        None => return self.emit_fail("SyntaxError", "elif needs a condition"),
                    },
                    Some("else") => {
                        else_body = Some(&ch[i + 1..]);
                        break;
                    }
                    _ => break,
                }
            }
        }
        let depth = self.fr().depth;
        let mut end_jumps = Vec::new();
        for (cond, negated, body) in branches {
            let saved = self.range;
            self.range = cond.range;
            self.compile(&cond, false);
            let skip = self.emit(if negated {
                Op::JumpIfTrue(0)
            } else {
                Op::JumpIfFalse(0)
            });
            self.range = saved;
            self.compile_scoped_body(body, tail);
            end_jumps.push(self.emit(Op::Jump(0)));
            self.f().depth = depth;
            self.patch_here(skip);
        }
        match else_body {
            Some(body) => self.compile_scoped_body(body, tail),
            None => {
                self.emit(Op::Nil);
            }
        }
        for j in end_jumps {
            self.patch_here(j);
        }
        self.f().depth = depth + 1;
    }

    /// Opens the loop's outer scope and its result slot (nil unless a `break` gives a value).
    fn begin_loop(&mut self, extra_depth: i32) -> u32 {
        self.begin_scope();
        self.emit(Op::Nil);
        let slot = self.hidden_slot();
        self.emit(Op::InitLocal(slot));
        let f = self.f();
        let depth = f.depth;
        let tries = f.tries.len();
        let finally_level = f.in_finally;
        f.loops.push(LoopCtx {
            break_jumps: Vec::new(),
            continue_jumps: Vec::new(),
            result_slot: slot,
            depth,
            continue_depth: depth + extra_depth,
            tries,
            finally_level,
        });
        slot
    }

    /// Closes the loop: continues go to `continue_target`, breaks to here; pushes the result.
    fn end_loop(&mut self, continue_target: u32, break_target: Option<u32>) {
        let Some(ctx) = self.f().loops.pop() else {
            return;
        };
        for j in ctx.continue_jumps {
            self.patch_to(j, continue_target);
        }
        let here = break_target.unwrap_or_else(|| self.here());
        for j in ctx.break_jumps {
            self.patch_to(j, here);
        }
        self.f().depth = ctx.depth;
        self.emit(Op::LoadLocal(ctx.result_slot));
        self.end_scope();
    }

    fn compile_loop(&mut self, body: &[Form]) {
        self.begin_loop(0);
        let top = self.here();
        self.compile_scoped_body(body, false);
        self.emit(Op::Pop);
        self.emit(Op::Jump(top));
        self.end_loop(top, None);
    }

    fn compile_while(&mut self, ch: &[Form]) {
        let Some((cond, body)) = ch.split_first() else {
            return self.emit_fail("SyntaxError", "(while cond body...) needs a condition");
        };
        self.begin_loop(0);
        let top = self.here();
        self.compile(cond, false);
        let exit = self.emit(Op::JumpIfFalse(0));
        self.compile_scoped_body(body, false);
        self.emit(Op::Pop);
        self.emit(Op::Jump(top));
        self.patch_here(exit);
        self.end_loop(top, None);
    }

    fn compile_for(&mut self, ch: &[Form]) {
        // `(for await x in coll body...)` awaits each element (see `compiler/generator.rs`).
        let awaits = ch.first().is_some_and(|f| is_sym(f, "await"));
        let ch = if awaits { &ch[1..] } else { ch };
        let (Some(var), Some(kw), Some(coll)) = (ch.first(), ch.get(1), ch.get(2)) else {
            return self.emit_fail(
                "SyntaxError",
                "(for x in collection body...) needs a name, `in` and a collection",
            );
        };
        if !is_sym(kw, "in") {
            return self.emit_fail(
                "SyntaxError",
                "(for x in collection body...): expected `in`",
            );
        }
        let body = &ch[3..];
        self.begin_loop(1);
        self.compile(coll, false);
        self.emit(Op::IterStart);
        self.begin_loop_iter(awaits);
        let top = self.here();
        let next = self.emit_iter_next(awaits);
        self.begin_scope();
        match &var.kind {
            FormKind::Symbol(name) => {
                self.declare_and_init(name);
            }
            FormKind::Array(_) => self.compile_destructure(var),
            _ => {
                self.emit(Op::Pop);
                self.emit_fail(
                    "SyntaxError",
                    "(for x in ...): x must be a name or a [pattern]",
                );
                self.emit(Op::Pop);
            }
        }
        self.compile_body(body, false);
        self.end_scope();
        self.emit(Op::Pop);
        self.emit(Op::Jump(top));
        self.end_loop_iter(next);
        // IterNext pops the iterator when it is exhausted.
        self.f().depth -= 1;
        let exit = self.here();
        self.end_loop(top, Some(exit));
    }

    fn compile_repeat(&mut self, ch: &[Form]) {
        let Some((count, body)) = ch.split_first() else {
            return self.emit_fail("SyntaxError", "(repeat n body...) needs a count");
        };
        self.begin_loop(0);
        self.emit(Op::Int(0));
        let counter = self.hidden_slot();
        self.emit(Op::InitLocal(counter));
        self.compile(count, false);
        let limit = self.hidden_slot();
        self.emit(Op::InitLocal(limit));
        let top = self.here();
        self.emit(Op::LoadLocal(counter));
        self.emit(Op::LoadLocal(limit));
        self.emit(Op::Lt);
        let exit = self.emit(Op::JumpIfFalse(0));
        self.compile_scoped_body(body, false);
        self.emit(Op::Pop);
        let step = self.here();
        self.emit(Op::AddLocalInt(counter, 1));
        self.emit(Op::Pop);
        self.emit(Op::Jump(top));
        self.patch_here(exit);
        self.end_loop(step, None);
    }

    /// Runs the `finally` blocks and pops the handlers of the tries from `from` outward, for a
    /// jump leaving them.
    pub(super) fn unwind_tries(&mut self, from: usize) {
        let count = self.fr().tries.len();
        for index in (from..count).rev() {
            let (handler, finally) = {
                let t = &self.fr().tries[index];
                (t.handler, t.finally.clone())
            };
            if handler {
                self.emit(Op::PopHandler);
            }
            if let Some(body) = finally {
                let saved: Vec<TryCtx> = self.f().tries.drain(index..).collect();
                self.compile_finally(&body);
                self.f().tries.extend(saved);
            }
            if let Some(iter) = self.fr().tries.get(index).and_then(|t| t.iter) {
                self.emit_iter_close(iter);
            }
        }
    }

    pub(super) fn compile_finally(&mut self, body: &[Form]) {
        self.f().in_finally += 1;
        self.compile_scoped_body(body, false);
        self.emit(Op::Pop);
        self.f().in_finally -= 1;
    }

    fn compile_break(&mut self, ch: &[Form]) {
        let Some((slot, depth, iter_depth, tries, finally_level)) =
            self.fr().loops.last().map(|l| {
                (
                    l.result_slot,
                    l.depth,
                    l.continue_depth,
                    l.tries,
                    l.finally_level,
                )
            })
        else {
            return self.emit_fail("SyntaxError", "break outside a loop");
        };
        if self.fr().in_finally > finally_level {
            // `break` inside a finally block is ignored.
            self.emit(Op::Nil);
            return;
        }
        let before = self.fr().depth;
        match ch.first() {
            Some(v) => self.compile(v, false),
            None => {
                self.emit(Op::Nil);
            }
        }
        self.emit(Op::StoreLocal(slot));
        self.emit(Op::Pop);
        // A `for` loop's iterator stays until the loop's close (in `unwind_tries`) is done.
        for _ in iter_depth..self.fr().depth {
            self.emit(Op::Pop);
        }
        self.unwind_tries(tries);
        for _ in depth..self.fr().depth {
            self.emit(Op::Pop);
        }
        let j = self.emit(Op::Jump(0));
        if let Some(l) = self.f().loops.last_mut() {
            l.break_jumps.push(j);
        }
        self.f().depth = before + 1;
    }

    fn compile_continue(&mut self) {
        let Some((depth, tries, finally_level)) = self
            .fr()
            .loops
            .last()
            .map(|l| (l.continue_depth, l.tries, l.finally_level))
        else {
            return self.emit_fail("SyntaxError", "continue outside a loop");
        };
        if self.fr().in_finally > finally_level {
            self.emit(Op::Nil);
            return;
        }
        let before = self.fr().depth;
        for _ in depth..self.fr().depth {
            self.emit(Op::Pop);
        }
        // The next iteration: a `for` loop keeps its iterator open.
        self.unwind_tries(tries + self.own_loop_iter(tries) as usize);
        let j = self.emit(Op::Jump(0));
        if let Some(l) = self.f().loops.last_mut() {
            l.continue_jumps.push(j);
        }
        self.f().depth = before + 1;
    }

    fn compile_return(&mut self, ch: &[Form]) {
        if self.fr().in_finally > 0 {
            self.emit(Op::Nil);
            return;
        }
        if matches!(
            self.fr().kind,
            ProtoKind::Module | ProtoKind::Body | ProtoKind::Eval
        ) {
            return self.emit_fail("SyntaxError", "return outside a function");
        }
        match ch.first() {
            Some(v) => self.compile(v, false),
            None => {
                self.emit(Op::Nil);
            }
        }
        self.unwind_tries(0);
        if self.fr().is_generator {
            self.emit(Op::GenReturn);
            self.f().depth += 1;
        } else {
            self.emit(Op::Return);
        }
    }

    fn compile_throw(&mut self, ch: &[Form]) {
        match ch {
            [] => {
                self.emit(Op::Nil);
            }
            [v] => self.compile(v, false),
            [class, args @ ..] => {
                // (throw Cls "message"): a new instance.
                self.compile(class, false);
                for a in args {
                    self.compile(a, false);
                }
                self.emit(Op::New(args.len() as u32));
            }
        }
        self.emit(Op::Throw);
        self.f().depth += 1;
    }

    fn compile_try(&mut self, ch: &[Form]) {
        // Split into body, catch clauses and finally.
        let mut i = 0;
        while i < ch.len() && !is_sym(&ch[i], "catch") && !is_sym(&ch[i], "finally") {
            i += 1;
        }
        let body = &ch[..i];
        let mut clauses: Vec<(&Form, &[Form])> = Vec::new();
        let mut finally: Option<Vec<Form>> = None;
        while i < ch.len() {
            if is_sym(&ch[i], "finally") {
                finally = Some(ch[i + 1..].to_vec());
                break;
            }
            // catch Pattern handler...
            let Some(pattern) = ch.get(i + 1) else {
                return self.emit_fail("SyntaxError", "catch needs a pattern (a class or *)");
            };
            let start = i + 2;
            let mut end = start;
            while end < ch.len() && !is_sym(&ch[end], "catch") && !is_sym(&ch[end], "finally") {
                end += 1;
            }
            clauses.push((pattern, &ch[start..end]));
            i = end;
        }
        if clauses.is_empty() && finally.is_none() {
            return self.compile_scoped_body(body, false);
        }
        let depth = self.fr().depth;
        let handler = self.emit(Op::PushHandler(0));
        self.f().tries.push(TryCtx {
            handler: true,
            finally: finally.clone(),
            iter: None,
        });
        self.compile_scoped_body(body, false);
        self.emit(Op::PopHandler);
        self.f().tries.pop();
        if let Some(f) = &finally {
            self.compile_finally(f);
        }
        let to_end = self.emit(Op::Jump(0));

        // Catch entry: the thrown value is on the stack.
        self.f().depth = depth + 1;
        self.patch_here(handler);
        self.begin_scope();
        let ex_slot = self.hidden_slot();
        self.emit(Op::InitLocal(ex_slot));
        let finally_handler = finally.as_ref().map(|_| self.emit(Op::PushHandler(0)));
        self.f().tries.push(TryCtx {
            handler: finally.is_some(),
            finally: finally.clone(),
            iter: None,
        });
        let saved_ex = self.f().ex_slot.replace(ex_slot);
        let mut done = Vec::new();
        let mut caught_all = false;
        for (pattern, handler_body) in clauses {
            let saved = self.range;
            self.range = pattern.range;
            let test = if is_sym(pattern, "*") {
                caught_all = true;
                None
            } else {
                self.emit(Op::LoadLocal(ex_slot));
                self.compile(pattern, false);
                self.emit(Op::CatchMatch);
                Some(self.emit(Op::JumpIfFalse(0)))
            };
            self.range = saved;
            self.compile_scoped_body(handler_body, false);
            done.push(self.emit(Op::Jump(0)));
            self.f().depth = depth;
            match test {
                Some(t) => self.patch_here(t),
                None => break,
            }
        }
        if !caught_all {
            self.emit(Op::LoadLocal(ex_slot));
            self.emit(Op::Throw);
        }
        for j in done {
            self.patch_here(j);
        }
        self.f().depth = depth + 1;
        self.f().ex_slot = saved_ex;
        self.f().tries.pop();
        if let Some(f) = &finally {
            self.emit(Op::PopHandler);
            self.compile_finally(f);
        }
        self.end_scope();
        self.patch_here(to_end);

        if let (Some(f), Some(fh)) = (&finally, finally_handler) {
            // A throw from a catch clause: run finally, then rethrow.
            let over = self.emit(Op::Jump(0));
            self.f().depth = depth + 1;
            self.patch_here(fh);
            self.begin_scope();
            let slot = self.hidden_slot();
            self.emit(Op::InitLocal(slot));
            self.compile_finally(f);
            self.emit(Op::LoadLocal(slot));
            self.emit(Op::Throw);
            self.end_scope();
            self.patch_here(over);
            self.f().depth = depth + 1;
        }
    }

    /// `$render` of a literal template: rebuilds it, evaluating `%x` and `%(...)`.
    fn compile_template(&mut self, form: &Form) {
        let saved = self.range;
        self.range = form.range;
        match &form.kind {
            FormKind::Unquote { form: inner, .. } => match &inner.kind {
                FormKind::Symbol(name)
                    if matches!(self.resolve(name), super::Resolved::Global)
                        && !name.starts_with('$') =>
                {
                    let n = self.name_index(name);
                    self.emit(Op::LoadNameOrSymbol(n));
                }
                _ => self.compile(inner, false),
            },
            FormKind::Array(items) => {
                self.emit(Op::MakeArray(0));
                for item in items {
                    if matches!(item.kind, FormKind::Unquote { discard: true, .. }) {
                        continue;
                    }
                    self.compile_template(item);
                    self.emit(Op::ArrayPush);
                }
            }
            FormKind::Map(props) => {
                for p in props {
                    self.emit_const(Const::Symbol(p.key.clone()));
                    self.compile_template(&p.value);
                }
                self.emit(Op::MakeMap(props.len() as u32));
            }
            FormKind::Gene(g) => {
                self.compile_template(&g.head);
                let kept: Vec<&Form> = g
                    .children
                    .iter()
                    .filter(|c| !matches!(c.kind, FormKind::Unquote { discard: true, .. }))
                    .collect();
                for p in &g.props {
                    self.emit_const(Const::Symbol(p.key.clone()));
                    self.compile_template(&p.value);
                }
                for c in &kept {
                    self.compile_template(c);
                }
                let packed =
                    ((g.props.len() as u32).min(0xffff) << 16) | (kept.len() as u32).min(0xffff);
                self.emit(Op::MakeGene(packed));
            }
            _ => self.compile_quote(form),
        }
        self.range = saved;
    }
}
