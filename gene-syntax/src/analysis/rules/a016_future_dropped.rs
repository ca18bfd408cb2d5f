use rowan::TextRange;

use super::declare_rule;
use crate::analysis::facts::FutureOf;
use crate::analysis::infer::if_branches;
use crate::analysis::shape::{self, Shape};
use crate::analysis::walk::Checker;
use crate::form::{Form, FormKind};

declare_rule! {
    /// ## What it flags
    /// Inside a function, a local variable holding a future that is dropped on some path before
    /// it is awaited, returned, stored or passed on: the variable is reassigned first, the
    /// function `return`s first, or an `if` uses it in some branches only and nothing uses it
    /// after. (A variable never read at all is A007's; top-level variables are A007's, A011's
    /// and A013's.)
    ///
    /// ## Why it matters
    /// On that path nobody waits for the work, and its failure is lost.
    ///
    /// ## How to fix
    /// Await (or hand on) the future on every path: before the early `return`, before the
    /// reassignment, in every branch or after the `if`.
    ///
    /// ## Example
    /// ```gene
    /// (fn ^^async save [x quick]
    ///   (var f (gene/io/write_async "a" x))
    ///   (if quick (return 1))     # A016: `f` is dropped on this path
    ///   (await f))
    /// ```
    pub(crate) static RULE = { code: "A016", name: "future-dropped", severity: Warning, fix: None };
}

/// A list of forms evaluated in order, inside a function.
pub(crate) fn check_sequence(c: &mut Checker, forms: &[Form]) {
    if c.fn_depth() == 0 {
        return;
    }
    for (i, form) in forms.iter().enumerate() {
        let Some((name, name_range, init)) = var_with_init(form) else {
            continue;
        };
        let fut = c.future_of(init);
        if matches!(fut, FutureOf::No | FutureOf::Unknown) {
            continue;
        }
        if let Some((range, message)) = dropped(name, name_range, &forms[i + 1..]) {
            c.report_if_future(&fut, RULE.diagnostic(range, message));
        }
    }
}

/// `(var name init)`.
fn var_with_init(form: &Form) -> Option<(&str, TextRange, &Form)> {
    let gene = form.as_gene()?;
    if gene.head.as_symbol() != Some("var") {
        return None;
    }
    let target = gene.children.first()?;
    Some((target.as_symbol()?, target.range, gene.children.get(1)?))
}

/// Where the future in `name` is dropped in the forms that follow its declaration, and why.
fn dropped(name: &str, name_range: TextRange, rest: &[Form]) -> Option<(TextRange, String)> {
    for (k, form) in rest.iter().enumerate() {
        if let Some(gene) = form.as_gene()
            && let Shape::Assign {
                target,
                op: "=",
                value,
            } = shape::classify(gene)
            && target.as_symbol() == Some(name)
            && !value.is_some_and(|v| mentions(v, name, 0))
        {
            return Some((
                form.range,
                format!(
                    "`{name}` is reassigned while it holds a future nobody has awaited: that future's result and any failure are lost"
                ),
            ));
        }
        if mentions(form, name, 0) {
            let gene = form.as_gene()?;
            if gene.head.as_symbol() != Some("if")
                || gene.children.first().is_some_and(|c| mentions(c, name, 0))
            {
                return None;
            }
            let branches = if_branches(&gene.children);
            let has_else = gene.children.iter().any(|c| c.as_symbol() == Some("else"))
                || branches.len() == 2 && gene.children.len() == 3;
            let without: Vec<&[Form]> = branches
                .iter()
                .copied()
                .filter(|b| !b.iter().any(|f| mentions(f, name, 0)))
                .collect();
            if let Some(exit) = without
                .iter()
                .find_map(|b| b.iter().find_map(|f| early_return(f, 0)))
            {
                return Some((exit, early_message(name)));
            }
            let used_after = rest[k + 1..].iter().any(|f| mentions(f, name, 0));
            if (without.is_empty() && has_else) || used_after {
                return None;
            }
            return Some((
                name_range,
                format!(
                    "`{name}` holds a future that only some branches of the `if` use: on the other paths its result and any failure are lost"
                ),
            ));
        }
        if let Some(exit) = early_return(form, 0) {
            return Some((exit, early_message(name)));
        }
    }
    None
}

fn early_message(name: &str) -> String {
    format!(
        "this `return` leaves `{name}`'s future behind: nobody awaits it, and its failure is lost"
    )
}

/// Whether `form` reads `name` (outside quotes; a nested function that captures it counts).
fn mentions(form: &Form, name: &str, depth: usize) -> bool {
    if depth > 64 {
        return true;
    }
    match &form.kind {
        FormKind::Symbol(s) => s == name || s.strip_suffix("...") == Some(name),
        FormKind::Path(segments) => segments.first().is_some_and(|s| s == name),
        FormKind::Gene(g) => {
            mentions(&g.head, name, depth + 1)
                || g.children.iter().any(|c| mentions(c, name, depth + 1))
                || g.props.iter().any(|p| mentions(&p.value, name, depth + 1))
        }
        FormKind::Array(items) | FormKind::Set(items) => {
            items.iter().any(|c| mentions(c, name, depth + 1))
        }
        FormKind::Map(props) => props.iter().any(|p| mentions(&p.value, name, depth + 1)),
        _ => false,
    }
}

/// A `return` in `form` that leaves the current function (not one of a nested function).
fn early_return(form: &Form, depth: usize) -> Option<TextRange> {
    if depth > 64 {
        return None;
    }
    let gene = form.as_gene()?;
    match shape::classify(gene) {
        Shape::Special("fn" | "fnx" | "fnxx" | "class" | "async") | Shape::Block { .. } => None,
        Shape::Special("return") => Some(form.range),
        _ => gene
            .children
            .iter()
            .find_map(|c| early_return(c, depth + 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::check;

    #[test]
    fn flags_futures_dropped_on_some_path() {
        check(
            "A016",
            "(fn ^^async save [x quick]\n  (var f (gene/io/write_async \"a\" x))\n  (if quick «(return 1)»)\n  (await f))",
        );
        check(
            "A016",
            "(fn ^^async two []\n  (var f (gene/sleep_async 1))\n  «(f = (gene/sleep_async 2))»\n  (await f))",
        );
        check(
            "A016",
            "(fn ^^async some [c]\n  (var «f» (gene/sleep_async 1))\n  (if c (await f))\n  nil)",
        );
        // Decided with the file: `start` returns a future.
        check(
            "A016",
            "(fn ^^async m [c]\n  (var f (start))\n  (if c «(return nil)»)\n  (await f))\n(fn start [] (gene/sleep_async 1))",
        );
    }

    #[test]
    fn leaves_futures_used_on_every_path_alone() {
        check(
            "A016",
            "(fn ^^async a [c]\n  (var f (gene/sleep_async 1))\n  (if c (await f) else (f .cancel))\n  nil)\n(fn ^^async b [c]\n  (var f (gene/sleep_async 1))\n  (if c (println 1))\n  (await f))\n(fn ^^async d []\n  (var f (gene/sleep_async 1))\n  (f = (f .on_failure (fnx [e] e)))\n  (await f))",
        );
        // Not a future; the return hands it on; top level is A007's.
        check(
            "A016",
            "(fn e [c]\n  (var x 1)\n  (if c (return 2))\n  x)\n(fn ^^async g [c]\n  (var f (gene/sleep_async 1))\n  (if c (return f))\n  (await f))\n(var t (gene/sleep_async 1))\n(t = 2)",
        );
    }
}
