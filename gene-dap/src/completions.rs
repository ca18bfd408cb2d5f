//! Completions in the debug console (`completions`): the names a frame sees (locals, captured,
//! its module's globals) and the builtins of the catalogue, or after `(x .` the methods of
//! `x`'s value (its class's, up the parents, and the catalogue's for its type).

use std::collections::BTreeMap;

use gene_syntax::builtins::{self, BuiltinKind};
use gene_vm::Value;
use serde_json::{Value as Json, json};

/// What the text before the cursor asks for.
#[derive(Debug, PartialEq)]
pub enum Wanted<'a> {
    /// Names starting with the prefix.
    Name(&'a str),
    /// Methods of the value named `receiver` starting with the prefix.
    Method { receiver: &'a str, prefix: &'a str },
}

fn is_name_char(c: char) -> bool {
    !c.is_whitespace() && !"()[]{}\"'`,;#.".contains(c)
}

/// Reads the text before the cursor: the word being typed, and a receiver when the word
/// follows `x .` (`(c .fe` asks for the methods of `c` starting with `fe`).
pub fn wanted(before: &str) -> Wanted<'_> {
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_name_char(*c))
        .last()
        .map_or(before.len(), |(i, _)| i);
    let prefix = &before[start..];
    let Some(head) = before[..start].strip_suffix('.') else {
        return Wanted::Name(prefix);
    };
    let head = head.trim_end();
    let receiver_start = head
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_name_char(*c) || *c == '/')
        .last()
        .map_or(head.len(), |(i, _)| i);
    let receiver = &head[receiver_start..];
    if receiver.is_empty() {
        return Wanted::Name(prefix);
    }
    Wanted::Method { receiver, prefix }
}

/// Completion items for names: `visible` (locals first, then captured, then globals), then the
/// catalogue's functions, values and special forms reachable unqualified.
pub fn names(prefix: &str, visible: &[(String, &'static str)]) -> Vec<Json> {
    let mut items: BTreeMap<String, &'static str> = BTreeMap::new();
    let mut out = Vec::new();
    for (name, kind) in visible {
        if name.starts_with(prefix) && !items.contains_key(name) {
            items.insert(name.clone(), kind);
            out.push(json!({"label": name, "type": kind}));
        }
    }
    let mut builtin: Vec<(String, &'static str)> = builtins::all()
        .filter(|b| b.kind != BuiltinKind::Method)
        .filter_map(|b| {
            let name = unqualified_name(b.path)?;
            let kind = match b.kind {
                BuiltinKind::SpecialForm | BuiltinKind::Operator => "keyword",
                BuiltinKind::Class => "class",
                BuiltinKind::Value => "value",
                _ => "function",
            };
            Some((name.to_string(), kind))
        })
        .filter(|(n, _)| n.starts_with(prefix))
        .collect();
    builtin.sort();
    for (name, kind) in builtin {
        if !items.contains_key(&name) {
            items.insert(name.clone(), kind);
            out.push(json!({"label": name, "type": kind}));
        }
    }
    out
}

/// The name a catalogue path is reachable by without a namespace: `gene/println` and
/// `global/x` by their last part, special forms and operators as they are; `None` for names
/// deeper in a namespace (`gene/io/read`).
fn unqualified_name(path: &str) -> Option<&str> {
    match path.split_once('/') {
        None => Some(path),
        Some(("gene" | "global", rest)) if !rest.contains('/') && !rest.is_empty() => Some(rest),
        Some(_) => None,
    }
}

/// Completion items for the methods of `value` starting with `prefix`.
pub fn methods(value: &Value, prefix: &str) -> Vec<Json> {
    let mut names: Vec<String> = Vec::new();
    if let Value::Instance(inst) = value {
        let mut class = Some(inst.class.clone());
        while let Some(c) = class {
            let mut own: Vec<String> = c.methods.borrow().keys().map(|k| k.to_string()).collect();
            own.sort();
            names.extend(own);
            class = c.parent.clone();
        }
    }
    let type_name = value.type_name();
    let mut builtin: Vec<String> = builtins::all()
        .filter(|b| {
            b.kind == BuiltinKind::Method
                && b.receiver.is_some_and(|r| r == type_name || r == "Any")
        })
        .map(|b| b.name.to_string())
        .collect();
    builtin.sort();
    names.extend(builtin);
    let mut seen = std::collections::HashSet::new();
    names
        .into_iter()
        .filter(|n| n.starts_with(prefix) && seen.insert(n.clone()))
        .map(|n| json!({"label": n, "type": "method"}))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_before_the_cursor_says_what_is_wanted() {
        assert_eq!(wanted("(pri"), Wanted::Name("pri"));
        assert_eq!(wanted(""), Wanted::Name(""));
        assert_eq!(wanted("(x + to"), Wanted::Name("to"));
        assert_eq!(
            wanted("(c .fe"),
            Wanted::Method {
                receiver: "c",
                prefix: "fe"
            }
        );
        assert_eq!(
            wanted("(items ."),
            Wanted::Method {
                receiver: "items",
                prefix: ""
            }
        );
        assert_eq!(wanted("(.fe"), Wanted::Name("fe"));
    }

    #[test]
    fn builtins_are_offered_by_their_unqualified_names() {
        let items = names("printl", &[]);
        assert!(items.iter().any(|i| i["label"] == "println"), "{items:?}");
        let items = names("tot", &[("total".to_string(), "variable")]);
        assert_eq!(items[0]["label"], "total");
        assert_eq!(unqualified_name("gene/io/read"), None);
        assert_eq!(unqualified_name("if"), Some("if"));
    }
}
