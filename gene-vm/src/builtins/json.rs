//! `gene/json`: JSON text to Gene values and back, on serde_json.
//!
//! Parsing builds Gene values directly (no intermediate tree): objects become maps in key order
//! (a repeated key keeps its first position and its last value, as `JSON.parse` does), numbers
//! become ints when they are integers that fit in 64 bits and floats otherwise (so a larger
//! integer becomes the nearest float, as in JavaScript), null becomes nil. Bad text is a
//! `JsonError` with the line and column.
//!
//! Stringifying writes maps as objects (keys by name), arrays and sets as arrays, symbols and
//! chars as strings; anything JSON cannot hold (a function, an instance, NaN, data nested too
//! deeply, which is how a cycle shows) is a `JsonError` naming the value and where it sits.

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::ser::{self, Serialize, SerializeMap, SerializeSeq, Serializer};

use super::{arg, str_arg};
use crate::intern::Sym;
use crate::value::{Map, NativeFn, Value, display, inspect};

pub(super) static NATIVES: &[NativeFn] = &[
    native!("gene/json/parse", |vm, args| {
        let text = str_arg(vm, args, 0, "gene/json/parse's text")?;
        parse(text).map_err(|e| vm.error("JsonError", e))
    }),
    native!("gene/json/stringify", |vm, args| {
        let mut pretty = false;
        if let Some(props) = vm.native_props.take() {
            for (key, value) in &props {
                match &*key.name() {
                    "pretty" => pretty = value.truthy(),
                    other => {
                        return Err(vm.error(
                            "ArgumentError",
                            format!("gene/json/stringify has an unknown option ^{other} (known: ^pretty)"),
                        ));
                    }
                }
            }
        }
        stringify(arg(args, 0), pretty)
            .map(Value::str)
            .map_err(|e| vm.error("JsonError", e))
    }),
];

/// Nesting deeper than this is refused both ways (serde_json's own limit when parsing), so
/// whatever `stringify` writes, `parse` reads back.
const MAX_DEPTH: usize = 128;

/// JSON text as a Gene value, or the message of the JsonError.
pub(crate) fn parse(text: &str) -> Result<Value, String> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = ValueSeed
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v));
    value.map_err(|e| {
        // serde_json appends " at line L column C" to its message; we put the position first.
        let full = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        let what = full.strip_suffix(&suffix).unwrap_or(&full);
        format!(
            "invalid JSON at line {}, column {}: {what}",
            e.line(),
            e.column()
        )
    })
}

/// A Gene value as JSON text (two-space indentation when pretty), or the message of the
/// JsonError.
pub(crate) fn stringify(value: &Value, pretty: bool) -> Result<String, String> {
    let out = Out {
        value,
        at: &Path::Root,
        depth: 0,
    };
    let result = if pretty {
        serde_json::to_string_pretty(&out)
    } else {
        serde_json::to_string(&out)
    };
    result.map_err(|e| e.to_string())
}

/// Builds Gene values as serde_json reads them.
struct ValueSeed;

impl<'de> DeserializeSeed<'de> for ValueSeed {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueSeed)
    }
}

impl<'de> Visitor<'de> for ValueSeed {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Nil)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Int(n))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(match i64::try_from(n) {
            Ok(n) => Value::Int(n),
            Err(_) => Value::Float(n as f64),
        })
    }

    fn visit_f64<E>(self, f: f64) -> Result<Value, E> {
        Ok(Value::Float(f))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::str(s))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::str(s))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element_seed(ValueSeed)? {
            items.push(item);
        }
        Ok(Value::array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Value, A::Error> {
        let mut map = Map::default();
        while let Some(key) = entries.next_key_seed(KeySeed)? {
            let value = entries.next_value_seed(ValueSeed)?;
            map.insert(key, value);
        }
        Ok(Value::map(map))
    }
}

/// An object key, interned straight from the text serde_json hands over.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Sym;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Sym, D::Error> {
        d.deserialize_str(KeySeed)
    }
}

