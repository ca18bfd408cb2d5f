//! Special forms and operators: handled by the compiler, not called as functions.

use super::{Builtin, BuiltinKind::*, NO_FLAGS, Param, SUSPENDS, body, named, opt, req, rest};

const fn form(name: &'static str, params: &'static [Param], doc: &'static str) -> Builtin {
    Builtin {
        name,
        path: name,
        kind: SpecialForm,
        receiver: None,
        params,
        doc,
        flags: NO_FLAGS,
    }
}

const fn op(name: &'static str, params: &'static [Param], doc: &'static str) -> Builtin {
    Builtin {
        name,
        path: name,
        kind: Operator,
        receiver: None,
        params,
        doc,
        flags: NO_FLAGS,
    }
}

/// Special forms that never head a gene: names the compiler resolves itself (`self`, `$ex`) and
/// reader syntax (`quote` is `:form`). So `(self == x)` is an infix comparison and `(quote x)`
/// calls whatever `quote` names, in the compiler and the analysis alike.
pub(crate) const NOT_HEADS: &[&str] = &["self", "$ex", "quote"];

pub(crate) static SPECIAL_FORMS: &[Builtin] = &[
    form(
        "var",
        &[req("name"), opt("value")],
        "Declares a new variable in the current scope (always a new binding, shadowing any earlier one) and returns its value. `(var $ns/x v)` stores into the current namespace instead.",
    ),
    form(
        "if",
        &[req("cond"), body("then")],
        "`(if c x)` gives x when c is truthy, else nil. With exactly three children `(if c x y)`, y is the else branch. Otherwise keyword form: `(if c body... elif c2 body... else body...)`, with an optional `then` after each condition; `(if not c ...)` negates. Each branch opens a scope.",
    ),
    form(
        "do",
        &[body("body")],
        "Runs the forms in a new scope and gives the last value (nil when empty).",
    ),
    form("void", &[body("body")], "Runs the forms and gives nil."),
    form(
        "loop",
        &[body("body")],
        "Repeats the body until `(break [v])`; the break value is the loop's value. Each iteration opens a scope.",
    ),
    form(
        "while",
        &[req("cond"), body("body")],
        "Runs the body while cond is truthy; gives nil. Each iteration opens a scope.",
    ),
    form(
        "for",
        &[req("name"), req("in"), req("collection"), body("body")],
        "`(for x in coll body...)` runs the body for each element of an array, the children of a gene, the `[key value]` pairs of a map (`(for [k v] in m ...)`), a range (end included), the characters of a string or the values a generator yields; gives nil. `x` may be a destructuring pattern. `(for await x in coll body...)`, in async code or at top level, iterates an async generator, awaiting each step, or an async iterator: an object with a `.next` method (a `gene/Channel`, an instance whose class defines one) giving the future of a step `{^value v ^done false}` or `{^done true}`, which the loop awaits (leaving such a loop early leaves the object as it is); over anything else (a generator, an array...) it awaits each element that is a future and takes other elements as they are. Leaving a loop early (`break`, `return`, an exception) closes the generator it iterates, so the generator's `finally` blocks run before the code after the loop (or the exception's handler).",
    ),
    form(
        "repeat",
        &[req("n"), body("body")],
        "Runs the body n times; gives nil. Each iteration opens a scope.",
    ),
    form(
        "break",
        &[opt("value")],
        "Leaves the innermost loop; its value becomes the loop's value.",
    ),
    form(
        "continue",
        &[],
        "Goes on with the next iteration of the innermost loop.",
    ),
    form(
        "return",
        &[opt("value")],
        "Returns from the current function (nil when no value).",
    ),
    form(
        "fn",
        &[req("name"), req("params"), body("body")],
        "Defines a function, binds it in the current namespace (a path name `n/f` defines it in namespace n) and returns it. Parameters: `_` (none, arguments ignored), `x`, `[a b]`, `[a = default]` (evaluated at call time), `[^k]` (named), `[rest...]`, `[[a b] c]` (destructuring). `^^async` makes calls return a Future. `^^generator` makes a call return a Generator without running the body (see `yield`); `^^async ^^generator`, an AsyncGenerator. Both flags work on `fnx` and `.fn` too.",
    ),
    form(
        "fnx",
        &[req("params"), body("body")],
        "An anonymous function (closure).",
    ),
    form(
        "fnxx",
        &[body("body")],
        "An anonymous function with no parameters.",
    ),
    form(
        "->",
        &[opt("params"), body("body")],
        "A block: `(-> body...)`, `(x -> body...)`, `([x y] -> body...)`; a closure over the current scope.",
    ),
    form(
        "macro",
        &[req("name"), req("params"), body("body")],
        "Defines a macro in the current namespace. Its arguments are bound unevaluated (forms as data); the body's value is the call's value and is not evaluated again. See `$caller_eval`.",
    ),
    form(
        "$caller_eval",
        &[req("expr")],
        "Inside a macro: evaluates expr, then evaluates the result in the caller's environment (its locals included).",
    ),
    form(
        "ns",
        &[req("name"), body("body")],
        "Creates a namespace, binds it in the current one, runs the body with it as the current namespace and returns it.",
    ),
    form(
        "class",
        &[req("name"), opt("<"), opt("parent"), body("body")],
        "Defines a class (`(class B < A ...)` inherits A). In the body: `(.ctor params body...)`, `(.fn name params body...)`. Binds the class in the current namespace and returns it.",
    ),
    form(
        "new",
        &[req("class"), rest("args")],
        "Creates an instance and runs the constructor (inherited from the parent when the class has none) with self bound to it; gives the instance.",
    ),
    form(
        "super",
        &[req(".method"), rest("args")],
        "Inside a method: `(super .m args...)` calls the parent class's method m on self.",
    ),
    form(
        "self",
        &[],
        "The receiver inside methods and constructors (the class inside a class body); nil at top level.",
    ),
    form(
        "try",
        &[body("body"), opt("catch"), opt("finally")],
        "`(try body... catch Cls handler... catch * handler... finally cleanup...)`. A clause matches an instance of the class or a subclass (or the class itself); `*` matches anything. `$ex` is the thrown value. `finally` always runs and its value is discarded.",
    ),
    form(
        "throw",
        &[opt("value")],
        "Throws any value as is (nil when none).",
    ),
    form(
        "$ex",
        &[],
        "Inside a catch clause: the thrown value itself. Nil elsewhere.",
    ),
    form(
        "enum",
        &[req("name"), rest("members")],
        "`(enum Color red green blue)` binds Color as a local; `Color/green` is a member with `.name` \"green\" and `.value` 1. `(enum E a b = 5 c)` sets explicit values; `(enum E ^values [a b])` also works.",
    ),
    form(
        "match",
        &[req("pattern"), req("value")],
        "Binds the pattern to the value in the current scope: a name, or a destructuring pattern following the parameter rules (`[a b]`, `[^k]`, `[x rest...]`); gives nil.",
    ),
    form(
        "quote",
        &[req("form")],
        "`:form` gives the form as data (symbols, genes, arrays and maps unevaluated).",
    ),
    form(
        "test",
        &[req("name"), body("body"), named("skip"), named("timeout")],
        "`(test \"name\" body...)` declares a test: the body becomes a function that `gene test` runs as its own task after the file's top level has run (so it may `await`), failing it when the body throws. `^skip true` reports it skipped without running it; `^timeout ms` (10000 by default) cancels and fails it when it has not finished in time. Under `gene run` a test only registers: nothing runs it. Gives nil.",
    ),
    form(
        "describe",
        &[req("name"), body("body")],
        "`(describe \"group\" body...)` runs the body at once; the tests it declares are named `group > name` (groups nest). Gives nil.",
    ),
    form(
        "assert_throws",
        &[req("class"), body("body")],
        "`(assert_throws Class body...)` runs the body and gives what it threw when that is an instance of Class (or a subclass); otherwise throws an AssertionError saying what the body gave or threw.",
    ),
    Builtin {
        flags: SUSPENDS,
        ..form(
            "assert_rejects",
            &[req("class"), req("future")],
            "`(assert_rejects Class future)` awaits the future and gives its failure when that is an instance of Class (or a subclass); otherwise throws an AssertionError saying what the future gave or failed with.",
        )
    },
    form(
        "#Str",
        &[rest("pieces")],
        "What an interpolated string `#\"a #{x} b\"` reads as: the display forms of the evaluated pieces, joined into one string.",
    ),
    form(
        "$render",
        &[req("template")],
        "Rebuilds a quoted template: `%x` becomes x's current value, `%(...)` the result of evaluating it, `%_form` is dropped.",
    ),
    form(
        "$with",
        &[req("value"), body("body")],
        "Runs the body with self bound to value; gives the body's value.",
    ),
    form(
        "$tap",
        &[req("value"), body("body")],
        "Runs the body with self bound to value; gives value.",
    ),
    form(
        "$set",
        &[req("target"), req("selector"), req("value")],
        "Assigns through a selector: `($set m @key v)`, `($set xs @0 v)`; gives v.",
    ),
    form(
        "import",
        &[rest("names"), req("from"), req("path")],
        "`(import a b:alias n/f n/[x y:z] from \"path\")` runs path.gene once (found beside the importing file, then at its project root, the folder with gene.toml; see docs/language.md), caches it, and copies the named members of its namespace into the current one; gives nil.",
    ),
    Builtin {
        flags: super::FUTURE,
        ..form(
            "async",
            &[body("body")],
            "Starts a task running the body now, until it first waits on something still pending; gives a Future of its value (a thrown value fails the future instead of propagating; a body that evaluates to a future gives that future's outcome). The task shares the enclosing variables, which stay alive as long as it runs. Tasks take turns on one thread: a task that computes without waiting lets other ready tasks, timer and I/O callbacks run every 10,000 calls or loop iterations (`gene run --preempt-interval N`).",
        )
    },
    Builtin {
        flags: SUSPENDS,
        ..form(
            "await",
            &[req("future"), rest("more"), super::named("timeout")],
            "Suspends the current task until the future settles and gives its value, or rethrows its failure (a cancelled future throws CancelledError; a wait that nothing can end throws DeadlockError). `(await f1 f2 ...)` gives an array of the values, awaited left to right; with a spread, `(await fs...)`, always an array. `^timeout ms` throws TimeoutError after ms (the futures keep running). Awaiting a non-future is a TypeError.",
        )
    },
];

