//! `gene/serdes`: values to text and back, exactly: `deserialize` of what `serialize` wrote is
//! a value equal to the original in every part (a property test generates values of every kind
//! to check it).
//!
//! The text is Gene notation wrapped in `(gene/serialization ...)`. Data that reads back as
//! itself is written as literals: nil, booleans, ints, finite floats (shortest round-trip
//! digits), strings (control characters as `\uXXXX`), printable ASCII characters, arrays, maps
//! whose keys are all plain words (`{^name "x"}`) and symbols that are plain words (`:name`).
//! Everything else is a tagged form, so no text can be misread:
//!
//! | value | written as |
//! |---|---|
//! | inf, -inf, nan | `(gene/float "inf")` |
//! | other characters | `(gene/char 233)` (the code point) |
//! | other symbols | `(gene/symbol "role 1 ^admin")` |
//! | a path `a/b` | `(gene/path ["a" "b"])` |
//! | a map with any other key | `(gene/map ["role 1 ^admin" 1 ...])`: key, value, ... |
//! | a set | `(gene/set [...])` |
//! | a range | `(gene/range start end step)` |
//! | a gene | `(gene/gene HEAD PROPS [CHILDREN...])`, PROPS a map as above |
//! | a quote, an unquote | `(gene/quote V)`, `(gene/unquote V DISCARD)` |
//! | `_`, a selector, a spread | `(gene/placeholder)`, `(gene/selector [...])`, `(gene/spread V)` |
//! | a bound method | `(gene/method RECEIVER "name")` |
//! | bytes | `(gene/bytes [1 2 255])` |
//! | an instance | `(gene/instance (gene/ref "Class") PROPS)` |
//! | a class, function, namespace, enum or enum member | `(gene/ref "Name")`, looked up by name when read |
//!
//! Futures, generators and host objects (a database) have no value apart from their identity
//! and running state: serializing them is an ArgumentError. Text written by earlier versions
//! (`:(head ^k v)` quotes) still reads.

use gene_syntax::printer::write_string_literal;

use super::{arg, str_arg};
use crate::value::{Map, NativeFn, Value, format_float};
use crate::vm::{Exc, Vm};

#[path = "serdes_read.rs"]
mod read;

pub(super) static NATIVES: &[NativeFn] = &[
    native!("gene/serdes/serialize", |vm, args| {
        let mut out = String::from("(gene/serialization ");
        Writer { vm, out: &mut out }.value(arg(args, 0), 1)?;
        out.push(')');
        Ok(Value::str(out))
    }),
    native!("gene/serdes/deserialize", |vm, args| {
        let text = str_arg(vm, args, 0, "the serialized text")?;
        read::deserialize(vm, text)
    }),
];

/// How deeply brackets may nest in the text: the parser refuses more than 256 levels (a
/// serialization that could not be read back is refused when written instead).
const MAX_NESTING: usize = 250;

struct Writer<'a> {
    vm: &'a Vm,
    out: &'a mut String,
}

