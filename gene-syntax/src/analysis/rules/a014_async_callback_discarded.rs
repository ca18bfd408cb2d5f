use super::declare_rule;
use crate::analysis::facts::Condition;
use crate::analysis::symbols;
use crate::analysis::walk::{Checker, Resolved};
use crate::builtins::{self, BuiltinKind};
use crate::diagnostic::{Diagnostic, Fix, TextEdit};
use crate::form::{Form, FormKind};

declare_rule! {
    /// ## What it flags
    /// A function that returns a future (a `^^async` function, or one whose value is a future)
    /// given to a builtin that calls it and throws its result away: `.each`,
    /// `.each_with_index`, Map and Range `.each`, and any catalogue method marked so. (The
    /// `.on_success`, `.on_failure` and `.on_progress` callbacks are A010's.)
    ///
    /// ## Why it matters
    /// Every call starts work that nobody awaits: `.each` returns before it is done, and a
    /// failure in any of them is lost. (typescript-eslint: no-misused-promises.)
    ///
    /// ## How to fix
    /// For an array, map to the futures and await them together: `(await (xs .map f)...)`; or
    /// loop with `for` and `await` each call.
    ///
    /// ## Example
    /// ```gene
    /// (fn ^^async save [x] (await (gene/io/write_async x x)))
    /// (fn ^^async main []
    ///   (["a" "b"] .each save)                  # A014
    ///   (await (["a" "b"] .map save)...))       # fixed
    /// ```
    pub(crate) static RULE = { code: "A014", name: "async-callback-discarded", severity: Warning, fix: Some("await every call: `(await (xs .map f)...)`") };
}

/// Whether a method of this name throws its callback's result away (per the catalogue; the
/// names are gathered once).
fn ignores_callback_result(method: &str) -> bool {
    static NAMES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    NAMES
        .get_or_init(|| {
            builtins::all()
                .filter(|b| b.kind == BuiltinKind::Method && b.flags.ignores_callback_result)
                .map(|b| b.name)
                .collect()
        })
        .contains(&method)
}

pub(crate) fn check(c: &mut Checker, form: &Form, receiver: &Form, method: &str, args: &[Form]) {
    if !ignores_callback_result(method) {
        return;
    }
    // An instance of a class of the program may define its own `.each`.
    if let Some(name) = receiver.as_symbol() {
        match c.resolve(name) {
            Resolved::Builtin if name == "self" => return,
            Resolved::Local(i) if c.locals[i].class.is_some() => return,
            _ => {}
        }
    }
    let Some(cb) = args.first() else { return };
    match &cb.kind {
        FormKind::Gene(g) => {
            if let Some(head @ ("fnx" | "fnxx" | "fn")) = g.head.as_symbol()
                && let Some((shape, _)) = symbols::fn_shape(g, head)
                && shape.returns_future()
            {
                let d = diagnostic(c, form, cb, method);
                c.report(d);
            }
        }
        FormKind::Symbol(name) => match c.resolve(name) {
            Resolved::Local(i) => {
                if c.locals[i]
                    .callable
                    .as_ref()
                    .is_some_and(|s| s.returns_future())
                {
                    let d = diagnostic(c, form, cb, method);
                    c.report(d);
                }
            }
            Resolved::Free => {
                let d = diagnostic(c, form, cb, method);
                let report = c.made(d);
                let id = c.name_id(name);
                c.pending(Condition::AsyncCallback(id), cb.range, report);
            }
            Resolved::Builtin => {}
        },
        _ => {}
    }
}

fn diagnostic(c: &Checker, form: &Form, cb: &Form, method: &str) -> Diagnostic {
    let d = RULE.diagnostic(
        cb.range,
        format!("`.{method}` throws away what its callback returns: the future of every call is never awaited, and any failure is lost"),
    );
    // `(xs .each f)` -> `(await (xs .map f)...)`, in async code, for an array.
    if method != "each" || !c.current_fn().is_async_code() {
        return d;
    }
    let source = c.source(form.range);
    let Some(at) = source.find(".each") else {
        return d;
    };
    let mapped = format!(
        "(await {}.map{}...)",
        &source[..at],
        &source[at + ".each".len()..]
    );
    d.with_fix(Fix {
        title: "Await every call: `(await (xs .map f)...)`".to_string(),
        edits: vec![TextEdit {
            range: form.range,
            new_text: mapped,
        }],
        safe: false,
    })
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, check_fix};

    #[test]
    fn flags_async_callbacks_whose_futures_are_dropped() {
        check(
            "A014",
            "(fn ^^async save [x] (await (gene/sleep_async 1)))\n(fn ^^async h []\n  ([\"a\" \"b\"] .each «(fnx ^^async [x] (await (save x)))»)\n  1)",
        );
        check(
            "A014",
            "(fn ^^async main [] ([1 2] .each_with_index «save») nil)\n(fn ^^async save [x i] (await (gene/sleep_async x)))",
        );
        // A sync function that returns a future, and Map `.each`.
        check(
            "A014",
            "(fn start [k v] (gene/io/write_async k v))\n(var m {^a \"1\"})\n(m .each «start»)",
        );
        check(
            "A014",
            "(fn go [] (var f (fnx ^^async [x] (await (gene/sleep_async x)))) ([1] .each «f») nil)",
        );
    }

    #[test]
    fn leaves_sync_callbacks_and_other_methods_alone() {
        check(
            "A014",
            "(fn show [x] (println x))\n([1 2] .each show)\n([1 2] .each (fnx [x] (println x)))\n([1 2] .each (x -> (println x)))",
        );
        // `.map` keeps the futures; a class of the program may have its own `.each`.
        check(
            "A014",
            "(fn ^^async save [x] (await (gene/sleep_async x)))\n(fn ^^async main [] (await ([1 2] .map save)...))\n(class Q (.fn each [f] (f 1)) (.fn run [] (self .each save)))\n(fn k [] (var q (new Q)) (q .each save) nil)",
        );
    }

    #[test]
    fn fix_maps_and_awaits_every_call() {
        check_fix(
            "A014",
            "(fn ^^async save [x] (await (gene/sleep_async x)))\n(fn ^^async main [] ([1 2] .each save) nil)\n",
            "(fn ^^async save [x] (await (gene/sleep_async x)))\n(fn ^^async main [] (await ([1 2] .map save)...) nil)\n",
        );
    }
}
