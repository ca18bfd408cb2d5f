//! Regular expressions (`gene/re`): the function, the Regex and Match classes, their methods and
//! the String shortcuts.

use super::{
    Builtin,
    BuiltinKind::{Class, Function, Method},
    NO_FLAGS, Param, opt, req,
};

const fn entry(
    kind: super::BuiltinKind,
    name: &'static str,
    path: &'static str,
    receiver: Option<&'static str>,
    params: &'static [Param],
    doc: &'static str,
) -> Builtin {
    super::entry(kind, name, path, receiver, params, NO_FLAGS, doc)
}

const fn method(
    receiver: &'static str,
    name: &'static str,
    path: &'static str,
    params: &'static [Param],
    doc: &'static str,
) -> Builtin {
    entry(Method, name, path, Some(receiver), params, doc)
}

pub(crate) static FUNCTIONS: &[Builtin] = &[entry(
    Function,
    "compile",
    "gene/re/compile",
    None,
    &[req("pattern"), opt("flags")],
    r#"A `Regex` for pattern, in the syntax of Rust's `regex` crate (Perl-like, without look-around or backreferences; matching takes time linear in the text). flags is a string of `i` (ignore case), `m` (`^` and `$` match at line breaks), `s` (`.` matches a line break), `x` (whitespace and `#` comments in the pattern ignored). A pattern that does not compile is a ValueError with the crate's explanation; an unknown flag an ArgumentError. Example: `((gene/re/compile "h(i+)" "i") .test "HIi")` is true."#,
)];

pub(crate) static CLASSES: &[Builtin] = &[
    entry(
        Class,
        "Regex",
        "gene/Regex",
        None,
        &[],
        "The class of compiled regular expressions (`gene/re/compile`). One prints as `<Regex \"a+\" i>`.",
    ),
    entry(
        Class,
        "Match",
        "gene/Match",
        None,
        &[],
        "The class of the matches `.match` and `.find_all` give: the matched text, its place in characters and its groups.",
    ),
];

pub(crate) static METHODS: &[Builtin] = &[
    method(
        "Regex",
        "test",
        "Regex.test",
        &[req("text")],
        r#"true when the pattern matches somewhere in text. Example: `((gene/re/compile "\\d") .test "a1")` is true."#,
    ),
    method(
        "Regex",
        "match",
        "Regex.match",
        &[req("text")],
        r#"The first match in text, a `Match`, or nil. Example: `(((gene/re/compile "(\\w+)@(\\w+)") .match "mail bob@host") .group 2)` is `"host"`."#,
    ),
    method(
        "Regex",
        "find_all",
        "Regex.find_all",
        &[req("text")],
        r#"Every match in text, from left to right and not overlapping, as an array of `Match`. Example: `(((gene/re/compile "\\d+") .find_all "a1 b22") .map (m -> (m .text)))` is `["1" "22"]`."#,
    ),
    method(
        "Regex",
        "replace",
        "Regex.replace",
        &[req("text"), req("replacement"), opt("count")],
        r#"text with the matches replaced (all of them, or the first count; 0 means all). In replacement, `$1` or `${1}` is a group by number, `$name` or `${name}` by name, `$$` a dollar sign; a group name takes every letter, digit and `_` after the `$`, so write `${1}x` for group 1 followed by an x. A negative count is an ArgumentError. Example: `((gene/re/compile "(\\w+) (\\w+)") .replace "hello world" "$2 $1")` is `"world hello"`."#,
    ),
    method(
        "Regex",
        "split",
        "Regex.split",
        &[req("text")],
        r#"text cut at every match, as an array of strings (empty strings kept). Example: `((gene/re/compile ",\\s*") .split "a, b,c")` is `["a" "b" "c"]`."#,
    ),
    method(
        "Regex",
        "source",
        "Regex.source",
        &[],
        r#"The pattern the Regex was compiled from. Example: `((gene/re/compile "a+") .source)` is `"a+"`."#,
    ),
    method(
        "Match",
        "text",
        "Match.text",
        &[],
        r#"The matched text (group 0). Example: `(((gene/re/compile "b+") .match "abbc") .text)` is `"bb"`."#,
    ),
    method(
        "Match",
        "start",
        "Match.start",
        &[],
        r#"Where the match starts in the text, in characters (not bytes). Example: `(((gene/re/compile "b") .match "éb") .start)` is 1."#,
    ),
    method(
        "Match",
        "end",
        "Match.end",
        &[],
        r#"Where the match ends in the text (the character after it), in characters. Example: `(((gene/re/compile "b+") .match "abbc") .end)` is 3."#,
    ),
    method(
        "Match",
        "group",
        "Match.group",
        &[req("n_or_name")],
        r#"The text of group n (0 is the whole match) or of the group named name (`(?P<name>...)` or `(?<name>...)`), or nil when that group took no part in the match. A group the pattern does not have is an IndexError. Example: `(((gene/re/compile "(?<y>\\d{4})-(\\d\\d)") .match "on 2026-12") .group "y")` is `"2026"`."#,
    ),
    method(
        "Match",
        "groups",
        "Match.groups",
        &[],
        r#"The texts of groups 1 and up, as an array (nil for a group that took no part). Example: `(((gene/re/compile "(a)(x)?(b)") .match "ab") .groups)` is `["a" nil "b"]`."#,
    ),
    method(
        "String",
        "matches",
        "String.matches",
        &[req("pattern")],
        r#"true when pattern (a string, compiled without flags, or a `Regex`) matches somewhere in the string; `(s .matches p)` is `((gene/re/compile p) .test s)`. A bad pattern is a ValueError. Example: `("2026-12-07" .matches "^\\d{4}-")` is true."#,
    ),
    method(
        "String",
        "replace_re",
        "String.replace_re",
        &[req("pattern"), req("replacement")],
        r##"The string with every match of pattern (a string or a `Regex`) replaced, `$1` and `${name}` standing for groups as in `Regex.replace`. (`.replace` replaces plain text.) Example: `("a1b22" .replace_re "\\d+" "#")` is `"a#b#"`."##,
    ),
];
