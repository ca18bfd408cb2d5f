use rowan::TextRange;

use super::declare_rule;
use crate::analysis::facts::{Condition, Report};
use crate::analysis::walk::{Checker, Resolved};
use crate::builtins::{self, BuiltinKind, ParamKind};
use crate::diagnostic::Diagnostic;
use crate::form::{Form, FormKind};

declare_rule! {
    /// ## What it flags
    /// A call of a known function (defined in this file, a local function value, or a
    /// builtin) with fewer positional arguments than it requires.
    ///
    /// ## Why it matters
    /// Gene binds a missing argument to nil, so the call runs and fails later, inside the
    /// function, with a confusing error.
    ///
    /// ## How to fix
    /// Pass the missing arguments, or give the parameter a default (`[a b = 0]`).
    ///
    /// ## Example
    /// ```gene
    /// (fn area [w h] (w * h))
    /// (area 3)      # N003
    /// (area 3 4)    # fixed
    /// ```
    pub(crate) static RULE = { code: "N003", name: "too-few-arguments", severity: Warning, fix: None };
}

fn too_few_arguments_message(
    name: &str,
    required: usize,
    names: &[String],
    given: usize,
) -> String {
    let plural = if required == 1 {
        "argument"
    } else {
        "arguments"
    };
    let listed = if names.is_empty() {
        String::new()
    } else {
        format!(" ({})", names.join(", "))
    };
    format!(
        "`{name}` takes {required} {plural}{listed} but {given} given; the missing ones would be nil"
    )
}

/// The diagnostic on a call of `name` at `range`.
pub(crate) fn diagnostic(
    range: TextRange,
    name: &str,
    required: usize,
    names: &[String],
    given: usize,
) -> Diagnostic {
    RULE.diagnostic(
        range,
        too_few_arguments_message(name, required, names, given),
    )
}

pub(crate) fn check(c: &mut Checker, form: &Form, callee: &Form, args: &[Form]) {
    // A spread argument hides how many arguments there are.
    if args.iter().any(|a| {
        a.as_symbol()
            .is_some_and(|s| s.ends_with("...") && s.len() > 3)
    }) {
        return;
    }
    let given = args.len();
    match &callee.kind {
        FormKind::Symbol(name) => match c.resolve(name) {
            Resolved::Local(i) => {
                let Some(shape) = c.locals[i].callable.clone() else {
                    return;
                };
                let required = shape.params.required_positional();
                if !shape.params.ignores_all && required > given {
                    let names: Vec<String> = shape
                        .params
                        .params
                        .iter()
                        .map(|p| p.name.clone())
                        .filter(|n| !n.is_empty())
                        .collect();
                    c.report(RULE.diagnostic(
                        form.range,
                        too_few_arguments_message(name, required, &names, given),
                    ));
                }
            }
            Resolved::Free => {
                // A chunk's text is under 4 GiB (ranges are u32), so is its number of arguments.
                let given = u32::try_from(given).unwrap_or(u32::MAX);
                let name = c.name_id(name);
                c.pending(
                    Condition::TooFewArgs { name, given },
                    form.range,
                    Report::TooFewArguments,
                );
            }
            Resolved::Builtin => {}
        },
        FormKind::Path(segments) => {
            let path = segments.join("/");
            let Some(builtin) = builtins::lookup(&path).filter(|b| b.kind == BuiltinKind::Function)
            else {
                return;
            };
            let names: Vec<String> = builtin
                .params
                .iter()
                .filter(|p| p.kind == ParamKind::Required)
                .map(|p| p.name.to_string())
                .collect();
            if names.len() > given {
                c.report(RULE.diagnostic(
                    form.range,
                    too_few_arguments_message(&path, names.len(), &names, given),
                ));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::check;

    #[test]
    fn flags_missing_arguments() {
        check("N003", "(fn area [w h] (w * h))\n«(area 3)»");
        check("N003", "«(gene/io/write \"f\")»");
        check("N003", "(var f (fnx [a b] a))\n«(f 1)»");
        check("N003", "(fn g _ «(later 1)»)\n(fn later [a b c] a)\n(g)");
    }

    #[test]
    fn accepts_enough_or_optional_arguments() {
        check(
            "N003",
            "(fn f [a b = 2] a)\n(f 1)\n(fn g _ 1)\n(g 1 2 3)\n(fn h [a rest...] a)\n(h 1)",
        );
        check(
            "N003",
            "(fn k [a b] a)\n(var xs [1 2])\n(k xs...)\n(fn m [^named a] a)\n(m 1)",
        );
    }
}
