use super::declare_rule;
use crate::analysis::walk::{Checker, Pos};
use crate::form::Form;

declare_rule! {
    /// ## What it flags
    /// A future used where its value was meant: as a condition, an operand of arithmetic or a
    /// comparison, a piece of an interpolated string, or an argument of `println`/`print`.
    ///
    /// ## Why it matters
    /// A future is always truthy, `(f + 1)` is a TypeError, and printing it shows
    /// `<Future pending>` instead of the result. The `await` is missing.
    /// (typescript-eslint: no-misused-promises.)
    ///
    /// ## How to fix
    /// Await the future where its value is needed.
    ///
    /// ## Example
    /// ```gene
    /// (if (gene/io/exists_async "f") (println "yes"))           # A008
    /// (if (await (gene/io/exists_async "f")) (println "yes"))   # fixed
    /// ```
    pub(crate) static RULE = { code: "A008", name: "future-used-as-value", severity: Warning, fix: Some("wrap in `(await ...)`") };
}

pub(crate) fn check(c: &mut Checker, form: &Form, pos: Pos) {
    let fut = c.future_of(form);
    let message = match pos {
        Pos::Condition => "a future used as a condition is always true: await it to test its value",
        Pos::Operand => "a future used as an operand: await it to compute with its value",
        Pos::Interpolated => {
            "interpolating a future shows `<Future pending>`, not its value: await it"
        }
        Pos::Printed => "printing a future shows `<Future pending>`, not its value: await it",
        _ => return,
    };
    let diagnostic = RULE
        .diagnostic(form.range, message)
        .with_fix(super::a001_floating_future::await_fix(form));
    c.report_if_future(&fut, diagnostic);
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, check_fix};

    #[test]
    fn flags_futures_used_as_values() {
        check("A008", "(if «(gene/io/read_async \"f\")» (println 1))");
        check("A008", "(println «(gene/sleep_async 1)»)");
        check(
            "A008",
            "(fn ^^async n _ (await (gene/sleep_async 1)) 1)\n(println («(n)» + 1))",
        );
        check("A008", "(var t (async 1))\n(println #\"got #{«t»}\")");
        check("A008", "(var f (gene/sleep_async 1))\n(while «f» (break))");
    }

    #[test]
    fn leaves_awaited_values_alone() {
        check(
            "A008",
            "(println (await (gene/sleep_async 1)))\n(var t (async 1))\n(println (t .state))",
        );
        check(
            "A008",
            "(var f (gene/sleep_async 1))\n(f = 5)\n(println (f + 1))",
        );
    }

    #[test]
    fn fix_awaits() {
        check_fix(
            "A008",
            "(println (gene/sleep_async 1))",
            "(println (await (gene/sleep_async 1)))",
        );
    }
}
