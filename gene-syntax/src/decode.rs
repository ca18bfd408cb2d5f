//! Decoding token text into values: numbers, strings (escapes, triple-quote trimming),
//! characters, symbols and path segments. Errors were already reported by the lexer, so decoding
//! is best effort and never fails loudly.

/// The value of an integer token, `None` if it does not fit in an `i64`.
pub fn decode_int(text: &str) -> Option<i64> {
    text.parse::<i64>().ok()
}

/// The value of a float token (`7.` is 7.0).
pub fn decode_float(text: &str) -> Option<f64> {
    text.parse::<f64>().ok()
}

/// The value of a `"..."` or `"""..."""` token: quotes removed, escapes decoded, triple-quote
/// trimming applied (after decoding, as the reference reader does). An unterminated string
/// (reported by the lexer) keeps the text after its opening quote.
pub fn decode_string(text: &str) -> String {
    if let Some(rest) = text.strip_prefix("\"\"\"") {
        let body = match rest.strip_suffix("\"\"\"") {
            Some(body) if !ends_with_escaped_quote(&rest[..body.len() + 1]) => body,
            _ => rest,
        };
        trim_triple(&unescape(body))
    } else {
        let rest = text.strip_prefix('"').unwrap_or(text);
        let body = if rest.ends_with('"') && !ends_with_escaped_quote(rest) {
            &rest[..rest.len() - 1]
        } else {
            rest
        };
        unescape(body)
    }
}

/// Is the final `"` of `s` escaped by an odd run of backslashes (so it is not a closing quote)?
fn ends_with_escaped_quote(s: &str) -> bool {
    let without = &s[..s.len() - 1];
    without.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1
}

fn is_trim_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{b}' | '\u{c}')
}

/// Triple-quoted strings: a leading run of whitespace that ends in a newline collapses to one
/// newline, and so does a trailing newline followed only by whitespace (§1.4).
pub fn trim_triple(body: &str) -> String {
    trim_triple_end(&trim_triple_start(body))
}

/// The leading half of [`trim_triple`]: `"␠␠⏎body"` -> `"⏎body"`.
pub fn trim_triple_start(s: &str) -> String {
    let lead_len = s.len() - s.trim_start_matches(is_trim_space).len();
    match s[..lead_len].rfind('\n') {
        Some(nl) => format!("\n{}", &s[nl + 1..]),
        None => s.to_string(),
    }
}

/// The trailing half of [`trim_triple`]: `"body⏎␠␠"` -> `"body⏎"`.
pub fn trim_triple_end(s: &str) -> String {
    let trail_start = s.trim_end_matches(is_trim_space).len();
    match s[trail_start..].find('\n') {
        Some(nl) => format!("{}\n", &s[..trail_start + nl]),
        None => s.to_string(),
    }
}

/// Decodes backslash escapes: `\n \t \r \b \f`, `\uXXXX` (with surrogate pairs), and `\x` for
/// any other character x (`\" \\ \#`; the lexer reports the others, E019, and decoding keeps
/// the character as its best effort).
pub fn unescape(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            None => {}
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let hex: String = chars.clone().take(4).collect();
                let Some(cp) = (hex.len() == 4)
                    .then(|| u32::from_str_radix(&hex, 16).ok())
                    .flatten()
                else {
                    out.push('u');
                    continue;
                };
                for _ in 0..4 {
                    chars.next();
                }
                if (0xD800..0xDC00).contains(&cp) {
                    let mut look = chars.clone();
                    if look.next() == Some('\\') && look.next() == Some('u') {
                        let low_hex: String = look.clone().take(4).collect();
                        if let Ok(low) = u32::from_str_radix(&low_hex, 16)
                            && low_hex.len() == 4
                            && (0xDC00..0xE000).contains(&low)
                        {
                            for _ in 0..6 {
                                chars.next();
                            }
                            let combined = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                            out.push(char::from_u32(combined).unwrap_or('\u{FFFD}'));
                            continue;
                        }
                    }
                    out.push('\u{FFFD}');
                } else {
                    out.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                }
            }
            Some(other) => out.push(other),
        }
    }
    out
}

/// The character of a `'x'` or `'\n'` token, `None` for an invalid one.
pub fn decode_char(text: &str) -> Option<char> {
    let inner = text.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut chars = inner.chars();
    let c = match (chars.next()?, chars.next(), chars.next()) {
        ('\\', Some(e), None) => match e {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            'b' => '\u{8}',
            'f' => '\u{c}',
            other => other,
        },
        (c, None, None) => c,
        _ => return None,
    };
    c.is_ascii().then_some(c)
}

/// The name of a bare token: a backslash keeps the next character literally (`a\ b` is "a b").
pub fn decode_symbol(text: &str) -> String {
    if !text.contains('\\') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A symbol that contains `/` and is not exactly `/` is a path, split on every `/`:
/// `a/b` -> ["a", "b"], `/x` -> ["", "x"], `n/` -> ["n", ""].
pub fn path_segments(name: &str) -> Option<Vec<String>> {
    (name != "/" && name.contains('/')).then(|| name.split('/').map(str::to_string).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings() {
        assert_eq!(decode_string(r#""a\nb\"c""#), "a\nb\"c");
        assert_eq!(decode_string(r#""\q\\""#), "q\\");
        assert_eq!(decode_string(r#""\u00e9\uD83D\uDE00""#), "é😀");
        assert_eq!(decode_string("\"\"\"  \nbody\n  \"\"\""), "\nbody\n");
        assert_eq!(decode_string("\"\"\"say \"hi\" \"\"\""), "say \"hi\" ");
        assert_eq!(decode_string("\"\"\"x\"\"\""), "x");
        assert_eq!(decode_string("\"open"), "open");
        assert_eq!(decode_string(r#""ends\""#), "ends\"");
    }

    #[test]
    fn chars_and_symbols() {
        assert_eq!(decode_char("'x'"), Some('x'));
        assert_eq!(decode_char("'\\n'"), Some('\n'));
        assert_eq!(decode_char("'\\z'"), Some('z'));
        assert_eq!(decode_char("'ab'"), None);
        assert_eq!(decode_symbol("a\\ b"), "a b");
        assert_eq!(path_segments("a/b/c").unwrap(), ["a", "b", "c"]);
        assert_eq!(path_segments("/x").unwrap(), ["", "x"]);
        assert_eq!(path_segments("./").unwrap(), [".", ""]);
        assert!(path_segments("/").is_none());
    }
}
