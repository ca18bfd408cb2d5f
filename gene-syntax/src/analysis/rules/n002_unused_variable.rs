use super::{VarView, declare_rule};
use crate::analysis::facts::FutureOf;
use crate::diagnostic::{Diagnostic, DiagnosticTag};

declare_rule! {
    /// ## What it flags
    /// A variable or parameter that is never read. Names starting with `_` are exempt.
    ///
    /// ## Why it matters
    /// Dead code, or a sign that the wrong variable is used somewhere.
    ///
    /// ## How to fix
    /// Remove it, use it, or rename it with a leading `_` to say it is unused on purpose.
    ///
    /// ## Example
    /// ```gene
    /// (fn area [w h] (w * w))   # N002: h is never used
    /// ```
    pub(crate) static RULE = { code: "N002", name: "unused-variable", severity: Hint, fix: None };
}

pub(crate) fn check(var: &VarView, out: &mut Vec<(Option<FutureOf>, Diagnostic)>) {
    if !var.checked_for_unused
        || var.facts.read
        || var.name.starts_with('_')
        || var.dynamic
        || var.name.is_empty()
    {
        return;
    }
    let what = if var.is_param {
        "parameter"
    } else {
        "variable"
    };
    out.push((
        None,
        RULE.diagnostic(var.range, format!("{what} `{}` is never used", var.name))
            .with_tag(DiagnosticTag::Unnecessary),
    ));
}

#[cfg(test)]
mod tests {
    use super::super::fixture::check;

    #[test]
    fn flags_unused_names() {
        check("N002", "(fn area [w «h»] (w * w))\n(area 1 2)");
        check("N002", "(var «x» 1)");
        check("N002", "(fn f _ (var «tmp» 2) 3)\n(f)");
        check("N002", "(for «i» in [1 2] (println 1))");
        check("N002", "(var «y» 1)\n(y = 2)");
    }

    #[test]
    fn leaves_used_and_exempt_names_alone() {
        check("N002", "(var x 1)\n(println x)\n(fn f [_unused] 1)\n(f 2)");
        check("N002", "(fn f [a] (fnx _ a))\n(println ((f 1)))");
        // Read by a template when `$render` fills it in.
        check("N002", "(var a 1)\n(println ($render :(t %a 2)))");
    }
}
