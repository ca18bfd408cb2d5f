use super::format_text;

#[track_caller]
fn check(input: &str, expected: &str) {
    let once = format_text(input).expect("formats");
    assert_eq!(once, expected, "formatting:\n{input}");
    let twice = format_text(&once).expect("formats again");
    assert_eq!(twice, once, "formatting is idempotent");
}

#[test]
fn short_forms_go_on_one_line() {
    check("(println   \"hi\" ,  x)", "(println \"hi\" x)\n");
    check("[1,2,3]  {^a 1   ^b [x y]}", "[1 2 3]\n{^a 1 ^b [x y]}\n");
    check(
        "(f ^a 1 x)\n\n\n\n(g :x %y #@d z)",
        "(f ^a 1 x)\n\n(g :x %y #@d z)\n",
    );
}

#[test]
fn function_bodies_break_under_the_header() {
    check(
        "(fn fib [n] (if (n < 2) n else ((fib (n - 1)) + (fib (n - 2)))) # recursive\n)",
        "(fn fib [n]\n  (if (n < 2) n else ((fib (n - 1)) + (fib (n - 2)))) # recursive\n)\n",
    );
}

#[test]
fn comments_and_blank_lines_are_kept() {
    check(
        "# top\n(fn f [x] # the param\n  (println x)\n\n  # middle\n  (println x))\n",
        "# top\n(fn f [x] # the param\n  (println x)\n\n  # middle\n  (println x))\n",
    );
    check("#< block ># (f 1)", "#< block >#\n(f 1)\n");
}

#[test]
fn a_comment_before_the_head_ends_its_line() {
    check(
        "( # note\nprintln \"hello\")",
        "(\n  # note\n  println \"hello\")\n",
    );
    check(
        "(fn f [x] ( # why\n\n  g x 1))",
        "(fn f [x]\n  (\n    # why\n\n    g x\n      1))\n",
    );
}

#[test]
fn a_byte_order_mark_is_kept() {
    check("\u{FEFF}(f   1)\u{FEFF}(g)", "\u{FEFF}(f 1)\n(g)\n");
    check("\u{FEFF}", "\u{FEFF}");
}

#[test]
fn long_forms_break() {
    let long = format!("(call_something \"{}\" second third)", "x".repeat(80));
    check(
        &long,
        &format!(
            "(call_something \"{}\"\n                second\n                third)\n",
            "x".repeat(80)
        ),
    );
    let long_if = format!(
        "(if (ready) (println \"{}\") else (println \"no\"))",
        "y".repeat(80)
    );
    check(
        &long_if,
        &format!(
            "(if (ready)\n  (println \"{}\")\nelse\n  (println \"no\"))\n",
            "y".repeat(80)
        ),
    );
}

#[test]
fn strings_and_interpolations_are_untouched() {
    check(
        "(println   #\"a  #{ x }  b\")",
        "(println #\"a  #{ x }  b\")\n",
    );
    check(
        "(println  \"\"\"\n  keep   this\n\"\"\")",
        "(println \"\"\"\n  keep   this\n\"\"\")\n",
    );
}

#[test]
fn files_with_syntax_errors_are_refused() {
    assert!(format_text("(f").is_err());
}

#[test]
fn formatting_keeps_every_token() {
    let texts = [
        include_str!("../../../examples/hello.gene"),
        include_str!("../../../examples/fib.gene"),
        include_str!("../../../examples/shapes.gene"),
        include_str!("../../../examples/async.gene"),
        include_str!("../../../tests/fixtures/syntax-tour.gene"),
    ];
    for text in texts {
        let formatted = format_text(text).expect("formats");
        let tokens = |t: &str| -> Vec<String> {
            crate::parse_text(t)
                .syntax_node()
                .descendants_with_tokens()
                .filter_map(|e| e.into_token())
                .filter(|t| !matches!(t.kind(), crate::SyntaxKind::WHITESPACE))
                .map(|t| t.text().trim_end().to_string())
                .collect()
        };
        assert_eq!(
            tokens(&formatted),
            tokens(text),
            "tokens changed in:\n{formatted}"
        );
        assert_eq!(
            format_text(&formatted).unwrap(),
            formatted,
            "not idempotent:\n{formatted}"
        );
    }
}

#[test]
fn range_formatting_touches_only_the_forms_in_range() {
    let text = "(f   1)\n(g   2)\nx   \n";
    let parse = crate::parse_text(text);
    let at_g = rowan::TextSize::from(text.find("(g").unwrap() as u32);
    let (range, new_text) = super::format_range(&parse, rowan::TextRange::empty(at_g))
        .unwrap()
        .unwrap();
    assert_eq!(&text[range], "(g   2)");
    assert_eq!(new_text, "(g 2)");
    let formatted = "(f 1)\n";
    assert_eq!(
        super::format_range(
            &crate::parse_text(formatted),
            rowan::TextRange::empty(0.into())
        )
        .unwrap(),
        None
    );
}
