//! The builtin catalogue: every builtin function, method, operator and special form of Gene,
//! declared once, as data.
//!
//! The VM binds each entry to its implementation (and a test there fails when an entry has no
//! implementation or an implementation has no entry); `docs/stdlib.md` is rendered from it by
//! [`render_markdown`]; the language server reads it for hover, completion and the async lint
//! rules (the [`Flags`]). Nothing here depends on the VM: the arrow stays VM -> syntax.

mod collections;
mod concurrency;
mod db;
mod functions;
mod generators;
mod http_server;
mod markdown;
mod math;
mod methods;
mod net;
mod numbers;
mod regex;
mod special_forms;
mod strings;
mod system;
mod types;

pub use markdown::render_markdown;

/// What kind of builtin an entry describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BuiltinKind {
    /// A form the compiler handles itself (`if`, `fn`, `try` ...): its arguments are not
    /// evaluated as a call's would be.
    SpecialForm,
    /// An operator (`+`, `<`, `&&` ...), written infix `(a + b)` or, for most, prefix `(+ a b)`.
    Operator,
    /// A function value bound in a namespace, called as `(path args...)`.
    Function,
    /// A method on values of the receiver type, called as `(value .name args...)`.
    Method,
    /// A class value (`gene/Future`, `Exception` ...).
    Class,
    /// A plain value bound in a namespace (`$args`).
    Value,
}

/// How a parameter takes its argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParamKind {
    /// A positional argument that must be given.
    Required,
    /// A positional argument that may be left out.
    Optional,
    /// Collects every remaining positional argument (`rest...`).
    Rest,
    /// A named argument given as a property (`^name value`).
    Named,
    /// The body forms of a special form (`body...`), not evaluated as arguments.
    Body,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Param {
    pub name: &'static str,
    pub kind: ParamKind,
}

/// Flags the analysis reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Flags {
    /// The call returns a Future (it never blocks; `await` it for the value).
    pub returns_future: bool,
    /// The call blocks the whole program, every task included (e.g. `gene/sleep`).
    pub blocking: bool,
    /// The form suspends the current task until something settles (`await`, `$await_all`).
    pub suspends: bool,
    /// A method that calls its callback and throws the callback's result away (`.each`): a
    /// callback that returns a future loses it (A014).
    pub ignores_callback_result: bool,
}

/// One catalogue entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Builtin {
    /// The name as written: `println`, `read`, `length` (a method, without the dot), `if`, `+`.
    pub name: &'static str,
    /// Where it lives. Functions and values: the full namespace path (`gene/io/read`); names in
    /// `gene` and `global` are also reachable unqualified. Methods: `Receiver.name`
    /// (`String.length`). Special forms and operators: the name.
    pub path: &'static str,
    pub kind: BuiltinKind,
    /// For methods, the receiver type name (`String`, `Array`, `Map`, `Int`, `Float`, `Future`,
    /// `Class`, `Any` ...).
    pub receiver: Option<&'static str>,
    pub params: &'static [Param],
    pub doc: &'static str,
    pub flags: Flags,
}

impl Builtin {
    /// The call shape for hover and docs, e.g. `(gene/io/read path)` or `(s .substr start [end])`.
    pub fn signature(&self) -> String {
        let mut out = String::from("(");
        match self.kind {
            BuiltinKind::Method => {
                out.push_str(&receiver_var(self.receiver.unwrap_or("Any")));
                out.push_str(" .");
                out.push_str(self.name);
            }
            BuiltinKind::Class => {
                out.push_str("new ");
                out.push_str(self.path);
            }
            BuiltinKind::Value => return self.path.to_string(),
            _ => out.push_str(self.path),
        }
        for p in self.params {
            out.push(' ');
            match p.kind {
                ParamKind::Required => out.push_str(p.name),
                ParamKind::Optional => {
                    out.push('[');
                    out.push_str(p.name);
                    out.push(']');
                }
                ParamKind::Rest | ParamKind::Body => {
                    out.push_str(p.name);
                    out.push_str("...");
                }
                ParamKind::Named => {
                    out.push('^');
                    out.push_str(p.name);
                }
            }
        }
        out.push(')');
        out
    }
}

