use rowan::TextRange;

use super::declare_rule;
use crate::analysis::facts::{Condition, FutureOf, Report};
use crate::analysis::walk::Checker;
use crate::diagnostic::{Diagnostic, DiagnosticTag, Fix, TextEdit};
use crate::form::Form;

declare_rule! {
    /// ## What it flags
    /// `await` of something known not to be a future: a literal, a collection, arithmetic, a
    /// variable holding one of those, or a call of a function that never returns a future.
    ///
    /// ## Why it matters
    /// Awaiting a plain value is a `TypeError` at run time. It usually means the called
    /// function was meant to be `^^async`, or the `await` is left over from a refactoring.
    ///
    /// ## How to fix
    /// Remove the `await`, or make the function it calls `^^async`.
    ///
    /// ## Example
    /// ```gene
    /// (fn total [xs] (xs .size))
    /// (await (total [1 2]))   # A003
    /// (total [1 2])           # fixed
    /// ```
    pub(crate) static RULE = { code: "A003", name: "await-non-future", severity: Warning, fix: Some("remove the `await`") };
}

pub(crate) fn check(c: &mut Checker, await_form: &Form, operand: &Form) {
    let fut = c.future_of(operand);
    let single = await_form
        .as_gene()
        .is_some_and(|g| g.children.len() == 1 && g.props.is_empty());
    if fut == FutureOf::No {
        // The fix puts the operand's text in place of the `await` form.
        let source = single.then(|| c.source(operand.range));
        c.report(diagnostic(await_form.range, source));
    } else if let Some(free) = c.free_future(&fut) {
        c.pending(
            Condition::NotFuture(free),
            await_form.range,
            Report::AwaitNonFuture {
                operand: operand.range,
                removable: single,
            },
        );
    }
}

/// The diagnostic on the `await` form at `range`; `operand` is the text of its only operand,
/// when the fix can remove the `await`.
pub(crate) fn diagnostic(range: TextRange, operand: Option<&str>) -> Diagnostic {
    let mut diagnostic = RULE
        .diagnostic(
            range,
            "`await` of a value that is not a future: this raises a TypeError at run time",
        )
        .with_tag(DiagnosticTag::Unnecessary);
    if let Some(operand) = operand {
        diagnostic = diagnostic.with_fix(Fix {
            title: "Remove the `await`".to_string(),
            edits: vec![TextEdit {
                range,
                new_text: operand.to_string(),
            }],
            safe: true,
        });
    }
    diagnostic
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, check_fix};

    #[test]
    fn flags_awaits_of_plain_values() {
        check("A003", "«(await 42)»");
        check("A003", "«(await [1 2])»\n«(await (1 + 2))»");
        check("A003", "(fn total [xs] 0)\n«(await (total [1]))»");
        check("A003", "(var n 5)\n«(await n)»");
        check("A003", "«(await (gene/io/read \"f\"))»");
    }

    #[test]
    fn leaves_futures_and_unknowns_alone() {
        check(
            "A003",
            "(await (gene/sleep_async 1))\n(fn ^^async f _ 1)\n(await (f))\n(var x (f))\n(await x)",
        );
        check(
            "A003",
            "(fn g [p] (async (await p)))\n(await (g (gene/sleep_async 1)))",
        );
    }

    #[test]
    fn fix_removes_await() {
        check_fix("A003", "(println (await (1 + 2)))", "(println (1 + 2))");
    }
}
