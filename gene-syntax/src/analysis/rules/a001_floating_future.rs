use super::declare_rule;
use crate::analysis::shape::{self, Shape};
use crate::analysis::walk::Checker;
use crate::diagnostic::{Fix, TextEdit};
use crate::form::Form;

declare_rule! {
    /// ## What it flags
    /// A future whose value is thrown away: an `async` block, a call of a `^^async` function, a
    /// `*_async` builtin, `gene/timeout` or `gene/race` used as a statement. The last form of a
    /// function, block or `async` body is its value and is not thrown away; at top level every
    /// form counts.
    ///
    /// ## Why it matters
    /// Nobody waits for the work to finish, and if it fails the error is lost: the program goes
    /// on as if it had succeeded. (CPython only tells you "coroutine was never awaited" at run
    /// time; typescript-eslint calls this no-floating-promises.)
    ///
    /// ## How to fix
    /// Await it, keep it in a variable and await it later, or observe its failure with
    /// `.on_failure`.
    ///
    /// ## Example
    /// ```gene
    /// (fn ^^async save [data] (await (gene/io/write_async "out.txt" data)))
    /// (save "x")            # A001: the write may fail unnoticed
    /// (await (save "x"))    # fixed
    /// ```
    pub(crate) static RULE = { code: "A001", name: "floating-future", severity: Warning, fix: Some("wrap in `(await ...)`") };
}

pub(crate) fn check(c: &mut Checker, form: &Form) {
    // `(f .on_success cb)` and `(f .on_failure cb)` observe the future: A013 judges those.
    if let Some(gene) = form.as_gene()
        && let Shape::Method {
            method: "on_success" | "on_failure" | "on_progress",
            ..
        } = shape::classify(gene)
    {
        return;
    }
    let fut = c.future_of(form);
    let what = describe(form);
    let diagnostic = RULE
        .diagnostic(
            form.range,
            format!("{what} is never awaited: its result and any failure are lost"),
        )
        .with_fix(await_fix(form));
    c.report_if_future(&fut, diagnostic);
}

/// "the future of `(f ...)`", for messages.
pub(crate) fn describe(form: &Form) -> String {
    let gene = form.as_gene();
    // A method call `(db .exec_async ...)` names the method, not the receiver.
    let method = gene
        .and_then(|g| g.children.first())
        .and_then(Form::as_symbol)
        .filter(|m| m.len() > 1 && m.starts_with('.'));
    match gene.map(|g| &g.head.kind) {
        Some(crate::form::FormKind::Symbol(s)) if s == "async" => {
            "this `async` block's future".to_string()
        }
        Some(crate::form::FormKind::Symbol(s)) => match method {
            Some(m) => format!("the future returned by `{s} {m}`"),
            None => format!("the future returned by `{s}`"),
        },
        Some(crate::form::FormKind::Path(p)) => format!("the future returned by `{}`", p.join("/")),
        _ => "this future".to_string(),
    }
}

/// Wraps a form in `(await ...)`.
pub(crate) fn await_fix(form: &Form) -> Fix {
    Fix {
        title: "Wrap in `(await ...)`".to_string(),
        edits: vec![
            TextEdit {
                range: rowan::TextRange::empty(form.range.start()),
                new_text: "(await ".to_string(),
            },
            TextEdit {
                range: rowan::TextRange::empty(form.range.end()),
                new_text: ")".to_string(),
            },
        ],
        safe: false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, check_fix};

    #[test]
    fn names_the_call_in_its_message() {
        let describe_first = |text: &str| {
            let parse = crate::parse_text(text);
            let forms = parse.forms();
            forms.first().map(super::describe).unwrap_or_default()
        };
        assert_eq!(
            describe_first("(db .exec_async \"DELETE FROM t\")"),
            "the future returned by `db .exec_async`"
        );
        assert_eq!(describe_first("(save 1)"), "the future returned by `save`");
        assert_eq!(describe_first("(async 1)"), "this `async` block's future");
    }

    #[test]
    fn flags_discarded_futures() {
        check(
            "A001",
            "(fn ^^async save [x] (await (gene/sleep_async 1)) x)\n«(save 1)»\n(println \"done\")",
        );
        check("A001", "«(gene/sleep_async 10)»\n(var x 1)\n(println x)");
        check("A001", "(fn run []\n  «(async (println 1))»\n  2)\n(run)");
        check("A001", "«(gene/timeout 100 (gene/sleep_async 10))»");
        check(
            "A001",
            "(fn ^^async f _ (await (gene/sleep_async 1)))\n(fn g _\n  «(f)»\n  nil)\n(g)",
        );
        // Defined after use, in another form: decided with the whole file.
        check(
            "A001",
            "(fn main _ «(later)» 1)\n(fn ^^async later _ (await (gene/sleep_async 1)))\n(main)",
        );
    }

    #[test]
    fn leaves_used_futures_alone() {
        check(
            "A001",
            "(fn ^^async f _ (await (gene/sleep_async 1)) 1)\n(await (f))\n(var x (f))\n(await x)",
        );
        // The last form of a function is its value.
        check("A001", "(fn g _ (gene/sleep_async 5))\n(await (g))");
        // A local shadows the async function of the same name.
        check(
            "A001",
            "(fn ^^async f _ (await (gene/sleep_async 1)))\n(fn g _ (var f (fnx _ 1)) (f) 2)\n(g)",
        );
        check(
            "A001",
            "(var fut (gene/sleep_async 1))\n(fut .on_failure (fnx [e] (println e)))\n(await fut)",
        );
    }

    #[test]
    fn fix_wraps_in_await() {
        check_fix(
            "A001",
            "(gene/sleep_async 10)\n",
            "(await (gene/sleep_async 10))\n",
        );
    }
}
