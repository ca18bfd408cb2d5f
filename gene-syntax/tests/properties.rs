//! Property tests: on any input the parser does not panic, the tree gives the text back, the
//! chunked parse (what the database does) equals the whole-file parse, lowering does not panic
//! and every error range lies inside the text.

use gene_syntax::db::{self, RootDatabase, SourceFile};
use gene_syntax::lexer::tokenize;
use gene_syntax::parser::{rechunk, split_top_level};
use gene_syntax::{Parse, SyntaxNode, TextSize, parse_bytes, parse_text, parse_whole};
use proptest::prelude::*;

/// Pieces of Gene syntax, including the ones that make the lexer and parser change mode or
/// recover: brackets, strings, interpolation, comments, prefixes, keys, numbers, escapes.
const FRAGMENTS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "#[",
    "#{",
    "#(",
    "#\"",
    "#\"\"\"",
    "\"",
    "\"\"\"",
    "#<",
    ">#",
    ">>#",
    "#<<",
    "#",
    "# ",
    "#!",
    "##",
    "#\t",
    "#@",
    "^",
    "^^",
    "^!",
    "^a",
    "^a^b",
    "^^f",
    "^!n",
    ":",
    "%",
    "%_",
    "...",
    "'",
    "'x'",
    "'\\n'",
    "'ab'",
    "\\",
    "\\/",
    "\\u",
    "\\uD83D",
    "\\u00e9",
    ",",
    " ",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "a",
    "f",
    "x/y",
    "/x",
    "1",
    "-2",
    "+5",
    "3.5",
    "7.",
    "1e5",
    "3px",
    "0x1F",
    "2024-01-02",
    "10:30",
    "1/3",
    "0!",
    "99999999999999999999",
    "nil",
    "true",
    "false",
    "_",
    "xs...",
    "é",
    "🙂",
    "\u{0}",
    "}\"",
    "#{x}",
    "#{^k v}",
    "(f ^a 1 x)",
    "{^p^x 1 ^p 2}",
    "(a b]",
    "#[1 2]",
];

fn gene_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        6 => proptest::sample::select(FRAGMENTS).prop_map(str::to_string),
        1 => any::<String>().prop_map(|s| s.chars().take(6).collect()),
        1 => proptest::collection::vec(any::<u8>(), 0..6)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ];
    proptest::collection::vec(piece, 0..48).prop_map(|pieces| pieces.concat())
}

fn check_errors_in_text(parse: &Parse, text: &str) {
    let len = TextSize::of(text);
    for e in parse.errors() {
        assert!(e.range.end() <= len, "{e:?} outside {len:?}");
        assert!(text.is_char_boundary(e.range.start().into()), "{e:?}");
        assert!(text.is_char_boundary(e.range.end().into()), "{e:?}");
        for r in &e.related {
            assert!(r.range.end() <= len, "{r:?} outside {len:?}");
        }
        assert!(!e.message.is_empty());
    }
}

/// Visits every node through the typed AST, as a later pass would.
fn walk_ast(node: &SyntaxNode) {
    for n in node.descendants() {
        if let Some(e) = gene_syntax::ast::Expr::cast(n.clone()) {
            let _ = e.text_range();
            if let gene_syntax::ast::Expr::IString(s) = &e {
                let _ = s.pieces();
            }
            if let gene_syntax::ast::Expr::Gene(g) = &e {
                let _ = g.head();
                let _ = g.children().count();
                for p in g.props() {
                    let _ = (p.key(), p.value());
                }
            }
        }
        for t in n.children_with_tokens().filter_map(|e| e.into_token()) {
            if let Some(atom) = gene_syntax::ast::Atom::cast(t) {
                let _ = (atom.int_value(), atom.float_value(), atom.string_value());
                let _ = (atom.char_value(), atom.symbol_name(), atom.path_segments());
            }
        }
    }
}

fn check_text(text: &str) {
    let parse = parse_text(text);
    assert_eq!(parse.syntax_node().to_string(), text, "lossless");
    let whole = parse_whole(text);
    assert_eq!(parse.green(), whole.green(), "tree differs for {text:?}");
    assert_eq!(parse.errors(), whole.errors(), "errors differ for {text:?}");
    // Chunk by chunk, as the database parses: the same tree and errors.
    let lexed = gene_syntax::lexer::lex(text);
    let (green, errors) = gene_syntax::parser::parse_lexed_chunked(text, &lexed);
    assert_eq!(
        &green,
        whole.green(),
        "chunked tree differs from whole-file tree for {text:?}:\nchunked {:#?}\nwhole {:#?}",
        SyntaxNode::new_root(green.clone()),
        whole.syntax_node()
    );
    assert_eq!(errors, whole.errors(), "chunked errors differ for {text:?}");
    // Cut in two halves lexed and parsed on two threads, as big files are (when the text has a
    // line starting with `(` after its middle): the same tree and errors.
    let (green, errors) = gene_syntax::parser::parse_chunked_from(text, 0);
    assert_eq!(
        &green,
        parse.green(),
        "two-thread tree differs for {text:?}"
    );
    assert_eq!(
        errors,
        parse.errors(),
        "two-thread errors differ for {text:?}"
    );
    check_errors_in_text(&parse, text);
    let _ = parse.forms();
    walk_ast(&parse.syntax_node());
}

