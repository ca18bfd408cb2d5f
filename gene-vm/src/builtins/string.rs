//! String methods. Strings are immutable; positions count characters (Unicode scalar values).

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use super::number::{describe, int_param, radix_arg};
use super::{arg, int_arg, str_arg};
use crate::builtins::array::slice_bounds;
use crate::value::alloc::{check_size, join_display, reserve, reserve_str};
use crate::value::{NativeFn, Value, display, write_display};
use crate::vm::{Exc, Vm};

fn this<'a>(vm: &Vm, args: &'a [Value]) -> Result<&'a str, Exc> {
    str_arg(vm, args, 0, "the receiver")
}

/// The character position of a byte offset.
fn char_pos(s: &str, byte: usize) -> i64 {
    s[..byte].chars().count() as i64
}

/// Strings shorter than this are checked for ASCII directly: the scan costs less than the memo.
const ASCII_MEMO_MIN_LEN: usize = 64;

thread_local! {
    /// The last few long strings checked for ASCII, and the answers. A program that walks a
    /// string by character positions (a lexer, a parser: `(s .substr i (i + 1))`,
    /// `(s .char_at i)`, `s/i`) asks about the same string at every step, and without the memo
    /// each step scans the whole string: quadratic in its length. Entries are weak: they keep
    /// no string alive, and a string freed since cannot be taken for a new one at the same
    /// address (the allocation stays reserved while a weak pointer to it exists). Strings are
    /// immutable, so an answer stays true.
    static ASCII_MEMO: RefCell<AsciiMemo> = RefCell::new(AsciiMemo::default());
}

#[derive(Default)]
struct AsciiMemo {
    entries: [(Weak<String>, bool); 4],
    next: usize,
}

/// Whether `s` is all ASCII (one byte per character), remembered for long strings.
fn is_ascii(s: &Rc<String>) -> bool {
    if s.len() < ASCII_MEMO_MIN_LEN {
        return s.is_ascii();
    }
    ASCII_MEMO.with(|memo| {
        let mut memo = memo.borrow_mut();
        if let Some((_, ascii)) = memo
            .entries
            .iter()
            .find(|(w, _)| w.as_ptr() == Rc::as_ptr(s))
        {
            return *ascii;
        }
        let ascii = s.is_ascii();
        let at = memo.next;
        memo.entries[at] = (Rc::downgrade(s), ascii);
        memo.next = (at + 1) % memo.entries.len();
        ascii
    })
}

/// The number of characters of `s`; `ascii` says whether it has one byte per character.
fn char_count(s: &str, ascii: bool) -> usize {
    if ascii { s.len() } else { s.chars().count() }
}

/// The byte offset of character position `pos` (at most the number of characters), so a slice
/// by characters costs a scan, not a copy of the whole string into characters.
fn byte_offset(s: &str, ascii: bool, pos: usize) -> usize {
    if ascii {
        return pos.min(s.len());
    }
    s.char_indices().nth(pos).map_or(s.len(), |(byte, _)| byte)
}

/// The character at position `i` of `s` (negative counts from the end), if there is one.
pub(crate) fn char_at(s: &Rc<String>, i: i64) -> Option<char> {
    let ascii = is_ascii(s);
    let i = crate::vm::resolve_index(i, char_count(s, ascii))?;
    if ascii {
        return s.as_bytes().get(i).map(|&b| char::from(b));
    }
    s.chars().nth(i)
}

/// The receiver as the shared string it is, for the memo above.
fn this_rc<'a>(vm: &Vm, args: &'a [Value]) -> Result<&'a Rc<String>, Exc> {
    match args.first() {
        Some(Value::Str(s)) => Ok(s),
        _ => Err(this(vm, args)
            .err()
            .unwrap_or_else(|| vm.type_error("the receiver must be a string"))),
    }
}

/// The characters of `s`, each a string.
fn chars(vm: &Vm, s: &str, what: &str) -> Result<Value, Exc> {
    let mut out = Vec::new();
    reserve(vm, &mut out, s.chars().count(), what)?;
    out.extend(s.chars().map(|c| Value::str(c.to_string())));
    Ok(Value::array(out))
}

/// `(s .repeat n)`.
fn repeat(vm: &mut Vm, args: &[Value]) -> Result<Value, Exc> {
    let s = this(vm, args)?;
    let n = int_param(vm, args, 1, ".repeat")?;
    let Ok(n) = usize::try_from(n) else {
        return Err(vm.error(
            "ArgumentError",
            format!(".repeat needs a count of 0 or more, got {n}"),
        ));
    };
    let mut out = String::new();
    let what = "the string .repeat makes";
    reserve_str(vm, &mut out, s.len().saturating_mul(n), what)?;
    for _ in 0..n {
        out.push_str(s);
    }
    Ok(Value::str(out))
}

