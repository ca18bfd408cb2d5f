//! Snapshot tests of syntax errors in the structure (brackets, strings, comments, nesting, bytes):
//! each problem is exactly one error, with a clear message and the right range, and the rest of
//! the file still parses into usable nodes. `literal_errors.rs` has the rest.

mod common;

use common::{check_one, checked_parse, errors, tree};
use expect_test::expect;
use gene_syntax::{SyntaxErrorKind, parse_bytes};

#[test]
fn every_kind_has_a_stable_code_name_and_explanation() {
    let mut codes = std::collections::HashSet::new();
    for (i, kind) in SyntaxErrorKind::ALL.iter().enumerate() {
        assert_eq!(
            kind.code(),
            format!("E{:03}", i + 1),
            "codes are stable and in order"
        );
        assert!(codes.insert(kind.code()));
        assert_eq!(SyntaxErrorKind::from_code(kind.code()), Some(*kind));
        assert!(!kind.name().is_empty() && !kind.name().contains(' '));
        assert!(
            kind.explanation().len() > 40,
            "{kind:?} needs an explanation"
        );
    }
}

/// One example per error kind.
const EXAMPLES: &[(SyntaxErrorKind, &[u8])] = &[
    (SyntaxErrorKind::UnclosedDelimiter, b"(f 1"),
    (SyntaxErrorKind::UnexpectedCloser, b"x) y"),
    (SyntaxErrorKind::UnterminatedString, b"\"abc"),
    (SyntaxErrorKind::InvalidEscape, b"\"\\u12\""),
    (SyntaxErrorKind::InvalidNumber, b"3px"),
    (SyntaxErrorKind::IntegerOutOfRange, b"9223372036854775808"),
    (SyntaxErrorKind::InvalidChar, b"'ab'"),
    (SyntaxErrorKind::PropWithoutValue, b"(f ^a)"),
    (SyntaxErrorKind::DuplicateKey, b"{^x 1 ^x 2}"),
    (SyntaxErrorKind::PropsInWrongPlace, b"(f ^a 1 x ^b 2)"),
    (SyntaxErrorKind::ExpectedPropKey, b"{:a 1}"),
    (SyntaxErrorKind::UnterminatedBlockComment, b"#< abc"),
    (SyntaxErrorKind::InvalidUtf8, b"(f \"a\xffb\")"),
    (SyntaxErrorKind::NestingTooDeep, &[b'['; 300]),
    (SyntaxErrorKind::MissingForm, b"(a :)"),
    (SyntaxErrorKind::InvalidPropKey, b"(f ^ 1)"),
    (SyntaxErrorKind::MismatchedCloser, b"(f 1]"),
    (SyntaxErrorKind::InvalidSymbol, b"a\\/b"),
    (SyntaxErrorKind::UnknownEscape, b"\"a\\qb\""),
];

/// Each example gives exactly its one error.
#[test]
fn every_kind_is_reported_once_for_its_example() {
    assert_eq!(
        EXAMPLES.len(),
        SyntaxErrorKind::ALL.len(),
        "one example per kind"
    );
    for (kind, bytes) in EXAMPLES {
        let (text, parse) = parse_bytes(bytes);
        let kinds: Vec<_> = parse.errors().iter().map(|e| e.kind).collect();
        if *kind == SyntaxErrorKind::NestingTooDeep {
            // 300 `[` are also unclosed: the depth error plus one unclosed error.
            assert_eq!(
                kinds,
                [SyntaxErrorKind::UnclosedDelimiter, *kind],
                "{text:?}"
            );
        } else {
            assert_eq!(kinds, [*kind], "{text:?}: {:#?}", parse.errors());
        }
    }
}

/// The tree and the errors of every example (the nesting one at 258 levels, not 300).
#[test]
fn every_kind_tree() {
    let mut out = String::new();
    for (kind, bytes) in EXAMPLES {
        let bytes: &[u8] = if *kind == SyntaxErrorKind::NestingTooDeep {
            &bytes[..258]
        } else {
            bytes
        };
        let (text, parse) = parse_bytes(bytes);
        let shown = if text.len() > 40 {
            format!("{}...", &text[..40])
        } else {
            text.clone()
        };
        out.push_str(&format!("== {} {:?}\n", kind.code(), shown));
        if *kind != SyntaxErrorKind::NestingTooDeep {
            out.push_str(&format!("{:#?}", parse.syntax_node()));
        }
        out.push_str(&common::errors_of(&parse));
    }
    expect_test::expect_file!["data/error_examples.tree"].assert_eq(&out);
}

