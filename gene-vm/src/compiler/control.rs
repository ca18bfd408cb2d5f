//! Special forms: dispatch, variables, conditionals, `return` and templates (loops are in
//! `loops.rs`, `try`/`throw` in `exceptions.rs`).

use gene_syntax::form::{Form, FormKind, Gene};

use super::Compiler;
use crate::bytecode::{Const, Op, ProtoKind};

pub(super) fn is_sym(form: &Form, name: &str) -> bool {
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
            "test" => self.compile_test(g, form),
            "describe" => self.compile_describe(g, form, tail),
            "assert_throws" | "assert_rejects" => self.compile_expect_thrown(name, g, form),
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
            if is_sym(c, "not")
                && let Some(inner) = ch.get(i + 1)
            {
                return Some((inner.clone(), true, i + 2));
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
    fn compile_return(&mut self, ch: &[Form]) {
        if self.fr().in_finally > 0 {
            return self.refuse_jump_out_of_finally("return");
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