pub(crate) static OPERATORS: &[Builtin] = &[
    op(
        "+",
        &[rest("numbers")],
        "Sum. Int with int gives int (overflow is an OverflowError); any float gives a float. `(+)` is 0.",
    ),
    op(
        "-",
        &[req("a"), rest("numbers")],
        "Difference; `(- x)` negates.",
    ),
    op("*", &[rest("numbers")], "Product; `(*)` is 1."),
    op(
        "**",
        &[req("base"), req("exponent")],
        "Power, infix `(2 ** 10)` or prefix `(** 2 10)` (exactly two operands): 1024. An int to a non-negative int power is an int (OverflowError when it does not fit in 64 bits); anything else is a float: `(2 ** -1)` is 0.5, `(2.0 ** 0.5)` is 1.4142135623730951.",
    ),
    op(
        "/",
        &[req("a"), rest("numbers")],
        "Division, always a float (`(6 / 2)` is 3.0; division by zero follows IEEE: inf).",
    ),
    op(
        "<",
        &[req("a"), req("b")],
        "Less than; numbers only (int and float may be mixed).",
    ),
    op(
        "<=",
        &[req("a"), req("b")],
        "Less than or equal; numbers only.",
    ),
    op(">", &[req("a"), req("b")], "Greater than; numbers only."),
    op(
        ">=",
        &[req("a"), req("b")],
        "Greater than or equal; numbers only.",
    ),
    op(
        "==",
        &[req("a"), req("b")],
        "Equality: by value for numbers (an int never equals a float), strings and symbols; structural for arrays, maps, ranges and paths; by identity for genes, instances, classes, functions and futures.",
    ),
    op("!=", &[req("a"), req("b")], "Not `==`."),
    op(
        "&&",
        &[req("a"), req("b")],
        "Infix only. Gives a if a is falsy, else b (b is evaluated only when needed).",
    ),
    op(
        "||",
        &[req("a"), req("b")],
        "Infix only. Gives a if a is truthy, else b (b is evaluated only when needed).",
    ),
    op(
        "not",
        &[req("x")],
        "true when x is falsy (nil or false), else false.",
    ),
    op(
        "..",
        &[req("start"), req("end")],
        "`(a .. b)`: the range from a to b, end included.",
    ),
    op(
        "./",
        &[req("target"), req("key"), opt("default")],
        "Selector: `(target ./key)`, `(./ target key default)` gives the member or element (an int index may be negative), or the default (nil).",
    ),
    op(
        "=",
        &[req("target"), req("value")],
        "`(x = v)`, `(p/x = v)`, `(xs/0 = v)`, `(/x = v)`: assigns and gives v.",
    ),
    op(
        "+=",
        &[req("target"), req("value")],
        "`(x += v)` is `(x = (x + v))`.",
    ),
    op(
        "-=",
        &[req("target"), req("value")],
        "`(x -= v)` is `(x = (x - v))`.",
    ),
    op(
        "...",
        &[req("array")],
        "Spread: `(f xs...)`, `(f (... xs))`, `[0 xs... 9]` inline an array's elements.",
    ),
];
