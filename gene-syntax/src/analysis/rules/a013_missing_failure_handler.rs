use super::{VarView, declare_rule};
use crate::analysis::facts::FutureOf;
use crate::analysis::shape::{self, Shape};
use crate::analysis::walk::Checker;
use crate::diagnostic::{Diagnostic, Fix, TextEdit};
use crate::form::{Form, FormKind};

declare_rule! {
    /// ## What it flags
    /// A future given `.on_success` but never awaited and never given `.on_failure`.
    ///
    /// ## Why it matters
    /// The success path is handled and the failure path is silently dropped: if the work
    /// fails, nothing runs and nobody is told.
    ///
    /// ## How to fix
    /// Add an `.on_failure` that reports the error, or await the future inside `try`.
    ///
    /// ## Example
    /// ```gene
    /// ((gene/io/read_async "a") .on_success (fnx [t] (println t)))     # A013
    /// (((gene/io/read_async "a") .on_success (fnx [t] (println t)))
    ///   .on_failure (fnx [e] (println "failed:" e)))                    # fixed
    /// ```
    pub(crate) static RULE = { code: "A013", name: "missing-failure-handler", severity: Warning, fix: Some("add an `.on_failure` that reports the error") };
}

const MESSAGE: &str = "this future has an `.on_success` callback but no `.on_failure` and is never awaited: a failure would vanish";

fn fix(on_success_call: rowan::TextRange) -> Fix {
    Fix {
        title: "Add an `.on_failure` that reports the error".into(),
        edits: vec![
            TextEdit {
                range: rowan::TextRange::empty(on_success_call.start()),
                new_text: "(".into(),
            },
            TextEdit {
                range: rowan::TextRange::empty(on_success_call.end()),
                new_text: " .on_failure (fnx [e] (println \"failed:\" e)))".into(),
            },
        ],
        safe: false,
    }
}

/// A discarded method chain on a future made in place: `((make) .on_success cb)`.
pub(crate) fn check_chain(c: &mut Checker, form: &Form, receiver: &Form, method: &str) {
    if !matches!(method, "on_success" | "on_failure" | "on_progress") {
        return;
    }
    // Walk down the chain to the future itself, noting the callbacks on the way.
    let mut methods = vec![method];
    let mut base = receiver;
    while let Some(gene) = base.as_gene()
        && let Shape::Method {
            receiver, method, ..
        } = shape::classify(gene)
    {
        methods.push(method);
        base = receiver;
    }
    // Variables are judged when their life ends (they may be awaited later).
    if matches!(base.kind, FormKind::Symbol(_)) {
        return;
    }
    if methods.contains(&"on_success") && !methods.contains(&"on_failure") {
        let fut = c.future_of(base);
        c.report_if_future(
            &fut,
            RULE.diagnostic(form.range, MESSAGE)
                .with_fix(fix(form.range)),
        );
    }
}

pub(crate) fn check_var(var: &VarView, out: &mut Vec<(Option<FutureOf>, Diagnostic)>) {
    let Some(at) = var.facts.on_success else {
        return;
    };
    if var.facts.on_failure || var.facts.awaited() || var.facts.escapes || var.is_param {
        return;
    }
    out.push((
        Some(var.init.clone()),
        RULE.diagnostic(at, MESSAGE).with_fix(fix(at)),
    ));
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, check_fix};

    #[test]
    fn flags_success_only_handlers() {
        check(
            "A013",
            "«((gene/io/read_async \"a\") .on_success (fnx [t] (println t)))»",
        );
        check(
            "A013",
            "(var f (gene/io/read_async \"a\"))\n«(f .on_success (fnx [t] (println t)))»",
        );
        check(
            "A013",
            "(fn go _\n  (var f (async 1))\n  «(f .on_success (fnx [v] v))»\n  nil)\n(go)",
        );
        check(
            "A013",
            "«(((gene/sleep_async 1) .on_progress (fnx [p m] p)) .on_success (fnx [v] v))»",
        );
    }

    #[test]
    fn leaves_handled_futures_alone() {
        check(
            "A013",
            "(var f (gene/io/read_async \"a\"))\n(f .on_success (fnx [t] t))\n(f .on_failure (fnx [e] e))",
        );
        check(
            "A013",
            "(var f (gene/io/read_async \"a\"))\n(f .on_success (fnx [t] t))\n(await f)\n(((gene/sleep_async 1) .on_success (fnx [v] v)) .on_failure (fnx [e] e))",
        );
    }

    #[test]
    fn fix_adds_failure_handler() {
        check_fix(
            "A013",
            "((gene/sleep_async 1) .on_success (fnx [v] v))",
            "(((gene/sleep_async 1) .on_success (fnx [v] v)) .on_failure (fnx [e] (println \"failed:\" e)))",
        );
    }
}
