use rowan::TextRange;

use super::declare_rule;
use crate::analysis::walk::Checker;

declare_rule! {
    /// ## What it flags
    /// `return`, `break` or `continue` that would leave a `finally` block: a `return` anywhere
    /// in a `finally` (but inside a function defined there), a `break` or `continue` of a loop
    /// that encloses the `try` (a loop inside the `finally` may break and continue itself).
    ///
    /// ## Why it matters
    /// A `finally` block runs while something else is on its way: the `try`'s value, a
    /// `return`, or an exception. Jumping out of it would silently drop that, so the program
    /// does not compile (`gene run` refuses to start it), and code run by `eval` raises a
    /// SyntaxError there.
    ///
    /// ## How to fix
    /// Move the `return`, `break` or `continue` after the `try`, deciding with a variable set
    /// in the `finally` block.
    ///
    /// ## Example
    /// ```gene
    /// (fn f _ (try (work) finally (return 0)))        # G002
    /// (fn f _ (var r (try (work) finally (cleanup))) r)  # fixed
    /// ```
    pub(crate) static RULE = { code: "G002", name: "jump-out-of-finally", severity: Error, fix: None };
}

/// The code of the diagnostic, shared with the compiler, which refuses the same code.
pub const JUMP_OUT_OF_FINALLY: &str = "G002";

/// The message for a `jump` (`return`, `break` or `continue`) leaving a `finally` block: the
/// compiler's and the rule's.
pub fn jump_out_of_finally_message(jump: &str) -> String {
    format!(
        "`{jump}` cannot leave a `finally` block: it would drop the value, return or exception \
         the `finally` runs for"
    )
}

pub(crate) fn check(c: &mut Checker, jump: &str, range: TextRange) {
    let depth = c.fn_depth();
    // The finally blocks entered in the current function, by the loops open then.
    let mut entered = c
        .finally_blocks
        .iter()
        .filter(|(fn_depth, _)| *fn_depth == depth)
        .map(|(_, loops)| *loops);
    let leaves = if jump == "return" {
        entered.next().is_some()
    } else {
        // The loop the jump belongs to must be this function's (else the jump is no loop's).
        let own_loop = c.loops.last().is_some_and(|l| l.fn_depth == depth);
        own_loop && entered.any(|loops_open| loops_open >= c.loops.len())
    };
    if leaves {
        c.report(RULE.diagnostic(range, jump_out_of_finally_message(jump)));
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::check;

    #[test]
    fn flags_jumps_out_of_finally_blocks() {
        check("G002", "(fn f _ (try 1 finally «(return 2)»))\n(f)");
        check(
            "G002",
            "(fn f _ (try 1 catch * 2 finally (if true «(return 3)»)))\n(f)",
        );
        check("G002", "(while true (try 1 finally «(break)»))");
        check("G002", "(for x in [1] (try x finally «(continue)»))");
        // A nested try inside the finally: still leaving the outer finally.
        check(
            "G002",
            "(fn f _ (try 1 finally (try 2 finally nil) «(return 3)»))\n(f)",
        );
        check("G002", "(return 1)\n(try 1 finally «(return 2)»)");
    }

    #[test]
    fn allows_jumps_that_stay_inside() {
        // A function defined in a finally may return.
        check(
            "G002",
            "(fn f _ (try 1 finally (fn g _ (return 2)) (g)))\n(f)",
        );
        check("G002", "(fn f _ (try 1 finally ((fnx _ (return 2)))))\n(f)");
        // A loop inside the finally may break and continue itself.
        check(
            "G002",
            "(fn f _ (try 1 finally (for x in [1 2] (if (x == 1) (continue)) (break))))\n(f)",
        );
        check("G002", "(while true (try (break) finally nil))");
        check(
            "G002",
            "(fn f _ (try (return 1) catch * (return 2) finally nil))\n(f)",
        );
    }
}
