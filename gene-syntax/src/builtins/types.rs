//! The classes of the builtin value types: what `(1 .class)` gives, and what `.is_a` and
//! `catch` patterns can name.

use super::{Builtin, BuiltinKind::Class, NO_FLAGS};

const fn type_class(name: &'static str, path: &'static str, doc: &'static str) -> Builtin {
    Builtin {
        name,
        path,
        kind: Class,
        receiver: None,
        params: &[],
        doc,
        flags: NO_FLAGS,
    }
}

pub(crate) static TYPE_CLASSES: &[Builtin] = &[
    type_class("Nil", "gene/Nil", "The class of `nil`."),
    type_class("Bool", "gene/Bool", "The class of `true` and `false`."),
    type_class("Int", "gene/Int", "The class of 64-bit integers."),
    type_class(
        "Float",
        "gene/Float",
        "The class of 64-bit floating-point numbers.",
    ),
    type_class(
        "Char",
        "gene/Char",
        "The class of character literals (`'a'`).",
    ),
    type_class("String", "gene/String", "The class of strings."),
    type_class("Symbol", "gene/Symbol", "The class of symbols (`:name`)."),
    type_class(
        "Path",
        "gene/Path",
        "The class of complex symbols (`:a/b`).",
    ),
    type_class("Array", "gene/Array", "The class of arrays (`[1 2]`)."),
    type_class("Set", "gene/Set", "The class of sets (`#[1 2]`)."),
    type_class("Map", "gene/Map", "The class of maps (`{^k v}`)."),
    type_class(
        "Gene",
        "gene/Gene",
        "The class of data genes (`(_ 1 2)`, `:(f x)`).",
    ),
    type_class("Range", "gene/Range", "The class of ranges (`(0 .. 5)`)."),
    type_class(
        "Function",
        "gene/Function",
        "The class of functions (`fn`, `fnx`, `fnxx`).",
    ),
    type_class("Macro", "gene/Macro", "The class of macros."),
    type_class("Block", "gene/Block", "The class of blocks (`(x -> ...)`)."),
    type_class(
        "NativeFunction",
        "gene/NativeFunction",
        "The class of builtin functions.",
    ),
    type_class(
        "Method",
        "gene/Method",
        "The class of bound methods (`obj/.m` without a call).",
    ),
    type_class("Class", "gene/Class", "The class of classes."),
    type_class(
        "Namespace",
        "gene/Namespace",
        "The class of namespaces (`ns`).",
    ),
    type_class("Enum", "gene/Enum", "The class of enums."),
    type_class(
        "EnumMember",
        "gene/EnumMember",
        "The class of enum members (`Color/red`).",
    ),
    type_class(
        "Selector",
        "gene/Selector",
        "The class of selectors (`(@ \"key\")`, `@key`).",
    ),
    type_class(
        "Placeholder",
        "gene/Placeholder",
        "The class of the placeholder `_`.",
    ),
    type_class(
        "Quote",
        "gene/Quote",
        "The class of quoted forms kept as values.",
    ),
    type_class(
        "Unquote",
        "gene/Unquote",
        "The class of unquote markers in templates.",
    ),
    type_class(
        "Spread",
        "gene/Spread",
        "The class of spread markers (`(... xs)`).",
    ),
];