fn receiver_var(receiver: &str) -> String {
    match receiver {
        "String" => "s".into(),
        "Array" => "xs".into(),
        "Set" => "set".into(),
        "Map" => "m".into(),
        "Int" | "Float" | "Number" => "n".into(),
        "Future" => "f".into(),
        "Generator" | "AsyncGenerator" => "g".into(),
        "Class" => "C".into(),
        "Range" => "r".into(),
        "Gene" => "g".into(),
        "Database" => "db".into(),
        "Transaction" => "tx".into(),
        "Bytes" => "b".into(),
        "Regex" => "re".into(),
        "Match" => "m".into(),
        "Channel" => "ch".into(),
        "Semaphore" => "sem".into(),
        "Lock" => "lock".into(),
        "Event" => "event".into(),
        "TcpServer" | "HttpServer" => "server".into(),
        "TcpConn" => "conn".into(),
        _ => "v".into(),
    }
}

/// Every entry, in catalogue order (special forms, operators, functions, methods).
pub fn all() -> impl Iterator<Item = &'static Builtin> {
    special_forms::SPECIAL_FORMS
        .iter()
        .chain(generators::FORMS)
        .chain(special_forms::OPERATORS)
        .chain(functions::FUNCTIONS)
        .chain(math::FUNCTIONS)
        .chain(db::FUNCTIONS)
        .chain(system::FUNCTIONS)
        .chain(regex::FUNCTIONS)
        .chain(concurrency::FUNCTIONS)
        .chain(net::FUNCTIONS)
        .chain(http_server::FUNCTIONS)
        .chain(functions::VALUES)
        .chain(math::VALUES)
        .chain(db::CLASSES)
        .chain(regex::CLASSES)
        .chain(concurrency::CLASSES)
        .chain(net::CLASSES)
        .chain(http_server::CLASSES)
        .chain(types::TYPE_CLASSES)
        .chain(generators::CLASSES)
        .chain(methods::METHODS)
        .chain(strings::METHODS)
        .chain(collections::METHODS)
        .chain(numbers::METHODS)
        .chain(generators::METHODS)
        .chain(db::METHODS)
        .chain(regex::METHODS)
        .chain(concurrency::METHODS)
        .chain(net::METHODS)
        .chain(http_server::METHODS)
}

/// The entry for a function, value, class, special form or operator by its path
/// (`gene/io/read`, `if`, `+`).
pub fn lookup(path: &str) -> Option<&'static Builtin> {
    by_path().get(path).copied()
}

/// Every entry but the methods, by path (the analysis looks names up on every keystroke).
fn by_path() -> &'static std::collections::HashMap<&'static str, &'static Builtin> {
    static MAP: std::sync::OnceLock<std::collections::HashMap<&'static str, &'static Builtin>> =
        std::sync::OnceLock::new();
    MAP.get_or_init(|| {
        let mut map = std::collections::HashMap::new();
        for b in all().filter(|b| b.kind != BuiltinKind::Method) {
            // The first entry with a path wins, as a linear search would find it.
            map.entry(b.path).or_insert(b);
        }
        map
    })
}

/// The entry an unqualified name reaches when nothing in the program defines it: `global/`,
/// then `gene/`, then `genex/` (`println` -> `gene/println`), then special forms and operators
/// by name, and `$x` as `gene/x`.
pub fn unqualified(name: &str) -> Option<&'static Builtin> {
    static MAP: std::sync::OnceLock<std::collections::HashMap<String, &'static Builtin>> =
        std::sync::OnceLock::new();
    let map = MAP.get_or_init(|| {
        let mut map = std::collections::HashMap::new();
        for prefix in ["global/", "gene/", "genex/", ""] {
            for b in all().filter(|b| b.kind != BuiltinKind::Method) {
                if let Some(rest) = b
                    .path
                    .strip_prefix(prefix)
                    .filter(|r| prefix.is_empty() || !r.contains('/'))
                {
                    map.entry(rest.to_string()).or_insert(b);
                }
                if let Some(rest) = b.path.strip_prefix("gene/").filter(|_| prefix.is_empty()) {
                    map.entry(format!("${rest}")).or_insert(b);
                }
            }
        }
        map
    });
    map.get(name).copied()
}

