use rowan::TextRange;

use super::declare_rule;
use crate::diagnostic::Diagnostic;

declare_rule! {
    /// ## What it flags
    /// A name that is not a local variable, a parameter, a definition of this file, an import
    /// or a builtin.
    ///
    /// ## Why it matters
    /// Evaluating it raises a `NameError`. It is usually a typo, or a variable used outside the
    /// scope that declared it. (It is a warning, not an error: `eval` and macros can define
    /// names the analysis cannot see; files that use them are not checked for this.)
    ///
    /// ## How to fix
    /// Correct the name, declare it with `var`, or import it.
    ///
    /// ## Example
    /// ```gene
    /// (var total 0)
    /// (println totl)    # N001
    /// ```
    pub(crate) static RULE = { code: "N001", name: "undefined-name", severity: Warning, fix: None };
}

pub(crate) fn diagnostic(range: TextRange, name: &str) -> Diagnostic {
    RULE.diagnostic(range, format!("`{name}` is not defined"))
}

#[cfg(test)]
mod tests {
    use super::super::fixture::check;

    #[test]
    fn flags_undefined_names() {
        check("N001", "(var total 0)\n(println «totl»)");
        check("N001", "(fn f [x] (x + «y»))\n(f 1)");
        check("N001", "(do (var inner 1))\n(println «inner»)");
        check("N001", "(println «later»)\n(var later 1)");
        check("N001", "(fn g _ («nope» 1))\n(g)");
        // A path's head as written, escapes included.
        check("N001", "«\\é»/");
        check("N001", "(println «a\\ b»/c)");
    }

    #[test]
    fn knows_definitions_builtins_and_scopes() {
        check(
            "N001",
            "(fn f [x] (g x))\n(fn g [y] y)\n(println (f 1) gene/io/read $args self _)\n(class A)\n(new A)",
        );
        check(
            "N001",
            "(var n 1)\n(for i in [1 2] (println i n))\n(try (throw 1) catch * (println $ex))\n(import x from \"lib\")\n(println x)",
        );
        check("N001", "(eval :q)\n(println q)");
        // A spread in `await` names the array.
        check(
            "N001",
            "(fn ^^async f [] (var fs [(gene/sleep_async 1)]) (await fs...))\n(await (f))",
        );
    }
}
