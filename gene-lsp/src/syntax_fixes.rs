//! Quick fixes for the syntax errors whose repair is clear from the tree.
//!
//! - `E002` unexpected closer: remove it. The parser already set it aside in an `ERROR` node, so
//!   removing it keeps the program exactly as it was read: a safe fix.
//! - `E001` unclosed delimiter: insert the closer right after the last form the parser put inside
//!   the open form. That is where the parser's own reading ends the form, so the result means
//!   what the parser already read; but where the form *should* end is the author's call, so the
//!   fix is offered, not applied by "fix all". No fix when an unterminated string runs to the
//!   end (the closer would land inside it) or for an interpolation `#{` (its text is the
//!   string's).

use gene_syntax::{
    Diagnostic, Fix, SyntaxErrorKind, SyntaxKind, SyntaxNode, TextEdit, TextRange, TextSize,
};

/// The fixes for one syntax diagnostic; `root` is the tree the diagnostic's ranges refer to and
/// `all` every syntax diagnostic of that tree.
pub fn syntax_fixes(root: &SyntaxNode, diagnostic: &Diagnostic, all: &[Diagnostic]) -> Vec<Fix> {
    match SyntaxErrorKind::from_code(diagnostic.code) {
        Some(SyntaxErrorKind::UnexpectedCloser) => remove_stray_closer(root, diagnostic.range),
        Some(SyntaxErrorKind::UnclosedDelimiter) => {
            let unterminated_string = all.iter().any(|d| {
                d.code == SyntaxErrorKind::UnterminatedString.code()
                    && d.range.start() >= diagnostic.range.start()
            });
            if unterminated_string {
                Vec::new()
            } else {
                insert_missing_closer(root, diagnostic.range)
            }
        }
        _ => Vec::new(),
    }
}

fn closer_for(opener: SyntaxKind) -> Option<&'static str> {
    match opener {
        SyntaxKind::L_PAREN => Some(")"),
        SyntaxKind::L_BRACK | SyntaxKind::HASH_BRACK => Some("]"),
        SyntaxKind::L_BRACE => Some("}"),
        _ => None,
    }
}

/// The token that covers exactly `range`, if any.
fn token_at(root: &SyntaxNode, range: TextRange) -> Option<gene_syntax::SyntaxToken> {
    if !root.text_range().contains_range(range) {
        return None;
    }
    root.token_at_offset(range.start())
        .find(|t| t.text_range() == range)
}

fn remove_stray_closer(root: &SyntaxNode, range: TextRange) -> Vec<Fix> {
    let Some(token) = token_at(root, range) else {
        return Vec::new();
    };
    if !token.kind().is_closer() {
        return Vec::new();
    }
    vec![Fix {
        title: format!("Remove the unmatched `{}`", token.text()),
        edits: vec![TextEdit {
            range,
            new_text: String::new(),
        }],
        safe: true,
    }]
}

/// Is this token a stray closer the parser set aside (it ends nothing)?
fn is_stray_closer(token: &gene_syntax::SyntaxToken) -> bool {
    token.kind().is_closer()
        && token
            .parent()
            .is_some_and(|p| p.kind() == SyntaxKind::ERROR)
}

fn closer_kind(opener: SyntaxKind) -> Option<SyntaxKind> {
    match opener {
        SyntaxKind::L_PAREN => Some(SyntaxKind::R_PAREN),
        SyntaxKind::L_BRACK | SyntaxKind::HASH_BRACK => Some(SyntaxKind::R_BRACK),
        SyntaxKind::L_BRACE => Some(SyntaxKind::R_BRACE),
        _ => None,
    }
}

/// The closers `form` and the forms left open at its end need, innermost first. The parser
/// reports only the outermost of forms that are all open at the end of the file; the ones
/// inside it end where it ends, so they are closed at the same place.
fn missing_closers(form: &SyntaxNode) -> String {
    let mut closers = Vec::new();
    let mut node = form.clone();
    loop {
        let opener = node.first_token().map(|t| t.kind());
        if let Some(closer) = opener.and_then(closer_kind) {
            let closed = node
                .last_child_or_token()
                .is_some_and(|last| last.kind() == closer);
            if closed || node.kind() == SyntaxKind::ERROR {
                break;
            }
            closers.extend(opener.and_then(closer_for));
        } else if node != *form
            && !matches!(
                node.kind(),
                SyntaxKind::PROP | SyntaxKind::QUOTE | SyntaxKind::UNQUOTE | SyntaxKind::DECORATOR
            )
        {
            // Strings and other nodes end on their own.
            break;
        }
        // Down into the last element, where an inner form may still be open.
        let last = node
            .children_with_tokens()
            .filter(|e| !e.kind().is_trivia())
            .last();
        match last.and_then(|e| e.into_node()) {
            Some(child) => node = child,
            None => break,
        }
    }
    closers.reverse();
    closers.concat()
}

