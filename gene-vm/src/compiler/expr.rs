//! Expressions: literals, names, paths, collections, operators, assignment, calls, and the
//! classification of a gene form (§2.3 of the language reference, in its order).

// How a gene is read (infix or not, special form or not) is decided by the same tables the
// analysis uses, which come from the builtin catalogue.
use gene_syntax::analysis::shape::{INFIX_OPERATORS as INFIX_OPS, blocks_infix};
use gene_syntax::builtins::is_special_form_head;
use gene_syntax::form::{Form, FormKind, Gene, Prop};

use super::Compiler;
use crate::bytecode::{Const, Op, ProtoKind};
use crate::value::EMBED_PREFIX;

fn sym(form: &Form) -> Option<&str> {
    form.as_symbol()
}

fn is_sym(form: &Form, name: &str) -> bool {
    sym(form) == Some(name)
}

/// `xs...` or `(... xs)`: the form spread, if it is one.
pub(super) fn spread_target(form: &Form) -> Option<Form> {
    match &form.kind {
        FormKind::Symbol(s) if s.len() > 3 && s.ends_with("...") => Some(Form::new(
            FormKind::Symbol(s[..s.len() - 3].to_string()),
            form.range,
        )),
        FormKind::Path(segs)
            if segs.len() > 1
                && segs
                    .last()
                    .is_some_and(|l| l.ends_with("...") && l.len() > 3) =>
        {
            let mut segs = segs.clone();
            if let Some(last) = segs.last_mut() {
                last.truncate(last.len() - 3);
            }
            Some(Form::new(FormKind::Path(segs), form.range))
        }
        FormKind::Gene(g)
            if is_sym(&g.head, "...") && g.children.len() == 1 && g.props.is_empty() =>
        {
            g.children.first().cloned()
        }
        _ => None,
    }
}

fn is_infix_op(form: &Form) -> bool {
    match &form.kind {
        FormKind::Symbol(s) => INFIX_OPS.contains(&s.as_str()),
        FormKind::Path(segs) => segs.len() == 2 && segs[0] == ".",
        _ => false,
    }
}

fn is_method_symbol(s: &str) -> bool {
    s.len() > 1 && s.starts_with('.') && s != ".." && s != "..." && !s[1..].starts_with('.')
}

impl Compiler {
    pub(super) fn compile(&mut self, form: &Form, tail: bool) {
        let saved = self.range;
        self.range = form.range;
        match &form.kind {
            FormKind::Nil => {
                self.emit(Op::Nil);
            }
            FormKind::Bool(true) => {
                self.emit(Op::True);
            }
            FormKind::Bool(false) => {
                self.emit(Op::False);
            }
            FormKind::Int(i) => self.emit_int(*i),
            FormKind::Float(f) => self.emit_const(Const::Float(f.0)),
            FormKind::Str(s) => self.emit_str(s),
            FormKind::Char(c) => self.emit_const(Const::Char(*c)),
            FormKind::Symbol(s) => self.compile_symbol(s),
            FormKind::Path(segs) => self.compile_path(segs),
            FormKind::Array(items) => self.compile_array(items),
            FormKind::Set(items) => {
                for item in items {
                    self.compile(item, false);
                }
                self.emit(Op::MakeSet(items.len() as u32));
            }
            FormKind::Map(props) => self.compile_map(props),
            FormKind::Gene(g) => self.compile_gene(g, form, tail),
            FormKind::Quote(inner) => self.compile_quote(inner),
            FormKind::Unquote { .. } => self.emit_fail(
                "SyntaxError",
                "% (unquote) is only valid inside a $render template",
            ),
            FormKind::Error => self.emit_fail("SyntaxError", "this form did not parse"),
        }
        self.range = saved;
    }

    pub(super) fn compile_quote(&mut self, inner: &Form) {
        match &inner.kind {
            FormKind::Array(_)
            | FormKind::Map(_)
            | FormKind::Gene(_)
            | FormKind::Set(_)
            | FormKind::Quote(_) => {
                let i = self.add_const(Const::Form(inner.clone()));
                self.emit(Op::ConstCopy(i));
            }
            _ => self.emit_const(Const::Form(inner.clone())),
        }
    }