/// The special forms that the compiler and the analysis take as the head of a gene (`if`,
/// `fn`, `->`, `#Str`, `yield` ...), in catalogue order: every special form but the names and
/// syntax that never head one (`self`, `$ex`, `quote`).
pub fn special_form_heads() -> impl Iterator<Item = &'static str> {
    all()
        .filter(|b| {
            b.kind == BuiltinKind::SpecialForm && !special_forms::NOT_HEADS.contains(&b.name)
        })
        .map(|b| b.name)
}

/// Whether a gene headed by `name` is a special form (see [`special_form_heads`]).
pub fn is_special_form_head(name: &str) -> bool {
    lookup(name).is_some_and(|b| {
        b.kind == BuiltinKind::SpecialForm && !special_forms::NOT_HEADS.contains(&b.name)
    })
}

/// The entries for a method name across receivers (`length` -> `String.length`, `Array.length`).
pub fn methods_named(name: &str) -> impl Iterator<Item = &'static Builtin> + '_ {
    all().filter(move |b| b.kind == BuiltinKind::Method && b.name == name)
}

/// The method `name` on `receiver`.
pub fn method(receiver: &str, name: &str) -> Option<&'static Builtin> {
    all().find(|b| b.kind == BuiltinKind::Method && b.receiver == Some(receiver) && b.name == name)
}

// Compact constructors for the tables.
/// An entry of any kind; the area tables wrap it for their common shapes.
pub(crate) const fn entry(
    kind: BuiltinKind,
    name: &'static str,
    path: &'static str,
    receiver: Option<&'static str>,
    params: &'static [Param],
    flags: Flags,
    doc: &'static str,
) -> Builtin {
    Builtin {
        name,
        path,
        kind,
        receiver,
        params,
        doc,
        flags,
    }
}
pub(crate) const fn req(name: &'static str) -> Param {
    Param {
        name,
        kind: ParamKind::Required,
    }
}
pub(crate) const fn opt(name: &'static str) -> Param {
    Param {
        name,
        kind: ParamKind::Optional,
    }
}
pub(crate) const fn rest(name: &'static str) -> Param {
    Param {
        name,
        kind: ParamKind::Rest,
    }
}
pub(crate) const fn named(name: &'static str) -> Param {
    Param {
        name,
        kind: ParamKind::Named,
    }
}
pub(crate) const fn body(name: &'static str) -> Param {
    Param {
        name,
        kind: ParamKind::Body,
    }
}