#[test]
fn unclosed_at_end_of_file_points_at_the_opener() {
    expect![[r#"
        E001 0..1 unclosed `(`: expected `)` before end of file
    "#]]
    .assert_eq(&errors("(f 1"));
    expect![[r#"
        E001 0..1 unclosed `[`: expected `]` before end of file
    "#]]
    .assert_eq(&errors("[1 2"));
    expect![[r#"
        E001 0..1 unclosed `{`: expected `}` before end of file
    "#]]
    .assert_eq(&errors("{^a 1"));
    expect![[r#"
        E001 0..2 unclosed `#[`: expected `]` before end of file
    "#]]
    .assert_eq(&errors("#[1"));
    expect![[r#"
        E001 0..1 unclosed `(`: expected `)` before end of file (2 forms inside it are unclosed too)
          related 3..4 `(` is unclosed too: expected `)`
          related 6..7 `[` is unclosed too: expected `]`
    "#]]
    .assert_eq(&errors("(a (b [c"));
}

#[test]
fn unclosed_before_an_enclosing_closer() {
    check_one(
        "[(f 1] (g)",
        SyntaxErrorKind::UnclosedDelimiter,
        expect![[r#"
        [(f 1)]
        (g)
        E001 1..2 unclosed `(`: expected `)` before `]`
          related 5..6 `]` found here
    "#]],
    );
    check_one(
        "{^a (f} x",
        SyntaxErrorKind::UnclosedDelimiter,
        expect![[r#"
        {^a (f)}
        x
        E001 4..5 unclosed `(`: expected `)` before `}`
          related 6..7 `}` found here
    "#]],
    );
    check_one(
        "(a [b {^c 1) d",
        SyntaxErrorKind::UnclosedDelimiter,
        expect![[r#"
        (a [b {^c 1}])
        d
        E001 3..4 unclosed `[`: expected `]` before `)` (a form inside it is unclosed too)
          related 11..12 `)` found here
          related 6..7 `{` is unclosed too: expected `}`
    "#]],
    );
}

#[test]
fn unclosed_tree_keeps_the_parsed_part() {
    expect![[r#"
        SOURCE_FILE@0..8
          GENE@0..8
            L_PAREN@0..1 "("
            SYMBOL@1..2 "f"
            WHITESPACE@2..3 " "
            ARRAY@3..7
              L_BRACK@3..4 "["
              INT@4..5 "1"
              WHITESPACE@5..6 " "
              INT@6..7 "2"
            R_PAREN@7..8 ")"
        E001 3..4 unclosed `[`: expected `]` before `)`
          related 7..8 `)` found here
    "#]]
    .assert_eq(&tree("(f [1 2)"));
}

#[test]
fn stray_closers() {
    check_one(
        "x) y",
        SyntaxErrorKind::UnexpectedCloser,
        expect![[r#"
        x
        <error>
        y
        E002 1..2 unexpected `)`: there is no open form for it to close
    "#]],
    );
    check_one(
        "(f 1)) (g)",
        SyntaxErrorKind::UnexpectedCloser,
        expect![[r#"
        (f 1)
        <error>
        (g)
        E002 5..6 unexpected `)`: there is no open form for it to close
    "#]],
    );
    check_one(
        "[a ) b]",
        SyntaxErrorKind::UnexpectedCloser,
        expect![[r#"
        [a <error> b]
        E002 3..4 unexpected `)`: there is no open form for it to close
    "#]],
    );
    expect![[r#"
        SOURCE_FILE@0..7
          SYMBOL@0..1 "a"
          WHITESPACE@1..2 " "
          ERROR@2..7
            R_PAREN@2..3 ")"
            WHITESPACE@3..4 " "
            R_BRACK@4..5 "]"
            WHITESPACE@5..6 " "
            R_BRACE@6..7 "}"
        E002 2..7 unexpected `)]}`: there is no open form for these closers to close
    "#]]
    .assert_eq(&tree("a ) ] }"));
}

#[test]
fn mismatched_closers() {
    check_one(
        "(f 1]",
        SyntaxErrorKind::MismatchedCloser,
        expect![[r#"
        (f 1)
        E017 4..5 mismatched closer: `]` cannot close `(`; expected `)`
          related 0..1 `(` opened here
    "#]],
    );
    check_one(
        "[(a }] (g)",
        SyntaxErrorKind::MismatchedCloser,
        expect![[r#"
        [(a)]
        (g)
        E017 4..5 mismatched closer: `}` cannot close `(`; expected `)`
          related 1..2 `(` opened here
    "#]],
    );
    check_one(
        "{^k [1 2)}",
        SyntaxErrorKind::MismatchedCloser,
        expect![[r#"
        {^k [1 2]}
        E017 8..9 mismatched closer: `)` cannot close `[`; expected `]`
          related 4..5 `[` opened here
    "#]],
    );
    expect![[r#"
        SOURCE_FILE@0..5
          GENE@0..5
            L_PAREN@0..1 "("
            SYMBOL@1..2 "f"
            WHITESPACE@2..3 " "
            INT@3..4 "1"
            R_BRACK@4..5 "]"
        E017 4..5 mismatched closer: `]` cannot close `(`; expected `)`
          related 0..1 `(` opened here
    "#]]
    .assert_eq(&tree("(f 1]"));
}

#[test]
fn a_stray_closer_in_the_middle_of_an_unclosed_form_is_two_problems() {
    expect![[r#"
        E001 0..1 unclosed `(`: expected `)` before end of file
        E002 4..5 unexpected `]`: there is no open form for it to close
    "#]]
    .assert_eq(&errors("(f 1] z"));
}

#[test]
fn unterminated_strings() {
    check_one(
        "(f \"abc)",
        SyntaxErrorKind::UnterminatedString,
        expect![[r#"
        (f "abc)")
        E003 3..4 unterminated string: expected a closing `"` before end of file
    "#]],
    );
    check_one(
        "\"\"\"abc\"",
        SyntaxErrorKind::UnterminatedString,
        expect![[r#"
        "abc\""
        E003 0..3 unterminated string: expected a closing `"""` before end of file
    "#]],
    );
    check_one(
        "x \"abc\n(g)",
        SyntaxErrorKind::UnterminatedString,
        expect![[r#"
        x
        "abc\n(g)"
        E003 2..3 unterminated string: expected a closing `"` before end of file
    "#]],
    );
    check_one(
        "#\"abc #{x}",
        SyntaxErrorKind::UnterminatedString,
        expect![[r#"
        (#Str "abc " x)
        E003 0..2 unterminated interpolated string: expected a closing `"` before end of file
    "#]],
    );
    check_one(
        "#\"abc #{x",
        SyntaxErrorKind::UnterminatedString,
        expect![[r#"
        (#Str "abc " x)
        E003 0..2 unterminated interpolated string: expected a closing `"` before end of file
          related 6..8 `#{` inside it is unclosed
    "#]],
    );
    check_one(
        "#\"\"\"abc\"",
        SyntaxErrorKind::UnterminatedString,
        expect![[r#"
        "abc\""
        E003 0..4 unterminated interpolated string: expected a closing `"""` before end of file
    "#]],
    );
    check_one(
        "#\"a #(f",
        SyntaxErrorKind::UnterminatedString,
        expect![[r#"
        (#Str "a " (f))
        E003 0..2 unterminated interpolated string: expected a closing `"` before end of file
          related 5..6 `(` inside it is unclosed
    "#]],
    );
}

#[test]
fn an_unterminated_string_and_an_unclosed_form_around_it() {
    // Closing the string does not close the `(`: two problems, two errors.
    expect![[r#"
        E001 0..1 unclosed `(`: expected `)` before end of file
        E003 3..4 unterminated string: expected a closing `"` before end of file
    "#]]
    .assert_eq(&errors("(f \"abc"));
}

#[test]
fn unclosed_interpolation_pieces() {
    check_one(
        "#\"a #{(x} b\" (g)",
        SyntaxErrorKind::UnclosedDelimiter,
        expect![[r#"
        (#Str "a " (x) " b")
        (g)
        E001 6..7 unclosed `(`: expected `)` before `}`
          related 8..9 `}` found here
    "#]],
    );
    check_one(
        "#\"#{x y}\"",
        SyntaxErrorKind::UnclosedDelimiter,
        expect![[r#"
        (#Str x)
        E001 2..4 unclosed `#{`: expected `}` after the one form it inserts
          related 6..7 a second form starts here
    "#]],
    );
}

#[test]
fn a_quote_where_an_interpolation_should_close_starts_a_string() {
    // The string runs to the end of the file and takes the interpolated string's closing
    // quote with it: one error, at that string.
    check_one(
        "#\"a #{x\" (g)",
        SyntaxErrorKind::UnterminatedString,
        expect![[r#"
        (#Str "a " x)
        E003 7..8 unterminated string: expected a closing `"` before end of file
    "#]],
    );
    check_one(
        "#\"a #(f\" (g)",
        SyntaxErrorKind::UnterminatedString,
        expect![[r#"
        (#Str "a " (f " (g)"))
        E003 7..8 unterminated string: expected a closing `"` before end of file
    "#]],
    );
}

#[test]
fn unterminated_block_comment() {
    check_one(
        "x #< abc",
        SyntaxErrorKind::UnterminatedBlockComment,
        expect![[r#"
        x
        E012 2..4 unterminated block comment: expected `>#` before end of file
    "#]],
    );
    check_one(
        "(f #< a ) >>#",
        SyntaxErrorKind::UnterminatedBlockComment,
        expect![[r#"
        (f)
        E012 3..5 unterminated block comment: expected `>#` before end of file
    "#]],
    );
}

#[test]
fn nesting_too_deep() {
    let text = format!("{}x{} (ok)", "(".repeat(300), ")".repeat(300));
    let parse = checked_parse(&text);
    let kinds: Vec<_> = parse.errors().iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [SyntaxErrorKind::NestingTooDeep]);
    expect![[r#"
        E014 256..257 forms are nested too deeply (more than 256 levels)
    "#]]
    .assert_eq(&errors(&text));
    let forms = parse.forms();
    assert_eq!(forms.len(), 2, "the next form still parses");
}

#[test]
fn invalid_utf8() {
    let (text, parse) = parse_bytes(b"(f \"a\xffb\" \xc3)\n(g)");
    let mut out = common::errors_of(&parse);
    out.push_str(&format!("{text:?}\n"));
    expect![[r#"
        E013 5..8 invalid UTF-8 (bytes 0xff) replaced by U+FFFD
        E013 11..14 invalid UTF-8 (bytes 0xc3) replaced by U+FFFD
        "(f \"a�b\" �)\n(g)"
    "#]]
    .assert_eq(&out);
}