    fn compile_symbol(&mut self, s: &str) {
        match s {
            "_" => self.emit_const(Const::Form(Form::new(
                FormKind::Symbol("_".into()),
                self.range,
            ))),
            "self" => {
                self.emit(Op::LoadSelf);
            }
            "$ns" => {
                self.emit(Op::LoadNs);
            }
            "$ex" => match self.fr().ex_slot {
                Some(slot) => {
                    self.emit(Op::LoadLocal(slot));
                }
                None => {
                    self.emit(Op::Nil);
                }
            },
            _ if s.starts_with(EMBED_PREFIX) => match s[EMBED_PREFIX.len()..].parse::<u32>() {
                Ok(i) => self.emit_const(Const::Embedded(i)),
                Err(_) => self.emit_fail("SyntaxError", "bad embedded value"),
            },
            _ if s.len() > 1 && s.starts_with('@') => {
                self.emit_selector_value(&[s[1..].to_string()]);
            }
            _ if s.len() > 1 && s.starts_with('$') => {
                let g = self.name_index("gene");
                self.emit(Op::LoadName(g));
                let m = self.name_index(&s[1..]);
                self.emit(Op::GetMember(m));
            }
            _ => {
                if let Some(target) =
                    spread_target(&Form::new(FormKind::Symbol(s.to_string()), self.range))
                {
                    self.compile(&target, false);
                    self.emit(Op::MakeSpread);
                } else {
                    self.load_var(s);
                }
            }
        }
    }

    /// `@a/0` -> `(@ "a" 0)`: a selector value.
    fn emit_selector_value(&mut self, segs: &[String]) {
        let at = self.name_index("@");
        self.emit(Op::LoadName(at));
        for seg in segs {
            match seg.parse::<i64>() {
                Ok(i) => self.emit_int(i),
                Err(_) => self.emit_str(seg),
            }
        }
        self.emit(Op::Call(segs.len() as u32));
    }

    /// Loads the head of a path (`""` is self, `$ns` the namespace).
    fn compile_path_head(&mut self, first: &str) {
        match first {
            "" => {
                self.emit(Op::LoadSelf);
            }
            _ => self.compile_symbol(first),
        }
    }

    /// Applies one path segment to the value on the stack.
    pub(super) fn compile_segment(&mut self, seg: &str) {
        if seg.is_empty() {
            return;
        }
        if seg == "..." {
            self.emit(Op::MakeSpread);
        } else if let Some(method) = seg.strip_prefix('.') {
            let m = self.name_index(method);
            self.emit(Op::CallMethod(m, 0));
        } else if let Ok(i) = seg.parse::<i32>() {
            self.emit(Op::GetIndex(i));
        } else {
            let m = self.name_index(seg);
            self.emit(Op::GetMember(m));
        }
    }

    fn compile_path(&mut self, segs: &[String]) {
        let Some((first, rest)) = segs.split_first() else {
            self.emit(Op::Nil);
            return;
        };
        if first.len() > 1 && first.starts_with('@') {
            let mut all = vec![first[1..].to_string()];
            all.extend(rest.iter().cloned());
            self.emit_selector_value(&all);
            return;
        }
        if first == "." {
            // `./key` on its own: a selector value.
            self.emit_selector_value(rest);
            return;
        }
        if let Some(target) = spread_target(&Form::new(FormKind::Path(segs.to_vec()), self.range)) {
            self.compile(&target, false);
            self.emit(Op::MakeSpread);
            return;
        }
        self.compile_path_head(first);
        for seg in rest {
            self.compile_segment(seg);
        }
    }

    pub(super) fn compile_array(&mut self, items: &[Form]) {
        if items.iter().any(|i| spread_target(i).is_some()) {
            self.emit(Op::MakeArray(0));
            for item in items {
                match spread_target(item) {
                    Some(target) => {
                        self.compile(&target, false);
                        self.emit(Op::ArrayExtend);
                    }
                    None => {
                        self.compile(item, false);
                        self.emit(Op::ArrayPush);
                    }
                }
            }
            return;
        }
        for item in items {
            self.compile(item, false);
        }
        self.emit(Op::MakeArray(items.len() as u32));
    }

    pub(super) fn compile_map(&mut self, props: &[Prop]) {
        for p in props {
            self.emit_const(Const::Symbol(p.key.clone()));
            self.compile(&p.value, false);
        }
        self.emit(Op::MakeMap(props.len() as u32));
    }

    /// A data gene: the head value is already on the stack; props and children are evaluated.
    pub(super) fn finish_data_gene(&mut self, props: &[Prop], children: &[Form]) {
        for p in props {
            self.emit_const(Const::Symbol(p.key.clone()));
            self.compile(&p.value, false);
        }
        for c in children {
            self.compile(c, false);
        }
        let packed = ((props.len() as u32).min(0xffff) << 16) | (children.len() as u32).min(0xffff);
        self.emit(Op::MakeGene(packed));
    }