pub(crate) const NO_FLAGS: Flags = Flags {
    returns_future: false,
    blocking: false,
    suspends: false,
    ignores_callback_result: false,
};
pub(crate) const FUTURE: Flags = Flags {
    returns_future: true,
    blocking: false,
    suspends: false,
    ignores_callback_result: false,
};
pub(crate) const BLOCKING: Flags = Flags {
    returns_future: false,
    blocking: true,
    suspends: false,
    ignores_callback_result: false,
};
pub(crate) const CALLBACK_RESULT_IGNORED: Flags = Flags {
    returns_future: false,
    blocking: false,
    suspends: false,
    ignores_callback_result: true,
};
pub(crate) const SUSPENDS: Flags = Flags {
    returns_future: false,
    blocking: false,
    suspends: true,
    ignores_callback_result: false,
};

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn paths_are_unique() {
        let mut seen = HashSet::new();
        for b in all() {
            assert!(seen.insert(b.path), "duplicate catalogue path {}", b.path);
        }
    }

    #[test]
    fn methods_have_receivers_and_paths_match() {
        for b in all() {
            match b.kind {
                BuiltinKind::Method => {
                    let receiver = b.receiver.expect("a method names its receiver");
                    assert_eq!(b.path, format!("{receiver}.{}", b.name));
                }
                _ => {
                    assert!(b.receiver.is_none(), "{} is not a method", b.path);
                    assert!(
                        b.path == b.name || b.path.ends_with(&format!("/{}", b.name)),
                        "{} does not end with its name {}",
                        b.path,
                        b.name
                    );
                }
            }
            assert!(!b.doc.trim().is_empty(), "{} has no doc", b.path);
        }
    }

    #[test]
    fn async_entries_are_flagged() {
        for path in [
            "gene/sleep_async",
            "gene/io/read_async",
            "gene/io/write_async",
            "gene/io/append_async",
            "gene/io/remove_async",
            "gene/timeout",
            "gene/race",
            "gene/db/open_async",
            "gene/process/run_async",
            "gene/fs/list_async",
            "gene/fs/stat_async",
            "gene/fs/mkdir_async",
            "gene/fs/remove_async",
            "gene/fs/rename_async",
            "gene/fs/copy_async",
            "gene/io/read_line_async",
            "gene/sleep_until_async",
            "gene/net/listen_async",
            "gene/net/connect_async",
            "gene/http/serve_async",
        ] {
            assert!(lookup(path).expect(path).flags.returns_future, "{path}");
        }
        assert!(lookup("gene/sleep").unwrap().flags.blocking);
        // Each blocking twin has an async variant of the same name plus `_async`, which lint
        // rule A005 names.
        for path in [
            "gene/process/run",
            "gene/fs/list",
            "gene/fs/stat",
            "gene/fs/mkdir",
            "gene/fs/remove",
            "gene/fs/rename",
            "gene/fs/copy",
        ] {
            assert!(lookup(path).expect(path).flags.blocking, "{path}");
            let variant = format!("{path}_async");
            assert!(
                lookup(&variant).expect(path).flags.returns_future,
                "{variant}"
            );
        }
        assert!(lookup("await").unwrap().flags.suspends);
        assert!(method("Future", "on_success").is_some());
        for (receiver, name) in [
            ("Database", "exec_async"),
            ("Database", "query_async"),
            ("Database", "transaction_async"),
            ("Database", "close_async"),
            ("Transaction", "exec_async"),
            ("Transaction", "query_async"),
            ("Channel", "send_async"),
            ("Channel", "recv_async"),
            ("Channel", "next"),
            ("Semaphore", "acquire_async"),
            ("Semaphore", "with_async"),
            ("Lock", "lock_async"),
            ("Lock", "with_async"),
            ("Event", "wait_async"),
        ] {
            let m = method(receiver, name).expect(name);
            assert!(m.flags.returns_future, "{receiver}.{name}");
        }
    }

    #[test]
    fn special_form_heads_are_the_special_forms_but_the_names() {
        let heads: Vec<&str> = special_form_heads().collect();
        for name in special_forms::NOT_HEADS {
            let b = lookup(name).expect("a name that is not a head is still a special form");
            assert_eq!(b.kind, BuiltinKind::SpecialForm, "{name}");
            assert!(
                !is_special_form_head(name) && !heads.contains(name),
                "{name}"
            );
        }
        for name in ["if", "fn", "->", "#Str", "yield", "await", "$caller_eval"] {
            assert!(
                is_special_form_head(name) && heads.contains(&name),
                "{name}"
            );
        }
        // Operators and functions are not special forms, whatever their shape.
        for name in ["+", "not", "println", "$parse", "gene/parse", "**"] {
            assert!(!is_special_form_head(name), "{name}");
        }
        assert_eq!(
            heads.len(),
            all().filter(|b| b.kind == BuiltinKind::SpecialForm).count()
                - special_forms::NOT_HEADS.len()
        );
    }

    #[test]
    fn signatures_read_like_calls() {
        assert_eq!(
            lookup("gene/io/write").unwrap().signature(),
            "(gene/io/write path text)"
        );
        assert_eq!(
            method("String", "substr").unwrap().signature(),
            "(s .substr start [end])"
        );
    }
}
