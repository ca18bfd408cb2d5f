use super::{VarView, declare_rule};
use crate::analysis::facts::FutureOf;
use crate::diagnostic::{Diagnostic, Fix, TextEdit};

declare_rule! {
    /// ## What it flags
    /// A variable bound to a future that is never read.
    ///
    /// ## Why it matters
    /// The future is never awaited or observed: its result is unused and a failure vanishes.
    /// (rustc warns about unused futures for the same reason.)
    ///
    /// ## How to fix
    /// Await the initializer, or use the variable (await it later, give it `.on_failure`).
    ///
    /// ## Example
    /// ```gene
    /// (var data (gene/io/read_async "in.txt"))           # A007
    /// (var data (await (gene/io/read_async "in.txt")))   # fixed
    /// ```
    pub(crate) static RULE = { code: "A007", name: "unused-future", severity: Warning, fix: Some("wrap the initializer in `(await ...)`") };
}

pub(crate) fn check(var: &VarView, out: &mut Vec<(Option<FutureOf>, Diagnostic)>) {
    if var.is_param || var.facts.read || var.name.starts_with('_') {
        return;
    }
    let Some(init_range) = var.init_range else {
        return;
    };
    let diagnostic = RULE
        .diagnostic(
            var.range,
            format!(
                "`{}` holds a future that is never read: its result and any failure are lost",
                var.name
            ),
        )
        .with_fix(Fix {
            title: "Await the initializer".into(),
            edits: vec![
                TextEdit {
                    range: rowan::TextRange::empty(init_range.start()),
                    new_text: "(await ".into(),
                },
                TextEdit {
                    range: rowan::TextRange::empty(init_range.end()),
                    new_text: ")".into(),
                },
            ],
            safe: false,
        });
    out.push((Some(var.init.clone()), diagnostic));
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, check_fix};

    #[test]
    fn flags_unread_future_variables() {
        check("A007", "(var «data» (gene/io/read_async \"in.txt\"))");
        check(
            "A007",
            "(fn ^^async f _ (await (gene/sleep_async 1)))\n(fn g _ (var «t» (f)) 1)\n(g)",
        );
        check("A007", "(var «job» (async 1))\n(var «job2» (async 2))");
        check(
            "A007",
            "(fn main _ (var «x» (later)) nil)\n(fn ^^async later _ (await (gene/sleep_async 1)))\n(main)",
        );
    }

    #[test]
    fn leaves_read_or_plain_variables_alone() {
        check(
            "A007",
            "(var f (gene/sleep_async 1))\n(await f)\n(var g (gene/sleep_async 1))\n(println (g .state))",
        );
        check("A007", "(var _ignored (gene/sleep_async 1))\n(var n 5)");
    }

    #[test]
    fn fix_awaits_the_initializer() {
        check_fix(
            "A007",
            "(var data (gene/io/read_async \"in\"))",
            "(var data (await (gene/io/read_async \"in\")))",
        );
    }
}
