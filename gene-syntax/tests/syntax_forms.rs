//! Snapshot tests of trees and lowered forms for §1.4 (interpolation) and §1.7-§1.8: quote,
//! unquote, decorators, spread, arrays, sets, maps and genes.

mod common;

use common::{forms, forms_with_ranges, tree};
use expect_test::{Expect, expect};

fn check_tree(text: &str, expect: Expect) {
    expect.assert_eq(&tree(text));
}

fn check_forms(text: &str, expect: Expect) {
    expect.assert_eq(&forms(text));
}

#[test]
fn quote_and_unquote() {
    check_tree(
        ":x %y %_z",
        expect![[r#"
        SOURCE_FILE@0..9
          QUOTE@0..2
            COLON@0..1 ":"
            SYMBOL@1..2 "x"
          WHITESPACE@2..3 " "
          UNQUOTE@3..5
            PERCENT@3..4 "%"
            SYMBOL@4..5 "y"
          WHITESPACE@5..6 " "
          UNQUOTE@6..9
            PERCENT_UNDERSCORE@6..8 "%_"
            SYMBOL@8..9 "z"
    "#]],
    );
    check_forms(
        ":x :(a b) :[1 x] :{^k v} ::x :(t %a %_b %(c d))",
        expect![[r#"
        :x
        :(a b)
        :[1 x]
        :{^k v}
        ::x
        :(t %a %_b %(c d))
    "#]],
    );
}

#[test]
fn percent_is_never_modulo() {
    check_forms(
        "(a % b) (a %b)",
        expect![[r#"
            (a <error> b)
            (a %b)
            E015 3..4 missing form: `%` must be followed directly by the form to unquote, as in `%x` (Gene has no `%` operator)
        "#]],
    );
}

#[test]
fn decorators() {
    check_tree(
        "#@f x",
        expect![[r##"
        SOURCE_FILE@0..5
          DECORATOR@0..5
            HASH_AT@0..2 "#@"
            SYMBOL@2..3 "f"
            WHITESPACE@3..4 " "
            SYMBOL@4..5 "x"
    "##]],
    );
    check_forms(
        "#@f x #@f #@g x #@(memo 1) (fn f) {^a #@f x} (g ^b #@f y)",
        expect![[r#"
        (f x)
        (f (g x))
        ((memo 1) (fn f))
        {^a (f x)}
        (g ^b (f y))
    "#]],
    );
}

#[test]
fn spread() {
    check_forms(
        "xs... [0 xs... 9] (f xs...) (... xs)",
        expect![[r#"
        xs...
        [0 xs... 9]
        (f xs...)
        (... xs)
    "#]],
    );
}

#[test]
fn arrays_and_sets() {
    check_tree(
        "[a [b] #[c]]",
        expect![[r##"
        SOURCE_FILE@0..12
          ARRAY@0..12
            L_BRACK@0..1 "["
            SYMBOL@1..2 "a"
            WHITESPACE@2..3 " "
            ARRAY@3..6
              L_BRACK@3..4 "["
              SYMBOL@4..5 "b"
              R_BRACK@5..6 "]"
            WHITESPACE@6..7 " "
            SET@7..11
              HASH_BRACK@7..9 "#["
              SYMBOL@9..10 "c"
              R_BRACK@10..11 "]"
            R_BRACK@11..12 "]"
    "##]],
    );
    check_forms(
        "[] [^k] [nil 7] #[] #[1 2 1]",
        expect![[r#"
        []
        [^k]
        [nil 7]
        #[]
        #[1 2 1]
    "#]],
    );
}

#[test]
fn maps() {
    check_tree(
        "{^a 1 ^^b ^!c}",
        expect![[r#"
        SOURCE_FILE@0..14
          MAP@0..14
            L_BRACE@0..1 "{"
            PROP@1..5
              PROP_KEY@1..3 "^a"
              WHITESPACE@3..4 " "
              INT@4..5 "1"
            WHITESPACE@5..6 " "
            PROP@6..9
              PROP_KEY@6..9 "^^b"
            WHITESPACE@9..10 " "
            PROP@10..13
              PROP_KEY@10..13 "^!c"
            R_BRACE@13..14 "}"
    "#]],
    );
    check_forms(
        "{} {^a 1 ^b [2]} {^^t ^!n} {^a/b.c:d 1}",
        expect![[r#"
        {}
        {^a 1 ^b [2]}
        {^t true ^n nil}
        {^a/b.c:d 1}
    "#]],
    );
}

#[test]
fn map_paths_merge() {
    check_forms(
        "{^a^b 1} {^a^^b} {^a^!b} {^p^x 1 ^p^y 2} {^p^x^y 1 ^p^x^z 2 ^q 3} {^a\\^b 1}",
        expect![[r#"
            {^a {^b 1}}
            {^a {^b true}}
            {^a {^b false}}
            {^p {^x 1 ^y 2}}
            {^p {^x {^y 1 ^z 2}} ^q 3}
            {^a^b 1}
        "#]],
    );
}

#[test]
fn map_values_may_be_any_form() {
    check_forms(
        "{^f (g 1) ^q :x ^s #\"#{v}\" ^n nil}",
        expect![[r#"
        {^f (g 1) ^q :x ^s (#Str v) ^n nil}
    "#]],
    );
}

#[test]
fn gene_shapes() {
    check_forms(
        "() (()) (nil 2) (^k 1) (f) ((f) x) ([a] b) (\"s\" 1)",
        expect![[r#"
        (nil)
        ((nil))
        (nil 2)
        (^k 1)
        (f)
        ((f) x)
        ([a] b)
        ("s" 1)
    "#]],
    );
}

#[test]
fn gene_tree_with_props() {
    check_tree(
        "(f ^a 1 ^^b x)",
        expect![[r#"
        SOURCE_FILE@0..14
          GENE@0..14
            L_PAREN@0..1 "("
            SYMBOL@1..2 "f"
            WHITESPACE@2..3 " "
            PROP@3..7
              PROP_KEY@3..5 "^a"
              WHITESPACE@5..6 " "
              INT@6..7 "1"
            WHITESPACE@7..8 " "
            PROP@8..11
              PROP_KEY@8..11 "^^b"
            WHITESPACE@11..12 " "
            SYMBOL@12..13 "x"
            R_PAREN@13..14 ")"
    "#]],
    );
}

#[test]
fn gene_prop_run_anywhere() {
    check_forms(
        "(f ^a 1 ^b 2 x y) (f x ^a 1 y) (f x y ^a 1) (f ^a^b 1 ^a^c 2 x)",
        expect![[r#"
        (f ^a 1 ^b 2 x y)
        (f ^a 1 x y)
        (f ^a 1 x y)
        (f ^a {^b 1 ^c 2} x)
    "#]],
    );
}

#[test]
fn nil_elements_are_kept() {
    check_forms(
        "[nil 7] (f nil) (nil) (f ^a nil) {^a nil}",
        expect![[r#"
        [nil 7]
        (f nil)
        (nil)
        (f ^a nil)
        {^a nil}
    "#]],
    );
}

#[test]
fn comments_inside_forms() {
    check_tree(
        "(f # c\n ^a #<b># 1 x)",
        expect![[r##"
        SOURCE_FILE@0..21
          GENE@0..21
            L_PAREN@0..1 "("
            SYMBOL@1..2 "f"
            WHITESPACE@2..3 " "
            LINE_COMMENT@3..6 "# c"
            WHITESPACE@6..8 "\n "
            PROP@8..18
              PROP_KEY@8..10 "^a"
              WHITESPACE@10..11 " "
              BLOCK_COMMENT@11..16 "#<b>#"
              WHITESPACE@16..17 " "
              INT@17..18 "1"
            WHITESPACE@18..19 " "
            SYMBOL@19..20 "x"
            R_PAREN@20..21 ")"
    "##]],
    );
}

#[test]
fn interpolated_strings() {
    check_tree(
        "#\"n=#{n}!\"",
        expect![[r##"
        SOURCE_FILE@0..10
          ISTRING@0..10
            ISTRING_START@0..2 "#\""
            ISTRING_TEXT@2..4 "n="
            INTERP@4..8
              INTERP_START@4..6 "#{"
              SYMBOL@6..7 "n"
              INTERP_END@7..8 "}"
            ISTRING_TEXT@8..9 "!"
            ISTRING_END@9..10 "\""
    "##]],
    );
    check_forms(
        "#\"abc\" #\"n=#{n}!\" #\"#{^k v ^j 2}\" #\"#(f x)#[1 2]#<gone>#z\" #\"a#b#\" #\"#{a}#b\"",
        expect![[r##"
            "abc"
            (#Str "n=" n "!")
            (#Str {^k v ^j 2})
            (#Str (f x) [1 2] "z")
            "a#b#"
            (#Str a "#b")
        "##]],
    );
}

#[test]
fn interpolated_string_escapes_and_nesting() {
    check_forms(
        r##"#"q=\"#{x}\" \#{not}" #"#{#"in #{y}"}" #"#{ {^a 1} }" #"#{"s"}""##,
        expect![[r#"
            (#Str "q=\"" x "\" #{not}")
            (#Str (#Str "in " y))
            (#Str {^a 1})
            "s"
        "#]],
    );
}

#[test]
fn interpolation_tree_with_props() {
    check_tree(
        "#\"#{^k v}#[1]\"",
        expect![[r##"
        SOURCE_FILE@0..14
          ISTRING@0..14
            ISTRING_START@0..2 "#\""
            INTERP@2..9
              INTERP_START@2..4 "#{"
              PROP@4..8
                PROP_KEY@4..6 "^k"
                WHITESPACE@6..7 " "
                SYMBOL@7..8 "v"
              INTERP_END@8..9 "}"
            INTERP@9..13
              INTERP_HASH@9..10 "#"
              ARRAY@10..13
                L_BRACK@10..11 "["
                INT@11..12 "1"
                R_BRACK@12..13 "]"
            ISTRING_END@13..14 "\""
    "##]],
    );
}

#[test]
fn triple_quoted_interpolation_is_trimmed() {
    check_forms(
        "#\"\"\"\n  say \"#{name}\" \n  \"\"\" #\"\"\"a\"\"\" #\"\"\"  \nx #{y}\"\"\"",
        expect![[r#"
            (#Str "\n  say \"" name "\" \n")
            "a"
            (#Str "\nx " y)
        "#]],
    );
}

#[test]
fn lowered_ranges() {
    expect![[r#"
        (f@1..2 ^p@3..7 {^x@3..7 1@8..9 ^y@10..14 2@15..16}@3..16 [a@18..19]@17..20)@0..21
        (d@24..25 x@26..27)@22..27
        (#Str@28..28 "a"@30..31 b@33..34)@28..36
    "#]]
    .assert_eq(&forms_with_ranges("(f ^p^x 1 ^p^y 2 [a]) #@d x #\"a#{b}\""));
}