    fn compile_gene(&mut self, g: &Gene, form: &Form, tail: bool) {
        let head = &g.head;
        let children = &g.children;
        // 1. selectors
        if is_sym(head, "./")
            || matches!(&head.kind, FormKind::Path(s) if s.len() == 2 && s[0] == "." && s[1].is_empty())
        {
            return self.compile_selector(None, children);
        }
        if let FormKind::Path(segs) = &head.kind
            && segs.len() == 2
            && segs[0] == "."
        {
            return self.compile_selector(Some(&segs[1]), children);
        }
        // 2. ranges
        if children.len() == 2 && is_sym(&children[0], "..") {
            self.compile(head, false);
            self.compile(&children[1], false);
            self.emit(Op::MakeRange(2));
            return;
        }
        // 3. `(-4)`
        if children.is_empty()
            && g.props.is_empty()
            && matches!(head.kind, FormKind::Int(_) | FormKind::Float(_))
        {
            return self.compile(head, false);
        }
        // 4. data genes with a literal type
        if is_sym(head, "_") || matches!(head.kind, FormKind::Quote(_)) {
            match &head.kind {
                FormKind::Quote(inner) => self.compile_quote(inner),
                _ => self.compile_symbol("_"),
            }
            return self.finish_data_gene(&g.props, children);
        }
        // 5. infix
        if let Some(first) = children.first() {
            let head_blocks = sym(head).is_some_and(blocks_infix);
            if is_infix_op(first) && !head_blocks {
                let mut rewritten = Vec::with_capacity(children.len());
                rewritten.push(head.clone());
                rewritten.extend(children[1..].iter().cloned());
                let g2 = Gene {
                    head: first.clone(),
                    props: g.props.clone(),
                    children: rewritten,
                };
                return self.compile_gene(&g2, form, tail);
            }
        }
        // 6. prefix operators
        if let Some(op) = sym(head)
            && matches!(
                op,
                "+" | "-" | "*" | "/" | "**" | "<" | "<=" | ">" | ">=" | "==" | "!=" | "not"
            )
        {
            return self.compile_operator(op, children);
        }
        // 7. forms recognised by their first child (`(super .m)` is a special form)
        if let Some(first) = children
            .first()
            .and_then(sym)
            .filter(|_| !is_sym(head, "super"))
        {
            match first {
                "=" | "+=" | "-=" => return self.compile_assign(head, first, &children[1..]),
                "&&" | "||" => return self.compile_logic(head, children),
                "->" => return self.compile_block(Some(head), &children[1..], form),
                "..." if children.len() == 1 => {
                    self.compile(head, false);
                    self.emit(Op::MakeSpread);
                    return;
                }
                m if is_method_symbol(m) => {
                    self.compile(head, false);
                    return self.compile_method_call(&m[1..], &g.props, &children[1..]);
                }
                _ => {}
            }
        }
        // 8. special forms: the catalogue's, and method definitions in a class body
        if let Some(name) = sym(head)
            && (is_special_form_head(name) || (self.fr().class_body && name.starts_with('.')))
            && self.compile_special(name, g, form, tail)
        {
            return;
        }
        // 9. `(.m args)`: a method on self
        if let Some(m) = sym(head).filter(|m| is_method_symbol(m))
            && !(self.fr().class_body && (m == ".fn" || m == ".ctor"))
        {
            self.emit(Op::LoadSelf);
            return self.compile_method_call(&m[1..], &g.props, children);
        }
        // 10. calls (and data genes with a non-callable head, decided at run time)
        self.compile_call(g, tail)
    }

    fn compile_selector(&mut self, key: Option<&str>, children: &[Form]) {
        match key {
            Some(key) => {
                // (./key target [default])
                let Some(target) = children.first() else {
                    return self.emit_fail("ArgumentError", "a selector needs a target");
                };
                self.compile(target, false);
                match key.parse::<i64>() {
                    Ok(i) => self.emit_int(i),
                    Err(_) => self.emit_str(key),
                }
                self.finish_selector(&children[1..]);
            }
            None => {
                // (./ target key [default])
                if children.len() < 2 {
                    return self.emit_fail(
                        "ArgumentError",
                        "(./ target key [default]) needs a target and a key",
                    );
                }
                self.compile(&children[0], false);
                self.compile(&children[1], false);
                self.finish_selector(&children[2..]);
            }
        }
    }

