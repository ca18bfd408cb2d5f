use super::declare_rule;
use crate::analysis::walk::Checker;
use crate::form::Form;

declare_rule! {
    /// ## What it flags
    /// A future that is the value of a `try` body, or is `return`ed from inside a `try`,
    /// without `await`.
    ///
    /// ## Why it matters
    /// The `try` ends as soon as the future is made; the work fails later, outside it, so its
    /// `catch` never sees the failure and its `finally` runs before the work is done.
    /// (typescript-eslint: return-await in try-catch.)
    ///
    /// ## How to fix
    /// Await it inside the `try`.
    ///
    /// ## Example
    /// ```gene
    /// (fn ^^async load []
    ///   (try (gene/io/read_async "a.txt") catch * "fallback"))           # A015
    /// (fn ^^async load2 []
    ///   (try (await (gene/io/read_async "a.txt")) catch * "fallback"))   # fixed
    /// ```
    pub(crate) static RULE = { code: "A015", name: "future-escapes-try", severity: Warning, fix: Some("wrap in `(await ...)`") };
}

/// `value` is the value of a `try` body (the `try`'s value is used) or a `return` inside one.
pub(crate) fn check(c: &mut Checker, value: &Form, returned: bool) {
    let fut = c.future_of(value);
    let what = if returned {
        "a future returned from inside a `try`"
    } else {
        "a future as the value of a `try` body"
    };
    let diagnostic = RULE
        .diagnostic(
            value.range,
            format!("{what} escapes it: its failure is never seen by `catch` or `finally`; await it inside the `try`"),
        )
        .with_fix(super::a001_floating_future::await_fix(value.range));
    c.report_if_future(&fut, diagnostic);
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, check_fix};

    #[test]
    fn flags_futures_that_leave_a_try() {
        check(
            "A015",
            "(fn ^^async h []\n  (var r (try «(gene/io/read_async \"missing.txt\")» catch * \"fallback\"))\n  (await r))",
        );
        check(
            "A015",
            "(fn ^^async load [] (try «(gene/io/read_async \"a\")» catch * nil))",
        );
        check(
            "A015",
            "(fn ^^async fetch [] (await (gene/sleep_async 1)))\n(fn go [x] (try (if x (return «(fetch)»)) 1 catch * 2))",
        );
    }

    #[test]
    fn leaves_awaited_and_discarded_values_alone() {
        check(
            "A015",
            "(fn ^^async h [] (try (await (gene/io/read_async \"a\")) catch * \"x\"))\n(fn g [] (try (println 1) 2 catch * 3))\n(fn k [] (try (var f (gene/sleep_async 1)) (f .on_failure (fnx [e] e)) catch * nil) nil)",
        );
        // A `return` in a function nested in the `try` returns from that function.
        check(
            "A015",
            "(fn ^^async h [] (try (var f (fnx [] (return (gene/sleep_async 1)))) (await (f)) catch * nil))",
        );
    }

    #[test]
    fn fix_awaits_inside_the_try() {
        check_fix(
            "A015",
            "(fn ^^async load [] (try (gene/io/read_async \"a\") catch * nil))",
            "(fn ^^async load [] (try (await (gene/io/read_async \"a\")) catch * nil))",
        );
    }
}
