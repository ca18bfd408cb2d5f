use rowan::TextRange;

use super::declare_rule;
use crate::analysis::facts::{Condition, FreeFuture, FutureOf, Report};
use crate::analysis::shape::{self, Shape};
use crate::analysis::walk::Checker;
use crate::diagnostic::{Diagnostic, Fix, TextEdit};
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
    let free = c.free_future(&fut);
    if free.is_none() && !fut.is_yes() {
        return;
    }
    if let Some(free) = free
        && described(form) == described_free(free, &fut)
    {
        // Described by the name the file-level pass decides on: a few words until then.
        c.pending(
            Condition::IsFuture(free),
            form.range,
            Report::FloatingFuture,
        );
        return;
    }
    c.report_if_future(&fut, diagnostic(form.range, &describe(form)));
}

/// The diagnostic on `range`, the form that gives the future `what` describes.
pub(crate) fn diagnostic(range: TextRange, what: &str) -> Diagnostic {
    RULE.diagnostic(
        range,
        format!("{what} is never awaited: its result and any failure are lost"),
    )
    .with_fix(await_fix(range))
}

/// The diagnostic on `range`, a future that `^^async` function `owner` returns although it
/// never awaits (A004 gives way to this one).
pub(crate) fn returned_unawaited(range: TextRange, what: &str, owner: &str) -> Diagnostic {
    RULE.diagnostic(
        range,
        format!(
            "{what} is never awaited: {owner} is `^^async` but returns it without awaiting \
             anything; await it here, or remove `^^async`"
        ),
    )
    .with_fix(await_fix(range))
}

/// How a form that gives a future is described in messages.
#[derive(Debug, PartialEq, Eq)]
enum Described<'a> {
    AsyncBlock,
    /// A call `(f ...)`, or a method call `(f .m ...)` named by its method.
    Call {
        head: &'a str,
        method: Option<&'a str>,
    },
    PathCall(&'a [String]),
    Other,
}

impl std::fmt::Display for Described<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Described::AsyncBlock => f.write_str("this `async` block's future"),
            Described::Call {
                head,
                method: Some(m),
            } => write!(f, "the future returned by `{head} {m}`"),
            Described::Call { head, method: None } => {
                write!(f, "the future returned by `{head}`")
            }
            Described::PathCall(p) => write!(f, "the future returned by `{}`", p.join("/")),
            Described::Other => f.write_str("this future"),
        }
    }
}

fn described(form: &Form) -> Described<'_> {
    let gene = form.as_gene();
    // A method call `(db .exec_async ...)` names the method, not the receiver.
    let method = gene
        .and_then(|g| g.children.first())
        .and_then(Form::as_symbol)
        .filter(|m| m.len() > 1 && m.starts_with('.'));
    match gene.map(|g| &g.head.kind) {
        Some(crate::form::FormKind::Symbol(s)) if s == "async" => Described::AsyncBlock,
        Some(crate::form::FormKind::Symbol(head)) => Described::Call { head, method },
        Some(crate::form::FormKind::Path(p)) => Described::PathCall(p),
        _ => Described::Other,
    }
}

/// How a call of a name or a read of it is described, as the file-level pass does for a
/// pending [`Report::FloatingFuture`] (`fut` is the future `free` stands for).
fn described_free<'a>(free: FreeFuture, fut: &'a FutureOf) -> Described<'a> {
    match (free, fut) {
        (FreeFuture::CallOf(_), FutureOf::CallOf(name)) => Described::Call {
            head: name,
            method: None,
        },
        _ => Described::Other,
    }
}

/// The message's description of a pending [`Report::FloatingFuture`]: a call of `name`
/// (`is_call`) or a read of it.
pub(crate) fn describe_free(is_call: bool, name: &str) -> String {
    if is_call {
        Described::Call {
            head: name,
            method: None,
        }
        .to_string()
    } else {
        Described::Other.to_string()
    }
}

/// "the future of `(f ...)`", for messages.
pub(crate) fn describe(form: &Form) -> String {
    described(form).to_string()
}

/// Wraps the form at `range` in `(await ...)`.
pub(crate) fn await_fix(range: TextRange) -> Fix {
    Fix {
        title: "Wrap in `(await ...)`".to_string(),
        edits: vec![
            TextEdit {
                range: TextRange::empty(range.start()),
                new_text: "(await ".to_string(),
            },
            TextEdit {
                range: TextRange::empty(range.end()),
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
