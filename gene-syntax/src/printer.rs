//! Readable renderings of a parse, for `gene parse`: an outline of the concrete tree (trivia
//! left out), the full rowan dump, and lowered forms written back as Gene data.

use std::fmt::Write;

use crate::SyntaxNode;
use crate::form::{Form, FormKind, Prop};

/// The tree as an indented outline: one node or token per line, with byte ranges; whitespace and
/// comments are left out, token text is shown quoted.
pub fn outline(root: &SyntaxNode) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for event in root.preorder_with_tokens() {
        match event {
            rowan::WalkEvent::Enter(rowan::NodeOrToken::Node(node)) => {
                let _ = writeln!(
                    out,
                    "{:indent$}{:?} {:?}",
                    "",
                    node.kind(),
                    node.text_range(),
                    indent = depth * 2
                );
                depth += 1;
            }
            rowan::WalkEvent::Leave(rowan::NodeOrToken::Node(_)) => depth = depth.saturating_sub(1),
            rowan::WalkEvent::Enter(rowan::NodeOrToken::Token(token))
                if !token.kind().is_trivia() =>
            {
                let _ = writeln!(
                    out,
                    "{:indent$}{:?} {:?} {:?}",
                    "",
                    token.kind(),
                    token.text_range(),
                    token.text(),
                    indent = depth * 2
                );
            }
            _ => {}
        }
    }
    out
}

/// The full tree, trivia included, as rowan prints it.
pub fn debug_tree(root: &SyntaxNode) -> String {
    format!("{root:#?}")
}

/// Lowered forms written as Gene data, one top-level form per line.
pub fn sexpr(forms: &[Form]) -> String {
    let mut out = String::new();
    for form in forms {
        write_form(&mut out, form);
        out.push('\n');
    }
    out
}

/// One lowered form written as Gene data (strings quoted and escaped).
pub fn form_to_string(form: &Form) -> String {
    let mut out = String::new();
    write_form(&mut out, form);
    out
}

fn write_form(out: &mut String, form: &Form) {
    match &form.kind {
        FormKind::Nil => out.push_str("nil"),
        FormKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        FormKind::Int(i) => {
            let _ = write!(out, "{i}");
        }
        FormKind::Float(f) => {
            let f = f.0;
            if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e16 {
                let _ = write!(out, "{f:.1}");
            } else {
                let _ = write!(out, "{f}");
            }
        }
        FormKind::Str(s) => write_string_literal(out, s),
        FormKind::Char(c) => write_char_literal(out, *c),
        FormKind::Symbol(s) => out.push_str(s),
        FormKind::Path(segments) => out.push_str(&segments.join("/")),
        FormKind::Array(items) => write_seq(out, "[", items, "]"),
        FormKind::Set(items) => write_seq(out, "#[", items, "]"),
        FormKind::Map(props) => {
            out.push('{');
            write_props(out, props, false);
            out.push('}');
        }
        FormKind::Gene(gene) => {
            out.push('(');
            // `()` lowers to a gene whose head is an empty-ranged nil; print it back as `()`.
            let empty = matches!(gene.head.kind, FormKind::Nil) && gene.head.range.is_empty();
            if !empty {
                write_form(out, &gene.head);
            }
            write_props(out, &gene.props, !empty);
            for (i, child) in gene.children.iter().enumerate() {
                if !empty || i > 0 || !gene.props.is_empty() {
                    out.push(' ');
                }
                write_form(out, child);
            }
            out.push(')');
        }
        FormKind::Quote(inner) => {
            out.push(':');
            write_form(out, inner);
        }
        FormKind::Unquote { form, discard } => {
            out.push_str(if *discard { "%_" } else { "%" });
            write_form(out, form);
        }
        FormKind::Error => out.push_str("<error>"),
    }
}

fn write_seq(out: &mut String, open: &str, items: &[Form], close: &str) {
    out.push_str(open);
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        write_form(out, item);
    }
    out.push_str(close);
}

fn write_props(out: &mut String, props: &[Prop], leading_space: bool) {
    for (i, prop) in props.iter().enumerate() {
        if leading_space || i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "^{} ", prop.key);
        write_form(out, &prop.value);
    }
}

/// Writes `s` as a Gene string literal that reads back as `s`: quotes and backslashes escaped,
/// `\n \t \r \b \f` by name and every other control character as `\uXXXX` (so the text stays
/// printable). The one escaper of the project: `gene parse --format sexpr` and the VM's `$`
/// form (`inspect`, the REPL) both write strings with it.
pub fn write_string_literal(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            // Every control character is below U+10000: four digits always suffice.
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Writes `c` as a Gene character literal: `'a'`, `'\n'`, `'\''`.
pub fn write_char_literal(out: &mut String, c: char) {
    out.push('\'');
    match c {
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\'' => out.push_str("\\'"),
        '\\' => out.push_str("\\\\"),
        c => out.push(c),
    }
    out.push('\'');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SyntaxKind;
    use proptest::prelude::*;

    fn literal(s: &str) -> String {
        let mut out = String::new();
        write_string_literal(&mut out, s);
        out
    }

    /// The literal lexes as one string token with no error, and decodes to `s`.
    fn reads_back(s: &str) -> Result<(), TestCaseError> {
        let text = literal(s);
        let (tokens, errors) = crate::lexer::tokenize(&text);
        prop_assert!(errors.is_empty(), "{:?}: {:?}", text, errors);
        prop_assert_eq!(tokens.len(), 1, "{:?}: {:?}", text, tokens);
        prop_assert_eq!(tokens[0].kind, SyntaxKind::STRING);
        prop_assert_eq!(usize::from(tokens[0].len), text.len());
        prop_assert_eq!(crate::decode::decode_string(&text), s);
        Ok(())
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(literal("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(literal("\n\t\r\u{8}\u{c}"), r#""\n\t\r\b\f""#);
        assert_eq!(
            literal("\u{0}\u{1b}\u{7f}\u{85}"),
            r#""\u0000\u001b\u007f\u0085""#
        );
        assert_eq!(literal("#{x} é ☃ 😀"), "\"#{x} é ☃ 😀\"");
    }

    #[test]
    fn tricky_strings_read_back() {
        for s in [
            "", "\"", "\\", "\\\"", "\"\"\"", "\\u0041", "#{", "#(x)", "\u{0}", "\r\n",
        ] {
            reads_back(s).unwrap();
        }
    }

    #[test]
    fn chars_are_quoted() {
        let mut out = String::new();
        for c in ['a', '\n', '\'', '\\', '\u{8}'] {
            write_char_literal(&mut out, c);
        }
        assert_eq!(out, r"'a''\n''\'''\\''\b'");
    }

    proptest! {
        #[test]
        fn any_string_reads_back_through_the_lexer(s in any::<String>()) {
            reads_back(&s)?;
        }

        #[test]
        fn any_ascii_string_reads_back_through_the_lexer(s in "[\\x00-\\x7f]*") {
            reads_back(&s)?;
        }
    }
}
