use rowan::TextRange;

use super::declare_rule;
use crate::analysis::symbols;
use crate::analysis::walk::{Checker, FnKind};
use crate::form::{Form, FormKind};

declare_rule! {
    /// ## What it flags
    /// `yield` anywhere but the body of a `^^generator` function: at top level, in a plain or
    /// macro function, or in a function nested in a generator (an `fnx`, a `->` block, an `async`
    /// body), which is not the generator itself.
    ///
    /// ## Why it matters
    /// Only a generator can be suspended by `yield`: the program does not compile (`gene run`
    /// refuses to start it), and code run by `eval` raises a SyntaxError there.
    ///
    /// ## How to fix
    /// Make the function a generator with `^^generator`, or, inside a generator, yield from the
    /// generator's own body (a `for` loop over the values instead of a callback).
    ///
    /// ## Example
    /// ```gene
    /// (fn evens [xs] (for x in xs (if ((x % 2) == 0) (yield x))))              # G001
    /// (fn ^^generator evens [xs] (for x in xs (if ((x % 2) == 0) (yield x))))  # fixed
    /// ```
    pub(crate) static RULE = { code: "G001", name: "yield-outside-generator", severity: Error, fix: None };
}

const OUTSIDE: &str = "`yield` outside a generator: only the body of a `^^generator` function (`fn`, `fnx` or `.fn`) can yield";

pub(crate) fn check(c: &mut Checker, range: TextRange) {
    let Some(frame) = c.fns.iter().rev().find(|f| !matches!(f.kind, FnKind::Body)) else {
        return;
    };
    if frame.is_generator {
        return;
    }
    let nested = c.fns.iter().any(|f| f.is_generator);
    // The same messages as the compiler's (gene-vm `compiler/generator.rs`).
    let message = if nested {
        "`yield` in a function nested in a generator: only the generator's own body can yield (this function is not a `^^generator`)"
    } else {
        OUTSIDE
    };
    c.report(RULE.diagnostic(range, message));
}

/// A macro's body is not walked as code (it works on forms as data), but it runs as a plain
/// function: a `yield` in it, outside quoted forms and generator functions defined there,
/// cannot compile.
pub(crate) fn check_macro_body(c: &mut Checker, body: &[Form]) {
    for form in body {
        macro_yields(c, form);
    }
}

fn macro_yields(c: &mut Checker, form: &Form) {
    match &form.kind {
        FormKind::Gene(gene) => {
            let head = gene.head.as_symbol().unwrap_or("");
            if head == "yield" {
                // The compiler's message: a macro is compiled as a plain function.
                c.report(RULE.diagnostic(form.range, OUTSIDE));
            }
            let defines_generator = head != "macro"
                && symbols::fn_shape(gene, head).is_some_and(|(shape, _)| shape.is_generator);
            if defines_generator {
                return;
            }
            macro_yields(c, &gene.head);
            for p in &gene.props {
                macro_yields(c, &p.value);
            }
            for child in &gene.children {
                macro_yields(c, child);
            }
        }
        FormKind::Array(items) | FormKind::Set(items) => {
            for item in items {
                macro_yields(c, item);
            }
        }
        FormKind::Map(props) => {
            for p in props {
                macro_yields(c, &p.value);
            }
        }
        // Quoted forms are data; an unquote inside one is rendered, not run here.
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::check;

    #[test]
    fn flags_yield_outside_generators() {
        check("G001", "«(yield 1)»");
        check("G001", "(fn f [x] «(yield x)»)\n(f 1)");
        check(
            "G001",
            "(fn ^^generator g [xs] ([1] .each (fnx [x] «(yield x)»)) (yield 0))\n(g [])",
        );
        check(
            "G001",
            "(fn ^^generator g _ (var cb (-> «(yield 1)»)) (cb))\n(g)",
        );
        check(
            "G001",
            "(fn ^^async ^^generator g _ (async «(yield 1)»))\n(g)",
        );
        check("G001", "(class C (.fn m _ «(yield 1)»))\n(new C)");
        check("G001", "(macro m [x] «(yield x)»)\n(m 1)");
        check("G001", "(macro m [x] (if x [«(yield x)»] nil))\n(m 1)");
        check(
            "G001",
            "(macro m [x] (fn ^generator false g _ «(yield 1)») x)\n(m 1)",
        );
    }

    #[test]
    fn allows_yield_as_data_in_macros() {
        check("G001", "(macro m [x] :(yield %x))\n(m 1)");
        check(
            "G001",
            "(macro m [x] (fn ^^generator g _ (yield 1)) x)\n(m 1)",
        );
    }

    #[test]
    fn allows_yield_in_generator_bodies() {
        check(
            "G001",
            "(fn ^^generator g [n] (var i 0) (while (i < n) (yield i) (i += 1)))\n(g 3)",
        );
        check(
            "G001",
            "(fn ^^generator g _ (try (yield 1) catch * (yield 2) finally (yield 3)))\n(g)",
        );
        check("G001", "(var g (fnx ^^generator [x] (yield x)))\n(g 1)");
        check("G001", "(class C (.fn ^^generator m _ (yield 1)))\n(new C)");
        check(
            "G001",
            "(fn ^^async ^^generator g _ (await (gene/sleep_async 1)) (yield 1))\n(g)",
        );
    }
}
