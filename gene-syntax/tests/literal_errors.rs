//! Snapshot tests of the errors in literals, keys and prefixes: escapes, numbers, characters,
//! properties, map keys, quote/unquote/decorator operands and symbols. Each is exactly one
//! error and the rest still parses.

mod common;

use common::{check_one, checked_parse, errors};
use expect_test::expect;
use gene_syntax::SyntaxErrorKind;

#[test]
fn unknown_escapes() {
    check_one(
        "\"a\\qb\" (g)",
        SyntaxErrorKind::UnknownEscape,
        expect![[r#"
        "aqb"
        (g)
        E019 2..4 unknown escape: `\q`; the escapes are `\n` `\t` `\r` `\b` `\f` `\uXXXX` `\"` `\\` `\#` (write `\\` for a backslash)
    "#]],
    );
    // The range covers the whole escaped character, in every kind of string.
    check_one(
        "\"\"\"x \\\u{e9}\"\"\"",
        SyntaxErrorKind::UnknownEscape,
        expect![[r#"
        "x é"
        E019 5..8 unknown escape: `\é`; the escapes are `\n` `\t` `\r` `\b` `\f` `\uXXXX` `\"` `\\` `\#` (write `\\` for a backslash)
    "#]],
    );
    check_one(
        "#\"a #{x} \\\n\"",
        SyntaxErrorKind::UnknownEscape,
        expect![[r#"
        (#Str "a " x " \n")
        E019 9..11 unknown escape: a backslash before U+000A; the escapes are `\n` `\t` `\r` `\b` `\f` `\uXXXX` `\"` `\\` `\#` (write `\\` for a backslash)
    "#]],
    );
    // The known escapes are no errors.
    let parse = checked_parse(r##""\n\t\r\b\f\u00e9\"\\\#" #"\#{x} \"#{y}\"""##);
    assert!(parse.errors().is_empty(), "{:?}", parse.errors());
}

#[test]
fn bad_escapes() {
    check_one(
        "\"\\u12\" (g)",
        SyntaxErrorKind::InvalidEscape,
        expect![[r#"
        "u12"
        (g)
        E004 1..5 invalid escape: `\u` must be followed by four hexadecimal digits, as in `\u00e9`
    "#]],
    );
    check_one(
        "\"\\uZZZZ\"",
        SyntaxErrorKind::InvalidEscape,
        expect![[r#"
        "uZZZZ"
        E004 1..3 invalid escape: `\u` must be followed by four hexadecimal digits, as in `\u00e9`
    "#]],
    );
    check_one(
        "\"\\uD83D\"",
        SyntaxErrorKind::InvalidEscape,
        expect![[r#"
        "�"
        E004 1..7 invalid escape: a high surrogate must be followed by a low surrogate (`\uDC00`-`\uDFFF`)
    "#]],
    );
    check_one(
        "\"\\uDE00x\"",
        SyntaxErrorKind::InvalidEscape,
        expect![[r#"
        "�x"
        E004 1..7 invalid escape: a low surrogate must follow a high surrogate
    "#]],
    );
    check_one(
        "#\"a\\u1 #{b}\"",
        SyntaxErrorKind::InvalidEscape,
        expect![[r#"
        (#Str "au1 " b)
        E004 3..6 invalid escape: `\u` must be followed by four hexadecimal digits, as in `\u00e9`
    "#]],
    );
}

#[test]
fn every_reserved_number_form() {
    let mut out = String::new();
    for text in [
        "3px",
        "1m30s",
        "0x1F",
        "0b101",
        "2024-01-02",
        "10:30",
        "1/3",
        "0!101",
        "0*ff",
        "0#ab",
        "1.2.3",
        "1e",
        "1.5e",
        "1_000",
        "5é",
        "-3px",
    ] {
        let parse = checked_parse(text);
        assert_eq!(parse.errors().len(), 1, "{text}");
        assert_eq!(parse.errors()[0].kind, SyntaxErrorKind::InvalidNumber);
        out.push_str(&errors(text));
    }
    expect![[r#"
        E005 0..3 invalid number `3px`: a number followed by letters (a unit such as `3px` or `1m30s`) is reserved
        E005 0..5 invalid number `1m30s`: a number followed by letters (a unit such as `3px` or `1m30s`) is reserved
        E005 0..4 invalid number `0x1F`: Gene has no hexadecimal, binary or octal literals (a number followed by letters is reserved)
        E005 0..5 invalid number `0b101`: Gene has no hexadecimal, binary or octal literals (a number followed by letters is reserved)
        E005 0..10 invalid number `2024-01-02`: an integer followed by `-` is a date (`2024-01-02`), which is reserved
        E005 0..5 invalid number `10:30`: an integer followed by `:` is a time (`10:30`), which is reserved
        E005 0..3 invalid number `1/3`: an integer followed by `/` is a ratio (`1/3`), which is reserved; write `(1 / 3)` to divide
        E005 0..5 invalid number `0!101`: `0!` starts a binary blob, which is reserved
        E005 0..4 invalid number `0*ff`: `0*` starts a hexadecimal blob, which is reserved
        E005 0..4 invalid number `0#ab`: `0#` starts a base64 blob, which is reserved
        E005 0..5 invalid number `1.2.3`: expected an integer (`42`) or a float (`2.5`, `7.`, `6e3`)
        E005 0..2 invalid number `1e`: a number followed by letters (a unit such as `3px` or `1m30s`) is reserved
        E005 0..4 invalid number `1.5e`: a number followed by letters (a unit such as `3px` or `1m30s`) is reserved
        E005 0..5 invalid number `1_000`: a number followed by letters (a unit such as `3px` or `1m30s`) is reserved
        E005 0..3 invalid number `5é`: a number followed by letters (a unit such as `3px` or `1m30s`) is reserved
        E005 0..4 invalid number `-3px`: a number followed by letters (a unit such as `3px` or `1m30s`) is reserved
    "#]].assert_eq(&out);
}

#[test]
fn integer_out_of_range() {
    check_one(
        "(f 99999999999999999999 1)",
        SyntaxErrorKind::IntegerOutOfRange,
        expect![[r#"
        (f <error> 1)
        E006 3..23 integer literal `99999999999999999999` does not fit in 64 bits
    "#]],
    );
}

#[test]
fn bad_characters() {
    let mut out = String::new();
    for text in ["'ab'", "'é'", "''", "'a", "'''", "'\\u0041'"] {
        let parse = checked_parse(text);
        assert_eq!(parse.errors().len(), 1, "{text}");
        assert_eq!(parse.errors()[0].kind, SyntaxErrorKind::InvalidChar);
        out.push_str(&errors(text));
    }
    expect![[r#"
        E007 0..4 invalid character literal: a character literal holds exactly one character; use a string
        E007 0..4 invalid character literal: a character literal holds one ASCII character; use a string for other text
        E007 0..2 invalid character literal: expected one character and a closing `'`, as in `'a'`
        E007 0..2 invalid character literal: expected one character and a closing `'`, as in `'a'`
        E007 0..3 invalid character literal: expected one character and a closing `'`, as in `'a'`
        E007 0..8 invalid character literal: a character literal holds exactly one character; use a string
    "#]].assert_eq(&out);
}

#[test]
fn properties_without_values() {
    check_one(
        "(f ^a)",
        SyntaxErrorKind::PropWithoutValue,
        expect![[r#"
        (f ^a <error>)
        E008 3..5 property `^a` has no value (write `^^a` for a true flag)
    "#]],
    );
    check_one(
        "{^a}",
        SyntaxErrorKind::PropWithoutValue,
        expect![[r#"
        {^a <error>}
        E008 1..3 property `^a` has no value (write `^^a` for a true flag)
    "#]],
    );
    check_one(
        "(f ^a ^b 1)",
        SyntaxErrorKind::PropWithoutValue,
        expect![[r#"
        (f ^a <error> ^b 1)
        E008 3..5 property `^a` has no value (write `^^a` for a true flag)
    "#]],
    );
    check_one(
        "{^p^x}",
        SyntaxErrorKind::PropWithoutValue,
        expect![[r#"
        {^p {^x <error>}}
        E008 1..5 property `^p^x` has no value (write `^p^^x` for a true flag)
    "#]],
    );
}

#[test]
fn repeated_keys() {
    check_one(
        "{^x 1 ^x 2}",
        SyntaxErrorKind::DuplicateKey,
        expect![[r#"
        {^x 2}
        E009 6..8 repeated key `^x` in the same map or property run
          related 1..3 first defined here
    "#]],
    );
    check_one(
        "{^p^x 1 ^p 2}",
        SyntaxErrorKind::DuplicateKey,
        expect![[r#"
        {^p 2}
        E009 8..10 repeated key `^p` in the same map or property run
          related 1..5 first defined here
    "#]],
    );
    check_one(
        "{^p 1 ^p^x 2}",
        SyntaxErrorKind::DuplicateKey,
        expect![[r#"
        {^p {^x 2}}
        E009 6..10 repeated key `^p^x` in the same map or property run
          related 1..3 first defined here
    "#]],
    );
    check_one(
        "{^^f ^!f}",
        SyntaxErrorKind::DuplicateKey,
        expect![[r#"
        {^f nil}
        E009 5..8 repeated key `^!f` in the same map or property run
          related 1..4 first defined here
    "#]],
    );
    check_one(
        "(f ^a 1 ^a 2)",
        SyntaxErrorKind::DuplicateKey,
        expect![[r#"
        (f ^a 2)
        E009 8..10 repeated key `^a` in the same map or property run
          related 3..5 first defined here
    "#]],
    );
    check_one(
        "#\"#{^a 1 ^a 2}\"",
        SyntaxErrorKind::DuplicateKey,
        expect![[r#"
        (#Str {^a 2})
        E009 9..11 repeated key `^a` in the same map or property run
          related 4..6 first defined here
    "#]],
    );
}

#[test]
fn properties_in_two_runs() {
    check_one(
        "(f ^a 1 x ^b 2 y ^c 3)",
        SyntaxErrorKind::PropsInWrongPlace,
        expect![[r#"
        (f ^a 1 ^b 2 ^c 3 x y)
        E010 10..12 properties found in wrong place: a gene's properties must form one contiguous run
    "#]],
    );
}

#[test]
fn non_keys_in_a_map() {
    check_one(
        "{:a 1}",
        SyntaxErrorKind::ExpectedPropKey,
        expect![[r#"
        {}
        E011 1..2 expected a property key: map entries are written `^key value`
    "#]],
    );
    check_one(
        "{^a 1 2 3 ^b 4}",
        SyntaxErrorKind::ExpectedPropKey,
        expect![[r#"
        {^a 1 ^b 4}
        E011 6..7 expected a property key: map entries are written `^key value`
    "#]],
    );
    check_one(
        "#\"#{^a 1 x}\"",
        SyntaxErrorKind::ExpectedPropKey,
        expect![[r#"
        (#Str {^a 1})
        E011 9..10 expected a property key: map entries are written `^key value`
    "#]],
    );
}

#[test]
fn missing_forms_after_prefixes() {
    check_one(
        ": x",
        SyntaxErrorKind::MissingForm,
        expect![[r#"
        <error>
        x
        E015 0..1 missing form: `:` must be followed directly by the form to quote, as in `:x`
    "#]],
    );
    check_one(
        "(a :)",
        SyntaxErrorKind::MissingForm,
        expect![[r#"
        (a <error>)
        E015 3..4 missing form: `:` must be followed directly by the form to quote, as in `:x`
    "#]],
    );
    check_one(
        "(a % b)",
        SyntaxErrorKind::MissingForm,
        expect![[r#"
        (a <error> b)
        E015 3..4 missing form: `%` must be followed directly by the form to unquote, as in `%x` (Gene has no `%` operator)
    "#]],
    );
    check_one(
        "%_ x",
        SyntaxErrorKind::MissingForm,
        expect![[r#"
        <error>
        x
        E015 0..2 missing form: `%` must be followed directly by the form to unquote, as in `%x` (Gene has no `%` operator)
    "#]],
    );
    check_one(
        "#@ f x",
        SyntaxErrorKind::MissingForm,
        expect![[r#"
        <error>
        f
        x
        E015 0..2 missing form: `#@` must be followed directly by a decorator, as in `#@f x`
    "#]],
    );
    check_one(
        "(#@f)",
        SyntaxErrorKind::MissingForm,
        expect![[r#"
        (<error>)
        E015 1..3 missing form: the decorator `#@f` needs a form to decorate after it, as in `#@f x`
    "#]],
    );
    check_one(
        "#\"#{}\"",
        SyntaxErrorKind::MissingForm,
        expect![[r#"
        ""
        E015 2..4 missing form: `#{` must hold a form to insert, as in `#{name}`
    "#]],
    );
}

#[test]
fn invalid_property_keys() {
    check_one(
        "(f ^ 1)",
        SyntaxErrorKind::InvalidPropKey,
        expect![[r#"
        (f)
        E016 3..4 invalid property key `^`: expected a name after every `^`
    "#]],
    );
    check_one(
        "{^a^ 1}",
        SyntaxErrorKind::InvalidPropKey,
        expect![[r#"
        {}
        E016 1..4 invalid property key `^a^`: expected a name after every `^`
    "#]],
    );
    check_one(
        "{^^a^b}",
        SyntaxErrorKind::InvalidPropKey,
        expect![[r#"
        {}
        E016 1..6 invalid property key `^^a^b`: expected a name after every `^`
    "#]],
    );
}

#[test]
fn escaped_slash_in_a_symbol() {
    check_one(
        "(f a\\/b)",
        SyntaxErrorKind::InvalidSymbol,
        expect![[r#"
        (f path["a", "b"])
        E018 4..6 invalid symbol: escaping `/` with a backslash is reserved; `/` always separates the parts of a path
    "#]],
    );
}
