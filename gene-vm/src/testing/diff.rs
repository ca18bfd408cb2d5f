//! Line and element diffs for failed assertions and golden-output tests: `-` lines are the
//! expected side, `+` lines the actual side, unchanged lines kept around each change (three on
//! each side) and longer unchanged stretches elided.

use std::fmt::Write;

use similar::{ChangeTag, TextDiff};

use crate::value::{Value, inspect};

/// Unchanged lines shown around each change.
const CONTEXT: usize = 3;

/// The diff of two texts line by line, each line prefixed `- `, `+ ` or `  ` and `indent`.
pub fn diff_lines(expected: &str, actual: &str, indent: &str) -> String {
    let expected: Vec<&str> = expected.split_inclusive('\n').collect();
    let actual: Vec<&str> = actual.split_inclusive('\n').collect();
    diff_items(&expected, &actual, indent)
}

/// The diff of two lists of items (lines, or elements printed one per line).
pub fn diff_items(expected: &[&str], actual: &[&str], indent: &str) -> String {
    let diff = TextDiff::configure().diff_slices(expected, actual);
    let mut out = String::new();
    for (i, group) in diff.grouped_ops(CONTEXT).iter().enumerate() {
        if i > 0 {
            let _ = writeln!(out, "{indent}  ...");
        }
        for op in group {
            for change in diff.iter_changes(op) {
                let sign = match change.tag() {
                    ChangeTag::Delete => "- ",
                    ChangeTag::Insert => "+ ",
                    ChangeTag::Equal => "  ",
                };
                let item = change.value();
                let text = item.strip_suffix('\n').unwrap_or(item);
                let _ = write!(out, "{indent}{sign}{text}");
                // A line that ended without a newline says so, or a missing final newline
                // would be an invisible difference.
                if !item.ends_with('\n') && change.tag() != ChangeTag::Equal {
                    out.push_str("  (no newline at end)");
                }
                out.push('\n');
            }
        }
    }
    out
}

/// The diff `assert_eq` shows for two values, when one helps: multi-line strings line by line,
/// arrays element by element, maps entry by entry (`^key value`), each in its `$` form. None
/// for other values and for short strings, which the message shows whole.
pub fn value_diff(expected: &Value, actual: &Value, indent: &str) -> Option<String> {
    match (expected, actual) {
        (Value::Str(e), Value::Str(a)) if e.contains('\n') || a.contains('\n') => {
            Some(diff_lines(e, a, indent))
        }
        (Value::Array(e), Value::Array(a)) => {
            let e: Vec<String> = e.borrow().iter().map(inspect).collect();
            let a: Vec<String> = a.borrow().iter().map(inspect).collect();
            Some(diff_strings(&e, &a, indent))
        }
        (Value::Map(e), Value::Map(a)) => {
            let entries = |m: &crate::value::Map| -> Vec<String> {
                m.iter()
                    .map(|(k, v)| format!("^{} {}", k.name(), inspect(v)))
                    .collect()
            };
            let e = entries(&e.borrow());
            let a = entries(&a.borrow());
            Some(diff_strings(&e, &a, indent))
        }
        _ => None,
    }
}

fn diff_strings(expected: &[String], actual: &[String], indent: &str) -> String {
    let e: Vec<String> = expected.iter().map(|s| format!("{s}\n")).collect();
    let a: Vec<String> = actual.iter().map(|s| format!("{s}\n")).collect();
    let e: Vec<&str> = e.iter().map(String::as_str).collect();
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    diff_items(&e, &a, indent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_lines_show_with_their_context() {
        let d = diff_lines("a\nb\nc\n", "a\nB\nc\n", "");
        assert_eq!(d, "  a\n- b\n+ B\n  c\n");
    }

    #[test]
    fn a_missing_final_newline_is_visible() {
        let d = diff_lines("a\n", "a", "");
        assert_eq!(d, "- a\n+ a  (no newline at end)\n");
    }

    #[test]
    fn far_apart_changes_elide_the_middle() {
        let line = |i: usize| match i {
            1 => "one\n".to_string(),
            18 => "eighteen\n".to_string(),
            _ => format!("{i}\n"),
        };
        let expected: String = (0..20).map(|i| format!("{i}\n")).collect();
        let actual: String = (0..20).map(line).collect();
        let d = diff_lines(&expected, &actual, "");
        assert!(d.contains("  ...\n"), "{d}");
        assert!(!d.contains("  9\n"), "{d}");
    }

    #[test]
    fn arrays_differ_element_by_element() {
        let e = Value::array(vec![Value::Int(1), Value::str("x"), Value::Int(3)]);
        let a = Value::array(vec![Value::Int(1), Value::str("y"), Value::Int(3)]);
        assert_eq!(
            value_diff(&e, &a, "").as_deref(),
            Some("  1\n- \"x\"\n+ \"y\"\n  3\n")
        );
        assert_eq!(value_diff(&Value::Int(1), &Value::Int(2), ""), None);
    }
}
