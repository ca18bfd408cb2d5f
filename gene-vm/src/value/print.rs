//! Printing: the display form (what `print` shows: strings raw) and the `$` form (what `inspect`
//! and the REPL show: strings quoted, chars as 'c'). Genes print their parts in `$` form even
//! inside a displayed container (§2.8).

use std::fmt::Write;

use gene_syntax::printer::{write_char_literal, write_string_literal};

use super::{FuncKind, Value};
use crate::intern::Sym;

/// Containers nested deeper than this print as `...` (also stops cycles).
const MAX_DEPTH: usize = 64;

pub fn display(v: &Value) -> String {
    let mut out = String::new();
    write_display(&mut out, v);
    out
}

pub fn inspect(v: &Value) -> String {
    let mut out = String::new();
    write_inspect(&mut out, v);
    out
}

pub fn write_display(out: &mut String, v: &Value) {
    write_value(out, v, false, 0);
}

pub fn write_inspect(out: &mut String, v: &Value) {
    write_value(out, v, true, 0);
}

/// Shortest round-trip digits; `.0` when integral; exponent form outside [1e-4, 1e16) (as
/// Python's `repr`: `0.0001`, `1e-05`, `1e+16`).
pub fn format_float(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let a = f.abs();
    if a == 0.0 || (1e-4..1e16).contains(&a) {
        let mut s = format!("{f}");
        if !s.contains('.') {
            s.push_str(".0");
        }
        return s;
    }
    let s = format!("{f:e}");
    match s.split_once('e') {
        Some((mantissa, exp)) => {
            let (sign, digits) = match exp.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', exp),
            };
            format!("{mantissa}e{sign}{digits:0>2}")
        }
        None => s,
    }
}

fn write_sym(out: &mut String, s: Sym) {
    s.with_name(|n| out.push_str(n));
}

fn write_seq<'a>(
    out: &mut String,
    items: impl Iterator<Item = &'a Value>,
    quoted: bool,
    depth: usize,
) {
    let mut first = true;
    for item in items {
        if !first {
            out.push(' ');
        }
        first = false;
        write_value(out, item, quoted, depth + 1);
    }
}

fn write_props<'a>(
    out: &mut String,
    props: impl Iterator<Item = (&'a Sym, &'a Value)>,
    quoted: bool,
    depth: usize,
) -> bool {
    let mut any = false;
    for (k, v) in props {
        if any {
            out.push(' ');
        }
        any = true;
        out.push('^');
        write_sym(out, *k);
        out.push(' ');
        write_value(out, v, quoted, depth + 1);
    }
    any
}

/// Bytes shown in this many hex pairs at most.
const BYTES_SHOWN: usize = 32;

/// `<Bytes 68 69>`; longer data shows its first bytes and its size.
fn write_bytes(out: &mut String, bytes: &[u8]) {
    out.push_str("<Bytes");
    for b in bytes.iter().take(BYTES_SHOWN) {
        let _ = write!(out, " {b:02x}");
    }
    if bytes.len() > BYTES_SHOWN {
        let _ = write!(out, " ... ({} bytes)", bytes.len());
    }
    out.push('>');
}

