use rowan::TextRange;

use super::declare_rule;
use crate::analysis::walk::Checker;
use crate::builtins::{self, BuiltinKind};
use crate::diagnostic::{Diagnostic, Fix, TextEdit};

declare_rule! {
    /// ## What it flags
    /// A `gene/...` path or a `$name` that names nothing in the builtin catalogue: no function,
    /// class, value or namespace of the standard library has that name.
    ///
    /// ## Why it matters
    /// A misspelt builtin does not fail where it is written: `(gene/io/reed "x")` reads the
    /// missing member as nil and the gene is kept as data, so the program goes on with a value
    /// nobody meant, or fails far away.
    ///
    /// ## How to fix
    /// Use the catalogue's name (`gene rules` and the editor's completion list them); the
    /// message suggests the nearest ones.
    ///
    /// ## Example
    /// ```gene
    /// (gene/io/reed "notes.txt")    # N004: did you mean `gene/io/read`?
    /// (gene/io/read "notes.txt")    # fixed
    /// ```
    pub(crate) static RULE = { code: "N004", name: "unknown-builtin", severity: Warning, fix: Some("replace with the nearest catalogue name") };
}

/// A `gene/...` path as a value or callee: `segments` its decoded segments.
pub(crate) fn check_path(c: &mut Checker, segments: &[String], range: TextRange) {
    if segments.first().map(String::as_str) != Some("gene") || segments.len() < 2 {
        return;
    }
    // Members after a method call (`gene/Future/.name`) or an empty segment are not names.
    let named: Vec<&str> = segments
        .iter()
        .map(String::as_str)
        .take_while(|s| !s.is_empty() && !s.starts_with('.'))
        .collect();
    if named.len() < 2 {
        return;
    }
    let path = named.join("/");
    if is_known(&path) {
        return;
    }
    // The range of the named part (the source may hold more segments after it).
    let text = c.source(range);
    let len = source_prefix_len(text, named.len()).unwrap_or(text.len());
    let at = TextRange::at(range.start(), rowan::TextSize::from(len as u32));
    c.report(diagnostic(at, &path, &path, ""));
}

/// A `$name` read or called (`$name` is `gene/name`).
pub(crate) fn check_dollar(c: &mut Checker, name: &str, range: TextRange) {
    let Some(rest) = name.strip_prefix('$') else {
        return;
    };
    if rest.is_empty()
        || name.starts_with('\u{0}')
        || matches!(name, "$ex" | "$ns" | "$args")
        || builtins::lookup(name).is_some()
        || is_known(&format!("gene/{rest}"))
    {
        return;
    }
    c.report(diagnostic(range, name, &format!("gene/{rest}"), "$"));
}

/// A catalogue entry's path, or a namespace that holds one.
fn is_known(path: &str) -> bool {
    builtins::lookup(path).is_some() || namespaces().contains(path)
}

/// Every namespace of the catalogue (`gene/io`, `gene/net` ...).
fn namespaces() -> &'static std::collections::HashSet<&'static str> {
    static SET: std::sync::OnceLock<std::collections::HashSet<&'static str>> =
        std::sync::OnceLock::new();
    SET.get_or_init(|| {
        let mut set = std::collections::HashSet::new();
        for b in builtins::all().filter(|b| b.kind != BuiltinKind::Method) {
            let mut path = b.path;
            while let Some((prefix, _)) = path.rsplit_once('/') {
                set.insert(prefix);
                path = prefix;
            }
        }
        set
    })
}

/// The byte length of the first `segments` segments of a path's source text.
fn source_prefix_len(text: &str, segments: usize) -> Option<usize> {
    let mut seen = 0;
    for (i, b) in text.bytes().enumerate() {
        if b == b'/' {
            seen += 1;
            if seen == segments {
                return Some(i);
            }
        }
    }
    None
}

/// The catalogue names nearest to `path` (full `gene/...` paths), best first.
fn nearest(path: &str) -> Vec<&'static str> {
    let mut scored: Vec<(f64, &'static str)> = builtins::all()
        .filter(|b| b.kind != BuiltinKind::Method && b.path.starts_with("gene/"))
        .map(|b| b.path)
        .chain(
            namespaces()
                .iter()
                .copied()
                .filter(|p| p.starts_with("gene/")),
        )
        .map(|candidate| {
            (
                strsim::normalized_damerau_levenshtein(path, candidate),
                candidate,
            )
        })
        .filter(|(score, _)| *score >= 0.6)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).map(|(_, p)| p).collect()
}

/// The diagnostic for `written` (as in the source), which names `path`; `prefix` is `$` when
/// it was written `$name`.
fn diagnostic(range: TextRange, written: &str, path: &str, prefix: &str) -> Diagnostic {
    let shown = |p: &str| match prefix {
        "$" => format!("${}", p.strip_prefix("gene/").unwrap_or(p)),
        _ => p.to_string(),
    };
    let near: Vec<String> = nearest(path)
        .into_iter()
        .filter(|p| prefix.is_empty() || p.matches('/').count() == 1)
        .map(shown)
        .collect();
    let mut message = format!("`{written}` is not in the builtin catalogue");
    if !near.is_empty() {
        let list: Vec<String> = near.iter().map(|n| format!("`{n}`")).collect();
        message.push_str(&format!(": did you mean {}?", list.join(" or ")));
    }
    let mut d = RULE.diagnostic(range, message);
    if let Some(best) = near.first() {
        d = d.with_fix(Fix {
            title: format!("Replace with `{best}`"),
            edits: vec![TextEdit {
                range,
                new_text: best.clone(),
            }],
            safe: false,
        });
    }
    d
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, check_fix};

    #[test]
    fn flags_names_the_catalogue_lacks() {
        check("N004", "(«gene/io/reed» \"x\")");
        check("N004", "(var f «gene/sleep_asink»)\n(f 1)");
        check("N004", "(println («$printx» 1))");
        // The named part only: a method after it is not a name.
        check("N004", "(println «gene/Futur»/.name)");
    }

    #[test]
    fn accepts_catalogue_names_and_namespaces() {
        check(
            "N004",
            "(gene/io/read \"x\")\n(var n gene/io)\n(println ($parse \"1\") $ex $ns)\n(println gene/Future/.name)\n(var r (new gene/Future))\n(await r)",
        );
        // An assignment target `$x` is `$ns/x`, not a builtin.
        check("N004", "($total = 1)");
    }

    #[test]
    fn fix_replaces_with_the_nearest_name() {
        check_fix("N004", "(gene/io/reed \"x\")\n", "(gene/io/read \"x\")\n");
        check_fix("N004", "($printn 1)\n", "($println 1)\n");
    }
}
