//! The layout engine: renders elements at a column, one line when they fit, broken otherwise.

use super::WIDTH;
use crate::{SyntaxElement, SyntaxKind, SyntaxNode};

/// One thing to lay out inside a form, with what the original text says about its line.
enum Item {
    Form(SyntaxElement),
    /// A `#` comment; `trailing` when it ended the line of the item before it.
    Comment {
        text: String,
        trailing: bool,
    },
    /// One or more blank lines in the original, between two items.
    Blank,
}

fn newlines(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'\n').count()
}

/// The items among `elements` (whitespace and commas dropped, comments and blank lines kept).
fn items(elements: impl Iterator<Item = SyntaxElement>) -> Vec<Item> {
    let mut out = Vec::new();
    let mut pending_newlines = 0usize;
    let mut seen_any = false;
    for element in elements {
        match element.kind() {
            SyntaxKind::WHITESPACE => {
                if let Some(t) = element.as_token() {
                    pending_newlines += newlines(t.text());
                }
            }
            SyntaxKind::LINE_COMMENT => {
                if seen_any && pending_newlines >= 2 {
                    out.push(Item::Blank);
                }
                let text = element
                    .as_token()
                    .map(|t| t.text().trim_end().to_string())
                    .unwrap_or_default();
                out.push(Item::Comment {
                    text,
                    trailing: seen_any && pending_newlines == 0,
                });
                pending_newlines = 0;
                seen_any = true;
            }
            _ => {
                if seen_any && pending_newlines >= 2 {
                    out.push(Item::Blank);
                }
                out.push(Item::Form(element));
                pending_newlines = 0;
                seen_any = true;
            }
        }
    }
    out
}

/// The column after `text` if it starts at `col`.
fn end_col(col: usize, text: &str) -> usize {
    match text.rfind('\n') {
        Some(i) => text[i + 1..].chars().count(),
        None => col + text.chars().count(),
    }
}

fn indent(n: usize) -> String {
    " ".repeat(n)
}

pub(super) fn format_root(root: &SyntaxNode) -> String {
    let mut out = String::new();
    for item in items(root.children_with_tokens()) {
        match item {
            Item::Form(element) => {
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str(&render(&element, 0));
            }
            Item::Comment { text, trailing } => {
                if trailing && !out.is_empty() {
                    out.push(' ');
                } else if !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str(&text);
            }
            Item::Blank => {
                if !out.ends_with('\n') {
                    out.push('\n');
                }
                out.push('\n');
            }
        }
    }
    let mut out = out.trim_end().to_string();
    if !out.is_empty() {
        out.push('\n');
    }
    // A byte order mark is whitespace to the lexer, but the editor that wrote it wants it kept.
    if root.text().char_at(0.into()) == Some(BOM) {
        out.insert(0, BOM);
    }
    out
}

const BOM: char = '\u{FEFF}';

/// The one-line rendering of an element, or `None` when it cannot be one line (a line comment
/// inside, or a multi-line token).
fn flat(element: &SyntaxElement) -> Option<String> {
    let text = match element {
        rowan::NodeOrToken::Token(t) => t.text().to_string(),
        rowan::NodeOrToken::Node(n) => flat_node(n)?,
    };
    (!text.contains('\n')).then_some(text)
}

fn flat_node(node: &SyntaxNode) -> Option<String> {
    match node.kind() {
        SyntaxKind::ISTRING | SyntaxKind::ERROR => Some(node.to_string()),
        SyntaxKind::DECORATOR => {
            let mut parts = Vec::new();
            for item in items(node.children_with_tokens().skip(1)) {
                match item {
                    Item::Form(element) => parts.push(flat(&element)?),
                    Item::Comment { .. } => return None,
                    Item::Blank => {}
                }
            }
            Some(format!("#@{}", parts.join(" ")))
        }
        SyntaxKind::QUOTE | SyntaxKind::UNQUOTE => {
            let mut out = String::new();
            for element in node.children_with_tokens() {
                match element.kind() {
                    SyntaxKind::WHITESPACE => {}
                    SyntaxKind::LINE_COMMENT => return None,
                    _ => out.push_str(&flat(&element)?),
                }
            }
            Some(out)
        }
        _ => {
            let mut parts = Vec::new();
            let (open, close) = delimiters(node);
            for item in items(inner_elements(node)) {
                match item {
                    Item::Form(element) => parts.push(flat(&element)?),
                    Item::Comment { .. } => return None,
                    Item::Blank => {}
                }
            }
            Some(format!("{open}{}{close}", parts.join(" ")))
        }
    }
}

