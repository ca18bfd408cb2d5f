use super::declare_rule;
use crate::analysis::walk::{Checker, FnFrame};
use crate::diagnostic::{DiagnosticTag, Fix, TextEdit};
use crate::form::Form;

declare_rule! {
    /// ## What it flags
    /// A `^^async` function or an `async` block that never awaits.
    ///
    /// ## Why it matters
    /// Its callers must await a future for work that never waits, and a thrown error becomes a
    /// failed future instead of an exception at the call. Often an `await` is missing inside.
    ///
    /// ## How to fix
    /// Remove `^^async` (callers then get the value directly), or add the missing `await`.
    ///
    /// ## Example
    /// ```gene
    /// (fn ^^async double [x] (x * 2))   # A004
    /// (fn double [x] (x * 2))           # fixed
    /// ```
    pub(crate) static RULE = { code: "A004", name: "async-without-await", severity: Hint, fix: Some("remove `^^async`") };
}

pub(crate) fn check_function(c: &mut Checker, frame: &FnFrame) {
    if frame.awaits > 0 {
        return;
    }
    let Some(key) = frame.async_key else { return };
    let name = frame
        .name
        .as_deref()
        .map_or("this function".to_string(), |n| format!("`{n}`"));
    // Remove the key and the space after it.
    let text = c.text;
    let mut end = usize::from(key.end());
    while text.as_bytes().get(end) == Some(&b' ') {
        end += 1;
    }
    let removal = rowan::TextRange::new(key.start(), rowan::TextSize::from(end as u32));
    c.report(
        RULE.diagnostic(
            key,
            format!("{name} is `^^async` but never awaits: callers get a future for no reason"),
        )
        .with_tag(DiagnosticTag::Unnecessary)
        .with_fix(Fix {
            title: "Remove `^^async`".into(),
            edits: vec![TextEdit {
                range: removal,
                new_text: String::new(),
            }],
            safe: false,
        }),
    );
}

pub(crate) fn check_block(c: &mut Checker, frame: &FnFrame, form: &Form) {
    if frame.awaits == 0 {
        c.report(RULE.diagnostic(
            form.range,
            "this `async` block never awaits: it runs to the end at once",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, check_fix};

    #[test]
    fn flags_async_code_that_never_awaits() {
        check(
            "A004",
            "(fn «^^async» double [x] (x * 2))\n(await (double 1))",
        );
        check("A004", "(await «(async (println 1))»)");
        check("A004", "(var f (fnx «^^async» [x] x))\n(await (f 1))");
        // An await in a nested callback does not count for the outer function.
        check(
            "A004",
            "(fn «^^async» outer [xs] (xs .each (fnx ^^async [x] (await x))))\n(await (outer []))",
        );
    }

    #[test]
    fn leaves_awaiting_code_alone() {
        check(
            "A004",
            "(fn ^^async f _ (await (gene/sleep_async 1)))\n(await (f))",
        );
        check(
            "A004",
            "(await (async (await (gene/sleep_async 1))))\n(fn ^^async g [xs] (for await x in xs (println x)))\n(await (g []))",
        );
    }

    #[test]
    fn fix_removes_async() {
        check_fix(
            "A004",
            "(fn ^^async double [x] (x * 2))",
            "(fn double [x] (x * 2))",
        );
    }
}