fn insert_missing_closer(root: &SyntaxNode, range: TextRange) -> Vec<Fix> {
    let Some(opener) = token_at(root, range) else {
        return Vec::new();
    };
    if closer_for(opener.kind()).is_none() {
        return Vec::new();
    }
    let Some(form) = opener.parent() else {
        return Vec::new();
    };
    let closers = missing_closers(&form);
    if closers.is_empty() {
        return Vec::new();
    }
    // The end of the last token of the form that is not trivia (a closer after a line comment
    // would be commented out) and not a stray closer. Walked backwards from the form's end, so
    // the cost is the trailing trivia, not the form (which may swallow the rest of the file).
    let opener_end = opener.text_range().end();
    let mut token = form.last_token();
    let at: TextSize = loop {
        match token {
            Some(t) if t.text_range().start() >= opener_end => {
                if !t.kind().is_trivia() && !is_stray_closer(&t) {
                    break t.text_range().end();
                }
                token = t.prev_token();
            }
            _ => break opener_end,
        }
    };
    vec![Fix {
        title: format!("Insert the missing `{closers}`"),
        edits: vec![TextEdit {
            range: TextRange::empty(at),
            new_text: closers,
        }],
        safe: false,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applies the first fix of every diagnostic with the given code and returns the new text.
    fn fixed(text: &str, code: &str) -> Vec<String> {
        let parse = gene_syntax::parse_text(text);
        let root = parse.syntax_node();
        let all: Vec<Diagnostic> = parse.errors().iter().map(Diagnostic::from).collect();
        all.iter()
            .filter(|d| d.code == code)
            .filter_map(|d| syntax_fixes(&root, d, &all).into_iter().next())
            .map(|fix| apply(text, &fix))
            .collect()
    }

    fn apply(text: &str, fix: &Fix) -> String {
        let mut out = text.to_string();
        let mut edits = fix.edits.clone();
        edits.sort_by_key(|e| std::cmp::Reverse(e.range.start()));
        for e in edits {
            out.replace_range(std::ops::Range::<usize>::from(e.range), &e.new_text);
        }
        out
    }

    #[test]
    fn unclosed_forms_are_closed_after_their_last_form() {
        assert_eq!(fixed("(f 1 2", "E001"), ["(f 1 2)"]);
        assert_eq!(fixed("(f 1 2 # note\n\n", "E001"), ["(f 1 2) # note\n\n"]);
        assert_eq!(fixed("(", "E001"), ["()"]);
        // Forms open at the end of the file are closed together, innermost first.
        assert_eq!(fixed("{^a [1 2", "E001"), ["{^a [1 2]}"]);
        assert_eq!(fixed("(f (g [1 2 # c\n", "E001"), ["(f (g [1 2])) # c\n"]);
        assert_eq!(fixed("(f :(g [1", "E001"), ["(f :(g [1]))"]);
        assert_eq!(fixed("#[1 2", "E001"), ["#[1 2]"]);
        // A mismatched closer: the array ends before the `)` that closes the gene.
        assert_eq!(fixed("(f [1 2)", "E001"), ["(f [1 2])"]);
        // The fixed text parses without the error.
        for text in ["(a (b [1 2) # c\n", "(def f [x]\n  (g x)\n\n(h)\n"] {
            for result in fixed(text, "E001") {
                let errors = gene_syntax::parse_text(&result).errors().len();
                assert!(
                    errors < gene_syntax::parse_text(text).errors().len(),
                    "{result}"
                );
            }
        }
    }

    #[test]
    fn no_closer_into_an_unterminated_string() {
        assert!(fixed("(f \"abc", "E001").is_empty());
    }

    #[test]
    fn stray_closers_are_removed() {
        assert_eq!(fixed("(f 1))", "E002"), ["(f 1)"]);
        assert_eq!(fixed("]\n(g)", "E002"), ["\n(g)"]);
        let parse = gene_syntax::parse_text("(f))");
        let all: Vec<Diagnostic> = parse.errors().iter().map(Diagnostic::from).collect();
        assert!(syntax_fixes(&parse.syntax_node(), &all[0], &all)[0].safe);
    }

    #[test]
    fn other_errors_have_no_fix() {
        let parse = gene_syntax::parse_text("{^a 1 ^a 2} 3px");
        let all: Vec<Diagnostic> = parse.errors().iter().map(Diagnostic::from).collect();
        assert!(!all.is_empty());
        for d in &all {
            assert!(syntax_fixes(&parse.syntax_node(), d, &all).is_empty());
        }
    }
}
