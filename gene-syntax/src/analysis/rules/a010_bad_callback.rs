use super::declare_rule;
use crate::analysis::facts::Condition;
use crate::analysis::symbols::{self, FnShape};
use crate::analysis::walk::{Checker, Resolved};
use crate::form::{Form, FormKind};

declare_rule! {
    /// ## What it flags
    /// `.on_success`, `.on_failure` or `.on_progress` given something that cannot serve as the
    /// callback: a value that is not callable, a function that needs more arguments than it
    /// will get (one for success and failure, two for progress), or a `^^async` function,
    /// whose own future nobody awaits.
    ///
    /// ## Why it matters
    /// The callback fails when the future settles, far from this line, or its failure is lost.
    /// (typescript-eslint: no-misused-promises.)
    ///
    /// ## How to fix
    /// Pass a function of the right shape; for async work inside a callback, start it and
    /// handle its failure explicitly.
    ///
    /// ## Example
    /// ```gene
    /// (f .on_success "done")                          # A010
    /// (f .on_success (fnx [v] (println "done" v)))    # fixed
    /// ```
    pub(crate) static RULE = { code: "A010", name: "bad-callback", severity: Warning, fix: None };
}

pub(crate) fn check(c: &mut Checker, method: &str, args: &[Form]) {
    let given = match method {
        "on_success" | "on_failure" => 1,
        "on_progress" => 2,
        _ => return,
    };
    let Some(cb) = args.first() else {
        let _ = given;
        return;
    };
    let shape = match &cb.kind {
        FormKind::Nil
        | FormKind::Bool(_)
        | FormKind::Int(_)
        | FormKind::Float(_)
        | FormKind::Str(_)
        | FormKind::Char(_)
        | FormKind::Array(_)
        | FormKind::Map(_)
        | FormKind::Set(_) => {
            c.report(RULE.diagnostic(
                cb.range,
                format!("`.{method}` needs a function to call, not a plain value"),
            ));
            return;
        }
        FormKind::Gene(g) => match g.head.as_symbol() {
            Some(head @ ("fnx" | "fnxx" | "fn")) => symbols::fn_shape(g, head).map(|(s, _)| s),
            _ => g
                .children
                .first()
                .and_then(Form::as_symbol)
                .filter(|s| *s == "->")
                .map(|_| {
                    let params = symbols::parse_params(&g.head);
                    FnShape {
                        is_async: false,
                        is_generator: false,
                        params: std::sync::Arc::new(params),
                        never_returns_future: false,
                        tails: None,
                    }
                }),
        },
        FormKind::Symbol(name) => match c.resolve(name) {
            Resolved::Local(i) => c.locals[i].callable.clone(),
            Resolved::Free => {
                let diagnostic = async_callback(cb, method);
                let report = c.made(diagnostic);
                let name = c.name_id(name);
                c.pending(Condition::AsyncCallback(name), cb.range, report);
                None
            }
            Resolved::Builtin => None,
        },
        _ => None,
    };
    let Some(shape) = shape else { return };
    if shape.returns_future() {
        c.report(async_callback(cb, method));
        return;
    }
    let required = shape.params.required_positional();
    if !shape.params.ignores_all && required > given {
        let plural = if given == 1 { "argument" } else { "arguments" };
        c.report(RULE.diagnostic(
            cb.range,
            format!(
                "this callback needs {required} arguments but `.{method}` passes {given} {plural}"
            ),
        ));
    }
}

fn async_callback(cb: &Form, method: &str) -> crate::diagnostic::Diagnostic {
    RULE.diagnostic(cb.range, format!("an async function as the `.{method}` callback: the future it returns is never awaited, so its failure is lost"))
}

#[cfg(test)]
mod tests {
    use super::super::fixture::check;

    #[test]
    fn flags_unusable_callbacks() {
        check(
            "A010",
            "(var f (gene/sleep_async 1))\n(f .on_success «\"done\"»)\n(await f)",
        );
        check(
            "A010",
            "(var f (gene/sleep_async 1))\n(f .on_success «(fnx [a b] a)»)\n(await f)",
        );
        check(
            "A010",
            "(var f (gene/sleep_async 1))\n(f .on_failure «(fnx ^^async [e] (await (gene/sleep_async 1)))»)\n(await f)",
        );
        check(
            "A010",
            "(fn ^^async report [v] (await (gene/sleep_async v)))\n(var f (gene/sleep_async 1))\n(f .on_success «report»)\n(await f)",
        );
        check(
            "A010",
            "(var f (gene/sleep_async 1))\n(f .on_progress «(fnx [a b c] a)»)\n(await f)",
        );
    }

    #[test]
    fn accepts_fitting_callbacks() {
        check(
            "A010",
            "(var f (gene/sleep_async 1))\n(f .on_success (fnx [v] v))\n(f .on_failure (-> (println \"x\")))\n(await f)",
        );
        check(
            "A010",
            "(fn show [v] (println v))\n(var f (gene/sleep_async 1))\n(f .on_success show)\n(f .on_progress (fnx [p m] p))\n(await f)",
        );
    }
}
