use rowan::TextRange;

use super::declare_rule;
use crate::analysis::walk::{Checker, FnKind};
use crate::diagnostic::{Fix, TextEdit};

declare_rule! {
    /// ## What it flags
    /// `await` (or `for await`) whose nearest enclosing `fn`, `fnx` or `->` is not `^^async`.
    /// Top level and `async` bodies may await; a callback block is its own function.
    ///
    /// ## Why it matters
    /// Only a task can be suspended. An `await` in a plain function blocks the caller's whole
    /// task until the future settles, and the function's callers do not know it can wait.
    ///
    /// ## How to fix
    /// Make the function `^^async` (its callers then get a future to await), or move the
    /// `await` out to async code.
    ///
    /// ## Example
    /// ```gene
    /// (fn load [path] (await (gene/io/read_async path)))           # A002
    /// (fn ^^async load [path] (await (gene/io/read_async path)))   # fixed
    /// ```
    pub(crate) static RULE = { code: "A002", name: "await-in-sync-function", severity: Warning, fix: Some("add `^^async` to the function") };
}

pub(crate) fn check(c: &mut Checker, await_range: TextRange) {
    let Some(frame) = c.fns.iter().rev().find(|f| !matches!(f.kind, FnKind::Body)) else {
        return;
    };
    match frame.kind {
        FnKind::Function { is_async: false } => {
            let name = frame.name.as_deref().map_or("this function".to_string(), |n| format!("`{n}`"));
            let mut diagnostic = RULE.diagnostic(
                await_range,
                format!("`await` in {name}, which is not `^^async`: it blocks the caller instead of suspending a task"),
            );
            if let Some((offset, text)) = frame.async_insert {
                diagnostic = diagnostic.with_fix(Fix {
                    title: format!("Make {name} `^^async`"),
                    edits: vec![TextEdit { range: TextRange::empty(offset), new_text: text.to_string() }],
                    safe: false,
                });
            }
            c.report(diagnostic);
        }
        FnKind::Block => c.report(RULE.diagnostic(
            await_range,
            "`await` in a `->` block, which cannot be async: use `(fnx ^^async [args] ...)` for an async callback",
        )),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, check_fix};

    #[test]
    fn flags_await_in_sync_code() {
        check(
            "A002",
            "(fn load [p] «(await (gene/io/read_async p))»)\n(load 1)",
        );
        check("A002", "(var f (fnx [x] «(await x)»))\n(f 1)");
        check(
            "A002",
            "(fn ^^async outer _\n  (var cb (-> «(await (gene/sleep_async 1))»))\n  (cb))\n(await (outer))",
        );
        check(
            "A002",
            "(fn g [xs] (for «await» x in xs (println x)))\n(g [])",
        );
        check(
            "A002",
            "(class C (.fn m _ «(await (gene/sleep_async 1))»))\n(new C)",
        );
    }

    #[test]
    fn allows_await_where_tasks_run() {
        check(
            "A002",
            "(await (gene/sleep_async 1))\n(fn ^^async f _ (await (gene/sleep_async 1)))\n(await (f))",
        );
        check(
            "A002",
            "(fn g _ (async (await (gene/sleep_async 1))))\n(await (g))",
        );
    }

    #[test]
    fn fix_adds_async() {
        check_fix(
            "A002",
            "(fn load [p] (await (gene/io/read_async p)))",
            "(fn ^^async load [p] (await (gene/io/read_async p)))",
        );
        check_fix(
            "A002",
            "(fn load ^^generator [p] (await p))",
            "(fn load ^^async ^^generator [p] (await p))",
        );
    }
}
