//! Methods on builtin types, called as `(value .name args...)` or `value/.name`.

use super::{Builtin, BuiltinKind::Method, NO_FLAGS, Param, opt, req};

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

/// A method that calls its callback for each element and ignores what it returns.
pub(crate) const fn each_method(
    receiver: &'static str,
    path: &'static str,
    params: &'static [Param],
    doc: &'static str,
) -> Builtin {
    let mut builtin = m(receiver, path, params, doc);
    builtin.flags = super::CALLBACK_RESULT_IGNORED;
    builtin
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
    // Ranges, genes, classes, instances, exceptions, enums
    m(
        "Range",
        "Range.to_a",
        &[],
        "An array of the range's values (end included).",
    ),
    each_method(
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
