//! Syntax errors: a stable code, a byte range and a message, plus optional related locations
//! (the opener of an unclosed bracket, the first of two repeated keys).

use rowan::{TextRange, TextSize};

/// Every kind of syntax error, with its stable code and an explanation for `gene check --explain`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SyntaxErrorKind {
    UnclosedDelimiter,
    UnexpectedCloser,
    UnterminatedString,
    InvalidEscape,
    InvalidNumber,
    IntegerOutOfRange,
    InvalidChar,
    PropWithoutValue,
    DuplicateKey,
    PropsInWrongPlace,
    ExpectedPropKey,
    UnterminatedBlockComment,
    InvalidUtf8,
    NestingTooDeep,
    MissingForm,
    InvalidPropKey,
    MismatchedCloser,
    InvalidSymbol,
    UnknownEscape,
}

impl SyntaxErrorKind {
    pub const ALL: &'static [SyntaxErrorKind] = &[
        SyntaxErrorKind::UnclosedDelimiter,
        SyntaxErrorKind::UnexpectedCloser,
        SyntaxErrorKind::UnterminatedString,
        SyntaxErrorKind::InvalidEscape,
        SyntaxErrorKind::InvalidNumber,
        SyntaxErrorKind::IntegerOutOfRange,
        SyntaxErrorKind::InvalidChar,
        SyntaxErrorKind::PropWithoutValue,
        SyntaxErrorKind::DuplicateKey,
        SyntaxErrorKind::PropsInWrongPlace,
        SyntaxErrorKind::ExpectedPropKey,
        SyntaxErrorKind::UnterminatedBlockComment,
        SyntaxErrorKind::InvalidUtf8,
        SyntaxErrorKind::NestingTooDeep,
        SyntaxErrorKind::MissingForm,
        SyntaxErrorKind::InvalidPropKey,
        SyntaxErrorKind::MismatchedCloser,
        SyntaxErrorKind::InvalidSymbol,
        SyntaxErrorKind::UnknownEscape,
    ];

    /// The stable code printed by `gene check` and the language server.
    pub fn code(self) -> &'static str {
        match self {
            SyntaxErrorKind::UnclosedDelimiter => "E001",
            SyntaxErrorKind::UnexpectedCloser => "E002",
            SyntaxErrorKind::UnterminatedString => "E003",
            SyntaxErrorKind::InvalidEscape => "E004",
            SyntaxErrorKind::InvalidNumber => "E005",
            SyntaxErrorKind::IntegerOutOfRange => "E006",
            SyntaxErrorKind::InvalidChar => "E007",
            SyntaxErrorKind::PropWithoutValue => "E008",
            SyntaxErrorKind::DuplicateKey => "E009",
            SyntaxErrorKind::PropsInWrongPlace => "E010",
            SyntaxErrorKind::ExpectedPropKey => "E011",
            SyntaxErrorKind::UnterminatedBlockComment => "E012",
            SyntaxErrorKind::InvalidUtf8 => "E013",
            SyntaxErrorKind::NestingTooDeep => "E014",
            SyntaxErrorKind::MissingForm => "E015",
            SyntaxErrorKind::InvalidPropKey => "E016",
            SyntaxErrorKind::MismatchedCloser => "E017",
            SyntaxErrorKind::InvalidSymbol => "E018",
            SyntaxErrorKind::UnknownEscape => "E019",
        }
    }

    /// A kebab-case name, as lint rules have.
    pub fn name(self) -> &'static str {
        match self {
            SyntaxErrorKind::UnclosedDelimiter => "unclosed-delimiter",
            SyntaxErrorKind::UnexpectedCloser => "unexpected-closer",
            SyntaxErrorKind::UnterminatedString => "unterminated-string",
            SyntaxErrorKind::InvalidEscape => "invalid-escape",
            SyntaxErrorKind::InvalidNumber => "invalid-number",
            SyntaxErrorKind::IntegerOutOfRange => "integer-out-of-range",
            SyntaxErrorKind::InvalidChar => "invalid-char",
            SyntaxErrorKind::PropWithoutValue => "property-without-value",
            SyntaxErrorKind::DuplicateKey => "duplicate-key",
            SyntaxErrorKind::PropsInWrongPlace => "properties-in-wrong-place",
            SyntaxErrorKind::ExpectedPropKey => "expected-property-key",
            SyntaxErrorKind::UnterminatedBlockComment => "unterminated-block-comment",
            SyntaxErrorKind::InvalidUtf8 => "invalid-utf8",
            SyntaxErrorKind::NestingTooDeep => "nesting-too-deep",
            SyntaxErrorKind::MissingForm => "missing-form",
            SyntaxErrorKind::InvalidPropKey => "invalid-property-key",
            SyntaxErrorKind::MismatchedCloser => "mismatched-closer",
            SyntaxErrorKind::InvalidSymbol => "invalid-symbol",
            SyntaxErrorKind::UnknownEscape => "unknown-escape",
        }
    }

    pub fn from_code(code: &str) -> Option<SyntaxErrorKind> {
        Self::ALL
            .iter()
            .copied()
            .find(|k| k.code().eq_ignore_ascii_case(code))
    }

    /// What the error means and how to fix it; printed by `gene check --explain`.
    pub fn explanation(self) -> &'static str {
        match self {
            SyntaxErrorKind::UnclosedDelimiter => {
                "An opening `(`, `[`, `{`, `#[` or `#{` has no matching closer: the file, the \
                 interpolation or an enclosing form ends first. The error points at the opener and \
                 names the closer it needs; when several forms are left open at once, it points at \
                 the outermost and lists the others. Add the closer where the form should end.\n\n  \
                 (println \"hi\"   # missing `)`"
            }
            SyntaxErrorKind::UnexpectedCloser => {
                "A `)`, `]` or `}` closes nothing: there is no open form of that kind. Remove it, or \
                 add the opener it was meant to close.\n\n  (f 1))   # one `)` too many"
            }
            SyntaxErrorKind::UnterminatedString => {
                "A string (`\"...\"`, `\"\"\"...\"\"\"` or `#\"...\"`) runs to the end of the file. \
                 Add the closing quote; a `\"` inside a string is written `\\\"`. Inside `#{...}` a \
                 `\"` starts a new string, so a forgotten `}` shows up here too."
            }
            SyntaxErrorKind::InvalidEscape => {
                "A `\\u` escape needs four hexadecimal digits (`\\u00e9`), and a high surrogate \
                 (`\\uD83D`) must be followed by a low one (`\\uDE00`). A backslash before a character that starts no escape is E019."
            }
            SyntaxErrorKind::InvalidNumber => {
                "A token that starts with a digit (or `+`/`-` and a digit) must be an integer \
                 (`42`, `-7`) or a float (`2.5`, `7.`, `6e3`). Numbers with units (`3px`), dates \
                 (`2024-01-02`), times (`10:30`), ratios (`1/3`) and blobs (`0x1F`, `0!..`) are \
                 reserved. Gene has no hexadecimal literals."
            }
            SyntaxErrorKind::IntegerOutOfRange => {
                "Integers are 64-bit: from -9223372036854775808 to 9223372036854775807. Use a float \
                 (`1e20`) for larger magnitudes."
            }
            SyntaxErrorKind::InvalidChar => {
                "A character literal holds exactly one ASCII character: `'a'`, or an escape such as \
                 `'\\n'`, `'\\t'`, `'\\''`. Use a string for anything longer or non-ASCII."
            }
            SyntaxErrorKind::PropWithoutValue => {
                "A property `^key` needs a value after it: `(f ^size 10)`. For a flag write `^^key` \
                 (true) or `^!key` (nil)."
            }
            SyntaxErrorKind::DuplicateKey => {
                "The same key appears twice in one map or property run: `{^x 1 ^x 2}`. Keys that \
                 only share a path prefix merge (`{^p^x 1 ^p^y 2}`), but a key cannot be both a \
                 value and a nested map (`{^p^x 1 ^p 2}`)."
            }
            SyntaxErrorKind::PropsInWrongPlace => {
                "The properties of a gene must form one contiguous run. It may come before, between \
                 or after the children, but not in two places: `(f ^a 1 x ^b 2)` is an error; \
                 write `(f ^a 1 ^b 2 x)`."
            }
            SyntaxErrorKind::ExpectedPropKey => {
                "Every entry of a map starts with a `^key`: `{^name \"Ann\" ^age 3}`. `{:a 1}` and \
                 `{a 1}` are not maps."
            }
            SyntaxErrorKind::UnterminatedBlockComment => {
                "A block comment `#< ...` has no closing `>#`. Note that `>>#` does not close a \
                 comment, so `#<< ... >>#` can sit inside one."
            }
            SyntaxErrorKind::InvalidUtf8 => {
                "The file is not valid UTF-8. The bytes shown were replaced by U+FFFD; save the file \
                 as UTF-8."
            }
            SyntaxErrorKind::NestingTooDeep => {
                "Forms are nested more deeply than the parser accepts. Split the expression into \
                 named pieces."
            }
            SyntaxErrorKind::MissingForm => {
                "A quote `:`, an unquote `%`, a decorator `#@` or an interpolation `#{` needs a form \
                 after it: `:x`, `%x`, `#@f x`, `#{name}`."
            }
            SyntaxErrorKind::InvalidPropKey => {
                "A property key is a name after `^`: `^k`, `^^k`, `^!k` or a path `^a^b`. `^` alone, \
                 or `^a^` with nothing after the last `^`, names no key."
            }
            SyntaxErrorKind::MismatchedCloser => {
                "A closer of the wrong kind ends a form: `(f 1]`. The error points at the closer; \
                 the related location is the opener it was taken to close. Write the closer that \
                 matches the opener (`)` for `(`, `]` for `[` and `#[`, `}` for `{`).\n\n  (f [1 2])   # not (f [1 2]]"
            }
            SyntaxErrorKind::InvalidSymbol => {
                "A backslash keeps the next character in a symbol (`a\\ b` is the symbol \"a b\"), \
                 but `\\/` is reserved: `/` always separates the parts of a path such as `a/b`. \
                 Use a string, or a name without `/`."
            }
            SyntaxErrorKind::UnknownEscape => {
                "In a string, a backslash starts an escape: `\\n` (newline), `\\t` (tab), `\\r` \
                 (carriage return), `\\b` (backspace), `\\f` (form feed), `\\uXXXX` (a character \
                 by its hexadecimal code), `\\\"` (a quote), `\\\\` (a backslash) and `\\#` (a `#`, so \
                 that `\\#{` in an interpolated string is text). A backslash before any other \
                 character is an error rather than silently dropped: write `\\\\` for a backslash \
                 itself.\n\n  \"C:\\\\data\"   # \"C:\\data\" is an error: `\\d` is no escape"
            }
        }
    }
}

/// A location that helps explain an error, such as the opener of an unclosed bracket.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RelatedInfo {
    pub range: TextRange,
    pub message: String,
}

/// One syntax error, with byte offsets into the text that was parsed.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SyntaxError {
    pub kind: SyntaxErrorKind,
    pub range: TextRange,
    pub message: String,
    pub related: Vec<RelatedInfo>,
}

impl SyntaxError {
    pub fn new(kind: SyntaxErrorKind, range: TextRange, message: impl Into<String>) -> Self {
        SyntaxError {
            kind,
            range,
            message: message.into(),
            related: Vec::new(),
        }
    }

    pub fn with_related(mut self, range: TextRange, message: impl Into<String>) -> Self {
        self.related.push(RelatedInfo {
            range,
            message: message.into(),
        });
        self
    }

    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The same error with every range moved forward by `offset` (used when a form parsed on its
    /// own is placed back into its file).
    pub fn shifted(&self, offset: TextSize) -> SyntaxError {
        SyntaxError {
            kind: self.kind,
            range: self.range + offset,
            message: self.message.clone(),
            related: self
                .related
                .iter()
                .map(|r| RelatedInfo {
                    range: r.range + offset,
                    message: r.message.clone(),
                })
                .collect(),
        }
    }
}
