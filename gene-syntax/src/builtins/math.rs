//! `gene/math`: constants, float functions, min/max/sum and random numbers.

use super::{Builtin, BuiltinKind, NO_FLAGS, Param, opt, req, rest};

const fn func(
    name: &'static str,
    path: &'static str,
    params: &'static [Param],
    doc: &'static str,
) -> Builtin {
    Builtin {
        name,
        path,
        kind: BuiltinKind::Function,
        receiver: None,
        params,
        doc,
        flags: NO_FLAGS,
    }
}

const fn value(name: &'static str, path: &'static str, doc: &'static str) -> Builtin {
    Builtin {
        name,
        path,
        kind: BuiltinKind::Value,
        receiver: None,
        params: &[],
        doc,
        flags: NO_FLAGS,
    }
}

const X: &[Param] = &[req("x")];

pub(crate) static VALUES: &[Builtin] = &[
    value(
        "pi",
        "gene/math/pi",
        "π as a float: `(gene/math/pi .to_fixed 4)` is \"3.1416\".",
    ),
    value(
        "e",
        "gene/math/e",
        "Euler's number as a float: `((gene/math/log gene/math/e) == 1.0)` is true.",
    ),
    value(
        "inf",
        "gene/math/inf",
        "Positive infinity: `(1e308 < gene/math/inf)` is true; `(- gene/math/inf)` is -inf.",
    ),
    value(
        "nan",
        "gene/math/nan",
        "Not a number: `(gene/math/nan .is_nan)` is true; nan equals nothing, itself included.",
    ),
];