/// `.pad_start` and `.pad_end`: the string widened to `width` characters with copies of `fill`
/// (a space by default), the last copy cut short to fit.
fn pad(vm: &mut Vm, args: &[Value], at_start: bool) -> Result<Value, Exc> {
    let name = if at_start { ".pad_start" } else { ".pad_end" };
    let s = this(vm, args)?;
    let width = int_param(vm, args, 1, name)?;
    let fill = match arg(args, 2) {
        Value::Nil => " ",
        Value::Str(f) if !f.is_empty() => f.as_str(),
        other => {
            return Err(vm.error(
                if matches!(other, Value::Str(_)) {
                    "ArgumentError"
                } else {
                    "TypeError"
                },
                format!(
                    "{name} needs a non-empty fill string, got {}",
                    describe(other)
                ),
            ));
        }
    };
    let len = s.chars().count();
    let missing = usize::try_from(width).unwrap_or(0).saturating_sub(len);
    if missing == 0 {
        return Ok(arg(args, 0).clone());
    }
    // Whole copies of fill, then the first characters of one more: sized before anything is
    // copied (a width of 10^12 is a MemoryError, not an attempt).
    let fill_chars = fill.chars().count();
    let tail: &str = match fill.char_indices().nth(missing % fill_chars) {
        Some((end, _)) => &fill[..end],
        None => fill,
    };
    let bytes = (missing / fill_chars)
        .checked_mul(fill.len())
        .and_then(|n| n.checked_add(tail.len() + s.len()));
    let mut out = String::new();
    reserve_str(
        vm,
        &mut out,
        bytes.unwrap_or(usize::MAX),
        "the string a pad makes",
    )?;
    if !at_start {
        out.push_str(s);
    }
    for _ in 0..missing / fill_chars {
        out.push_str(fill);
    }
    out.push_str(tail);
    if at_start {
        out.push_str(s);
    }
    Ok(Value::str(out))
}

/// `("{} of {}" .format a b)`: each `{}` is the display form of the next argument; `{{` and `}}`
/// are braces. Every placeholder needs an argument and every argument a placeholder.
fn format(vm: &mut Vm, args: &[Value]) -> Result<Value, Exc> {
    let template = this(vm, args)?;
    let values = args.get(1..).unwrap_or_default();
    let mut out = String::new();
    reserve_str(vm, &mut out, template.len(), "the string .format makes")?;
    let mut used = 0;
    let mut chars = template.chars().enumerate().peekable();
    let bad = |vm: &Vm, msg: String| vm.error("ArgumentError", format!(".format: {msg}"));
    while let Some((pos, c)) = chars.next() {
        match (c, chars.peek().map(|(_, c)| *c)) {
            ('{', Some('{')) | ('}', Some('}')) => {
                chars.next();
                out.push(c);
            }
            ('{', Some('}')) => {
                chars.next();
                let Some(v) = values.get(used) else {
                    return Err(bad(
                        vm,
                        format!(
                            "the template {} has more {{}} placeholders than the {} argument(s) given",
                            describe(arg(args, 0)),
                            values.len()
                        ),
                    ));
                };
                used += 1;
                write_display(&mut out, v);
                check_size(vm, out.len(), 1, "the string .format makes")?;
            }
            ('{' | '}', _) => {
                return Err(bad(
                    vm,
                    format!(
                        "a lone {c} at character {pos} of {} (only {{}} is a placeholder; write {c}{c} for the brace)",
                        describe(arg(args, 0))
                    ),
                ));
            }
            _ => out.push(c),
        }
    }
    if used < values.len() {
        return Err(bad(
            vm,
            format!(
                "{} argument(s) given for the {used} {{}} placeholder(s) of {}",
                values.len(),
                describe(arg(args, 0))
            ),
        ));
    }
    Ok(Value::str(out))
}

