//! How a gene form is evaluated, decided from its syntax alone (the reference's §2.3 steps
//! 1-9). The analysis uses this to know which children are code, which are data, and what kind
//! of call a form is.

use crate::builtins;
use crate::form::{Form, FormKind, Gene};

/// Whether a gene headed by `head` keeps its first child from being read as an infix operator:
/// every special form of the builtin catalogue (`(if + 1)` is an `if`), and `$`, `.` and `not`.
/// The compiler asks this too, so the analysis reads a form exactly as it runs.
pub fn blocks_infix(head: &str) -> bool {
    matches!(head, "$" | "." | "not") || builtins::is_special_form_head(head)
}

/// Operators that turn `(a op b)` into `(op a b)` (each a catalogue operator; a test checks).
pub const INFIX_OPERATORS: &[&str] = &[
    "+", "-", "*", "/", "**", "<", "<=", ">", ">=", "==", "!=", "./",
];

/// Arithmetic and comparison operators, whose operands must be plain values.
pub const VALUE_OPERATORS: &[&str] = &["+", "-", "*", "/", "**", "<", "<=", ">", ">=", "==", "!="];

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
    let head_blocks_infix = head_sym.is_some_and(blocks_infix);
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
    // `(super .m args...)` is the special form, not a method called on `super`.
    if let Some(op) = first_sym.filter(|_| head_sym != Some("super")) {
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
        if builtins::is_special_form_head(h) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtins::BuiltinKind;

    fn shape_of(text: &str, check: impl FnOnce(Shape<'_>)) {
        let forms = crate::parse_text(text).forms();
        let Some(FormKind::Gene(gene)) = forms.first().map(|f| &f.kind) else {
            panic!("{text} is not a gene");
        };
        check(classify(gene));
    }

    #[test]
    fn every_catalogue_head_is_a_special_form_and_blocks_infix() {
        for head in builtins::special_form_heads() {
            assert!(blocks_infix(head), "{head}");
            shape_of(&format!("({head} + 1)"), |shape| match shape {
                // `(-> body...)`: a block with no parameters.
                Shape::Block { .. } if head == "->" => {}
                Shape::Special(h) => assert_eq!(h, head),
                other => panic!("({head} + 1) reads as {other:?}"),
            });
        }
    }

    #[test]
    fn names_that_are_special_forms_do_not_block_infix() {
        for text in ["(self == x)", "($ex + 1)", "(quote + 1)"] {
            shape_of(text, |shape| {
                assert!(matches!(shape, Shape::Infix { .. }), "{text}: {shape:?}")
            });
        }
        shape_of("(quote x)", |shape| {
            assert!(matches!(shape, Shape::Call { .. }), "{shape:?}")
        });
        // A function is called, even one named like a form (`$parse` is `gene/parse`).
        shape_of("($parse \"x\")", |shape| {
            assert!(matches!(shape, Shape::Call { .. }), "{shape:?}")
        });
    }

    #[test]
    fn super_with_a_method_is_the_special_form() {
        shape_of("(super .m 1)", |shape| {
            assert!(matches!(shape, Shape::Special("super")), "{shape:?}")
        });
    }

    #[test]
    fn operator_tables_hold_catalogue_operators() {
        for op in INFIX_OPERATORS.iter().chain(VALUE_OPERATORS) {
            let b = builtins::lookup(op).unwrap_or_else(|| panic!("{op} is not in the catalogue"));
            assert_eq!(b.kind, BuiltinKind::Operator, "{op}");
        }
    }
}