/// A node's opening and closing text (`(` `)`, `[` `]`, ...); empty for props and decorators.
fn delimiters(node: &SyntaxNode) -> (String, String) {
    let first = node
        .first_child_or_token()
        .and_then(|e| e.into_token())
        .filter(|t| {
            matches!(
                t.kind(),
                SyntaxKind::L_PAREN
                    | SyntaxKind::L_BRACK
                    | SyntaxKind::L_BRACE
                    | SyntaxKind::HASH_BRACK
            )
        });
    let last = node
        .last_child_or_token()
        .and_then(|e| e.into_token())
        .filter(|t| t.kind().is_closer());
    (
        first.map(|t| t.text().to_string()).unwrap_or_default(),
        last.map(|t| t.text().to_string()).unwrap_or_default(),
    )
}

/// The elements between a node's delimiters.
fn inner_elements(node: &SyntaxNode) -> impl Iterator<Item = SyntaxElement> {
    let (open, close) = delimiters(node);
    let count = node.children_with_tokens().count();
    node.children_with_tokens()
        .enumerate()
        .filter_map(move |(i, e)| {
            let is_open = i == 0 && !open.is_empty();
            let is_close = i + 1 == count && !close.is_empty() && e.kind().is_closer();
            (!is_open && !is_close).then_some(e)
        })
}

/// Renders an element starting at column `col`; later lines carry their own indentation.
pub(super) fn render(element: &SyntaxElement, col: usize) -> String {
    let forced = element.as_node().is_some_and(must_break);
    if !forced
        && let Some(text) = flat(element)
        && col + text.chars().count() <= WIDTH
    {
        return text;
    }
    match element {
        rowan::NodeOrToken::Token(t) => t.text().to_string(),
        rowan::NodeOrToken::Node(node) => match node.kind() {
            SyntaxKind::GENE => render_gene(node, col),
            SyntaxKind::ARRAY | SyntaxKind::SET | SyntaxKind::MAP => render_sequence(node, col),
            SyntaxKind::PROP | SyntaxKind::DECORATOR => render_inline(node, col, " "),
            SyntaxKind::QUOTE | SyntaxKind::UNQUOTE => render_inline(node, col, ""),
            _ => node.to_string(),
        },
    }
}

/// Props (`^k value`) and decorators (`#@f x`): the parts one after another on the line.
fn render_inline(node: &SyntaxNode, col: usize, separator: &str) -> String {
    let mut out = String::new();
    let mut cur = col;
    let mut first = true;
    for item in items(node.children_with_tokens()) {
        match item {
            Item::Form(element) => {
                // No space at the start, before a prefix (`:`, `%`, `%_`, `#@`) or after one.
                let glue = if first
                    || matches!(
                        element.kind(),
                        SyntaxKind::COLON
                            | SyntaxKind::PERCENT
                            | SyntaxKind::PERCENT_UNDERSCORE
                            | SyntaxKind::HASH_AT
                    )
                    || out.ends_with(':')
                    || out.ends_with('%')
                    || out.ends_with("%_")
                    || out.ends_with("#@")
                {
                    ""
                } else {
                    separator
                };
                out.push_str(glue);
                cur += glue.len();
                let text = render(&element, cur);
                cur = end_col(cur, &text);
                out.push_str(&text);
                first = false;
            }
            Item::Comment { text, .. } => {
                out.push(' ');
                out.push_str(&text);
                out.push('\n');
                out.push_str(&indent(col));
                cur = col;
                first = true;
            }
            Item::Blank => {}
        }
    }
    out
}

