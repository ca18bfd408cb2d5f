//! Rule fixtures: Gene source with the expected diagnostic ranges marked `«...»`.

use crate::db::{RootDatabase, SourceFile};
use crate::diagnostic::Diagnostic;
use rowan::{TextRange, TextSize};

/// Strips `«` `»` markers, returning the text and the marked ranges.
pub fn parse_markers(marked: &str) -> (String, Vec<TextRange>) {
    let mut text = String::new();
    let mut ranges = Vec::new();
    let mut open = Vec::new();
    for c in marked.chars() {
        match c {
            '«' => open.push(TextSize::of(text.as_str())),
            '»' => {
                let start = open.pop().expect("unbalanced » in fixture");
                ranges.push(TextRange::new(start, TextSize::of(text.as_str())));
            }
            c => text.push(c),
        }
    }
    assert!(open.is_empty(), "unbalanced « in fixture");
    ranges.sort_by_key(|r| (r.start(), r.end()));
    (text, ranges)
}

/// The lint diagnostics with `code` for `text`.
pub fn diagnostics(text: &str, code: &str) -> Vec<Diagnostic> {
    let db = RootDatabase::new();
    let file = SourceFile::new(&db, "fixture.gene".into(), text.to_string().into());
    crate::analysis::lint_diagnostics(&db, file)
        .iter()
        .filter(|d| d.code == code)
        .cloned()
        .collect()
}

/// Asserts that `code` flags exactly the marked ranges.
#[track_caller]
pub fn check(code: &str, marked: &str) {
    let (text, expected) = parse_markers(marked);
    let found = diagnostics(&text, code);
    let got: Vec<TextRange> = found.iter().map(|d| d.range).collect();
    let show = |ranges: &[TextRange]| {
        ranges
            .iter()
            .map(|r| format!("«{}»", &text[*r]))
            .collect::<Vec<_>>()
            .join(", ")
    };
    assert_eq!(
        got,
        expected,
        "\n{code} in:\n{text}\nexpected: {}\nfound:    {}\nmessages: {:?}",
        show(&expected),
        show(&got),
        found.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
}

/// Applies the first fix of the first `code` diagnostic and compares the result.
#[track_caller]
pub fn check_fix(code: &str, before: &str, after: &str) {
    let found = diagnostics(before, code);
    let diagnostic = found
        .first()
        .unwrap_or_else(|| panic!("no {code} diagnostic in:\n{before}"));
    let fix = diagnostic
        .fixes
        .first()
        .unwrap_or_else(|| panic!("{code} has no fix: {}", diagnostic.message));
    let mut edits = fix.edits.clone();
    edits.sort_by_key(|e| std::cmp::Reverse((e.range.start(), e.range.end())));
    let mut text = before.to_string();
    for edit in edits {
        text.replace_range(std::ops::Range::<usize>::from(edit.range), &edit.new_text);
    }
    assert_eq!(text, after, "fix `{}` of {code}", fix.title);
}