fn write_value(out: &mut String, v: &Value, quoted: bool, depth: usize) {
    if depth > MAX_DEPTH {
        out.push_str("...");
        return;
    }
    match v {
        Value::Nil => out.push_str("nil"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(itoa::Buffer::new().format(*i)),
        Value::Float(f) => out.push_str(&format_float(*f)),
        Value::Char(c) => {
            if quoted {
                write_char_literal(out, *c)
            } else {
                out.push(*c)
            }
        }
        Value::Placeholder => out.push('_'),
        Value::Str(s) => {
            if quoted {
                write_string_literal(out, s)
            } else {
                out.push_str(s)
            }
        }
        Value::Symbol(s) => write_sym(out, *s),
        Value::Path(segs) => {
            for (i, s) in segs.iter().enumerate() {
                if i > 0 {
                    out.push('/');
                }
                write_sym(out, *s);
            }
        }
        Value::Array(items) => {
            out.push('[');
            match items.try_borrow() {
                Ok(items) => write_seq(out, items.iter(), quoted, depth),
                Err(_) => out.push_str("..."),
            }
            out.push(']');
        }
        Value::Set(items) => {
            out.push_str("#{");
            if let Ok(items) = items.try_borrow() {
                write_seq(out, items.iter(), quoted, depth);
            }
            out.push('}');
        }
        Value::Map(map) => {
            out.push('{');
            if let Ok(map) = map.try_borrow() {
                write_props(out, map.iter(), quoted, depth);
            }
            out.push('}');
        }
        Value::Gene(g) => {
            out.push('(');
            if let Ok(g) = g.try_borrow() {
                // A gene's parts are always shown in `$` form.
                write_value(out, &g.head, true, depth + 1);
                if !g.props.is_empty() {
                    out.push(' ');
                    write_props(out, g.props.iter(), true, depth);
                }
                if !g.children.is_empty() {
                    out.push(' ');
                    write_seq(out, g.children.iter(), true, depth);
                }
            }
            out.push(')');
        }
        Value::Range(r) => {
            let _ = write!(out, "{}..{}", r.start, r.end);
            if r.step != 1 {
                let _ = write!(out, " step {}", r.step);
            }
        }
        Value::Quote(q) => {
            out.push(':');
            write_value(out, q, quoted, depth + 1);
        }
        Value::Unquote(u) => {
            out.push_str(if u.1 { "%_" } else { "%" });
            write_value(out, &u.0, quoted, depth + 1);
        }
        Value::Func(f) => {
            let _ = match f.kind {
                FuncKind::Function => write!(out, "<fn {}>", f.name()),
                FuncKind::Macro => write!(out, "<macro {}>", f.name()),
                FuncKind::Block => write!(out, "<block>"),
            };
        }
        Value::Native(n) => {
            let _ = write!(out, "<native {}>", n.name);
        }
        Value::BoundMethod(b) => {
            out.push_str("<method .");
            write_sym(out, b.1);
            out.push('>');
        }
        Value::Class(c) => {
            let _ = write!(out, "<class {}>", c.name);
        }
        Value::Instance(inst) => {
            let props = inst.props.borrow();
            if inst.class.is_exception {
                out.push_str(&inst.class.name);
                if let Some(m) = props.get(&Sym::new("message"))
                    && !matches!(m, Value::Nil)
                {
                    out.push_str(": ");
                    write_value(out, m, false, depth + 1);
                }
                return;
            }
            out.push('<');
            out.push_str(&inst.class.name);
            if !props.is_empty() {
                out.push(' ');
                write_props(out, props.iter(), quoted, depth);
            }
            out.push('>');
        }
        Value::Ns(ns) => {
            let _ = write!(out, "<ns {}>", ns.name);
        }
        Value::Enum(e) => {
            let _ = write!(out, "<enum {}>", e.name);
        }
        Value::EnumMember(m) => {
            let _ = write!(out, "{}/{}", m.enum_name, m.name);
        }
        Value::Selector(path) => {
            out.push_str("(@");
            for p in path.iter() {
                out.push(' ');
                write_value(out, p, true, depth + 1);
            }
            out.push(')');
        }
        Value::Spread(v) => {
            out.push_str("(... ");
            write_value(out, v, quoted, depth + 1);
            out.push(')');
        }
        Value::Cell(c) => match c.try_borrow() {
            Ok(v) => write_value(out, &v, quoted, depth + 1),
            Err(_) => out.push_str("..."),
        },
        Value::Future(f) => {
            let _ = write!(out, "<Future {}>", f.state_name());
        }
        Value::Generator(g) => {
            let _ = write!(out, "<{} {}>", g.type_name(), g.name());
        }
        Value::Bytes(b) => write_bytes(out, b),
        Value::Host(h) => out.push_str(&h.describe()),
        Value::Iter(_) => out.push_str("<iterator>"),
        Value::NotGiven => out.push_str("nil"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_in_round_trip_form() {
        assert_eq!(format_float(5.0), "5.0");
        assert_eq!(format_float(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(format_float(-0.0), "-0.0");
        assert_eq!(format_float(1e16), "1e+16");
        assert_eq!(format_float(1e-5), "1e-05");
        assert_eq!(format_float(0.0001), "0.0001");
        assert_eq!(format_float(1.5e-7), "1.5e-07");
        assert_eq!(format_float(f64::INFINITY), "inf");
        assert_eq!(format_float(2.75), "2.75");
    }

    #[test]
    fn strings_are_raw_in_display_and_quoted_in_dollar_form() {
        let v = Value::array(vec![Value::str("hi"), Value::Int(1)]);
        assert_eq!(display(&v), "[hi 1]");
        assert_eq!(inspect(&v), "[\"hi\" 1]");
        let g = Value::gene(
            Value::Placeholder,
            Default::default(),
            vec![Value::str("s")],
        );
        assert_eq!(display(&Value::array(vec![g])), "[(_ \"s\")]");
    }

    #[test]
    fn control_characters_in_strings_are_escaped_in_dollar_form() {
        // The same escaper as `gene parse`: what `inspect` shows reads back as the string.
        let v = Value::str("a\u{1}b\u{8}\n");
        assert_eq!(inspect(&v), r#""a\u0001b\b\n""#);
        assert_eq!(inspect(&Value::Char('\u{c}')), r"'\f'");
    }
}