    fn finish_selector(&mut self, rest: &[Form]) {
        match rest.first() {
            Some(default) => {
                self.compile(default, false);
                self.emit(Op::SelectDefault);
            }
            None => {
                self.emit(Op::Select);
            }
        }
    }

    fn compile_operator(&mut self, op: &str, args: &[Form]) {
        let binary = match op {
            "+" => Op::Add,
            "-" => Op::Sub,
            "*" => Op::Mul,
            "/" => Op::Div,
            "**" => Op::Pow,
            "<" => Op::Lt,
            "<=" => Op::Le,
            ">" => Op::Gt,
            ">=" => Op::Ge,
            "==" => Op::Eq,
            "!=" => Op::Ne,
            _ => Op::Not,
        };
        match (op, args.len()) {
            ("not", 1) => {
                self.compile(&args[0], false);
                self.emit(Op::Not);
            }
            ("not", n) => self.emit_fail("ArgumentError", format!("not takes 1 argument, got {n}")),
            ("+", 0) => self.emit_int(0),
            ("*", 0) => self.emit_int(1),
            ("-" | "/", 0) => {
                self.emit_fail("ArgumentError", format!("{op} needs at least one argument"))
            }
            ("-", 1) => {
                self.compile(&args[0], false);
                self.emit(Op::Neg);
            }
            ("/", 1) => {
                self.emit_int(1);
                self.compile(&args[0], false);
                self.emit(Op::Div);
            }
            ("+" | "*", 1) => {
                // `(+ x)` is x and `(* x)` is x, checked to be numbers by the operation.
                self.emit_int(if op == "+" { 0 } else { 1 });
                self.compile(&args[0], false);
                self.emit(binary);
            }
            ("+" | "-" | "*" | "/", _) => {
                self.compile(&args[0], false);
                for a in &args[1..] {
                    self.compile(a, false);
                    self.emit(binary);
                }
            }
            (_, 2) => {
                self.compile(&args[0], false);
                self.compile(&args[1], false);
                self.emit(binary);
            }
            (_, n) => self.emit_fail(
                "ArgumentError",
                format!("{op} takes exactly 2 operands, got {n}"),
            ),
        }
    }

    fn compile_logic(&mut self, head: &Form, children: &[Form]) {
        self.compile(head, false);
        let mut jumps = Vec::new();
        let mut i = 0;
        while i < children.len() {
            let op = sym(&children[i]);
            let Some(operand) = children.get(i + 1) else {
                return self.emit_fail("SyntaxError", "&& and || need an operand on each side");
            };
            let jump = match op {
                Some("&&") => Op::AndJump(0),
                Some("||") => Op::OrJump(0),
                _ => return self.emit_fail("SyntaxError", "expected && or || between operands"),
            };
            jumps.push(self.emit(jump));
            self.compile(operand, false);
            i += 2;
        }
        for j in jumps {
            self.patch_here(j);
        }
    }

    fn compile_assign(&mut self, target: &Form, op: &str, rest: &[Form]) {
        let [value] = rest else {
            return self.emit_fail(
                "SyntaxError",
                format!("({} {op} value) takes exactly one value", "target"),
            );
        };
        match &target.kind {
            FormKind::Symbol(name) if !name.starts_with('$') || name.len() == 1 => {
                if op != "=" {
                    if let (FormKind::Int(n), super::Resolved::Local(slot)) =
                        (&value.kind, self.resolve(name))
                    {
                        let delta = if op == "+=" {
                            Some(*n)
                        } else {
                            n.checked_neg()
                        };
                        if let Some(d) = delta.and_then(|d| i16::try_from(d).ok()) {
                            self.emit(Op::AddLocalInt(slot, d));
                            return;
                        }
                    }
                    self.load_var(name);
                    self.compile(value, false);
                    self.emit(if op == "+=" { Op::Add } else { Op::Sub });
                } else {
                    self.compile(value, false);
                }
                self.store_var(name);
            }
            FormKind::Path(_) | FormKind::Symbol(_) => {
                let segs: Vec<String> = match &target.kind {
                    FormKind::Path(segs) => segs.clone(),
                    FormKind::Symbol(s) => vec!["$ns".into(), s[1..].to_string()],
                    _ => Vec::new(),
                };
                let Some((last, prefix)) = segs.split_last() else {
                    return self.emit_fail("SyntaxError", "bad assignment target");
                };
                let Some((first, middle)) = prefix.split_first() else {
                    return self.emit_fail("SyntaxError", "bad assignment target");
                };
                let index = last.parse::<i32>().ok();
                let member = self.name_index(last);
                if first.is_empty() && middle.is_empty() && index.is_none() {
                    // `(/x = v)`, `(/x += v)`: self's member, self never pushed.
                    if op != "=" {
                        self.emit(Op::GetSelfMember(member));
                        self.compile(value, false);
                        self.emit(if op == "+=" { Op::Add } else { Op::Sub });
                    } else {
                        self.compile(value, false);
                    }
                    self.emit(Op::SetSelfMember(member));
                    return;
                }
                self.compile_path_head(first);
                for seg in middle {
                    self.compile_segment(seg);
                }
                if op != "=" {
                    self.emit(Op::Dup);
                    match index {
                        Some(i) => self.emit(Op::GetIndex(i)),
                        None => self.emit(Op::GetMember(member)),
                    };
                    self.compile(value, false);
                    self.emit(if op == "+=" { Op::Add } else { Op::Sub });
                } else {
                    self.compile(value, false);
                }
                match index {
                    Some(i) => self.emit(Op::SetIndex(i)),
                    None => self.emit(Op::SetMember(member)),
                };
            }
            _ => self.emit_fail("SyntaxError", "can only assign to a name or a path"),
        }
    }