/// Arrays, sets and maps: one element per line, aligned after the opener.
fn render_sequence(node: &SyntaxNode, col: usize) -> String {
    let (open, close) = delimiters(node);
    let align = col + open.chars().count();
    let mut out = open.clone();
    let mut at_line_start = true;
    let mut last_was_comment = false;
    for item in items(inner_elements(node)) {
        match item {
            Item::Form(element) => {
                if !at_line_start {
                    out.push('\n');
                    out.push_str(&indent(align));
                }
                out.push_str(&render(&element, align));
                at_line_start = false;
                last_was_comment = false;
            }
            Item::Comment { text, trailing } => {
                if trailing && !at_line_start {
                    out.push(' ');
                } else if !at_line_start {
                    out.push('\n');
                    out.push_str(&indent(align));
                }
                out.push_str(&text);
                at_line_start = false;
                last_was_comment = true;
            }
            Item::Blank => {
                if !at_line_start {
                    out.push('\n');
                }
            }
        }
    }
    if last_was_comment {
        out.push('\n');
        out.push_str(&indent(col));
    }
    out.push_str(&close);
    out
}

/// Definitions and blocks with more than one body form always break, so a program reads the
/// same way whatever the width: `class` and `ns` bodies, functions, loops and `do` with two or
/// more body forms, `try` with a clause.
fn must_break(node: &SyntaxNode) -> bool {
    if node.kind() != SyntaxKind::GENE {
        return false;
    }
    let forms: Vec<SyntaxElement> = inner_elements(node)
        .filter(|e| !e.kind().is_trivia() && e.kind() != SyntaxKind::PROP)
        .collect();
    let head = forms.first().and_then(symbol_text);
    let second = forms.get(1).and_then(symbol_text);
    let body_len = |header: usize| forms.len().saturating_sub(1 + header);
    match shape(head, second) {
        Shape::Body { header } => match head {
            Some("class" | "ns") => {
                body_len(if forms.get(2).and_then(symbol_text) == Some("<") {
                    3
                } else {
                    1
                }) >= 1
            }
            Some("try") => forms
                .iter()
                .any(|f| matches!(symbol_text(f), Some("catch" | "finally"))),
            // An `if` breaks when a branch holds more than one form.
            Some("if") => {
                let mut run = 0usize;
                let mut longest = 0usize;
                for f in forms.iter().skip(2) {
                    if matches!(symbol_text(f), Some("elif" | "else" | "then")) {
                        run = 0;
                    } else {
                        run += 1;
                        longest = longest.max(run);
                    }
                }
                longest >= 2 && forms.len() > 4
            }
            Some("var" | "match" | "enum") => false,
            _ if second == Some("=") => false,
            _ => body_len(header) >= 2,
        },
        Shape::Call { .. } => false,
    }
}

/// How many forms after the head stay on the head's line, and how the rest are placed.
enum Shape {
    /// Special forms: `header` forms stay, the body goes on lines indented by two.
    Body { header: usize },
    /// Calls: the first argument stays, the others align under it.
    Call { header: usize },
}

fn shape(head: Option<&str>, second: Option<&str>) -> Shape {
    if second == Some("->") {
        return Shape::Body { header: 1 };
    }
    if second.is_some_and(|s| s.starts_with('.') && s.len() > 1) {
        return Shape::Call { header: 2 };
    }
    if matches!(second, Some("=" | "+=" | "-=")) {
        return Shape::Body { header: 2 };
    }
    match head {
        Some("fn" | "macro" | ".fn") => Shape::Body { header: 2 },
        Some(
            "fnx" | ".ctor" | "if" | "while" | "repeat" | "ns" | "match" | "enum" | "$with"
            | "$tap",
        ) => Shape::Body { header: 1 },
        Some("var") => Shape::Body { header: 2 },
        Some("for") => Shape::Body { header: 3 },
        Some("class") => Shape::Body { header: 1 },
        Some("fnxx" | "do" | "loop" | "try" | "async" | "void" | "->") => Shape::Body { header: 0 },
        _ => Shape::Call { header: 1 },
    }
}

fn symbol_text(element: &SyntaxElement) -> Option<&str> {
    let token = element.as_token()?;
    matches!(token.kind(), SyntaxKind::SYMBOL).then(|| token.text())
}

/// Keywords that line up with their form: `(if c x elif d y else z)`, `(try ... catch * ...)`.
fn is_clause_keyword(head: Option<&str>, element: &SyntaxElement) -> bool {
    let Some(text) = symbol_text(element) else {
        return false;
    };
    match head {
        Some("if") => matches!(text, "elif" | "else"),
        Some("try") => matches!(text, "catch" | "finally"),
        _ => false,
    }
}