pub(crate) static FUNCTIONS: &[Builtin] = &[
    func(
        "sqrt",
        "gene/math/sqrt",
        X,
        "The square root as a float: `(gene/math/sqrt 16)` is 4.0; nan for a negative number. The arguments of the `gene/math` functions are ints or floats (anything else raises TypeError).",
    ),
    func(
        "cbrt",
        "gene/math/cbrt",
        X,
        "The cube root: `(gene/math/cbrt -27)` is -3.0.",
    ),
    func(
        "exp",
        "gene/math/exp",
        X,
        "e to the power x: `(gene/math/exp 0)` is 1.0.",
    ),
    func(
        "log",
        "gene/math/log",
        &[req("x"), opt("base")],
        "The natural logarithm, or the logarithm in base: `(gene/math/log 1)` is 0.0, `(gene/math/log 8 2)` is 3.0. -inf for 0, nan for a negative number.",
    ),
    func(
        "log2",
        "gene/math/log2",
        X,
        "The base-2 logarithm: `(gene/math/log2 1024)` is 10.0.",
    ),
    func(
        "log10",
        "gene/math/log10",
        X,
        "The base-10 logarithm: `(gene/math/log10 1000)` is 3.0.",
    ),
    func(
        "sin",
        "gene/math/sin",
        X,
        "The sine of x radians: `(gene/math/sin 0)` is 0.0.",
    ),
    func(
        "cos",
        "gene/math/cos",
        X,
        "The cosine of x radians: `(gene/math/cos 0)` is 1.0.",
    ),
    func(
        "tan",
        "gene/math/tan",
        X,
        "The tangent of x radians: `(gene/math/tan 0)` is 0.0.",
    ),
    func(
        "asin",
        "gene/math/asin",
        X,
        "The arc sine, in radians: `(gene/math/asin 1)` is π/2; nan outside -1..1.",
    ),
    func(
        "acos",
        "gene/math/acos",
        X,
        "The arc cosine, in radians: `(gene/math/acos 1)` is 0.0; nan outside -1..1.",
    ),
    func(
        "atan",
        "gene/math/atan",
        X,
        "The arc tangent, in radians: `(gene/math/atan 0)` is 0.0.",
    ),
    func(
        "atan2",
        "gene/math/atan2",
        &[req("y"), req("x")],
        "The angle of the point (x, y), in radians from -π to π: `(gene/math/atan2 1 1)` is π/4.",
    ),
    func(
        "sinh",
        "gene/math/sinh",
        X,
        "The hyperbolic sine: `(gene/math/sinh 0)` is 0.0.",
    ),
    func(
        "cosh",
        "gene/math/cosh",
        X,
        "The hyperbolic cosine: `(gene/math/cosh 0)` is 1.0.",
    ),
    func(
        "tanh",
        "gene/math/tanh",
        X,
        "The hyperbolic tangent: `(gene/math/tanh 0)` is 0.0.",
    ),
    func(
        "hypot",
        "gene/math/hypot",
        &[req("x"), req("y")],
        "The length of the vector (x, y), without overflow on the way: `(gene/math/hypot 3 4)` is 5.0.",
    ),
    func(
        "floor",
        "gene/math/floor",
        X,
        "The largest integer not above x, as an int (an int stays itself): `(gene/math/floor -2.5)` is -3. OverflowError for inf, nan and floats past the int range.",
    ),
    func(
        "ceil",
        "gene/math/ceil",
        X,
        "The smallest integer not below x, as an int: `(gene/math/ceil 2.1)` is 3. OverflowError for inf and nan.",
    ),
    func(
        "round",
        "gene/math/round",
        X,
        "The nearest integer (halves away from zero), as an int: `(gene/math/round 2.5)` is 3. OverflowError for inf and nan.",
    ),
    func(
        "trunc",
        "gene/math/trunc",
        X,
        "x without its fraction (toward zero), as an int: `(gene/math/trunc -2.7)` is -2. OverflowError for inf and nan.",
    ),
    func(
        "abs",
        "gene/math/abs",
        X,
        "The absolute value, an int for an int: `(gene/math/abs -3)` is 3 (OverflowError for the smallest int), `(gene/math/abs -2.5)` is 2.5.",
    ),
    func(
        "min",
        "gene/math/min",
        &[rest("numbers")],
        "The smallest of the arguments, or of the elements of one array argument, as given: `(gene/math/min 3 1 2)` and `(gene/math/min [3 1 2])` are 1. nan when one is nan; no number at all raises ValueError.",
    ),
    func(
        "max",
        "gene/math/max",
        &[rest("numbers")],
        "The largest of the arguments, or of the elements of one array argument: `(gene/math/max 3 1 2)` is 3. nan when one is nan; no number at all raises ValueError.",
    ),
    func(
        "sum",
        "gene/math/sum",
        &[rest("numbers")],
        "The sum of the arguments, or of the elements of one array argument: `(gene/math/sum [1 2 3])` is 6. An int while all are ints (OverflowError past 64 bits), a float once one is a float; `(gene/math/sum [])` is 0.",
    ),
    func(
        "random",
        "gene/math/random",
        &[],
        "A random float in [0, 1): `((gene/math/random) < 1)` is true. One generator per program, seeded from the operating system unless `gene/math/seed` was called. Not for secrets.",
    ),
    func(
        "random_int",
        "gene/math/random_int",
        &[req("lo"), req("hi")],
        "A random int from lo to hi, both included: `(gene/math/random_int 1 6)` rolls a die. lo above hi raises ArgumentError.",
    ),
    func(
        "shuffle",
        "gene/math/shuffle",
        &[req("array")],
        "A new array with the elements in random order (the array itself is unchanged): `(gene/math/shuffle [1 2 3])`.",
    ),
    func(
        "choice",
        "gene/math/choice",
        &[req("array")],
        "A random element: `(gene/math/choice [\"rock\" \"paper\" \"scissors\"])`. An empty array raises ValueError.",
    ),
    func(
        "seed",
        "gene/math/seed",
        &[req("n")],
        "Seeds the generator with the int n, so that `random`, `random_int`, `shuffle` and `choice` give the same sequence on every run from here on: `(gene/math/seed 42)`. Gives nil.",
    ),
];
