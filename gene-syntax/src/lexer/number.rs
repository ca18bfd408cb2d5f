//! Number tokens: integers, floats and the reserved shapes that look like numbers (§1.3).

/// What a token that starts like a number turned out to be.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum NumberShape {
    Int,
    Float,
}

/// Decides whether a token that starts like a number (a digit, or `+`/`-` and a digit) is an
/// integer, a float or a reserved form. The error message names the reserved form it looks like.
pub(crate) fn classify_number(token: &str) -> Result<NumberShape, String> {
    let b = token.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = &token[int_start..i];
    if i == b.len() {
        return Ok(NumberShape::Int);
    }
    // `digits.digits?` and/or an exponent `[eE][+-]?digits`.
    let mut fraction = false;
    let mut j = i;
    if b[j] == b'.' {
        fraction = true;
        j += 1;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
    }
    let mut exponent = false;
    if j < b.len() && (b[j] == b'e' || b[j] == b'E') {
        let mut k = j + 1;
        if k < b.len() && (b[k] == b'+' || b[k] == b'-') {
            k += 1;
        }
        let exp_start = k;
        while k < b.len() && b[k].is_ascii_digit() {
            k += 1;
        }
        if k > exp_start {
            exponent = true;
            j = k;
        }
    }
    if (fraction || exponent) && j == b.len() {
        return Ok(NumberShape::Float);
    }
    Err(reserved_message(
        token,
        int_digits,
        b[i],
        b.get(j).copied(),
        fraction || exponent,
    ))
}

/// Says which reserved form `token` looks like. `after_int` is the byte right after the integer
/// digits; `stop` is where a float reading stopped (`None` at the end) and `float` whether the
/// token has a fraction or an exponent before that point.
fn reserved_message(
    token: &str,
    int_digits: &str,
    after_int: u8,
    stop: Option<u8>,
    float: bool,
) -> String {
    if !float {
        match after_int {
            b'x' | b'X' | b'b' | b'B' | b'o' | b'O' if int_digits == "0" => {
                return format!(
                    "invalid number `{token}`: Gene has no hexadecimal, binary or octal literals \
                     (a number followed by letters is reserved)"
                );
            }
            b'!' | b'*' | b'#' if int_digits == "0" => {
                let kind = match after_int {
                    b'!' => "binary",
                    b'*' => "hexadecimal",
                    _ => "base64",
                };
                return format!(
                    "invalid number `{token}`: `0{}` starts a {kind} blob, which is reserved",
                    after_int as char
                );
            }
            b'-' => {
                return format!(
                    "invalid number `{token}`: an integer followed by `-` is a date \
                     (`2024-01-02`), which is reserved"
                );
            }
            b':' => {
                return format!(
                    "invalid number `{token}`: an integer followed by `:` is a time (`10:30`), \
                     which is reserved"
                );
            }
            b'/' => {
                return format!(
                    "invalid number `{token}`: an integer followed by `/` is a ratio (`1/3`), \
                     which is reserved; write `(1 / 3)` to divide"
                );
            }
            _ => {}
        }
    }
    let next = if float {
        stop.unwrap_or(after_int)
    } else {
        after_int
    };
    if next.is_ascii_alphabetic() || next == b'_' || next >= 0x80 {
        format!(
            "invalid number `{token}`: a number followed by letters (a unit such as `3px` or \
             `1m30s`) is reserved"
        )
    } else {
        format!(
            "invalid number `{token}`: expected an integer (`42`) or a float (`2.5`, `7.`, `6e3`)"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        for int in ["0", "007", "+5", "-7", "99999999999999999999"] {
            assert_eq!(classify_number(int), Ok(NumberShape::Int), "{int}");
        }
        for float in ["2.5", "7.", "6e3", "-1.25E-2", "1.e5", "+1e+5", "0.000"] {
            assert_eq!(classify_number(float), Ok(NumberShape::Float), "{float}");
        }
        for bad in [
            "3px",
            "1m30s",
            "0x1F",
            "2024-01-02",
            "10:30",
            "1/3",
            "0!1",
            "0*ff",
            "0#ab",
        ] {
            assert!(classify_number(bad).is_err(), "{bad}");
        }
        for bad in ["1e", "1.5e", "1.2.3", "1e5x", "1_000", "5é"] {
            assert!(classify_number(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn messages_name_the_reserved_form() {
        let msg = |t: &str| classify_number(t).unwrap_err();
        assert!(msg("0x1F").contains("hexadecimal"));
        assert!(msg("2024-01-02").contains("date"));
        assert!(msg("10:30").contains("time"));
        assert!(msg("1/3").contains("ratio"));
        assert!(msg("0!101").contains("binary blob"));
        assert!(msg("3px").contains("unit"));
        assert!(msg("1.5e").contains("unit"));
        assert!(msg("1.5-2").contains("expected an integer"));
    }
}