fn render_gene(node: &SyntaxNode, col: usize) -> String {
    let all = items(inner_elements(node));
    let forms: Vec<&SyntaxElement> = all
        .iter()
        .filter_map(|i| if let Item::Form(e) = i { Some(e) } else { None })
        .collect();
    let head_text = forms
        .first()
        .and_then(|e| symbol_text(e))
        .map(str::to_string);
    let second_text = forms
        .get(1)
        .and_then(|e| symbol_text(e))
        .map(str::to_string);
    let mut shape = shape(head_text.as_deref(), second_text.as_deref());
    if head_text.as_deref() == Some("class")
        && forms.get(2).and_then(|e| symbol_text(e)) == Some("<")
    {
        shape = Shape::Body { header: 3 };
    }
    if head_text.as_deref() == Some("for") && second_text.as_deref() == Some("await") {
        shape = Shape::Body { header: 4 };
    }
    let (header, body_indent_of) = match shape {
        Shape::Body { header } => (header, None),
        Shape::Call { header } => (header, Some(())),
    };

    let mut out = String::from("(");
    let mut cur = col + 1;
    let mut on_first_line = true;
    let mut placed = 0usize; // forms placed after the head on the first line
    let mut align = col + 2;
    let mut seen_head = false;
    let mut line_has_content = false;
    let mut last_was_comment = false;
    let mut keyword_line = false; // after `elif`/`catch`: the next form joins the keyword's line
    let head = head_text.as_deref();

    for item in &all {
        match item {
            Item::Form(element) => {
                let is_prop = element.kind() == SyntaxKind::PROP;
                if !seen_head {
                    if last_was_comment {
                        // A comment before the head ends its line: the head starts the next
                        // one, and the forms that stay with it follow it there.
                        out.push('\n');
                        out.push_str(&indent(col + 2));
                        cur = col + 2;
                        on_first_line = true;
                    }
                    let text = render(element, cur);
                    cur = end_col(cur, &text);
                    out.push_str(&text);
                    seen_head = true;
                    line_has_content = true;
                    last_was_comment = false;
                    continue;
                }
                let stays = on_first_line
                    && !last_was_comment
                    && (is_prop && placed == 0 || placed < header);
                let joins_keyword =
                    keyword_line && !last_was_comment && !is_clause_keyword(head, element);
                if is_clause_keyword(head, element) {
                    out.push('\n');
                    out.push_str(&indent(col));
                    cur = col;
                    on_first_line = false;
                    keyword_line = matches!(symbol_text(element), Some("elif" | "catch"));
                    let text = render(element, cur);
                    cur = end_col(cur, &text);
                    out.push_str(&text);
                    line_has_content = true;
                    last_was_comment = false;
                    continue;
                }
                if stays || joins_keyword {
                    out.push(' ');
                    cur += 1;
                    if body_indent_of.is_some() && placed + 1 == header && !is_prop {
                        align = cur;
                    }
                    if !is_prop {
                        placed += 1;
                    }
                    // Only the condition (after `elif`) or the pattern (after `catch`) joins.
                    keyword_line = false;
                } else {
                    on_first_line = false;
                    keyword_line = false;
                    out.push('\n');
                    let at = if body_indent_of.is_some() {
                        align
                    } else {
                        col + 2
                    };
                    out.push_str(&indent(at));
                    cur = at;
                }
                let text = render(element, cur);
                cur = end_col(cur, &text);
                out.push_str(&text);
                line_has_content = true;
                last_was_comment = false;
            }
            Item::Comment { text, trailing } => {
                if *trailing && line_has_content {
                    out.push(' ');
                } else {
                    out.push('\n');
                    let at = if body_indent_of.is_some() && !on_first_line {
                        align
                    } else {
                        col + 2
                    };
                    out.push_str(&indent(at));
                }
                out.push_str(text);
                on_first_line = false;
                last_was_comment = true;
                line_has_content = true;
            }
            Item::Blank => {
                if !on_first_line {
                    out.push('\n');
                }
            }
        }
    }
    if last_was_comment {
        out.push('\n');
        out.push_str(&indent(col));
    }
    out.push(')');
    out
}
