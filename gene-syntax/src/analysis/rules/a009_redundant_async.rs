use super::declare_rule;
use crate::analysis::walk::Checker;
use crate::diagnostic::{DiagnosticTag, Fix, TextEdit};
use crate::form::Form;

declare_rule! {
    /// ## What it flags
    /// `(async X)` where X is already a future.
    ///
    /// ## Why it matters
    /// An async block whose value is a future adopts it: the result is the same future, with
    /// an extra task in between. It often hides a missing `await` inside the block.
    /// (clippy: async_yields_async.)
    ///
    /// ## How to fix
    /// Use X directly, or await inside the block if that was the intent.
    ///
    /// ## Example
    /// ```gene
    /// (var f (async (gene/sleep_async 10)))   # A009
    /// (var f (gene/sleep_async 10))           # fixed
    /// ```
    pub(crate) static RULE = { code: "A009", name: "redundant-async", severity: Hint, fix: Some("unwrap the `async`") };
}

pub(crate) fn check(c: &mut Checker, form: &Form, children: &[Form]) {
    let [inner] = children else { return };
    let fut = c.future_of(inner);
    let diagnostic = RULE
        .diagnostic(
            form.range,
            "`async` around a future adds nothing: the block gives that same future",
        )
        .with_tag(DiagnosticTag::Unnecessary)
        .with_fix(Fix {
            title: "Unwrap the `async`".into(),
            edits: vec![TextEdit {
                range: form.range,
                new_text: c.source(inner.range).to_string(),
            }],
            safe: true,
        });
    c.report_if_future(&fut, diagnostic);
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, check_fix};

    #[test]
    fn flags_async_around_futures() {
        check("A009", "(var f «(async (gene/sleep_async 10))»)\n(await f)");
        check(
            "A009",
            "(fn ^^async g _ (await (gene/sleep_async 1)))\n(await «(async (g))»)",
        );
        check("A009", "(await «(async (async 1))»)");
        check(
            "A009",
            "(var p (new gene/Future))\n(p .complete 1)\n(await «(async p)»)",
        );
    }

    #[test]
    fn leaves_real_async_blocks_alone() {
        check(
            "A009",
            "(await (async (await (gene/sleep_async 1))))\n(await (async 1))",
        );
        check("A009", "(await (async (println 1) (gene/sleep_async 1)))");
    }

    #[test]
    fn fix_unwraps() {
        check_fix(
            "A009",
            "(await (async (gene/sleep_async 10)))",
            "(await (gene/sleep_async 10))",
        );
    }
}