proptest! {
    // 256 cases keep `cargo test` fast; set PROPTEST_CASES for a longer run.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256),
        ..ProptestConfig::default()
    })]

    #[test]
    fn gene_like_text(text in gene_text()) {
        check_text(&text);
    }

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let (text, parse) = parse_bytes(&bytes);
        assert_eq!(parse.syntax_node().to_string(), text);
        check_errors_in_text(&parse, &text);
        check_text(&text);
    }

    /// Also with the chunks of every file parsed on two threads, as big files' are.
    #[test]
    fn database_parse_equals_parse_text(text in gene_text()) {
        for db in [RootDatabase::default(), RootDatabase::with_parallel_parse_from(0)] {
            let file = SourceFile::new(&db, "p.gene".into(), text.clone().into());
            let parse = db::parse(&db, file);
            let direct = parse_text(&text);
            assert_eq!(parse.green(), direct.green());
            assert_eq!(parse.errors(), direct.errors());
            let forms = db::file_forms(&db, file);
            assert_eq!(&forms[..], &direct.forms()[..]);
            let diagnostics = db::syntax_diagnostics(&db, file);
            assert_eq!(diagnostics.len(), direct.errors().len());
        }
    }

    /// The database's accelerators never show: two files split before either is parsed (the
    /// tokens kept from the first split are dropped for the second's), then one edited, give
    /// what parsing each text from scratch gives; on one thread or two.
    #[test]
    fn database_parse_after_splits_and_edits(
        a in gene_text(),
        b in gene_text(),
        edited in gene_text(),
        two_threads: bool,
    ) {
        let mut db = match two_threads {
            true => RootDatabase::with_parallel_parse_from(0),
            false => RootDatabase::default(),
        };
        let file_a = db.set_file("a.gene".into(), a.clone());
        let file_b = db.set_file("b.gene".into(), b.clone());
        let _ = db::chunks(&db, file_a);
        let _ = db::chunks(&db, file_b);
        for (file, text) in [(file_b, &b), (file_a, &a)] {
            let parse = db::parse(&db, file);
            let direct = parse_text(text);
            prop_assert_eq!(parse.green(), direct.green());
            prop_assert_eq!(parse.errors(), direct.errors());
        }
        let new_a = format!("{a}{edited}{a}");
        db.set_file("a.gene".into(), new_a.clone());
        let parse = db::parse(&db, file_a);
        let direct = parse_text(&new_a);
        prop_assert_eq!(parse.green(), direct.green());
        prop_assert_eq!(parse.errors(), direct.errors());
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256),
        ..ProptestConfig::default()
    })]

    /// The incremental split after an edit equals a split from scratch.
    #[test]
    fn rechunk_equals_a_fresh_split(
        old in gene_text(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0usize..8, gene_text()), 1..4),
    ) {
        let split = |t: &str| split_top_level(&tokenize(t).0);
        let mut text = old;
        let mut chunks = split(&text);
        for (at, remove, insert) in edits {
            let boundaries: Vec<usize> =
                (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
            let from = boundaries[at.index(boundaries.len())];
            let to = boundaries.iter().copied().filter(|&b| b >= from).nth(remove).unwrap_or(text.len());
            let mut new_text = text.clone();
            new_text.replace_range(from..to, &insert);
            let incremental = rechunk(&text, &chunks, &new_text);
            prop_assert_eq!(&incremental, &split(&new_text), "edit of {:?} into {:?}", text, new_text);
            text = new_text;
            chunks = incremental;
        }
    }
}

/// Inputs the property tests or the fuzzer once found wrong, kept as regressions.
#[test]
fn regressions() {
    for text in ["#\n#\ttab", "#", "x #(", "#)", "#%x", "a#"] {
        check_text(text);
    }
}

/// An edit far from a quote inside `#[` once changed how that quote was read (the lexer looked
/// ahead for a closing quote), so the chunks before the edit were wrong.
#[test]
fn rechunk_regression_quote_in_interpolation() {
    let split = |t: &str| split_top_level(&tokenize(t).0);
    let old = "#\"#[\"#{<#^a^b(";
    let new = "#\"#[\"#{#\"<#^a^b(";
    assert_eq!(rechunk(old, &split(old), new), split(new));
}

/// Texts cut in two where the cut falls inside a string, a comment, an interpolation or a form
/// (closed later or never): the two-thread path must notice and give the one-pass result.
#[test]
fn cuts_inside_strings_comments_and_forms() {
    let inside = "x\n(b)\n(c)\n(d)\n(e)\n";
    let openers = [
        ("\"", "\""),
        ("#\"", "\""),
        ("(a \"", "\")"),
        ("(a \"\"\"", "\"\"\")"),
        ("(a #\"", "\")"),
        ("(a #\"x #{", "}\")"),
        ("(a #\"x #(", ")\")"),
        ("#< ", " >#"),
        ("(a ", ")"),
        ("[a {^k ", "}]"),
        ("#[", "]"),
        ("(a \\", ")"),
        (":", ""),
        ("#@f ", ""),
    ];
    for (open, close) in openers {
        for text in [
            format!("{open}{inside}{close}\n(z)\n"),
            format!("{open}{inside}"),
            format!("(y)\n{open}{inside}{close}\n(z)\n"),
        ] {
            let (green, errors) = gene_syntax::parser::parse_chunked_from(&text, 0);
            let whole = parse_whole(&text);
            assert_eq!(&green, whole.green(), "tree for {text:?}");
            assert_eq!(errors, whole.errors(), "errors for {text:?}");
            let db = RootDatabase::with_parallel_parse_from(0);
            let file = SourceFile::new(&db, "cut.gene".into(), text.clone().into());
            assert_eq!(
                db::parse(&db, file).green(),
                whole.green(),
                "db tree for {text:?}"
            );
            assert_eq!(
                db::parse(&db, file).errors(),
                whole.errors(),
                "db errors for {text:?}"
            );
        }
    }
}
