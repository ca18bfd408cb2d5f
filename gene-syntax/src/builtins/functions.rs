//! Functions, classes and values bound in namespaces (`gene`, `gene/io`, `global` ...).

use super::{
    BLOCKING, Builtin,
    BuiltinKind::{self, *},
    FUTURE, Flags, NO_FLAGS, Param, SUSPENDS, named, opt, req, rest,
};

const fn entry(
    kind: BuiltinKind,
    name: &'static str,
    path: &'static str,
    params: &'static [Param],
    flags: Flags,
    doc: &'static str,
) -> Builtin {
    super::entry(kind, name, path, None, params, flags, doc)
}

const fn func(
    name: &'static str,
    path: &'static str,
    params: &'static [Param],
    doc: &'static str,
) -> Builtin {
    entry(Function, name, path, params, NO_FLAGS, doc)
}

/// A function with flags for the analysis (`returns_future`, `suspends` ...).
const fn flagged(
    name: &'static str,
    path: &'static str,
    params: &'static [Param],
    flags: Flags,
    doc: &'static str,
) -> Builtin {
    entry(Function, name, path, params, flags, doc)
}

const fn class(
    name: &'static str,
    path: &'static str,
    params: &'static [Param],
    doc: &'static str,
) -> Builtin {
    entry(Class, name, path, params, NO_FLAGS, doc)
}

