use super::declare_rule;
use crate::analysis::walk::Checker;
use crate::form::{Form, FormKind};

declare_rule! {
    /// ## What it flags
    /// `($await_all)` inside async code (a `^^async` function or an `async` block).
    ///
    /// ## Why it matters
    /// `$await_all` waits until no other task is pending, and that includes the tasks waiting
    /// for this one: they can never finish first, so the program deadlocks.
    ///
    /// ## How to fix
    /// Await the specific futures this code needs; keep `($await_all)` for the top level.
    ///
    /// ## Example
    /// ```gene
    /// (fn ^^async main _ (start_jobs) ($await_all))   # A012
    /// (start_jobs) ($await_all)                        # fixed: at top level
    /// ```
    pub(crate) static RULE = { code: "A012", name: "await-all-in-async", severity: Warning, fix: None };
}

pub(crate) fn check(c: &mut Checker, form: &Form, callee: &Form) {
    let is_await_all = match &callee.kind {
        FormKind::Symbol(s) => s == "$await_all",
        FormKind::Path(p) => p.len() == 2 && p[0] == "gene" && p[1] == "await_all",
        _ => false,
    };
    if is_await_all && c.current_fn().is_async_code() {
        c.report(RULE.diagnostic(
            form.range,
            "`($await_all)` in async code waits for the tasks that wait for this one: a deadlock",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::check;

    #[test]
    fn flags_await_all_in_async_code() {
        check(
            "A012",
            "(fn ^^async main _ «($await_all)» (await (gene/sleep_async 1)))\n(await (main))",
        );
        check("A012", "(await (async «($await_all)»))");
        check(
            "A012",
            "(var f (fnx ^^async _ «(gene/await_all)»))\n(await (f))",
        );
        check(
            "A012",
            "(fn ^^async a _ (await (gene/sleep_async 1)) «($await_all)»)\n(await (a))",
        );
    }

    #[test]
    fn allows_await_all_at_top_level() {
        check("A012", "(gene/sleep_async 1)\n($await_all)");
        check("A012", "(fn wait _ ($await_all))\n(wait)");
    }
}
