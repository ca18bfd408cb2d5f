//! Methods on `Int` and `Float`. Ints are 64-bit: a result that does not fit is an
//! OverflowError.

use super::methods::m;
use super::{Builtin, opt, req};

const MOD: &str = "Floored remainder: it has the sign of the divisor, like Python's `%`. `(7 .mod 3)` is 1, `(-7 .mod 3)` is 2, `(7 .mod -3)` is -2; `(7.5 .mod 2)` is 1.5. An int and an int give an int (division by 0 raises ArgumentError); with a float the result is a float and division by 0 follows IEEE (nan).";
const REM: &str = "Truncated remainder: it has the sign of the dividend. `(7 .rem 3)` is 1, `(-7 .rem 3)` is -1; `(-7.5 .rem 2)` is -1.5. Division by 0: ArgumentError for ints, nan for floats.";
const DIV: &str = "Floored division: `(7 .div 2)` is 3, `(-7 .div 2)` is -4 (an int for two ints; division by 0 raises ArgumentError, `(MIN .div -1)` OverflowError). With a float the result is a float, floored: `(7.5 .div 2)` is 3.0; division by 0 follows IEEE (inf, nan). `((a .div b) * b + (a .mod b))` is a.";
const TO_FIXED: &str = "Text with exactly digits decimals (0 to 100), rounded: `(3.14159 .to_fixed 2)` is \"3.14\", `(2 .to_fixed 1)` is \"2.0\". inf and nan give \"inf\" and \"nan\". Digits outside 0..100 raise ArgumentError.";
const MIN: &str = "The smaller of the number and other, as it was given (an int stays an int): `(3 .min 7)` is 3, `(3 .min 2.5)` is 2.5. nan when either is nan.";
const MAX: &str = "The larger of the number and other, as it was given: `(3 .max 7)` is 7. nan when either is nan.";
const CLAMP: &str = "The number limited to lo..hi: `(15 .clamp 0 10)` is 10, `(-3 .clamp 0 10)` is 0, `(5 .clamp 0 10)` is 5. lo above hi (or a nan bound) raises ArgumentError.";

pub(crate) static METHODS: &[Builtin] = &[
    m(
        "Int",
        "Int.to_s",
        &[opt("radix")],
        "The digits in radix 2 to 36 (10 by default; lower-case letters past 9, a leading `-` for negative numbers): `(255 .to_s 16)` is \"ff\", `(5 .to_s 2)` is \"101\". A radix outside 2..36 raises ArgumentError.",
    ),
    m(
        "Int",
        "Int.abs",
        &[],
        "The absolute value: `(-5 .abs)` is 5 (OverflowError for the smallest integer).",
    ),
    m("Int", "Int.to_f", &[], "The same number as a float."),
    m("Int", "Int.to_i", &[], "The integer itself."),
    m("Int", "Int.floor", &[], "The integer itself."),
    m("Int", "Int.ceil", &[], "The integer itself."),
    m("Int", "Int.round", &[], "The integer itself."),
    m("Int", "Int.mod", &[req("divisor")], MOD),
    m("Int", "Int.rem", &[req("divisor")], REM),
    m("Int", "Int.div", &[req("divisor")], DIV),
    m(
        "Int",
        "Int.band",
        &[req("other")],
        "Bitwise and (two's complement): `(12 .band 10)` is 8.",
    ),
    m(
        "Int",
        "Int.bor",
        &[req("other")],
        "Bitwise or: `(12 .bor 10)` is 14.",
    ),
    m(
        "Int",
        "Int.bxor",
        &[req("other")],
        "Bitwise exclusive or: `(12 .bxor 10)` is 6.",
    ),
    m(
        "Int",
        "Int.bnot",
        &[],
        "Bitwise not (two's complement): `(5 .bnot)` is -6.",
    ),
    m(
        "Int",
        "Int.shl",
        &[req("n")],
        "Shifted left by n bits: `(1 .shl 10)` is 1024. A result that does not fit in 64 bits raises OverflowError; a negative n raises ArgumentError.",
    ),
    m(
        "Int",
        "Int.shr",
        &[req("n")],
        "Shifted right by n bits, keeping the sign (floored division by 2^n): `(1024 .shr 3)` is 128, `(-5 .shr 1)` is -3. A negative n raises ArgumentError.",
    ),
    m("Int", "Int.to_fixed", &[req("digits")], TO_FIXED),
    m("Int", "Int.min", &[req("other")], MIN),
    m("Int", "Int.max", &[req("other")], MAX),
    m("Int", "Int.clamp", &[req("lo"), req("hi")], CLAMP),
    m("Int", "Int.sign", &[], "-1, 0 or 1: `(-7 .sign)` is -1."),
    m(
        "Float",
        "Float.to_s",
        &[],
        "The shortest text that reads back as the same float (`5.0`, `0.1`).",
    ),
    m(
        "Float",
        "Float.abs",
        &[],
        "The absolute value: `(-2.5 .abs)` is 2.5.",
    ),
    m(
        "Float",
        "Float.floor",
        &[],
        "The largest integer not above it, as an int: `(2.7 .floor)` is 2.",
    ),
    m(
        "Float",
        "Float.ceil",
        &[],
        "The smallest integer not below it, as an int: `(2.1 .ceil)` is 3.",
    ),
    m(
        "Float",
        "Float.round",
        &[],
        "The nearest integer (halves away from zero), as an int: `(2.5 .round)` is 3.",
    ),
    m(
        "Float",
        "Float.to_i",
        &[],
        "Truncated toward zero, as an int: `(-2.7 .to_i)` is -2.",
    ),
    m("Float", "Float.to_f", &[], "The float itself."),
    m("Float", "Float.mod", &[req("divisor")], MOD),
    m("Float", "Float.rem", &[req("divisor")], REM),
    m("Float", "Float.div", &[req("divisor")], DIV),
    m("Float", "Float.to_fixed", &[req("digits")], TO_FIXED),
    m("Float", "Float.min", &[req("other")], MIN),
    m("Float", "Float.max", &[req("other")], MAX),
    m("Float", "Float.clamp", &[req("lo"), req("hi")], CLAMP),
    m(
        "Float",
        "Float.sign",
        &[],
        "-1.0, 1.0, or the number itself for zeros and nan: `(-2.5 .sign)` is -1.0.",
    ),
    m(
        "Float",
        "Float.is_nan",
        &[],
        "true for nan (not a number): `(gene/math/nan .is_nan)` is true, `(1.5 .is_nan)` false.",
    ),
    m(
        "Float",
        "Float.is_finite",
        &[],
        "false for inf, -inf and nan: `((1.0 / 0) .is_finite)` is false.",
    ),
];
