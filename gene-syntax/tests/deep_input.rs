//! Pathological input does not overflow the stack: nesting is capped, and everything past the
//! cap is kept flat. These run on the default 2 MB test thread stack, in debug builds too.

use gene_syntax::db::{self, RootDatabase, SourceFile};
use gene_syntax::{SyntaxErrorKind, parse_text, parse_whole};

/// Parses `text` every way there is (chunked, whole, through the database), lowers it, prints
/// it back, and returns the error kinds.
fn parse_all_ways(text: &str) -> Vec<SyntaxErrorKind> {
    let parse = parse_text(text);
    assert_eq!(parse.syntax_node().to_string(), text);
    let whole = parse_whole(text);
    assert_eq!(parse.green(), whole.green());
    let forms = parse.forms();
    drop(forms);

    let db = RootDatabase::default();
    let file = SourceFile::new(&db, "deep.gene".into(), text.to_string().into());
    assert_eq!(db::parse(&db, file).green(), parse.green());
    assert_eq!(
        db::syntax_diagnostics(&db, file).len(),
        parse.errors().len()
    );
    let _ = db::file_forms(&db, file);
    parse.errors().iter().map(|e| e.kind).collect()
}

#[test]
fn hundred_thousand_open_parens() {
    let kinds = parse_all_ways(&"(".repeat(100_000));
    assert_eq!(
        kinds,
        [
            SyntaxErrorKind::UnclosedDelimiter,
            SyntaxErrorKind::NestingTooDeep
        ]
    );
}

#[test]
fn hundred_thousand_balanced_brackets() {
    let text = format!("{}x{} (after)", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(parse_all_ways(&text), [SyntaxErrorKind::NestingTooDeep]);
}

#[test]
fn hundred_thousand_quotes() {
    let text = format!("{}x", ":".repeat(100_000));
    assert_eq!(parse_all_ways(&text), [SyntaxErrorKind::NestingTooDeep]);
}

#[test]
fn hundred_thousand_decorators() {
    let text = format!("{}x", "#@f ".repeat(100_000));
    assert_eq!(parse_all_ways(&text), [SyntaxErrorKind::NestingTooDeep]);
}

#[test]
fn hundred_thousand_mixed_prefixes_and_maps() {
    let text = format!("{}1{}", "{^a %_".repeat(100_000), "}".repeat(100_000));
    assert_eq!(parse_all_ways(&text), [SyntaxErrorKind::NestingTooDeep]);
}

#[test]
fn hundred_thousand_nested_interpolations() {
    let text = format!("{}x{}", "#\"#{".repeat(100_000), "}\"".repeat(100_000));
    assert_eq!(parse_all_ways(&text), [SyntaxErrorKind::NestingTooDeep]);
}

#[test]
fn deep_unclosed_interpolations() {
    let kinds = parse_all_ways(&"#\"#(".repeat(100_000));
    assert!(
        kinds.contains(&SyntaxErrorKind::NestingTooDeep),
        "{kinds:?}"
    );
}

#[test]
fn a_million_character_line() {
    let symbol = "a".repeat(1_000_000);
    assert_eq!(parse_all_ways(&symbol), []);
    let string = format!("\"{}\"", "b".repeat(1_000_000));
    assert_eq!(parse_all_ways(&string), []);
    let many = "(f x) ".repeat(20_000);
    assert_eq!(parse_all_ways(&many), []);
    let comment = format!("# {}", "c".repeat(1_000_000));
    assert_eq!(parse_all_ways(&comment), []);
}

#[test]
fn a_hundred_thousand_stray_closers() {
    assert_eq!(
        parse_all_ways(&")".repeat(100_000)),
        [SyntaxErrorKind::UnexpectedCloser]
    );
    assert_eq!(
        parse_all_ways(&format!("({}", "]".repeat(100_000))),
        [
            SyntaxErrorKind::UnclosedDelimiter,
            SyntaxErrorKind::UnexpectedCloser
        ]
    );
}
