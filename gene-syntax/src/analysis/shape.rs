//! How a gene form is evaluated, decided from its syntax alone (the reference's §2.3 steps
//! 1-9). The analysis uses this to know which children are code, which are data, and what kind
//! of call a form is.

use crate::form::{Form, FormKind, Gene};

/// Heads that keep their first child from being read as an infix operator.
/// The compiler uses these two lists too, so the analysis reads a form exactly as it runs.
pub const NOT_INFIX_HEADS: &[&str] = &[
    "var", "if", "fn", "fnx", "fnxx", "macro", "do", "loop", "while", "for", "ns", "class", "try",
    "throw", "$", ".", "not", "return", "break", "yield",
];

/// Operators that turn `(a op b)` into `(op a b)`.
pub const INFIX_OPERATORS: &[&str] = &[
    "+", "-", "*", "/", "**", "<", "<=", ">", ">=", "==", "!=", "./",
];

/// Arithmetic and comparison operators, whose operands must be plain values.
pub const VALUE_OPERATORS: &[&str] = &["+", "-", "*", "/", "<", "<=", ">", ">=", "==", "!="];

/// Special forms the analysis walks itself.
pub const SPECIAL_FORMS: &[&str] = &[
    "var",
    "if",
    "do",
    "void",
    "loop",
    "while",
    "for",
    "repeat",
    "break",
    "continue",
    "return",
    "fn",
    "fnx",
    "fnxx",
    "macro",
    "ns",
    "class",
    "try",
    "throw",
    "async",
    "await",
    "yield",
    "new",
    "import",
    "enum",
    "match",
    "$caller_eval",
    "$parse",
    "$render",
    "$with",
    "$tap",
    "$set",
    "super",
    "quote",
];

#[derive(Debug)]
pub enum Shape<'a> {
    /// `()`.
    Empty,
    /// `(head ./ key)`, `(./ target key)`.
    Selector,
    /// `(a .. b)`: a range.
    Range { start: &'a Form, end: &'a Form },
    /// Data: the head is `_` or a quote, or the form is inside a quote.
    Data,
    /// `(a + b)`, `(a < b)`: an operator moved in front of its first operand.
    Infix {
        op: &'a str,
        operands: Vec<&'a Form>,
    },
    /// `(+ a b)`.
    Prefix { op: &'a str, operands: &'a [Form] },
    /// `(x = v)`, `(p/x += v)`.
    Assign {
        target: &'a Form,
        op: &'a str,
        value: Option<&'a Form>,
    },
    /// `(a && b)`, `(a || b)`.
    Logic {
        left: &'a Form,
        right: Option<&'a Form>,
    },
    /// `(params -> body...)`.
    Block { params: &'a Form, body: &'a [Form] },
    /// `(obj .m args...)`.
    Method {
        receiver: &'a Form,
        method: &'a str,
        args: &'a [Form],
    },
    /// `(.m args...)`: a method called on `self`, or `.fn`/`.ctor` in a class body.
    SelfMethod { method: &'a str, args: &'a [Form] },
    /// `(if ...)`, `(fn ...)` ...
    Special(&'a str),
    /// Anything else: the head is evaluated and called (or becomes a data gene's type).
    Call { callee: &'a Form, args: &'a [Form] },
}

/// Classifies a gene that is not inside a quote.
pub fn classify(gene: &Gene) -> Shape<'_> {
    let head_sym = gene.head.as_symbol();
    let first = gene.children.first();
    let first_sym = first.and_then(Form::as_symbol);
    if head_sym == Some("./") || matches!(&gene.head.kind, FormKind::Path(s) if s == &[".", ""]) {
        return Shape::Selector;
    }
    if gene.children.len() == 2 && first_sym == Some("..") {
        return Shape::Range {
            start: &gene.head,
            end: &gene.children[1],
        };
    }
    if matches!(gene.head.kind, FormKind::Nil)
        && gene.head.range.is_empty()
        && gene.children.is_empty()
    {
        return Shape::Empty;
    }
    if head_sym == Some("_") || matches!(gene.head.kind, FormKind::Quote(_)) {
        return Shape::Data;
    }
    let head_blocks_infix = head_sym.is_some_and(|h| NOT_INFIX_HEADS.contains(&h));
    if !head_blocks_infix && let Some(op) = first_sym {
        if INFIX_OPERATORS.contains(&op) {
            if op == "./" {
                return Shape::Selector;
            }
            let mut operands = vec![&gene.head];
            operands.extend(gene.children.iter().skip(1));
            return Shape::Infix { op, operands };
        }
        if matches!(&first.map(|f| &f.kind), Some(FormKind::Path(s)) if s.first().is_some_and(|x| x == "."))
        {
            return Shape::Selector;
        }
    }
    if let Some(op) = head_sym
        && VALUE_OPERATORS.contains(&op)
    {
        return Shape::Prefix {
            op,
            operands: &gene.children,
        };
    }
    if let Some(op) = first_sym {
        match op {
            "=" | "+=" | "-=" => {
                return Shape::Assign {
                    target: &gene.head,
                    op,
                    value: gene.children.get(1),
                };
            }
            "&&" | "||" => {
                return Shape::Logic {
                    left: &gene.head,
                    right: gene.children.get(1),
                };
            }
            "->" => {
                return Shape::Block {
                    params: &gene.head,
                    body: &gene.children[1..],
                };
            }
            m if is_method_name(m) => {
                return Shape::Method {
                    receiver: &gene.head,
                    method: &m[1..],
                    args: &gene.children[1..],
                };
            }
            _ => {}
        }
    }
    if head_sym == Some("->") {
        return Shape::Block {
            params: &gene.head,
            body: &gene.children,
        };
    }
    if let Some(h) = head_sym {
        if SPECIAL_FORMS.contains(&h) {
            return Shape::Special(h);
        }
        if is_method_name(h) {
            return Shape::SelfMethod {
                method: &h[1..],
                args: &gene.children,
            };
        }
    }
    Shape::Call {
        callee: &gene.head,
        args: &gene.children,
    }
}

/// `.name` (but not `.`, `..`, `...`, `./` or a number like `.5`).
pub fn is_method_name(s: &str) -> bool {
    s.len() > 1
        && s.starts_with('.')
        && s[1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$')
}
