use rowan::TextRange;

use super::declare_rule;
use crate::analysis::walk::{Checker, LoopFrame, LoopKind};
use crate::form::{Form, FormKind};

declare_rule! {
    /// ## What it flags
    /// An `await` directly in the body of a `for` or `repeat` loop whose iterations do not
    /// depend on each other: the awaited expression reads nothing the loop body assigns, and
    /// the loop has no `break` or `return`.
    ///
    /// ## Why it matters
    /// Each iteration waits for the previous one, so work that could overlap runs one piece at
    /// a time: ten 100 ms requests take a second instead of 100 ms. (ESLint: no-await-in-loop.)
    ///
    /// ## How to fix
    /// Start every operation first, then await them together:
    /// ```gene
    /// (for url in urls (println (await (fetch url))))          # A006
    /// (var fs (urls .map (fnx [url] (fetch url))))
    /// (for r in (await fs...) (println r))                     # concurrent
    /// ```
    pub(crate) static RULE = { code: "A006", name: "await-in-loop", severity: Info, fix: None };
}

/// Records an `await` in the loop that directly encloses it (in the same function).
pub(crate) fn check(c: &mut Checker, await_range: TextRange, operand: Option<&Form>) {
    let depth = c.fn_depth();
    let Some(frame) = c.loops.last_mut() else {
        return;
    };
    if frame.fn_depth != depth {
        return;
    }
    frame.awaits.push(await_range);
    if let Some(operand) = operand {
        collect_symbols(operand, &mut frame.awaited_reads, 0);
    }
}

pub(crate) fn end_of_loop(c: &mut Checker, frame: &LoopFrame) {
    if !matches!(frame.kind, LoopKind::For | LoopKind::Repeat)
        || frame.has_exit
        || frame.awaits.is_empty()
    {
        return;
    }
    if frame
        .awaited_reads
        .iter()
        .any(|name| frame.assigned.contains(name))
    {
        return;
    }
    for &range in &frame.awaits {
        c.report(RULE.diagnostic(
            range,
            "`await` in a loop runs the iterations one after another; start them all first, then await together: `(var fs (xs .map (fnx [x] (work x))))` and `(await fs...)`",
        ));
    }
}

fn collect_symbols(form: &Form, out: &mut Vec<String>, depth: usize) {
    if depth > 64 {
        return;
    }
    match &form.kind {
        FormKind::Symbol(s) => out.push(s.clone()),
        FormKind::Path(segments) => {
            if let Some(first) = segments.first() {
                out.push(first.clone());
            }
        }
        FormKind::Gene(g) => {
            collect_symbols(&g.head, out, depth + 1);
            g.children
                .iter()
                .for_each(|c| collect_symbols(c, out, depth + 1));
            g.props
                .iter()
                .for_each(|p| collect_symbols(&p.value, out, depth + 1));
        }
        FormKind::Array(items) | FormKind::Set(items) => items
            .iter()
            .for_each(|c| collect_symbols(c, out, depth + 1)),
        FormKind::Map(props) => props
            .iter()
            .for_each(|p| collect_symbols(&p.value, out, depth + 1)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::check;

    #[test]
    fn flags_independent_iterations() {
        check(
            "A006",
            "(for u in [1 2] (println «(await (gene/sleep_async u))»))",
        );
        check("A006", "(repeat 3 «(await (gene/sleep_async 10))»)");
        check(
            "A006",
            "(fn ^^async all [xs] (for x in xs (var r «(await (gene/io/read_async x))») (println r)))\n(await (all []))",
        );
        check(
            "A006",
            "(var total 0)\n(for u in [1 2] (total += «(await (gene/sleep_async u))»))",
        );
    }

    #[test]
    fn leaves_dependent_loops_alone() {
        // Each iteration needs the previous result.
        check(
            "A006",
            "(var cur 1)\n(for u in [1 2] (cur = (await (gene/sleep_async cur))))",
        );
        // `while` loops usually wait for a condition that the awaited value decides.
        check(
            "A006",
            "(var done false)\n(while (not done) (done = (await (gene/sleep_async 1))))",
        );
        // An early exit makes the order matter.
        check(
            "A006",
            "(for u in [1 2] (if (await (gene/sleep_async u)) (break)))",
        );
        // Awaits in a nested function belong to that function.
        check(
            "A006",
            "(for u in [1 2] (var f (fnx ^^async _ (await (gene/sleep_async u)))) (f))",
        );
    }
}
