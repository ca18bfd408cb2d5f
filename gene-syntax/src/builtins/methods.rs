//! Methods on builtin types, called as `(value .name args...)` or `value/.name`.

use super::{Builtin, BuiltinKind::Method, NO_FLAGS, Param, opt, req, rest};

pub(crate) const fn m(
    receiver: &'static str,
    path: &'static str,
    params: &'static [Param],
    doc: &'static str,
) -> Builtin {
    // `path` is "Receiver.name"; the name is the part after the dot.
    Builtin {
        name: after_dot(path),
        path,
        kind: Method,
        receiver: Some(receiver),
        params,
        doc,
        flags: NO_FLAGS,
    }
}

const fn after_dot(path: &'static str) -> &'static str {
    let bytes = path.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'.' {
            let (_, tail) = bytes.split_at(i + 1);
            return match std::str::from_utf8(tail) {
                Ok(s) => s,
                Err(_) => path,
            };
        }
        i += 1;
    }
    path
}

pub(crate) static METHODS: &[Builtin] = &[
    // Every value
    m(
        "Any",
        "Any.class",
        &[],
        "The value's class (for builtin values, a class named after the type: `String`, `Array` ...).",
    ),
    m("Any", "Any.to_s", &[], "The display form as a string."),
    m(
        "Any",
        "Any.is_a",
        &[req("class")],
        "true when the value is an instance of class or of a subclass.",
    ),
    // String
    m(
        "String",
        "String.length",
        &[],
        "The number of characters (Unicode scalar values).",
    ),
    m("String", "String.size", &[], "Same as `.length`."),
    m("String", "String.to_upper", &[], "An upper-case copy."),
    m("String", "String.to_lower", &[], "A lower-case copy."),
    m(
        "String",
        "String.append",
        &[rest("values")],
        "A new string with the display forms of values appended (strings are immutable).",
    ),
    m(
        "String",
        "String.substr",
        &[req("start"), opt("end")],
        "The characters from start up to end (excluded; the end of the string by default). Negative positions count from the end.",
    ),
    m(
        "String",
        "String.split",
        &[req("separator")],
        "An array of the pieces between occurrences of separator (`\"\"` splits into characters).",
    ),
    m(
        "String",
        "String.index",
        &[req("needle")],
        "The character position of the first occurrence of needle, or -1.",
    ),
    m(
        "String",
        "String.rindex",
        &[req("needle")],
        "The character position of the last occurrence of needle, or -1.",
    ),
    m(
        "String",
        "String.trim",
        &[],
        "A copy without leading and trailing whitespace.",
    ),
    m(
        "String",
        "String.starts_with",
        &[req("prefix")],
        "true when the string starts with prefix.",
    ),
    m(
        "String",
        "String.ends_with",
        &[req("suffix")],
        "true when the string ends with suffix.",
    ),
    m(
        "String",
        "String.replace",
        &[req("from"), req("to")],
        "A copy with every occurrence of from replaced by to.",
    ),
    m(
        "String",
        "String.contains",
        &[req("needle")],
        "true when needle occurs in the string.",
    ),
    m(
        "String",
        "String.char_at",
        &[req("index")],
        "The character at index (negative counts from the end), or nil.",
    ),
    m(
        "String",
        "String.to_i",
        &[opt("radix")],
        "The string (surrounding whitespace aside) parsed as an integer in radix 2 to 36 (10 by default), or nil when it is not one: `(\"42\" .to_i)` is 42, `(\"ff\" .to_i 16)` is 255, `(\"-101\" .to_i 2)` is -5, `(\"4x\" .to_i)` is nil. A radix outside 2..36 raises ArgumentError.",
    ),
    m(
        "String",
        "String.to_f",
        &[],
        "The string parsed as a float, or nil.",
    ),
    m(
        "String",
        "String.chars",
        &[],
        "An array of the characters, each a one-character string.",
    ),
    // Array
    m("Array", "Array.size", &[], "The number of elements."),
    m("Array", "Array.length", &[], "Same as `.size`."),
    m(
        "Array",
        "Array.get",
        &[req("index"), opt("default")],
        "The element at index (negative counts from the end), or default (nil).",
    ),
    m(
        "Array",
        "Array.set",
        &[req("index"), req("value")],
        "Replaces the element at index (IndexError when out of range); gives value.",
    ),
    m(
        "Array",
        "Array.push",
        &[rest("values")],
        "Appends the values; gives the array.",
    ),
    m("Array", "Array.add", &[rest("values")], "Same as `.push`."),
    m(
        "Array",
        "Array.pop",
        &[],
        "Removes and gives the last element (nil when empty).",
    ),
    m("Array", "Array.first", &[], "The first element, or nil."),
    m("Array", "Array.last", &[], "The last element, or nil."),
    m(
        "Array",
        "Array.map",
        &[req("f")],
        "A new array of `(f x)` for each element.",
    ),
    m(
        "Array",
        "Array.filter",
        &[req("f")],
        "A new array of the elements for which `(f x)` is truthy.",
    ),
    m(
        "Array",
        "Array.reduce",
        &[req("initial"), req("f")],
        "Folds the elements: `(f acc x)` for each, starting from initial.",
    ),
    m(
        "Array",
        "Array.each",
        &[req("f")],
        "Calls `(f x)` for each element; gives the array.",
    ),
    m(
        "Array",
        "Array.each_with_index",
        &[req("f")],
        "Calls `(f x i)` for each element; gives the array.",
    ),
    m(
        "Array",
        "Array.find",
        &[req("f")],
        "The first element for which `(f x)` is truthy, or nil.",
    ),
    m(
        "Array",
        "Array.any",
        &[req("f")],
        "true when `(f x)` is truthy for some element.",
    ),
    m(
        "Array",
        "Array.all",
        &[req("f")],
        "true when `(f x)` is truthy for every element.",
    ),
    m(
        "Array",
        "Array.join",
        &[opt("separator")],
        "The display forms of the elements joined by separator (\"\" by default).",
    ),
    m(
        "Array",
        "Array.contains",
        &[req("value")],
        "true when an element `==` value.",
    ),
    m(
        "Array",
        "Array.index",
        &[req("value")],
        "The position of the first element `==` value, or -1.",
    ),
    m(
        "Array",
        "Array.slice",
        &[req("start"), opt("end")],
        "A new array of the elements from start up to end (excluded). Negative positions count from the end.",
    ),
    m(
        "Array",
        "Array.reverse",
        &[],
        "A new array in reverse order.",
    ),
    m(
        "Array",
        "Array.sort",
        &[opt("compare")],
        "A new sorted array. Without compare: numbers, or strings, in ascending order. With compare: `(compare a b)` gives a negative number, 0 or a positive number, or a boolean `a < b`.",
    ),
    m(
        "Array",
        "Array.concat",
        &[rest("arrays")],
        "A new array with the elements of the arrays appended.",
    ),
    m(
        "Array",
        "Array.del",
        &[req("index")],
        "Removes and gives the element at index (IndexError when out of range).",
    ),
    m(
        "Array",
        "Array.empty",
        &[],
        "true when there are no elements.",
    ),
    // Map
    m("Map", "Map.size", &[], "The number of entries."),
    m(
        "Map",
        "Map.keys",
        &[],
        "The keys, in insertion order, as strings.",
    ),
    m("Map", "Map.values", &[], "The values, in insertion order."),
    m(
        "Map",
        "Map.get",
        &[req("key"), opt("default")],
        "The value for key (a string or symbol), or default (nil).",
    ),
    m(
        "Map",
        "Map.set",
        &[req("key"), req("value")],
        "Sets the value for key; gives value.",
    ),
    m("Map", "Map.has", &[req("key")], "true when key is present."),
    m(
        "Map",
        "Map.del",
        &[req("key")],
        "Removes key; gives its value (nil when absent).",
    ),
    m(
        "Map",
        "Map.each",
        &[req("f")],
        "Calls `(f key value)` for each entry in insertion order; gives the map.",
    ),
    m("Map", "Map.empty", &[], "true when there are no entries."),
    // Ranges, genes, classes, instances, exceptions, enums
    m(
        "Range",
        "Range.to_a",
        &[],
        "An array of the range's values (end included).",
    ),
    m(
        "Range",
        "Range.each",
        &[req("f")],
        "Calls `(f i)` for each value; gives the range.",
    ),
    m(
        "Range",
        "Range.size",
        &[],
        "How many values the range holds.",
    ),
    m("Gene", "Gene.type", &[], "The gene's type (its head)."),
    m("Gene", "Gene.props", &[], "The properties as a map."),
    m("Gene", "Gene.children", &[], "The children as an array."),
    m("Class", "Class.name", &[], "The class name as a string."),
    m("Class", "Class.parent", &[], "The parent class, or nil."),
    m(
        "Exception",
        "Exception.message",
        &[],
        "The message given when the exception was created.",
    ),
    m(
        "EnumMember",
        "EnumMember.name",
        &[],
        "The member's name as a string.",
    ),
    m(
        "EnumMember",
        "EnumMember.value",
        &[],
        "The member's integer value.",
    ),
    m("Symbol", "Symbol.to_s", &[], "The name as a string."),
    // Future
    m(
        "Future",
        "Future.on_success",
        &[req("callback")],
        "Registers callback for the success value: on a future already in success it runs before this returns, otherwise when the future settles (callbacks run in registration order, before any task awaiting the future resumes). An error the callback throws is reported like an unhandled failure. Gives the future.",
    ),
    m(
        "Future",
        "Future.on_failure",
        &[req("callback")],
        "Registers callback for the thrown value (a CancelledError for a cancelled future): on a future already failed it runs before this returns, otherwise when the future fails. The failure then counts as handled. Gives the future.",
    ),
    m(
        "Future",
        "Future.cancel",
        &[],
        "Cancels a pending future: its state becomes cancelled at once; its task gets a CancelledError where it waits (so its `finally` blocks run), its timer or I/O operation is dropped. Awaiting it throws CancelledError once the task has finished unwinding. Gives true, or false when the future had already settled.",
    ),
    m(
        "Future",
        "Future.complete",
        &[opt("value")],
        "Settles a pending future with success and value (nil by default); its callbacks run before this returns. Gives nil. Settling twice is an error.",
    ),
    m(
        "Future",
        "Future.fail",
        &[opt("error")],
        "Settles a pending future with failure: error is the thrown value `await` rethrows (an Exception when omitted). Gives nil. Settling twice is an error.",
    ),
    m(
        "Future",
        "Future.state",
        &[],
        "The state as a symbol: pending, success, failure or cancelled.",
    ),
    m(
        "Future",
        "Future.value",
        &[],
        "The success value, the failure's thrown value (reading it counts as handling the failure), or nil while pending or when cancelled.",
    ),
    m(
        "Future",
        "Future.on_progress",
        &[req("callback")],
        "Registers callback for the future's progress reports (`gene/progress`): it is called with the fraction (a float) and the message (a string or nil) of every report, as a task, in registration order, before the reporting task goes on. If reports were made already, the last one is delivered at once (a task starts eagerly and may report before its caller holds the future). Gives the future.",
    ),
    m(
        "Future",
        "Future.progress",
        &[],
        "The fraction (a float) of the last progress report, or nil if there was none. It stays at the last report once the future has settled.",
    ),
];
