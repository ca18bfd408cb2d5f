use super::declare_rule;
use crate::analysis::shape::{self, Shape};
use crate::analysis::walk::{Checker, LoopKind};
use crate::form::{Form, FormKind};

declare_rule! {
    /// ## What it flags
    /// A `while` or `loop` whose body awaits `gene/sleep_async` and whose condition (or the
    /// `if` that `break`s out of it) only tests variables the loop itself never sets: it waits
    /// for some other code to change them, by waking up again and again.
    ///
    /// ## Why it matters
    /// A busy wait: it reacts late (up to one sleep after the change), and wakes the program
    /// for nothing in between.
    ///
    /// ## How to fix
    /// Let the code that makes the change signal it: set a `gene/Event` and await its
    /// `.wait_async`, or complete a Future and await that.
    ///
    /// ## Example
    /// ```gene
    /// (var ready false)
    /// (fn ^^async wait_ready []
    ///   (while (not ready) (await (gene/sleep_async 10))))   # A017
    /// (var ready_event (new gene/Event))
    /// (fn ^^async wait_ready2 [] (await (ready_event .wait_async)))   # fixed
    /// ```
    pub(crate) static RULE = { code: "A017", name: "sleep-poll-loop", severity: Warning, fix: None };
}

/// A `while` (`head` its condition) or `loop` just walked; `assigned` the names its body sets.
pub(crate) fn check(
    c: &mut Checker,
    form: &Form,
    kind: LoopKind,
    head: Option<&Form>,
    body: &[Form],
    assigned: &[String],
) {
    if !body.iter().any(|f| sleeps(f, 0)) {
        return;
    }
    let tested: Option<&Form> = match kind {
        LoopKind::While => head,
        LoopKind::Loop => body.iter().find_map(break_condition),
        _ => None,
    };
    let Some(tested) = tested else { return };
    let mut names = Vec::new();
    if !plain_test(tested, &mut names, 0) || names.is_empty() {
        return;
    }
    if names.iter().any(|n| assigned.iter().any(|a| a == n)) {
        return;
    }
    let mut shown: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    shown.dedup();
    let head_end = form.as_gene().map_or(form.range, |g| g.head.range);
    c.report(RULE.diagnostic(
        head_end,
        format!(
            "this loop sleeps until {} changes, which it never sets itself: a busy wait; await a `gene/Event` (`.wait_async`) or a Future that the code making the change settles",
            shown.join(", ")
        ),
    ));
}

/// `(await (gene/sleep_async ...))` in `form`, outside nested functions.
fn sleeps(form: &Form, depth: usize) -> bool {
    if depth > 32 {
        return false;
    }
    let Some(gene) = form.as_gene() else {
        return false;
    };
    match shape::classify(gene) {
        Shape::Special("fn" | "fnx" | "fnxx" | "class") | Shape::Block { .. } => false,
        Shape::Special("await") => gene.children.iter().any(is_sleep_call),
        _ => gene.children.iter().any(|c| sleeps(c, depth + 1)),
    }
}

fn is_sleep_call(form: &Form) -> bool {
    let Some(gene) = form.as_gene() else {
        return false;
    };
    match &gene.head.kind {
        FormKind::Path(s) => s.len() == 2 && s[0] == "gene" && s[1] == "sleep_async",
        FormKind::Symbol(s) => s == "$sleep_async" || s == "sleep_async",
        _ => false,
    }
}

/// The condition of an `(if c (break))` directly in a `loop` body.
fn break_condition(form: &Form) -> Option<&Form> {
    let gene = form.as_gene()?;
    if gene.head.as_symbol() != Some("if") {
        return None;
    }
    let mut rest = gene.children.iter();
    let mut cond = rest.next()?;
    if cond.as_symbol() == Some("not") {
        cond = rest.next()?;
    }
    let mut then = rest.next()?;
    if then.as_symbol() == Some("then") {
        then = rest.next()?;
    }
    let is_break = match &then.kind {
        FormKind::Symbol(s) => s == "break",
        FormKind::Gene(g) => g.head.as_symbol() == Some("break"),
        _ => false,
    };
    is_break.then_some(cond)
}

/// A test made only of variables, member reads, literals and operators (no call that could
/// compute something fresh); the variables it reads go to `names`.
fn plain_test(form: &Form, names: &mut Vec<String>, depth: usize) -> bool {
    if depth > 16 {
        return false;
    }
    match &form.kind {
        FormKind::Symbol(s) => {
            if !matches!(s.as_str(), "not" | "true" | "false" | "nil") {
                names.push(s.clone());
            }
            true
        }
        FormKind::Path(segments) => {
            if segments.iter().any(|s| s.starts_with('.')) {
                return false;
            }
            if let Some(first) = segments.first().filter(|f| !f.is_empty()) {
                names.push(first.clone());
            }
            true
        }
        FormKind::Gene(gene) => match shape::classify(gene) {
            Shape::Infix { operands, .. } => {
                operands.iter().all(|o| plain_test(o, names, depth + 1))
            }
            Shape::Prefix { operands, .. } => {
                operands.iter().all(|o| plain_test(o, names, depth + 1))
            }
            Shape::Special("not") | Shape::Call { .. } if gene.head.as_symbol() == Some("not") => {
                gene.children
                    .iter()
                    .all(|o| plain_test(o, names, depth + 1))
            }
            Shape::Logic { left, right } => {
                plain_test(left, names, depth + 1)
                    && right.is_none_or(|r| plain_test(r, names, depth + 1))
            }
            _ => false,
        },
        FormKind::Nil
        | FormKind::Bool(_)
        | FormKind::Int(_)
        | FormKind::Float(_)
        | FormKind::Str(_) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::check;

    #[test]
    fn flags_loops_that_sleep_until_someone_else_changes_a_variable() {
        check(
            "A017",
            "(var ready false)\n(fn ^^async wait_ready []\n  («while» (not ready) (await (gene/sleep_async 10))))",
        );
        check(
            "A017",
            "(var state {^done false})\n(fn ^^async w []\n  («loop»\n    (if state/done (break))\n    (await (gene/sleep_async 5))))",
        );
        check(
            "A017",
            "(var n 0)\n(fn ^^async w [] («while» (n < 3) (println n) (await (gene/sleep_async 5))))",
        );
    }

    #[test]
    fn leaves_loops_that_make_progress_alone() {
        // The loop sets what it tests; a call in the condition; no sleep; a sleep in a callback.
        check(
            "A017",
            "(fn ^^async a [] (var i 0) (while (i < 3) (i += 1) (await (gene/sleep_async 5))))\n(fn ready? [] true)\n(fn ^^async b [] (while (not (ready?)) (await (gene/sleep_async 5))))\n(var flag false)\n(fn ^^async c [] (while (not flag) (println 1) (flag = true)))\n(fn ^^async d [] (while (not flag) (var f (fnx ^^async [] (await (gene/sleep_async 1)))) (flag = true)))",
        );
        check(
            "A017",
            "(var flag false)\n(fn ^^async e [] (loop (await (gene/sleep_async 5)) (println flag)))",
        );
    }
}
