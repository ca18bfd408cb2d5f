//! Snapshot tests of trees and lowered values for the atoms of §1.1-§1.6: comments, commas,
//! token boundaries, numbers, strings, characters, symbols and paths.

mod common;

use common::{forms, tree};
use expect_test::{Expect, expect};

fn check_tree(text: &str, expect: Expect) {
    expect.assert_eq(&tree(text));
}

fn check_forms(text: &str, expect: Expect) {
    expect.assert_eq(&forms(text));
}

#[test]
fn line_comments() {
    check_tree(
        "# note\n## twice\n#!shebang\n#\nx # tail",
        expect![[r###"
        SOURCE_FILE@0..36
          LINE_COMMENT@0..6 "# note"
          WHITESPACE@6..7 "\n"
          LINE_COMMENT@7..15 "## twice"
          WHITESPACE@15..16 "\n"
          LINE_COMMENT@16..25 "#!shebang"
          WHITESPACE@25..26 "\n"
          LINE_COMMENT@26..27 "#"
          WHITESPACE@27..28 "\n"
          SYMBOL@28..29 "x"
          WHITESPACE@29..30 " "
          LINE_COMMENT@30..36 "# tail"
    "###]],
    );
}

#[test]
fn hash_followed_by_other_characters_is_not_a_comment() {
    // A tab, a bracket or the end of the file after `#` do not make a comment (§1.1, §1.9).
    check_tree(
        "#\ttab #tag a#b #",
        expect![[r##"
        SOURCE_FILE@0..16
          SYMBOL@0..1 "#"
          WHITESPACE@1..2 "\t"
          SYMBOL@2..5 "tab"
          WHITESPACE@5..6 " "
          SYMBOL@6..10 "#tag"
          WHITESPACE@10..11 " "
          SYMBOL@11..14 "a#b"
          WHITESPACE@14..15 " "
          SYMBOL@15..16 "#"
    "##]],
    );
}

#[test]
fn block_comment_end_rule() {
    check_tree(
        "#< outer #<< inner >># still outer ># 42",
        expect![[r##"
        SOURCE_FILE@0..40
          BLOCK_COMMENT@0..37 "#< outer #<< inner >> ..."
          WHITESPACE@37..38 " "
          INT@38..40 "42"
    "##]],
    );
    check_tree(
        "#<x>## tail\ny",
        expect![[r##"
        SOURCE_FILE@0..13
          BLOCK_COMMENT@0..5 "#<x>#"
          LINE_COMMENT@5..11 "# tail"
          WHITESPACE@11..12 "\n"
          SYMBOL@12..13 "y"
    "##]],
    );
    check_tree(
        "[1 #< in a collection ># 2]",
        expect![[r##"
        SOURCE_FILE@0..27
          ARRAY@0..27
            L_BRACK@0..1 "["
            INT@1..2 "1"
            WHITESPACE@2..3 " "
            BLOCK_COMMENT@3..24 "#< in a collection >#"
            WHITESPACE@24..25 " "
            INT@25..26 "2"
            R_BRACK@26..27 "]"
    "##]],
    );
}

#[test]
fn commas_are_whitespace() {
    check_tree(
        "[1, 2] ,x,",
        expect![[r#"
        SOURCE_FILE@0..10
          ARRAY@0..6
            L_BRACK@0..1 "["
            INT@1..2 "1"
            WHITESPACE@2..4 ", "
            INT@4..5 "2"
            R_BRACK@5..6 "]"
          WHITESPACE@6..8 " ,"
          SYMBOL@8..9 "x"
          WHITESPACE@9..10 ","
    "#]],
    );
}

#[test]
fn token_boundaries() {
    check_forms(
        "a#b it's key:val x^y p.q a.b a\"s\" b%c d(e) f[g] h{^i 1}",
        expect![[r#"
            a#b
            it's
            key:val
            x^y
            p.q
            a.b
            a
            "s"
            b
            %c
            d
            (e)
            f
            [g]
            h
            {^i 1}
        "#]],
    );
}

#[test]
fn backslash_keeps_the_next_character() {
    check_forms(
        r"a\ b \( x\,y",
        expect![[r#"
        a b
        (
        x,y
    "#]],
    );
}

#[test]
fn integers() {
    check_forms(
        "0 42 007 +5 -7 -0 9223372036854775807 -9223372036854775808",
        expect![[r#"
        0
        42
        7
        5
        -7
        0
        9223372036854775807
        -9223372036854775808
    "#]],
    );
}

#[test]
fn floats() {
    check_forms(
        "2.5 7. 6e3 -1.25E-2 1.e5 +1e+5 0.000 1e400",
        expect![[r#"
        2.5f
        7.0f
        6000.0f
        -0.0125f
        100000.0f
        100000.0f
        0.0f
        inff
    "#]],
    );
}

#[test]
fn dot_numbers_are_symbols() {
    check_forms(
        ".5 -.5 + - +a -> ...",
        expect![[r#"
        .5
        -.5
        +
        -
        +a
        ->
        ...
    "#]],
    );
}

#[test]
fn number_tree() {
    check_tree(
        "(1 2.5 3px)",
        expect![[r#"
        SOURCE_FILE@0..11
          GENE@0..11
            L_PAREN@0..1 "("
            INT@1..2 "1"
            WHITESPACE@2..3 " "
            FLOAT@3..6 "2.5"
            WHITESPACE@6..7 " "
            BAD_NUMBER@7..10 "3px"
            R_PAREN@10..11 ")"
        E005 7..10 invalid number `3px`: a number followed by letters (a unit such as `3px` or `1m30s`) is reserved
    "#]],
    );
}

#[test]
fn string_escapes() {
    check_forms(
        r#""a\nb\tc\rd\be\ff" "\"q\" \\ \#" "\u00e9\uD83D\uDE00" "multi
line""#,
        expect![[r#"
            "a\nb\tc\rd\u{8}e\u{c}f"
            "\"q\" \\ #"
            "é😀"
            "multi\nline"
        "#]],
    );
}

#[test]
fn triple_quoted_strings() {
    check_forms(
        "\"\"\"  \nbody\n  \"\"\" \"\"\"say \"hi\" \"\"\" \"\"\"x\"\"\" \"\"\"\"\"\" \"\"\"\n  indented\n\"\"\"",
        expect![[r#"
            "\nbody\n"
            "say \"hi\" "
            "x"
            ""
            "\n  indented\n"
        "#]],
    );
}

#[test]
fn triple_quotes_end_at_the_first_three_quotes() {
    check_tree(
        "\"\"\"a\"\"\"\" b",
        expect![[r#"
        SOURCE_FILE@0..10
          STRING@0..7 "\"\"\"a\"\"\""
          STRING@7..10 "\" b"
        E003 7..8 unterminated string: expected a closing `"` before end of file
    "#]],
    );
}

#[test]
fn string_tree() {
    check_tree(
        r#"(p "x" """y""")"#,
        expect![[r#"
        SOURCE_FILE@0..15
          GENE@0..15
            L_PAREN@0..1 "("
            SYMBOL@1..2 "p"
            WHITESPACE@2..3 " "
            STRING@3..6 "\"x\""
            WHITESPACE@6..7 " "
            STRING@7..14 "\"\"\"y\"\"\""
            R_PAREN@14..15 ")"
    "#]],
    );
}

#[test]
fn characters() {
    check_forms(
        r#"'x' '\n' '\t' '\r' '\b' '\f' '\\' '\'' '\"' '\z' ' ' '(' '"'"#,
        expect![[r#"
        'x'
        '\n'
        '\t'
        '\r'
        '\u{8}'
        '\u{c}'
        '\\'
        '\''
        '"'
        'z'
        ' '
        '('
        '"'
    "#]],
    );
    check_tree(
        "['a' '\\n']",
        expect![[r#"
        SOURCE_FILE@0..10
          ARRAY@0..10
            L_BRACK@0..1 "["
            CHAR@1..4 "'a'"
            WHITESPACE@4..5 " "
            CHAR@5..9 "'\\n'"
            R_BRACK@9..10 "]"
    "#]],
    );
}

#[test]
fn literals_and_symbols() {
    check_forms(
        "nil true false _ +tag+ a:b #a ok? -> ... ./ ^k name-🙂 $ns @key xs...",
        expect![[r#"
        nil
        true
        false
        _
        +tag+
        a:b
        #a
        ok?
        ->
        ...
        path[".", ""]
        ^k
        name-🙂
        $ns
        @key
        xs...
    "#]],
    );
}

#[test]
fn paths() {
    check_forms(
        "a/b/c /x n/ ./key ./ xs/0 obj/.name $ns/x / a\\ b/c",
        expect![[r#"
        path["a", "b", "c"]
        path["", "x"]
        path["n", ""]
        path[".", "key"]
        path[".", ""]
        path["xs", "0"]
        path["obj", ".name"]
        path["$ns", "x"]
        /
        path["a b", "c"]
    "#]],
    );
}

#[test]
fn symbol_tree() {
    check_tree(
        "(f nil true a/b)",
        expect![[r#"
        SOURCE_FILE@0..16
          GENE@0..16
            L_PAREN@0..1 "("
            SYMBOL@1..2 "f"
            WHITESPACE@2..3 " "
            NIL@3..6 "nil"
            WHITESPACE@6..7 " "
            TRUE@7..11 "true"
            WHITESPACE@11..12 " "
            SYMBOL@12..15 "a/b"
            R_PAREN@15..16 ")"
    "#]],
    );
}

#[test]
fn crlf_and_lone_cr_are_whitespace() {
    check_tree(
        "a\r\nb\rc",
        expect![[r#"
        SOURCE_FILE@0..6
          SYMBOL@0..1 "a"
          WHITESPACE@1..3 "\r\n"
          SYMBOL@3..4 "b"
          WHITESPACE@4..5 "\r"
          SYMBOL@5..6 "c"
    "#]],
    );
}

/// Every whitespace character (`char::is_whitespace`, and U+FEFF) separates forms and is a
/// whitespace token, wherever it is: between forms, inside genes, inside interpolations.
#[test]
fn every_whitespace_character_separates_forms() {
    let spaces: Vec<char> = (0..=u32::from(char::MAX))
        .filter_map(char::from_u32)
        .filter(|c| c.is_whitespace() || *c == '\u{FEFF}')
        .collect();
    assert_eq!(spaces.len(), 26);
    for c in spaces {
        let text = format!("a{c}b{c}(f{c}1{c}[2{c}3]){c}#\"#{{(g{c}x)}}\"{c}");
        let parse = common::checked_parse(&text);
        assert!(parse.errors().is_empty(), "{c:?}: {:?}", parse.errors());
        assert_eq!(
            forms(&text),
            "a\nb\n(f 1 [2 3])\n(#Str (g x))\n",
            "U+{:04X} is whitespace",
            u32::from(c)
        );
        let whitespace: Vec<String> = parse
            .syntax_node()
            .descendants_with_tokens()
            .filter_map(|e| e.into_token())
            .filter(|t| t.kind() == gene_syntax::SyntaxKind::WHITESPACE)
            .map(|t| t.text().to_string())
            .collect();
        assert!(
            whitespace.iter().all(|w| w == &c.to_string()),
            "{c:?}: {whitespace:?}"
        );
    }
}

/// Characters that share a first byte with a whitespace character stay in their symbol.
#[test]
fn other_characters_continue_symbols() {
    for c in [
        '\u{A1}', '\u{A9}', '\u{1681}', '\u{2030}', '→', '\u{2060}', '\u{3001}', 'ﬀ', '\u{FEFE}',
        'é',
    ] {
        let text = format!("a{c}b {c}x x{c}");
        let parse = common::checked_parse(&text);
        assert!(parse.errors().is_empty(), "{c:?}: {:?}", parse.errors());
        assert_eq!(forms(&text), format!("a{c}b\n{c}x\nx{c}\n"));
    }
}

#[test]
fn a_byte_order_mark_is_whitespace() {
    check_tree(
        "\u{FEFF}(println 1)",
        expect![[r#"
            SOURCE_FILE@0..14
              WHITESPACE@0..3 "\u{feff}"
              GENE@3..14
                L_PAREN@3..4 "("
                SYMBOL@4..11 "println"
                WHITESPACE@11..12 " "
                INT@12..13 "1"
                R_PAREN@13..14 ")"
        "#]],
    );
}
