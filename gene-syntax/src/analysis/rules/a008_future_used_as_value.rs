use rowan::TextRange;

use super::declare_rule;
use crate::analysis::facts::{Condition, Report, ValueUse};
use crate::analysis::walk::{Checker, Pos};
use crate::diagnostic::Diagnostic;
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
    let used = match pos {
        Pos::Condition => ValueUse::Condition,
        Pos::Operand => ValueUse::Operand,
        Pos::Interpolated => ValueUse::Interpolated,
        Pos::Printed => ValueUse::Printed,
        _ => return,
    };
    let fut = c.future_of(form);
    if fut.is_yes() {
        c.report(diagnostic(form.range, used));
    } else if let Some(free) = c.free_future(&fut) {
        c.pending(
            Condition::IsFuture(free),
            form.range,
            Report::FutureUsedAsValue(used),
        );
    }
}

/// The diagnostic on the future at `range`, used as `used` says.
pub(crate) fn diagnostic(range: TextRange, used: ValueUse) -> Diagnostic {
    let message = match used {
        ValueUse::Condition => {
            "a future used as a condition is always true: await it to test its value"
        }
        ValueUse::Operand => "a future used as an operand: await it to compute with its value",
        ValueUse::Interpolated => {
            "interpolating a future shows `<Future pending>`, not its value: await it"
        }
        ValueUse::Printed => "printing a future shows `<Future pending>`, not its value: await it",
    };
    RULE.diagnostic(range, message)
        .with_fix(super::a001_floating_future::await_fix(range))
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