    /// Pushes the arguments and calls. With a spread or props, builds an argument array and a
    /// props map and returns true (the caller emits the "complex" call op).
    pub(super) fn push_args_internal(&mut self, props: &[Prop], args: &[Form]) -> bool {
        let complex = !props.is_empty() || args.iter().any(|a| spread_target(a).is_some());
        if !complex {
            for a in args {
                self.compile(a, false);
            }
            return false;
        }
        self.compile_array(args);
        if props.is_empty() {
            self.emit(Op::Nil);
        } else {
            self.compile_map(props);
        }
        true
    }

    pub(super) fn compile_method_call(&mut self, method: &str, props: &[Prop], args: &[Form]) {
        let m = self.name_index(method);
        if self.push_args_internal(props, args) {
            self.emit(Op::CallMethodComplex(m));
            return;
        }
        // Element access has ops of its own: inline for arrays, a method call otherwise.
        self.emit(match (method, args.len()) {
            ("get", 1) => Op::GetItem(m),
            ("set", 2) => Op::SetItem(m),
            ("push", 1) => Op::PushItem(m),
            ("size" | "length", 0) => Op::SizeOf(m),
            (_, argc) => Op::CallMethod(m, argc as u32 as u16),
        });
    }

    fn compile_call(&mut self, g: &Gene, tail: bool) {
        let macro_const = {
            let f = self.f();
            f.consts.push(Const::MacroCall {
                args: g.children.clone(),
                props: g
                    .props
                    .iter()
                    .map(|p| (p.key.clone(), p.value.clone()))
                    .collect(),
                resume: 0,
            });
            (f.consts.len() - 1) as u32
        };
        let global_head = sym(&g.head).filter(|name| {
            !name.starts_with('$')
                && !name.starts_with('@')
                && !name.starts_with(EMBED_PREFIX)
                && !matches!(*name, "_" | "self")
                && spread_target(&g.head).is_none()
        });
        match global_head {
            Some(name) if self.resolve_peek(name) => {
                let n = self.name_index(name);
                self.emit(Op::LoadCallee(n));
                self.emit(Op::MacroArgs(macro_const));
            }
            _ => {
                self.compile(&g.head, false);
                self.emit(Op::CheckMacro(macro_const));
            }
        }
        let can_tail = tail
            && self.fr().tries.is_empty()
            && self.fr().in_finally == 0
            && matches!(
                self.fr().kind,
                ProtoKind::Function | ProtoKind::Block | ProtoKind::Macro
            );
        if self.push_args_internal(&g.props, &g.children) {
            self.emit(Op::CallComplex);
        } else {
            let n = g.children.len() as u32;
            self.emit(if can_tail {
                Op::TailCall(n)
            } else {
                Op::Call(n)
            });
        }
        let resume = self.here();
        if let Some(Const::MacroCall { resume: r, .. }) =
            self.f().consts.get_mut(macro_const as usize)
        {
            *r = resume;
        }
    }

    /// True when `name` is not a local or capture (it will be looked up in namespaces).
    fn resolve_peek(&mut self, name: &str) -> bool {
        matches!(self.resolve(name), super::Resolved::Global)
    }
}
