//! Methods on `String`. Strings are immutable; positions and lengths count characters
//! (Unicode scalar values), never bytes.

use super::methods::m;
use super::{Builtin, opt, req, rest};

pub(crate) static METHODS: &[Builtin] = &[
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
    m(
        "String",
        "String.repeat",
        &[req("n")],
        "The string n times over: `(\"ab\" .repeat 3)` is \"ababab\", `(\"x\" .repeat 0)` is \"\". A negative n raises ArgumentError.",
    ),
    m(
        "String",
        "String.pad_start",
        &[req("width"), opt("fill")],
        "The string widened to width characters with copies of fill (a space by default) in front, the last copy cut short to fit: `(\"7\" .pad_start 3 \"0\")` is \"007\", `(\"abc\" .pad_start 2)` is \"abc\". An empty fill raises ArgumentError.",
    ),
    m(
        "String",
        "String.pad_end",
        &[req("width"), opt("fill")],
        "The string widened to width characters with copies of fill (a space by default) after it: `(\"ab\" .pad_end 5 \".\")` is \"ab...\". An empty fill raises ArgumentError.",
    ),
    m(
        "String",
        "String.trim_start",
        &[],
        "A copy without leading whitespace: `(\"  a \" .trim_start)` is \"a \".",
    ),
    m(
        "String",
        "String.trim_end",
        &[],
        "A copy without trailing whitespace: `(\" a  \" .trim_end)` is \" a\".",
    ),
    m(
        "String",
        "String.lines",
        &[],
        "The lines, without their line breaks (`\\n` or `\\r\\n`; a last empty line is not one): `(\"a\\nb\\n\" .lines)` is [\"a\" \"b\"].",
    ),
    m(
        "String",
        "String.count",
        &[req("sub")],
        "How many times sub occurs, without overlaps: `(\"banana\" .count \"an\")` is 2. The empty string occurs once more than there are characters.",
    ),
    m(
        "String",
        "String.is_empty",
        &[],
        "true for \"\": `(\"\" .is_empty)` is true.",
    ),
    m(
        "String",
        "String.reverse",
        &[],
        "The characters in reverse order: `(\"héllo\" .reverse)` is \"olléh\".",
    ),
    m(
        "String",
        "String.format",
        &[rest("values")],
        "The string with each `{}` replaced by the display form of the next value: `(\"{} of {}\" .format 1 2)` is \"1 of 2\"; `{{` and `}}` are braces: `(\"{{{}}}\" .format 5)` is \"{5}\". A placeholder without a value, a value without a placeholder, or a lone brace raises ArgumentError.",
    ),
    m(
        "String",
        "String.bytes",
        &[],
        "The UTF-8 encoding as `gene/Bytes`: `((\"é\" .bytes) .to_a)` is [195 169].",
    ),
];
