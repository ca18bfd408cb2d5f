use super::{a001_floating_future, declare_rule};
use crate::analysis::facts::{Condition, FutureOf};
use crate::analysis::walk::{Checker, FnFrame, FnKind};
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
    /// When what the function returns is itself a future (`(fn ^^async g [] (save "a"))`),
    /// the missing `await` is the likelier mistake: A001 reports that future instead.
    ///
    /// ## Example
    /// ```gene
    /// (fn ^^async double [x] (x * 2))   # A004
    /// (fn double [x] (x * 2))           # fixed
    /// ```
    pub(crate) static RULE = { code: "A004", name: "async-without-await", severity: Hint, fix: Some("remove `^^async`") };
}

/// A value of the current function (its last form, a `return`): remembered when it is or may
/// be a future and the function is `^^async`, for [`check_function`].
pub(crate) fn note_value(c: &mut Checker, form: &Form) {
    if c.current_fn().kind != (FnKind::Function { is_async: true }) {
        return;
    }
    let fut = c.future_of(form);
    if matches!(fut, FutureOf::No | FutureOf::Unknown) {
        return;
    }
    let what = a001_floating_future::describe(form);
    if let Some(frame) = c.fns.last_mut() {
        frame.tails.push((form.range, fut, what));
    }
}

/// A `^^async` function that never awaits. When what it returns is a future, the missing
/// `await` is the likelier mistake: that future is reported as floating (A001, whose fix
/// awaits it, which also answers this rule), and this rule speaks only if it turns out not to
/// be one.
pub(crate) fn check_function(c: &mut Checker, frame: &FnFrame) {
    if frame.awaits > 0 {
        return;
    }
    let Some(key) = frame.async_key else { return };
    let name = frame
        .name
        .as_deref()
        .map_or("this function".to_string(), |n| format!("`{n}`"));
    let mut undecided = None;
    for (range, fut, what) in &frame.tails {
        let diagnostic = a001_floating_future::returned_unawaited(*range, what, &name);
        c.report_if_future(fut, diagnostic);
        match fut {
            FutureOf::Yes(_) => return,
            _ => undecided = undecided.or_else(|| c.free_future(fut)),
        }
    }
    // Remove the key and the space after it.
    let text = c.text;
    let mut end = usize::from(key.end());
    while text.as_bytes().get(end) == Some(&b' ') {
        end += 1;
    }
    let removal = rowan::TextRange::new(key.start(), rowan::TextSize::from(end as u32));
    let diagnostic = RULE
        .diagnostic(
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
        });
    match undecided {
        Some(free) => {
            let report = c.made(diagnostic);
            c.pending(Condition::NotFuture(free), key, report);
        }
        None => c.report(diagnostic),
    }
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
        // What it returns turns out not to be a future (decided with the file).
        check(
            "A004",
            "(fn «^^async» f [x] (helper x))\n(fn helper [x] (x * 2))\n(await (f 1))",
        );
    }

    #[test]
    fn a_returned_future_never_awaited_is_a001s() {
        // The missing `await` is the mistake: A001 says so (its fix answers both rules).
        check(
            "A004",
            "(fn ^^async f [] (gene/sleep_async 5))\n(await (f))",
        );
        check(
            "A004",
            "(fn start [x] (gene/io/write_async \"out.txt\" x))\n(fn ^^async g [] (start \"a\"))\n(await (g))",
        );
        check(
            "A001",
            "(fn start [x] (gene/io/write_async \"out.txt\" x))\n(fn ^^async g [] «(start \"a\")»)\n(await (g))",
        );
        check(
            "A001",
            "(fn ^^async f [x] (if x (return «(gene/sleep_async 1)») else 3))\n(await (f true))",
        );
        // A function that awaits may return a future: it is adopted, as before.
        check(
            "A001",
            "(fn ^^async f [] (await (gene/sleep_async 1)) (gene/sleep_async 5))\n(await (f))",
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