impl Writer<'_> {
    /// Writes `v`, whose text starts `depth` brackets deep.
    fn value(&mut self, v: &Value, depth: usize) -> Result<(), Exc> {
        if depth > MAX_NESTING {
            return Err(self.vm.error(
                "ArgumentError",
                "cannot serialize data nested this deeply (or cyclic)",
            ));
        }
        match v {
            Value::Nil => self.out.push_str("nil"),
            Value::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Value::Int(n) => self.out.push_str(&n.to_string()),
            Value::Float(f) if f.is_finite() => self.out.push_str(&format_float(*f)),
            Value::Float(f) => {
                self.open("float");
                write_string_literal(self.out, &format_float(*f));
                self.out.push(')');
            }
            Value::Char(c) => self.char(*c),
            Value::Str(s) => write_string_literal(self.out, s),
            Value::Symbol(s) => {
                let name = s.name();
                if is_plain_symbol(&name) {
                    self.out.push(':');
                    self.out.push_str(&name);
                } else {
                    self.open("symbol");
                    write_string_literal(self.out, &name);
                    self.out.push(')');
                }
            }
            Value::Path(segs) => {
                self.open("path");
                self.out.push('[');
                for (n, seg) in segs.iter().enumerate() {
                    self.space(n);
                    write_string_literal(self.out, &seg.name());
                }
                self.out.push_str("])");
            }
            Value::Placeholder => self.out.push_str("(gene/placeholder)"),
            Value::Array(items) => self.seq(&items.borrow(), depth)?,
            Value::Set(items) => {
                self.open("set");
                self.seq(&items.borrow().to_vec(), depth + 1)?;
                self.out.push(')');
            }
            Value::Map(m) => self.map(&m.borrow(), depth)?,
            Value::Gene(g) => {
                let g = g.borrow();
                self.open("gene");
                self.value(&g.head, depth + 1)?;
                self.out.push(' ');
                self.map(&g.props, depth + 1)?;
                self.out.push(' ');
                self.seq(&g.children, depth + 1)?;
                self.out.push(')');
            }
            Value::Range(r) => {
                self.out
                    .push_str(&format!("(gene/range {} {} {})", r.start, r.end, r.step));
            }
            Value::Quote(inner) => {
                self.open("quote");
                self.value(inner, depth + 1)?;
                self.out.push(')');
            }
            Value::Unquote(u) => {
                self.open("unquote");
                self.value(&u.0, depth + 1)?;
                self.out.push_str(if u.1 { " true)" } else { " false)" });
            }
            Value::Selector(items) => {
                self.open("selector");
                self.seq(items, depth + 1)?;
                self.out.push(')');
            }
            Value::Spread(inner) => {
                self.open("spread");
                self.value(inner, depth + 1)?;
                self.out.push(')');
            }
            Value::BoundMethod(m) => {
                self.open("method");
                self.value(&m.0, depth + 1)?;
                self.out.push(' ');
                write_string_literal(self.out, &m.1.name());
                self.out.push(')');
            }
            Value::Bytes(b) => {
                self.out.push_str("(gene/bytes [");
                for (n, byte) in b.iter().enumerate() {
                    self.space(n);
                    self.out.push_str(&byte.to_string());
                }
                self.out.push_str("])");
            }
            Value::Instance(i) => {
                self.open("instance");
                self.reference(&i.class.name);
                self.out.push(' ');
                self.map(&i.props.borrow().to_map(), depth + 1)?;
                self.out.push(')');
            }
            Value::Class(c) => self.reference(&c.name),
            Value::Func(f) => self.reference(f.name()),
            Value::Native(n) => self.reference(n.name),
            Value::Ns(ns) => self.reference(&ns.name),
            Value::Enum(e) => self.reference(&e.name),
            Value::EnumMember(m) => self.reference(&format!("{}/{}", m.enum_name, m.name)),
            Value::Future(_) => {
                return Err(self.vm.error(
                    "ArgumentError",
                    "a Future cannot be serialized (await it and serialize its value)",
                ));
            }
            Value::Generator(g) => {
                return Err(self.vm.error(
                    "ArgumentError",
                    format!(
                        "a {} cannot be serialized (its state is a running function's; serialize the values it yields)",
                        g.type_name()
                    ),
                ));
            }
            Value::Host(h) => {
                return Err(self.vm.error(
                    "ArgumentError",
                    format!("a {} cannot be serialized", h.type_name()),
                ));
            }
            Value::Cell(_) | Value::Iter(_) | Value::NotGiven => {
                return Err(self.vm.error(
                    "ArgumentError",
                    format!("a {} cannot be serialized", v.type_name()),
                ));
            }
        }
        Ok(())
    }

    fn open(&mut self, tag: &str) {
        self.out.push_str("(gene/");
        self.out.push_str(tag);
        self.out.push(' ');
    }

    fn space(&mut self, n: usize) {
        if n > 0 {
            self.out.push(' ');
        }
    }

    fn seq(&mut self, items: &[Value], depth: usize) -> Result<(), Exc> {
        self.out.push('[');
        for (n, item) in items.iter().enumerate() {
            self.space(n);
            self.value(item, depth + 1)?;
        }
        self.out.push(']');
        Ok(())
    }

    /// A map (or a gene's or instance's properties): `{^k v}` when every key is a plain word,
    /// else `(gene/map [k v ...])` with the keys as strings.
    fn map(&mut self, map: &Map, depth: usize) -> Result<(), Exc> {
        if map.keys().all(|k| k.with_name(is_plain_key)) {
            self.out.push('{');
            for (n, (k, v)) in map.iter().enumerate() {
                self.space(n);
                self.out.push('^');
                k.with_name(|name| self.out.push_str(name));
                self.out.push(' ');
                self.value(v, depth + 1)?;
            }
            self.out.push('}');
        } else {
            self.open("map");
            self.out.push('[');
            for (n, (k, v)) in map.iter().enumerate() {
                self.space(n);
                k.with_name(|name| write_string_literal(self.out, name));
                self.out.push(' ');
                self.value(v, depth + 2)?;
            }
            self.out.push_str("])");
        }
        Ok(())
    }

    fn char(&mut self, c: char) {
        match c {
            '\'' | '\\' => {
                self.out.push_str("'\\");
                self.out.push(c);
                self.out.push('\'');
            }
            ' '..='~' => {
                self.out.push('\'');
                self.out.push(c);
                self.out.push('\'');
            }
            _ => self.out.push_str(&format!("(gene/char {})", u32::from(c))),
        }
    }

    fn reference(&mut self, name: &str) {
        self.out.push_str("(gene/ref ");
        write_string_literal(self.out, name);
        self.out.push(')');
    }
}

/// A key written after `^` that reads back as itself: letters, digits, `_` and `-`, not
/// starting with `-` (a number's sign) or a digit.
fn is_plain_key(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A symbol written as `:name` that reads back as itself (`_`, `nil`, `true` and `false`
/// read as other values).
fn is_plain_symbol(name: &str) -> bool {
    is_plain_key(name) && !matches!(name, "_" | "nil" | "true" | "false")
}

#[cfg(test)]
#[path = "serdes_tests.rs"]
mod tests;
