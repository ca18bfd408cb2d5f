use super::{VarView, declare_rule};
use crate::analysis::facts::{FutureOf, UseFacts};
use crate::analysis::walk::Checker;
use crate::diagnostic::Diagnostic;
use crate::form::{Form, FormKind};

declare_rule! {
    /// ## What it flags
    /// `await` of a `(new gene/Future)` that nothing can settle: no `.complete`, `.fail`,
    /// `.cancel` or `complete_future` on it, and it is never passed to a function, stored or
    /// captured by a closure that could. Reported at the `await`, with the creation as related
    /// information.
    ///
    /// ## Why it matters
    /// The await can never finish. At run time it ends in a `DeadlockError` (or hangs while
    /// other work keeps the program alive).
    ///
    /// ## How to fix
    /// Complete the future where the result becomes known, or hand it to the code that will.
    ///
    /// ## Example
    /// ```gene
    /// (var done (new gene/Future))
    /// (await done)                                   # A011
    /// (gene/sleep_async 10) ... (done .complete 1)   # something must settle it
    /// ```
    pub(crate) static RULE = { code: "A011", name: "never-settled-future", severity: Warning, fix: None };
}

const MESSAGE: &str =
    "nothing can settle this future, so this `await` never finishes (a DeadlockError at run time)";

/// `(await (new gene/Future))` directly.
pub(crate) fn check_await(c: &mut Checker, await_form: &Form, operand: &Form) {
    if is_bare_new_future(operand) {
        c.report(
            RULE.diagnostic(await_form.range, MESSAGE)
                .with_related(operand.range, "created here"),
        );
    }
}

fn is_bare_new_future(form: &Form) -> bool {
    let Some(gene) = form.as_gene() else {
        return false;
    };
    gene.head.as_symbol() == Some("new")
        && gene.children.len() == 1
        && matches!(&gene.children[0].kind, FormKind::Path(s) if s.len() == 2 && s[0] == "gene" && s[1] == "Future")
}

/// `(complete_future f v)` settles f.
pub(crate) fn settled_by_call(c: &mut Checker, callee: &Form, args: &[Form]) {
    let is_complete = matches!(&callee.kind, FormKind::Symbol(s) if s == "complete_future")
        || matches!(&callee.kind, FormKind::Path(p) if p.last().is_some_and(|s| s == "complete_future"));
    if is_complete
        && let Some(Form {
            kind: FormKind::Symbol(name),
            range,
        }) = args.first()
    {
        c.use_name(
            name,
            *range,
            UseFacts {
                settled: true,
                read: true,
                ..Default::default()
            },
        );
    }
}

/// A `(var f (new gene/Future))` at the end of its life.
pub(crate) fn check_var(var: &VarView, out: &mut Vec<(Option<FutureOf>, Diagnostic)>) {
    if !var.new_future || var.facts.settled || var.facts.escapes || var.dynamic {
        return;
    }
    for &at in &var.facts.awaited_at {
        let mut diagnostic = RULE.diagnostic(at, MESSAGE);
        if let Some(init) = var.init_range {
            diagnostic = diagnostic.with_related(init, format!("`{}` is created here", var.name));
        }
        out.push((None, diagnostic));
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::check;

    #[test]
    fn flags_awaits_that_cannot_finish() {
        check("A011", "«(await (new gene/Future))»");
        check("A011", "(var done (new gene/Future))\n«(await done)»");
        check(
            "A011",
            "(fn ^^async w _ (var p (new gene/Future)) «(await p)»)\n(await (w))",
        );
        check(
            "A011",
            "(var p (new gene/Future))\n(println (p .state))\n«(await p)»",
        );
    }

    #[test]
    fn leaves_settleable_futures_alone() {
        check(
            "A011",
            "(var p (new gene/Future))\n(p .complete 1)\n(await p)\n(var q (new gene/Future))\n(complete_future q 2)\n(await q)",
        );
        check(
            "A011",
            "(fn settle [f] (f .complete 1))\n(var p (new gene/Future))\n(settle p)\n(await p)",
        );
        check(
            "A011",
            "(var p (new gene/Future))\n(var cb (fnx _ (p .complete 1)))\n(await p)",
        );
    }
}
