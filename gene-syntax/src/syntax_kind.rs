//! The kinds of tokens and nodes in the concrete syntax tree.
//!
//! Tokens come from the lexer; nodes are built by the parser. The tree is lossless: every byte of
//! the input lives in exactly one token, trivia (whitespace, commas, comments) included.

/// Every kind of token and node. `#[repr(u16)]` so it maps to `rowan::SyntaxKind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u16)]
#[allow(non_camel_case_types)]
pub enum SyntaxKind {
    // --- trivia ---
    /// Spaces, tabs, newlines and commas (a comma is whitespace in Gene).
    WHITESPACE = 0,
    /// `# ...`, `## ...`, `#!...` (shebang) and a lone `#` to the end of the line.
    LINE_COMMENT,
    /// `#< ... >#`.
    BLOCK_COMMENT,

    // --- punctuation ---
    L_PAREN,
    R_PAREN,
    L_BRACK,
    R_BRACK,
    L_BRACE,
    R_BRACE,
    /// `#[`, the opener of a set.
    HASH_BRACK,
    /// `:` starting a quote.
    COLON,
    /// `%` starting an unquote.
    PERCENT,
    /// `%_` starting a discarding unquote.
    PERCENT_UNDERSCORE,
    /// `#@` starting a decorator.
    HASH_AT,

    // --- atoms ---
    INT,
    FLOAT,
    /// A token that starts like a number but is not one (`3px`, `2024-01-02`, `1/3`, `0x1F`).
    BAD_NUMBER,
    /// `"..."` or `"""..."""`, quotes included.
    STRING,
    /// `'x'`, `'\n'`.
    CHAR,
    NIL,
    TRUE,
    FALSE,
    /// Any other bare token: `x`, `a/b`, `+`, `xs...`, `^k` outside property position.
    SYMBOL,
    /// A bare token starting with `^` in property position: `^k`, `^^flag`, `^!k`, `^a^b`.
    PROP_KEY,
    /// A `^...` token as the lexer sees it, before the parser decides between `PROP_KEY` and
    /// `SYMBOL`. Never appears in a finished tree.
    CARET_TOKEN,

    // --- interpolated strings ---
    /// `#"` or `#"""`.
    ISTRING_START,
    /// Literal text inside an interpolated string (escapes not yet decoded).
    ISTRING_TEXT,
    /// `"` or `"""` closing an interpolated string.
    ISTRING_END,
    /// `#{` inside an interpolated string.
    INTERP_START,
    /// `}` closing an `#{` piece.
    INTERP_END,
    /// The `#` in front of `(` or `[` inside an interpolated string.
    INTERP_HASH,

    /// A token no form can hold. The lexer makes none today; the parser still keeps any it gets
    /// in an `ERROR` node rather than drop bytes.
    ERROR_TOKEN,

    // --- nodes ---
    SOURCE_FILE,
    /// `(head ^k v child ...)`.
    GENE,
    /// `[a b c]`.
    ARRAY,
    /// `#[a b]`.
    SET,
    /// `{^k v ...}`.
    MAP,
    /// One property: a `PROP_KEY` token and, unless it is a flag (`^^k`, `^!k`), a value form.
    PROP,
    /// `:form`.
    QUOTE,
    /// `%form` or `%_form`.
    UNQUOTE,
    /// `#@f x`.
    DECORATOR,
    /// `#"...#{x}..."`.
    ISTRING,
    /// One `#{...}` piece of an interpolated string.
    INTERP,
    /// Tokens the parser could not place (a stray closer, a region nested too deeply).
    ERROR,
    #[doc(hidden)]
    __LAST,
}

impl SyntaxKind {
    pub fn is_trivia(self) -> bool {
        matches!(
            self,
            SyntaxKind::WHITESPACE | SyntaxKind::LINE_COMMENT | SyntaxKind::BLOCK_COMMENT
        )
    }

    pub fn is_closer(self) -> bool {
        matches!(
            self,
            SyntaxKind::R_PAREN | SyntaxKind::R_BRACK | SyntaxKind::R_BRACE
        )
    }
}

impl From<SyntaxKind> for rowan::SyntaxKind {
    fn from(kind: SyntaxKind) -> Self {
        rowan::SyntaxKind(kind as u16)
    }
}

/// The rowan language tag for Gene trees.
#[derive(Debug, Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GeneLanguage {}

impl rowan::Language for GeneLanguage {
    type Kind = SyntaxKind;

    fn kind_from_raw(raw: rowan::SyntaxKind) -> SyntaxKind {
        // Kinds are only ever created from `SyntaxKind` values, so the number is in range; an
        // out-of-range number (impossible through this crate's API) maps to ERROR, not UB.
        if raw.0 < SyntaxKind::__LAST as u16 {
            // SAFETY: `SyntaxKind` is `repr(u16)` with contiguous discriminants from 0 to __LAST.
            unsafe { std::mem::transmute::<u16, SyntaxKind>(raw.0) }
        } else {
            SyntaxKind::ERROR
        }
    }

    fn kind_to_raw(kind: SyntaxKind) -> rowan::SyntaxKind {
        kind.into()
    }
}

pub type SyntaxNode = rowan::SyntaxNode<GeneLanguage>;
pub type SyntaxToken = rowan::SyntaxToken<GeneLanguage>;
pub type SyntaxElement = rowan::SyntaxElement<GeneLanguage>;