pub(crate) static FUNCTIONS: &[Builtin] = &[
    func(
        "println",
        "gene/println",
        &[rest("values"), named("stderr")],
        "Prints the values in display form, separated by spaces, then a newline. A nil given directly prints as an empty string. `^^stderr` writes to stderr. Gives nil.",
    ),
    func(
        "print",
        "gene/print",
        &[rest("values"), named("stderr")],
        "Like println without the newline.",
    ),
    func(
        "assert",
        "gene/assert",
        &[req("cond"), opt("message")],
        "Throws an AssertionError (\"Assertion failed\" or the message) when cond is falsy; gives nil.",
    ),
    func(
        "assert_eq",
        "gene/assert_eq",
        &[req("actual"), req("expected"), opt("message")],
        "Throws an AssertionError unless actual == expected. Its message shows both values and, for multi-line strings, arrays and maps, a line or element diff (`-` expected, `+` actual). Gives nil.",
    ),
    func(
        "assert_ne",
        "gene/assert_ne",
        &[req("actual"), req("unexpected"), opt("message")],
        "Throws an AssertionError showing the value when actual == unexpected. Gives nil.",
    ),
    func(
        "declare",
        "gene/test/declare",
        &[
            req("name"),
            req("skip"),
            req("timeout"),
            req("offset"),
            req("body"),
        ],
        "What a `test` form compiles to: registers the test (its name prefixed by the enclosing `describe` groups, its byte offset in the file, the function running its body) for `gene test`. Gives nil.",
    ),
    func(
        "enter_group",
        "gene/test/enter_group",
        &[req("name")],
        "What a `describe` form compiles to on entry: the tests declared until `gene/test/leave_group` are named `name > ...`. Gives nil.",
    ),
    func(
        "leave_group",
        "gene/test/leave_group",
        &[],
        "What a `describe` form compiles to on exit (also when its body throws). Gives nil.",
    ),
    func(
        "expect_thrown",
        "gene/test/expect_thrown",
        &[req("class"), req("outcome"), req("form")],
        "What `assert_throws` and `assert_rejects` compile to: outcome is `[true thrown]` or `[false value]`; gives the thrown value when it is an instance of class, else throws an AssertionError naming form.",
    ),
    func(
        "str",
        "gene/str",
        &[rest("values")],
        "Joins the display forms of the values into one string (`(str \"a\" 1 nil)` is \"a1nil\").",
    ),
    func(
        "to_s",
        "gene/to_s",
        &[req("value")],
        "The display form of value as a string.",
    ),
    func(
        "inspect",
        "gene/inspect",
        &[req("value")],
        "The `$` form of value as a string (strings quoted, chars as 'c').",
    ),
    func(
        "range",
        "gene/range",
        &[req("start"), req("end"), opt("step")],
        "The range from start to end (included), by step (1 by default; negative steps count down).",
    ),
    func(
        "eval",
        "gene/eval",
        &[rest("values")],
        "Evaluates each value as code in the current environment (a symbol is looked up, a gene or quote is compiled and run, anything else is itself) and gives the last.",
    ),
    func(
        "parse",
        "gene/parse",
        &[req("text")],
        "`($parse text)`: the first form read from text, as data (`($parse \"(1 + 2)\")` is a gene). Throws SyntaxError when the text does not parse.",
    ),
    func(
        "@",
        "gene/@",
        &[rest("keys")],
        "`(@ \"key\" 0)`: a selector value; calling it on a target applies the keys in turn (`((@ \"a\" 0) {^a [7]})` is 7). `@key`, `@0` and `@k/0` are shorthands.",
    ),
    func(
        "type",
        "gene/type",
        &[req("value")],
        "The type name of value as a symbol: `Int`, `Float`, `String`, `Array`, `Map`, `Gene`, an instance's class name ...",
    ),
    func(
        "now",
        "gene/time/now",
        &[],
        "Seconds since the Unix epoch, as a float.",
    ),
    Builtin {
        flags: BLOCKING,
        ..func(
            "sleep",
            "gene/sleep",
            &[req("ms")],
            "Blocks the whole program (every task) for ms milliseconds; gives nil. Use `gene/sleep_async` in async code.",
        )
    },
    Builtin {
        flags: BLOCKING,
        ..func(
            "read",
            "gene/io/read",
            &[req("path")],
            "The whole file as a string. Throws IOError naming the path and the reason.",
        )
    },
    Builtin {
        flags: BLOCKING,
        ..func(
            "write",
            "gene/io/write",
            &[req("path"), req("text")],
            "Writes text to the file (replacing it, never leaving a half-written file); gives nil. Throws IOError.",
        )
    },
    Builtin {
        flags: BLOCKING,
        ..func(
            "append",
            "gene/io/append",
            &[req("path"), req("text")],
            "Appends text to the file, creating it when missing; gives nil. Throws IOError.",
        )
    },
    func(
        "exists",
        "gene/io/exists",
        &[req("path")],
        "true when a file or directory exists at path.",
    ),
    func(
        "serialize",
        "gene/serdes/serialize",
        &[req("value")],
        "The text `(gene/serialization <data>)` for value; classes and functions become `(gene/ref \"Name\")`, instances `(gene/instance (gene/ref \"C\") {^prop v})`.",
    ),
    func(
        "deserialize",
        "gene/serdes/deserialize",
        &[req("text")],
        "Reads text written by serialize back into a value (references are looked up by name).",
    ),
    func(
        "parse",
        "gene/json/parse",
        &[req("text")],
        "Reads JSON text: objects become maps in key order (a repeated key keeps its first place and its last value), arrays arrays, strings strings, true/false bools, null nil; an integer that fits in 64 bits is an int, any other number a float (a larger integer becomes the nearest float, as in JavaScript). Bad JSON throws JsonError with the line and column (`invalid JSON at line 3, column 5: expected value`). Nesting deeper than 128 levels is refused the same way.",
    ),
    func(
        "stringify",
        "gene/json/stringify",
        &[req("value"), named("pretty")],
        "The JSON text of value: maps become objects (keys by name, in order), arrays and sets arrays, strings, symbols and chars strings, ints and floats numbers, bools bools, nil null. `^^pretty` indents by two spaces, one entry per line. A value JSON cannot hold (a function, an instance, a gene, NaN or an infinity, data nested more than 128 levels deep, which is how a cycle shows) throws JsonError naming it and where it sits (`at users/0/on_save`).",
    ),
    class(
        "Exception",
        "gene/Exception",
        &[opt("message")],
        "The base class of every exception the runtime throws. `.message` gives the message; displayed as `ClassName: message`.",
    ),
    class(
        "TypeError",
        "gene/TypeError",
        &[opt("message")],
        "A value of the wrong type (`(1 + \"a\")`, calling a method a value does not have ...).",
    ),
    class(
        "NameError",
        "gene/NameError",
        &[opt("message")],
        "An unbound name.",
    ),
    class(
        "IndexError",
        "gene/IndexError",
        &[opt("message")],
        "An index out of range in an assignment or a strict access.",
    ),
    class(
        "KeyError",
        "gene/KeyError",
        &[opt("message")],
        "A missing key where one is required.",
    ),
    class(
        "ArgumentError",
        "gene/ArgumentError",
        &[opt("message")],
        "Wrong arguments to a builtin.",
    ),
    class(
        "OverflowError",
        "gene/OverflowError",
        &[opt("message")],
        "Integer arithmetic that does not fit in 64 bits.",
    ),
    class(
        "ValueError",
        "gene/ValueError",
        &[opt("message")],
        "An argument of the right type whose content cannot be used (an empty array where a member is needed, a malformed pattern or date). The message names the function and the value.",
    ),
    class(
        "IOError",
        "gene/IOError",
        &[opt("message")],
        "A failed file operation; the message names the path and the OS reason.",
    ),
    class(
        "AssertionError",
        "gene/AssertionError",
        &[opt("message")],
        "A failed `assert`.",
    ),
    class(
        "StackOverflow",
        "gene/StackOverflow",
        &[opt("message")],
        "Call depth beyond the VM's limit (100,000 frames, counting the frames of the `^^async` calls that started a task without waiting yet). Catchable; the program goes on.",
    ),
    class(
        "MemoryError",
        "gene/MemoryError",
        &[opt("message")],
        "A value that would grow past 1 GiB (a string or bytes of that many bytes, an array of 64M elements), or memory the system refuses. Catchable; the program goes on.",
    ),
    class(
        "SyntaxError",
        "gene/SyntaxError",
        &[opt("message")],
        "Text given to `$parse`, `eval` or `import` that does not parse.",
    ),
    class(
        "ImportError",
        "gene/ImportError",
        &[opt("message")],
        "A module that cannot be found, or a name it does not define.",
    ),
    class(
        "NotImplementedError",
        "gene/NotImplementedError",
        &[opt("message")],
        "A feature this build does not include.",
    ),
    class(
        "Interrupted",
        "gene/Interrupted",
        &[opt("message")],
        "The evaluation was interrupted (Ctrl-C in the REPL). Not catchable by `try`.",
    ),
    class(
        "CancelledError",
        "gene/CancelledError",
        &[opt("message")],
        "Thrown into a task whose future was cancelled, and by awaiting a cancelled future.",
    ),
    class(
        "TimeoutError",
        "gene/TimeoutError",
        &[opt("message")],
        "An `await ^timeout` or `gene/timeout` that ran out of time.",
    ),
    class(
        "DeadlockError",
        "gene/DeadlockError",
        &[opt("message")],
        "Thrown at an `await` when every task waits and nothing pending could wake any of them.",
    ),
    class(
        "HttpError",
        "gene/HttpError",
        &[opt("message")],
        "A failed HTTP request (bad URL, connection failure, timeout); the message names the method, the URL and the reason. A response with an error status is not an HttpError.",
    ),
    class(
        "JsonError",
        "gene/JsonError",
        &[opt("message")],
        "JSON text that does not parse (the message gives the line and column), or a value `gene/json/stringify` cannot write.",
    ),
    class(
        "Future",
        "gene/Future",
        &[opt("value")],
        "`(new gene/Future)` is a pending future (settle it with `.complete` or `.fail`); `(new gene/Future v)` one already completed with v. A future prints as `<Future pending>` (`success`, `failure`, `cancelled`).",
    ),
    flagged(
        "complete_future",
        "global/complete_future",
        &[req("future"), opt("value")],
        NO_FLAGS,
        "Completes the future with value (nil when omitted); gives nil. Settling twice is an error.",
    ),
    flagged(
        "sleep_async",
        "gene/sleep_async",
        &[req("ms")],
        FUTURE,
        "A future that completes with nil after ms milliseconds (an int or a float), without blocking other tasks. Cancelling it drops the timer.",
    ),
    flagged(
        "read_async",
        "gene/io/read_async",
        &[req("path")],
        FUTURE,
        "A future of the file's text. I/O failures are IOErrors naming the path and the OS reason, thrown at `await` (never by the call).",
    ),
    flagged(
        "write_async",
        "gene/io/write_async",
        &[req("path"), req("text")],
        FUTURE,
        "A future of nil once text (a string) is written, through a temporary file beside the target and a rename, so a failure never leaves a half-written file. I/O failures are IOErrors, thrown at `await`.",
    ),
    flagged(
        "append_async",
        "gene/io/append_async",
        &[req("path"), req("text")],
        FUTURE,
        "A future of nil once text (a string) is appended (the file is created when missing). I/O failures are IOErrors, thrown at `await`.",
    ),
    flagged(
        "remove_async",
        "gene/io/remove_async",
        &[req("path")],
        FUTURE,
        "A future of nil once the file is removed. I/O failures (a missing file too) are IOErrors, thrown at `await`.",
    ),
    flagged(
        "get_async",
        "gene/http/get_async",
        &[
            req("url"),
            named("headers"),
            named("timeout"),
            named("binary"),
        ],
        FUTURE,
        "A future of the response to a GET of url (http or https): `{^status 200 ^headers {...} ^body \"...\" ^url \"...\"}`. `^headers` is a map of header names to strings (or numbers); `^timeout` limits the whole exchange, in milliseconds; `^^binary` gives the body as Bytes. Same response, errors and cancellation as `gene/http/request_async`.",
    ),
    flagged(
        "request_async",
        "gene/http/request_async",
        &[req("request")],
        FUTURE,
        "A future of the response to request, a map `{^method \"POST\" ^url \"...\" ^headers {...} ^body \"...\" ^timeout ms ^binary false}` (only ^url is required; the method defaults to GET; the body is a string, see `gene/json/stringify`, or Bytes). The response is a map `{^status ^headers ^body ^url}`: header names lower-case, a repeated header's values joined by \", \" except `set-cookie`, always an array of strings; the body a string decoded as UTF-8 (invalid bytes become U+FFFD), or with `^binary true` Bytes, byte for byte; `^url` the final URL after redirects (up to 10 are followed). A non-2xx status is a response, not an error. A bad URL, an invalid header, a connection that fails (or takes over 30 s to open) and a timeout are HttpErrors naming the method, the URL and the reason, thrown at `await`. Cancelling the future (`.cancel`, `gene/timeout`) aborts the request and closes its connection; `await ^timeout` only stops waiting. Requests share one connection pool per program; proxies are taken from HTTP_PROXY, HTTPS_PROXY and NO_PROXY.",
    ),
    flagged(
        "timeout",
        "gene/timeout",
        &[req("ms"), req("future")],
        FUTURE,
        "A future that settles like future, or, when future has not settled after ms milliseconds, fails with TimeoutError and cancels future. It reports future's progress as its own.",
    ),
    flagged(
        "race",
        "gene/race",
        &[rest("futures")],
        FUTURE,
        "A future that settles like the first of the futures to settle (their later failures count as handled). The contenders' progress reports are not passed on.",
    ),
    func(
        "progress",
        "gene/progress",
        &[req("fraction"), opt("message")],
        "Reports progress on the running task's future: fraction is a number from 0 to 1 (anything else throws ArgumentError naming the value, so a percentage passed by mistake shows), message a string or nil. The report becomes the future's `.progress`, starts its `.on_progress` callbacks (before this task goes on) and is passed on to the future of a task whose body evaluates to this future and to `gene/timeout`'s future. After the future has settled (a cancelled task unwinding) reports are dropped. In the main program, the reports show as `gene run`'s progress bar; so do the reports of a future the main program awaits. Gives nil.",
    ),
    func(
        "tasks",
        "gene/tasks",
        &[],
        "The live tasks, oldest first, as an array of maps: `^id` (an int unique for the run), `^name` (the `^^async` function's name, `async@file:line` for an `async` block, `main`), `^parent` (the id of the task that started it, or nil), `^state` (`running`, `ready` or `waiting`), `^site` (where it is: the `await` it waits at), `^created` (where it was started), `^waiting_on` (what it waits for, in words) and `^waiting_ms`. `gene run` prints the same as a tree on SIGQUIT.",
    ),
    flagged(
        "await_all",
        "gene/await_all",
        &[],
        SUSPENDS,
        "`($await_all)`: lets every other task, timer and I/O operation run until none can make progress (tasks still waiting then wait for futures only this code can settle), then gives nil.",
    ),
];

/// `$args` is a value, not a function; kept apart so the table above stays uniform.
pub(crate) static VALUES: &[Builtin] = &[entry(
    Value,
    "args",
    "gene/args",
    &[],
    NO_FLAGS,
    "`$args`: the program arguments given after the file name to `gene run FILE ARGS...`, as an array of strings.",
)];
