//! The test forms. Each compiles to ordinary code calling the `gene/test` natives, so the VM
//! needs no op of its own for them:
//!
//! - `(test ^skip s ^timeout ms "name" body...)` -> `(gene/test/declare name s ms OFFSET F)`,
//!   where `F` is a `^^async` function of the body (a call starts the test's task) and
//!   `OFFSET` the form's byte offset (where a failure or a skipped test is reported);
//! - `(describe "group" body...)` -> `(do (gene/test/enter_group "group")
//!   (try body... finally (gene/test/leave_group)))`;
//! - `(assert_throws Class body...)` -> `(gene/test/expect_thrown Class
//!   (try [false (do body...)] catch * [true $ex]) "assert_throws")`, and `assert_rejects` the
//!   same around `(await future)`.

use gene_syntax::TextRange;
use gene_syntax::form::{Form, FormKind, Gene};

use super::Compiler;
use crate::bytecode::{Op, ProtoKind};

/// A form at `range` (synthesised code is reported at the user's form).
fn at(range: TextRange, kind: FormKind) -> Form {
    Form::new(kind, range)
}

fn sym(range: TextRange, name: &str) -> Form {
    at(range, FormKind::Symbol(name.to_string()))
}

/// `(head children...)`.
fn call(range: TextRange, head: Form, children: Vec<Form>) -> Form {
    at(
        range,
        FormKind::Gene(Box::new(Gene {
            head,
            props: Vec::new(),
            children,
        })),
    )
}

/// The path `gene/test/NAME`.
fn test_native(range: TextRange, name: &str) -> Form {
    at(
        range,
        FormKind::Path(vec!["gene".into(), "test".into(), name.into()]),
    )
}

/// `(try [false (do body...)] catch * [true $ex])`: what the body did, as data.
fn outcome_of(range: TextRange, body: &[Form]) -> Form {
    let value = call(range, sym(range, "do"), body.to_vec());
    let gave = at(
        range,
        FormKind::Array(vec![at(range, FormKind::Bool(false)), value]),
    );
    let threw = at(
        range,
        FormKind::Array(vec![at(range, FormKind::Bool(true)), sym(range, "$ex")]),
    );
    call(
        range,
        sym(range, "try"),
        vec![gave, sym(range, "catch"), sym(range, "*"), threw],
    )
}

impl Compiler {
    pub(super) fn compile_test(&mut self, g: &Gene, form: &Form) {
        let Some((name, body)) = g.children.split_first() else {
            return self.emit_fail("ArgumentError", "(test \"name\" body...) needs a name");
        };
        if let Some(p) = g
            .props
            .iter()
            .find(|p| p.key != "skip" && p.key != "timeout")
        {
            let message = format!(
                "test takes no property ^{} (only ^skip and ^timeout)",
                p.key
            );
            return self.emit_fail("ArgumentError", message);
        }
        let prop = |key: &str| g.props.iter().find(|p| p.key == key).map(|p| &p.value);
        let nil = at(form.range, FormKind::Nil);
        self.compile(&test_native(form.range, "declare"), false);
        self.compile(name, false);
        self.compile(prop("skip").unwrap_or(&nil), false);
        self.compile(prop("timeout").unwrap_or(&nil), false);
        self.emit_int(i64::from(u32::from(form.range.start())));
        let label = match &name.kind {
            FormKind::Str(s) => format!("<test {s}>"),
            _ => "<test>".to_string(),
        };
        self.compile_function(&label, ProtoKind::Function, None, body, form, true);
        self.emit(Op::Call(5));
    }

    pub(super) fn compile_describe(&mut self, g: &Gene, form: &Form, tail: bool) {
        let Some((name, body)) = g.children.split_first() else {
            return self.emit_fail("ArgumentError", "(describe \"group\" body...) needs a name");
        };
        let r = form.range;
        let enter = call(r, test_native(r, "enter_group"), vec![name.clone()]);
        let mut guarded = body.to_vec();
        guarded.push(at(r, FormKind::Nil));
        guarded.push(sym(r, "finally"));
        guarded.push(call(r, test_native(r, "leave_group"), Vec::new()));
        let block = call(
            r,
            sym(r, "do"),
            vec![enter, call(r, sym(r, "try"), guarded)],
        );
        self.compile(&block, tail);
    }

    /// `assert_throws` (the body runs here) and `assert_rejects` (the future is awaited).
    pub(super) fn compile_expect_thrown(&mut self, head: &str, g: &Gene, form: &Form) {
        let r = form.range;
        let (class, body): (&Form, Vec<Form>) = match (head, g.children.as_slice()) {
            ("assert_throws", [class, body @ ..]) => (class, body.to_vec()),
            ("assert_rejects", [class, future]) => {
                (class, vec![call(r, sym(r, "await"), vec![future.clone()])])
            }
            _ => {
                let usage = if head == "assert_throws" {
                    "(assert_throws Class body...) needs a class"
                } else {
                    "(assert_rejects Class future) takes a class and a future"
                };
                return self.emit_fail("ArgumentError", usage);
            }
        };
        let check = call(
            r,
            test_native(r, "expect_thrown"),
            vec![
                class.clone(),
                outcome_of(r, &body),
                at(r, FormKind::Str(head.to_string())),
            ],
        );
        self.compile(&check, false);
    }
}
