//! Helpers shared by the snapshot tests: render a parse (tree, errors) and lowered forms as text.

#![allow(dead_code)]

use std::fmt::Write;

use gene_syntax::form::{Form, FormKind, Prop};
use gene_syntax::{Parse, SyntaxError, parse_text, parse_whole};

/// Parses `text` (checking that the chunked and whole-file parses agree) and renders the tree
/// and the errors.
pub fn tree(text: &str) -> String {
    let parse = checked_parse(text);
    let mut out = format!("{:#?}", parse.syntax_node());
    out.push_str(&errors_of(&parse));
    out
}

/// Renders only the errors of `text`.
pub fn errors(text: &str) -> String {
    errors_of(&checked_parse(text))
}

/// Renders the lowered forms of `text`, one per line, then the errors.
pub fn forms(text: &str) -> String {
    let parse = checked_parse(text);
    let mut out = String::new();
    for form in parse.forms() {
        write_form(&mut out, &form, false);
        out.push('\n');
    }
    out.push_str(&errors_of(&parse));
    out
}

/// Like [`forms`], with the byte range of every form.
pub fn forms_with_ranges(text: &str) -> String {
    let parse = checked_parse(text);
    let mut out = String::new();
    for form in parse.forms() {
        write_form(&mut out, &form, true);
        out.push('\n');
    }
    out.push_str(&errors_of(&parse));
    out
}

pub fn checked_parse(text: &str) -> Parse {
    let parse = parse_text(text);
    assert_eq!(
        parse.syntax_node().to_string(),
        text,
        "the tree must give the text back"
    );
    let whole = parse_whole(text);
    assert_eq!(
        parse.green(),
        whole.green(),
        "chunked and whole-file trees differ"
    );
    assert_eq!(
        parse.errors(),
        whole.errors(),
        "chunked and whole-file errors differ"
    );
    parse
}

pub fn errors_of(parse: &Parse) -> String {
    let mut out = String::new();
    for e in parse.errors() {
        write_error(&mut out, e);
    }
    out
}

fn write_error(out: &mut String, e: &SyntaxError) {
    let _ = writeln!(out, "{} {:?} {}", e.code(), e.range, e.message);
    for r in &e.related {
        let _ = writeln!(out, "  related {:?} {}", r.range, r.message);
    }
}

fn write_form(out: &mut String, form: &Form, ranges: bool) {
    match &form.kind {
        FormKind::Nil => out.push_str("nil"),
        FormKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        FormKind::Int(i) => {
            let _ = write!(out, "{i}");
        }
        FormKind::Float(f) => {
            let _ = write!(out, "{:?}f", f.0);
        }
        FormKind::Str(s) => {
            let _ = write!(out, "{s:?}");
        }
        FormKind::Char(c) => {
            let _ = write!(out, "{c:?}");
        }
        FormKind::Symbol(s) => {
            let _ = write!(out, "{s}");
        }
        FormKind::Path(segments) => {
            let _ = write!(out, "path{segments:?}");
        }
        FormKind::Array(items) => write_seq(out, "[", items, "]", ranges),
        FormKind::Set(items) => write_seq(out, "#[", items, "]", ranges),
        FormKind::Map(props) => {
            out.push('{');
            write_props(out, props, ranges);
            out.push('}');
        }
        FormKind::Gene(gene) => {
            out.push('(');
            write_form(out, &gene.head, ranges);
            if !gene.props.is_empty() {
                out.push(' ');
                write_props(out, &gene.props, ranges);
            }
            for child in &gene.children {
                out.push(' ');
                write_form(out, child, ranges);
            }
            out.push(')');
        }
        FormKind::Quote(inner) => {
            out.push(':');
            write_form(out, inner, ranges);
        }
        FormKind::Unquote { form, discard } => {
            out.push_str(if *discard { "%_" } else { "%" });
            write_form(out, form, ranges);
        }
        FormKind::Error => out.push_str("<error>"),
    }
    if ranges {
        let _ = write!(out, "@{:?}", form.range);
    }
}

fn write_seq(out: &mut String, open: &str, items: &[Form], close: &str, ranges: bool) {
    out.push_str(open);
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        write_form(out, item, ranges);
    }
    out.push_str(close);
}

fn write_props(out: &mut String, props: &[Prop], ranges: bool) {
    for (i, prop) in props.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "^{}", prop.key);
        if ranges {
            let _ = write!(out, "@{:?}", prop.key_range);
        }
        out.push(' ');
        write_form(out, &prop.value, ranges);
    }
}

/// Checks that `text` has exactly one error, of `kind`, and snapshots the lowered forms (what
/// the rest of the file became) followed by that error.
pub fn check_one(text: &str, kind: gene_syntax::SyntaxErrorKind, expect: expect_test::Expect) {
    let parse = checked_parse(text);
    let kinds: Vec<_> = parse.errors().iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [kind],
        "expected one {kind:?} error for {text:?}: {:#?}",
        parse.errors()
    );
    expect.assert_eq(&forms(text));
}
