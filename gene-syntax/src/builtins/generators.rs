//! Generators: the `yield` form, the Generator and AsyncGenerator classes and their methods.
//! (`^^generator` is a flag of `fn`, `fnx` and `.fn`; `for await` is a form of `for`.)

use super::{
    Builtin,
    BuiltinKind::{Class, Method, SpecialForm},
    FUTURE, NO_FLAGS, entry, opt,
};

pub(crate) static FORMS: &[Builtin] = &[entry(
    SpecialForm,
    "yield",
    "yield",
    None,
    &[opt("value")],
    NO_FLAGS,
    "Inside a `^^generator` function: suspends the generator and hands value (nil when none) to whoever resumed it (`.next` gets `{^value v ^done false}`, a `for` loop gets v). `(yield v)` itself evaluates to the value given to the next `(g .next sent)` (nil otherwise). `yield` anywhere else, a nested `fnx` or `->` included, is a compile error (G001).",
)];

pub(crate) static CLASSES: &[Builtin] = &[
    entry(
        Class,
        "Generator",
        "gene/Generator",
        None,
        &[],
        NO_FLAGS,
        "The class of generators: what calling a `(fn ^^generator name [params] ...)` (or `fnx ^^generator`, `.fn ^^generator`) gives. Nothing of the body runs until the first `.next`; the parameters are bound (defaults evaluated) at the call. `for` iterates a generator, and leaving the loop early (`break`, `return`, an exception) closes it.",
    ),
    entry(
        Class,
        "AsyncGenerator",
        "gene/AsyncGenerator",
        None,
        &[],
        NO_FLAGS,
        "The class of async generators, from `(fn ^^async ^^generator name [params] ...)`: the body may `await`; `.next` and `.close` give futures. Iterate one with `(for await x in g body...)` in async code or at top level; a plain `for` over one is a TypeError.",
    ),
];

pub(crate) static METHODS: &[Builtin] = &[
    entry(
        Method,
        "next",
        "Generator.next",
        Some("Generator"),
        &[opt("sent")],
        NO_FLAGS,
        "Runs the body up to its next `yield` and gives `{^value v ^done false}`; once the body has returned, `{^done true}` (every time after that too). `sent` becomes the value of the `yield` the body stopped at (ignored by the first call). An error thrown by the body propagates to this call and the generator is done. Calling it from the generator's own body is a TypeError.",
    ),
    entry(
        Method,
        "close",
        "Generator.close",
        Some("Generator"),
        &[],
        NO_FLAGS,
        "Finishes the generator early: the body goes on from the `yield` it stopped at as if that `yield` were a `return`, so the `finally` blocks around it run. Gives `{^done true}` (or `{^value v ^done false}` when a `finally` block yields; the generator then stays suspended there). On a generator that never started or is done: nothing runs, `{^done true}`.",
    ),
    entry(
        Method,
        "next",
        "AsyncGenerator.next",
        Some("AsyncGenerator"),
        &[opt("sent")],
        FUTURE,
        "A future of the next step, `{^value v ^done false}` or `{^done true}`. The body runs as a task until its next `yield`, starting before this call returns (like an async call) when the generator is idle; a `.next` made while the body runs waits its turn (requests are served in order). An error thrown by the body fails this future and the generator is done.",
    ),
    entry(
        Method,
        "close",
        "AsyncGenerator.close",
        Some("AsyncGenerator"),
        &[],
        FUTURE,
        "A future that succeeds with `{^done true}` once the generator has run the `finally` blocks around the `yield` it stopped at (queued behind any `.next` still being served).",
    ),
];