impl Visitor<'_> for KeySeed {
    type Value = Sym;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E>(self, s: &str) -> Result<Sym, E> {
        Ok(Sym::new(s))
    }
}

/// Where a value sits in the data being written, for error messages (`users/0/name`).
enum Path<'a> {
    Root,
    Index(&'a Path<'a>, usize),
    Key(&'a Path<'a>, Sym),
}

impl Path<'_> {
    fn segments(&self) -> Vec<String> {
        let mut segments = Vec::new();
        let mut at = self;
        loop {
            match at {
                Path::Root => break,
                Path::Index(parent, i) => {
                    segments.push(i.to_string());
                    at = parent;
                }
                Path::Key(parent, k) => {
                    segments.push(k.name().to_string());
                    at = parent;
                }
            }
        }
        segments.reverse();
        segments
    }
}

impl fmt::Display for Path<'_> {
    /// `users/0/name`; a long path (a cycle) keeps its first and last few segments.
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        const KEEP: usize = 4;
        let segments = self.segments();
        if segments.len() <= 2 * KEEP + 1 {
            return f.write_str(&segments.join("/"));
        }
        let (head, rest) = segments.split_at(KEEP);
        let tail = &rest[rest.len() - KEEP..];
        write!(f, "{}/.../{}", head.join("/"), tail.join("/"))
    }
}

/// A value being written, with its place in the data.
struct Out<'a> {
    value: &'a Value,
    at: &'a Path<'a>,
    depth: usize,
}

impl Out<'_> {
    fn refuse<E: ser::Error>(&self, what: String) -> E {
        match self.at {
            Path::Root => E::custom(what),
            at => E::custom(format!("{what} (at {at})")),
        }
    }

    fn items<S: Serializer>(&self, s: S, items: &[Value]) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(items.len()))?;
        for (i, item) in items.iter().enumerate() {
            seq.serialize_element(&Out {
                value: item,
                at: &Path::Index(self.at, i),
                depth: self.depth + 1,
            })?;
        }
        seq.end()
    }
}

impl Serialize for Out<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.depth > MAX_DEPTH {
            return Err(self.refuse(format!(
                "cannot convert data nested more than {MAX_DEPTH} levels deep to JSON (is it cyclic?)"
            )));
        }
        match self.value {
            Value::Nil => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(n) => s.serialize_i64(*n),
            Value::Float(f) if f.is_finite() => s.serialize_f64(*f),
            Value::Float(f) => Err(self.refuse(format!(
                "cannot convert the float {} to JSON (JSON has no NaN or infinities)",
                display(&Value::Float(*f))
            ))),
            Value::Str(text) => s.serialize_str(text),
            Value::Char(c) => s.serialize_char(*c),
            Value::Symbol(sym) => sym.with_name(|name| s.serialize_str(name)),
            Value::Path(_) => s.serialize_str(&display(self.value)),
            Value::Array(items) => self.items(s, &items.borrow()),
            Value::Set(items) => self.items(s, &items.borrow().to_vec()),
            Value::Map(map) => {
                let map = map.borrow();
                let mut object = s.serialize_map(Some(map.len()))?;
                for (key, value) in map.iter() {
                    key.with_name(|k| object.serialize_key(k))?;
                    object.serialize_value(&Out {
                        value,
                        at: &Path::Key(self.at, *key),
                        depth: self.depth + 1,
                    })?;
                }
                object.end()
            }
            other => Err(self.refuse(format!(
                "cannot convert {} {} to JSON",
                article(&other.type_name()),
                inspect_short(other)
            ))),
        }
    }
}

fn article(type_name: &str) -> String {
    let vowel = type_name
        .chars()
        .next()
        .is_some_and(|c| "AEIOUaeiou".contains(c));
    format!("{} {type_name}", if vowel { "an" } else { "a" })
}

/// The `$` form of a value for a message, cut short when long.
fn inspect_short(v: &Value) -> String {
    const MAX: usize = 60;
    let text = inspect(v);
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text,
    }
}
