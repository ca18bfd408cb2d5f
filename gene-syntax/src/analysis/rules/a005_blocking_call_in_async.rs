use rowan::TextRange;

use super::declare_rule;
use crate::analysis::facts::{Condition, Report};
use crate::analysis::walk::Checker;
use crate::builtins;
use crate::diagnostic::{Diagnostic, Fix, TextEdit};
use crate::form::{Form, FormKind};

declare_rule! {
    /// ## What it flags
    /// A call of a builtin that blocks the whole program (`gene/sleep`, `gene/io/read`,
    /// `gene/io/write` ...) inside async code: a `^^async` function or an `async` block.
    ///
    /// ## Why it matters
    /// Gene runs every task on one thread. A blocking call stops all of them, timers and
    /// callbacks included, for as long as it takes: the concurrency you wrote is gone. (ruff's
    /// ASYNC rules catch the same in Python.)
    ///
    /// ## How to fix
    /// Use the async variant and await it.
    ///
    /// ## Example
    /// ```gene
    /// (fn ^^async poll _ (gene/sleep 100))                   # A005
    /// (fn ^^async poll _ (await (gene/sleep_async 100)))     # fixed
    /// ```
    pub(crate) static RULE = { code: "A005", name: "blocking-call-in-async", severity: Warning, fix: Some("use the async variant with `await`") };
}

pub(crate) fn check(c: &mut Checker, form: &Form, callee: &Form) {
    if !c.current_fn().is_async_code() {
        return;
    }
    match &callee.kind {
        FormKind::Path(segments) => {
            let path = segments.join("/");
            if builtins::lookup(&path).is_some_and(|b| b.flags.blocking) {
                c.report(diagnostic(form.range, callee.range, &path));
            }
        }
        FormKind::Symbol(name) => {
            if matches!(c.resolve(name), crate::analysis::walk::Resolved::Free) {
                let name = c.name_id(name);
                c.pending(
                    Condition::BlockingCall(name),
                    callee.range,
                    Report::BlockingCall { form: form.range },
                );
            }
        }
        _ => {}
    }
}

/// The diagnostic on the callee at `callee`, written `written`, of the call at `form`.
pub(crate) fn diagnostic(form: TextRange, callee: TextRange, written: &str) -> Diagnostic {
    let async_name = format!("{written}_async");
    let full = if written.contains('/') {
        async_name.clone()
    } else {
        format!("gene/{async_name}")
    };
    let has_variant = builtins::lookup(&full).is_some_and(|b| b.flags.returns_future);
    let message = if has_variant {
        format!(
            "`{written}` blocks the whole program, every task included; use `(await ({async_name} ...))`"
        )
    } else {
        format!("`{written}` blocks the whole program, every task included")
    };
    let mut diagnostic = RULE.diagnostic(callee, message);
    if has_variant {
        diagnostic = diagnostic.with_fix(Fix {
            title: format!("Use `(await ({async_name} ...))`"),
            edits: vec![
                TextEdit {
                    range: TextRange::empty(form.start()),
                    new_text: "(await ".into(),
                },
                TextEdit {
                    range: callee,
                    new_text: async_name,
                },
                TextEdit {
                    range: TextRange::empty(form.end()),
                    new_text: ")".into(),
                },
            ],
            safe: false,
        });
    }
    diagnostic
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, check_fix};

    #[test]
    fn flags_blocking_calls_in_async_code() {
        check(
            "A005",
            "(fn ^^async poll _ («gene/sleep» 100) (await (gene/sleep_async 1)))\n(await (poll))",
        );
        check("A005", "(await (async («gene/io/read» \"a.txt\")))");
        check(
            "A005",
            "(fn ^^async save [t] («gene/io/write» \"o\" t) (await (gene/sleep_async 1)))\n(await (save 1))",
        );
        check(
            "A005",
            "(fn ^^async nap _ («sleep» 5) (await (gene/sleep_async 1)))\n(await (nap))",
        );
    }

    #[test]
    fn flags_the_blocking_process_and_file_functions() {
        check(
            "A005",
            "(fn ^^async build _ («gene/process/run» \"make\") (await (gene/sleep_async 1)))\n(await (build))",
        );
        check("A005", "(await (async («gene/fs/list» \".\")))");
    }

    #[test]
    fn leaves_sync_code_and_shadowing_alone() {
        check("A005", "(gene/sleep 1)\n(fn slow _ (gene/sleep 1))\n(slow)");
        check(
            "A005",
            "(fn sleep [ms] ms)\n(fn ^^async nap _ (sleep 5) (await (gene/sleep_async 1)))\n(await (nap))",
        );
    }

    #[test]
    fn fix_uses_async_variant() {
        check_fix(
            "A005",
            "(await (async (gene/sleep 10)))",
            "(await (async (await (gene/sleep_async 10))))",
        );
        check_fix(
            "A005",
            "(await (async (gene/fs/mkdir \"out\")))",
            "(await (async (await (gene/fs/mkdir_async \"out\"))))",
        );
    }
}