pub(super) static NATIVES: &[NativeFn] = &[
    native!("String.length", |vm, args| {
        let s = this_rc(vm, args)?;
        Ok(Value::Int(char_count(s, is_ascii(s)) as i64))
    }),
    native!("String.size", |vm, args| {
        let s = this_rc(vm, args)?;
        Ok(Value::Int(char_count(s, is_ascii(s)) as i64))
    }),
    native!("String.to_upper", |vm, args| Ok(Value::str(
        this(vm, args)?.to_uppercase()
    ))),
    native!("String.to_lower", |vm, args| Ok(Value::str(
        this(vm, args)?.to_lowercase()
    ))),
    native!("String.append", |vm, args| {
        let this = this(vm, args)?;
        let s = join_display(vm, this, &args[1..], "", "the string .append makes")?;
        Ok(Value::str(s))
    }),
    native!("String.substr", |vm, args| {
        let s = this_rc(vm, args)?;
        let start = int_arg(vm, args, 1, "the start")?;
        let end = match args.get(2) {
            None | Some(Value::Nil) => None,
            Some(_) => Some(int_arg(vm, args, 2, "the end")?),
        };
        let ascii = is_ascii(s);
        let (a, b) = slice_bounds(char_count(s, ascii), start, end);
        Ok(Value::str(
            &s[byte_offset(s, ascii, a)..byte_offset(s, ascii, b)],
        ))
    }),
    native!("String.split", |vm, args| {
        let s = this(vm, args)?;
        let sep = str_arg(vm, args, 1, "the separator")?;
        if sep.is_empty() {
            return chars(vm, s, "the array .split makes");
        }
        let mut parts = Vec::new();
        reserve(
            vm,
            &mut parts,
            s.matches(sep).count() + 1,
            "the array .split makes",
        )?;
        parts.extend(s.split(sep).map(Value::str));
        Ok(Value::array(parts))
    }),
    native!("String.index", |vm, args| {
        let s = this(vm, args)?;
        let needle = str_arg(vm, args, 1, "the text to find")?;
        Ok(Value::Int(s.find(needle).map_or(-1, |b| char_pos(s, b))))
    }),
    native!("String.rindex", |vm, args| {
        let s = this(vm, args)?;
        let needle = str_arg(vm, args, 1, "the text to find")?;
        Ok(Value::Int(s.rfind(needle).map_or(-1, |b| char_pos(s, b))))
    }),
    native!("String.trim", |vm, args| Ok(Value::str(
        this(vm, args)?.trim()
    ))),
    native!("String.starts_with", |vm, args| {
        let s = this(vm, args)?;
        Ok(Value::Bool(s.starts_with(str_arg(
            vm,
            args,
            1,
            "the prefix",
        )?)))
    }),
    native!("String.ends_with", |vm, args| {
        let s = this(vm, args)?;
        Ok(Value::Bool(s.ends_with(str_arg(
            vm,
            args,
            1,
            "the suffix",
        )?)))
    }),
    native!("String.contains", |vm, args| {
        let s = this(vm, args)?;
        Ok(Value::Bool(s.contains(str_arg(
            vm,
            args,
            1,
            "the text to find",
        )?)))
    }),
    native!("String.replace", |vm, args| {
        let s = this(vm, args)?;
        let from = str_arg(vm, args, 1, "the text to replace")?;
        let to = display(arg(args, 2));
        if from.is_empty() {
            return Ok(Value::str(s));
        }
        // The size is known before anything is copied: every match changes it by the same.
        let matches = s.matches(from).count();
        let size = (s.len() - matches * from.len()).checked_add(matches.saturating_mul(to.len()));
        let mut out = String::new();
        let what = "the string .replace makes";
        reserve_str(vm, &mut out, size.unwrap_or(usize::MAX), what)?;
        let mut last = 0;
        for (at, _) in s.match_indices(from) {
            out.push_str(&s[last..at]);
            out.push_str(&to);
            last = at + from.len();
        }
        out.push_str(&s[last..]);
        Ok(Value::str(out))
    }),
    native!("String.char_at", |vm, args| {
        let s = this_rc(vm, args)?;
        let i = int_arg(vm, args, 1, "the index")?;
        Ok(char_at(s, i).map(Value::Char).unwrap_or_default())
    }),
    native!("String.to_i", |vm, args| {
        let s = this(vm, args)?;
        let radix = radix_arg(vm, args, 1, ".to_i")?;
        Ok(i64::from_str_radix(s.trim(), radix)
            .map(Value::Int)
            .unwrap_or_default())
    }),
    native!("String.to_f", |vm, args| Ok(this(vm, args)?
        .trim()
        .parse::<f64>()
        .map(Value::Float)
        .unwrap_or_default())),
    native!("String.chars", |vm, args| chars(
        vm,
        this(vm, args)?,
        "the array .chars makes"
    )),
    native!("String.repeat", repeat),
    native!("String.pad_start", |vm, args| pad(vm, args, true)),
    native!("String.pad_end", |vm, args| pad(vm, args, false)),
    native!("String.trim_start", |vm, args| Ok(Value::str(
        this(vm, args)?.trim_start()
    ))),
    native!("String.trim_end", |vm, args| Ok(Value::str(
        this(vm, args)?.trim_end()
    ))),
    native!("String.lines", |vm, args| {
        let s = this(vm, args)?;
        let mut out = Vec::new();
        reserve(vm, &mut out, s.lines().count(), "the array .lines makes")?;
        out.extend(s.lines().map(Value::str));
        Ok(Value::array(out))
    }),
    native!("String.count", |vm, args| {
        let s = this(vm, args)?;
        let needle = str_arg(vm, args, 1, ".count: the text to count")?;
        // As in Python: the empty string occurs between every two characters and at both ends.
        let n = if needle.is_empty() {
            s.chars().count() + 1
        } else {
            s.matches(needle).count()
        };
        Ok(Value::Int(n as i64))
    }),
    native!("String.is_empty", |vm, args| Ok(Value::Bool(
        this(vm, args)?.is_empty()
    ))),
    native!("String.reverse", |vm, args| Ok(Value::str(
        this(vm, args)?.chars().rev().collect::<String>()
    ))),
    native!("String.format", format),
    native!("String.bytes", |vm, args| Ok(Value::Bytes(Rc::new(
        this(vm, args)?.as_bytes().to_vec()
    )))),
];
