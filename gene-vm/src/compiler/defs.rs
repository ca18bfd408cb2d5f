//! Definitions: functions, macros, blocks, namespaces, classes and methods, `new`, `super`,
//! `enum`, `match` and `import`.

use gene_syntax::form::{Form, FormKind, Gene};

use super::Compiler;
use crate::bytecode::{Const, ImportName, Op, ProtoKind};

fn is_true_prop(g: &Gene, key: &str) -> bool {
    g.props
        .iter()
        .any(|p| p.key == key && matches!(p.value.kind, FormKind::Bool(true)))
}

impl Compiler {
    /// Compiles a function body in a new [`super::FnState`] and leaves the closure on the stack.
    pub(super) fn compile_function(
        &mut self,
        name: &str,
        kind: ProtoKind,
        params: Option<&Form>,
        body: &[Form],
        form: &Form,
        is_async: bool,
    ) {
        self.compile_function_as(name, kind, params, body, form, is_async, false);
    }

    /// [`Compiler::compile_function`] for a function that may be a `^^generator`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn compile_function_as(
        &mut self,
        name: &str,
        kind: ProtoKind,
        params: Option<&Form>,
        body: &[Form],
        form: &Form,
        is_async: bool,
        is_generator: bool,
    ) {
        self.push_fn(name, kind, form.range);
        // An async generator's call runs no task: it makes the generator at once.
        self.f().is_async = is_async && !is_generator;
        self.f().is_generator = is_generator;
        match params {
            Some(p) => self.compile_params(p),
            // As `_` (see `compile_params`).
            None => {
                self.f().params.ignore_all = true;
                self.f().params.simple = true;
            }
        }
        if is_generator {
            self.compile_generator_body(body, is_async);
        } else {
            self.compile_body(body, true);
            self.emit(Op::Return);
        }
        self.pop_fn_make_closure();
    }

    pub(super) fn compile_fn(&mut self, head: &str, g: &Gene, form: &Form) {
        let ch = g.children.as_slice();
        let (Some(name), Some(params)) = (ch.first(), ch.get(1)) else {
            return self.emit_fail(
                "SyntaxError",
                format!("({head} name params body...) needs a name and parameters"),
            );
        };
        let kind = if head == "macro" {
            ProtoKind::Macro
        } else {
            ProtoKind::Function
        };
        let is_async = is_true_prop(g, "async");
        let is_generator = kind == ProtoKind::Function && is_true_prop(g, "generator");
        match &name.kind {
            FormKind::Symbol(n) | FormKind::Str(n) => {
                self.compile_function_as(
                    n,
                    kind,
                    Some(params),
                    &ch[2..],
                    form,
                    is_async,
                    is_generator,
                );
                let i = self.name_index(n);
                self.emit(Op::DefineName(i));
            }
            FormKind::Path(segs) if segs.len() > 1 && segs.iter().all(|s| !s.is_empty()) => {
                let (last, prefix) = segs.split_last().unwrap_or((&segs[0], &[]));
                if let Some((first, middle)) = prefix.split_first() {
                    self.compile_symbol_public(first);
                    for seg in middle {
                        self.compile_segment(seg);
                    }
                }
                self.compile_function_as(
                    last,
                    kind,
                    Some(params),
                    &ch[2..],
                    form,
                    is_async,
                    is_generator,
                );
                let i = self.name_index(last);
                self.emit(Op::SetMember(i));
            }
            _ => self.emit_fail(
                "SyntaxError",
                format!(
                    "({head} name params body...): the name must be a symbol, a string or a path"
                ),
            ),
        }
    }

    pub(super) fn compile_symbol_public(&mut self, name: &str) {
        self.compile(
            &Form::new(FormKind::Symbol(name.to_string()), self.range),
            false,
        );
    }

    pub(super) fn compile_fnx(&mut self, g: &Gene, form: &Form, has_params: bool) {
        let ch = g.children.as_slice();
        let is_async = is_true_prop(g, "async");
        let is_generator = is_true_prop(g, "generator");
        if has_params {
            let Some(params) = ch.first() else {
                return self.emit_fail("SyntaxError", "(fnx params body...) needs parameters");
            };
            self.compile_function_as(
                "fnx",
                ProtoKind::Function,
                Some(params),
                &ch[1..],
                form,
                is_async,
                is_generator,
            );
        } else {
            self.compile_function_as(
                "fnxx",
                ProtoKind::Function,
                None,
                ch,
                form,
                is_async,
                is_generator,
            );
        }
    }

    pub(super) fn compile_block(&mut self, params: Option<&Form>, body: &[Form], form: &Form) {
        self.compile_function("<block>", ProtoKind::Block, params, body, form, false);
    }

    /// Runs a class or namespace body with the value on the stack as self (keeps it there).
    fn compile_body_for(&mut self, name: &str, body: &[Form], form: &Form, class_body: bool) {
        if body.is_empty() {
            return;
        }
        self.emit(Op::Dup);
        self.push_fn(name, ProtoKind::Body, form.range);
        self.f().opaque = true;
        self.f().class_body = class_body;
        self.f().params.ignore_all = true;
        self.compile_body(body, false);
        self.emit(Op::Return);
        self.pop_fn_make_closure();
        self.emit(Op::RunBody);
        self.emit(Op::Pop);
    }

    pub(super) fn compile_ns(&mut self, ch: &[Form]) {
        let Some(name) = ch.first().and_then(|f| f.as_symbol()) else {
            return self.emit_fail("SyntaxError", "(ns name body...) needs a name");
        };
        let name = name.to_string();
        self.emit_str(&name);
        self.emit(Op::MakeNs);
        let i = self.name_index(&name);
        self.emit(Op::DefineName(i));
        let form = Form::new(FormKind::Nil, self.range);
        self.compile_body_for(&name, &ch[1..], &form, false);
    }

    pub(super) fn compile_class(&mut self, ch: &[Form]) {
        let Some(name) = ch.first().and_then(|f| f.as_symbol()) else {
            return self.emit_fail(
                "SyntaxError",
                "(class Name [< Parent] body...) needs a name",
            );
        };
        let name = name.to_string();
        let body = if ch.get(1).and_then(|f| f.as_symbol()) == Some("<") {
            let Some(parent) = ch.get(2) else {
                return self.emit_fail(
                    "SyntaxError",
                    "(class Name < Parent ...) needs the parent class",
                );
            };
            self.compile(parent, false);
            &ch[3..]
        } else {
            self.emit(Op::Nil);
            &ch[1..]
        };
        let i = self.name_index(&name);
        self.emit(Op::MakeClass(i));
        self.emit(Op::DefineName(i));
        let form = Form::new(FormKind::Nil, self.range);
        self.compile_body_for(&name, body, &form, true);
    }

    /// `(.fn name params body...)` and `(.ctor params body...)` inside a class body.
    pub(super) fn compile_method_def(&mut self, head: &str, g: &Gene, form: &Form) {
        let ch = g.children.as_slice();
        self.emit(Op::LoadSelf);
        if head == ".ctor" {
            let Some(params) = ch.first() else {
                self.emit(Op::Pop);
                return self.emit_fail("SyntaxError", "(.ctor params body...) needs parameters");
            };
            self.compile_function(
                "ctor",
                ProtoKind::Function,
                Some(params),
                &ch[1..],
                form,
                false,
            );
            self.emit(Op::DefCtor);
        } else {
            let (Some(name), Some(params)) = (ch.first().and_then(|f| f.as_symbol()), ch.get(1))
            else {
                self.emit(Op::Pop);
                return self.emit_fail(
                    "SyntaxError",
                    "(.fn name params body...) needs a name and parameters",
                );
            };
            let name = name.to_string();
            let is_async = is_true_prop(g, "async");
            let is_generator = is_true_prop(g, "generator");
            self.compile_function_as(
                &name,
                ProtoKind::Function,
                Some(params),
                &ch[2..],
                form,
                is_async,
                is_generator,
            );
            let i = self.name_index(&name);
            self.emit(Op::DefMethod(i));
        }
    }

    pub(super) fn compile_new(&mut self, g: &Gene) {
        let Some((class, args)) = g.children.split_first() else {
            return self.emit_fail("SyntaxError", "(new Class args...) needs a class");
        };
        self.compile(class, false);
        if self.push_args_public(&g.props, args) {
            self.emit(Op::NewComplex);
        } else {
            self.emit(Op::New(args.len() as u32));
        }
    }

    pub(super) fn compile_super(&mut self, g: &Gene) {
        let Some(method) = g
            .children
            .first()
            .and_then(|f| f.as_symbol())
            .and_then(|m| m.strip_prefix('.'))
        else {
            return self.emit_fail("SyntaxError", "(super .method args...) needs a method");
        };
        let m = self.name_index(method);
        let args = &g.children[1..];
        for a in args {
            self.compile(a, false);
        }
        self.emit(Op::CallSuper(m, args.len() as u16));
    }

    pub(super) fn compile_enum(&mut self, g: &Gene) {
        let Some((name, rest)) = g.children.split_first() else {
            return self.emit_fail("SyntaxError", "(enum Name members...) needs a name");
        };
        let Some(name) = name.as_symbol() else {
            return self.emit_fail(
                "SyntaxError",
                "(enum Name members...): the name must be a symbol",
            );
        };
        let mut members_forms: Vec<Form> = rest.to_vec();
        if let Some(values) = g.props.iter().find(|p| p.key == "values")
            && let FormKind::Array(items) = &values.value.kind
        {
            members_forms.extend(items.iter().cloned());
        }
        let mut members: Vec<(String, i64)> = Vec::new();
        let mut next: i64 = 0;
        let mut i = 0;
        while i < members_forms.len() {
            let Some(m) = members_forms[i].as_symbol() else {
                return self.emit_fail("SyntaxError", "enum members must be names");
            };
            let mut value = next;
            if members_forms.get(i + 1).and_then(|f| f.as_symbol()) == Some("=") {
                match members_forms.get(i + 2).map(|f| &f.kind) {
                    Some(FormKind::Int(v)) => value = *v,
                    _ => {
                        return self
                            .emit_fail("SyntaxError", "an enum member value must be an integer");
                    }
                }
                i += 2;
            }
            members.push((m.to_string(), value));
            next = value.saturating_add(1);
            i += 1;
        }
        self.emit_const(Const::Enum {
            name: name.to_string(),
            members,
        });
        self.emit(Op::Dup);
        self.declare_and_init(name);
    }

    pub(super) fn compile_match(&mut self, ch: &[Form]) {
        let [pattern, value] = ch else {
            return self.emit_fail(
                "SyntaxError",
                "(match pattern value) takes a pattern and a value",
            );
        };
        self.compile(value, false);
        self.compile_destructure(pattern);
        self.emit(Op::Nil);
    }

    pub(super) fn compile_import(&mut self, ch: &[Form]) {
        let Some(from_at) = ch.iter().position(|f| f.as_symbol() == Some("from")) else {
            return self.emit_fail(
                "SyntaxError",
                "(import names... from \"path\") needs `from`",
            );
        };
        let Some(FormKind::Str(path)) = ch.get(from_at + 1).map(|f| &f.kind) else {
            return self.emit_fail(
                "SyntaxError",
                "(import names... from \"path\"): the path must be a string",
            );
        };
        let mut names: Vec<ImportName> = Vec::new();
        let items = &ch[..from_at];
        let mut i = 0;
        while i < items.len() {
            match &items[i].kind {
                FormKind::Symbol(s) => names.push(import_name(&[], s)),
                FormKind::Path(segs) if segs.last().is_some_and(|l| l.is_empty()) => {
                    // n/[x y:z]
                    let prefix = &segs[..segs.len() - 1];
                    match items.get(i + 1).map(|f| &f.kind) {
                        Some(FormKind::Array(group)) => {
                            for item in group {
                                if let Some(s) = item.as_symbol() {
                                    names.push(import_name(prefix, s));
                                }
                            }
                            i += 1;
                        }
                        _ => {
                            return self.emit_fail(
                                "SyntaxError",
                                "`n/` in an import must be followed by [names]",
                            );
                        }
                    }
                }
                FormKind::Path(segs) => {
                    let (last, prefix) = segs.split_last().unwrap_or((&segs[0], &[]));
                    names.push(import_name(prefix, last));
                }
                _ => return self.emit_fail("SyntaxError", "import names must be symbols or paths"),
            }
            i += 1;
        }
        let c = self.add_const(Const::Import {
            names,
            from: path.clone(),
        });
        self.emit(Op::Import(c));
    }

    pub(super) fn push_args_public(
        &mut self,
        props: &[gene_syntax::form::Prop],
        args: &[Form],
    ) -> bool {
        self.push_args_internal(props, args)
    }
}

fn import_name(prefix: &[String], item: &str) -> ImportName {
    let (name, alias) = match item.split_once(':') {
        Some((n, a)) if !n.is_empty() && !a.is_empty() => (n, a),
        _ => (item, item),
    };
    let mut path: Vec<String> = prefix.to_vec();
    path.push(name.to_string());
    ImportName {
        path,
        alias: alias.to_string(),
    }
}
