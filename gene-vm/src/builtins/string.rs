//! String methods. Strings are immutable; positions count characters (Unicode scalar values).

use super::number::radix_arg;
use super::{arg, int_arg, str_arg};
use crate::builtins::array::slice_bounds;
use crate::value::alloc::{join_display, reserve, reserve_str};
use crate::value::{NativeFn, Value, display};
use crate::vm::{Exc, Vm};

fn this<'a>(vm: &Vm, args: &'a [Value]) -> Result<&'a str, Exc> {
    str_arg(vm, args, 0, "the receiver")
}

/// The character position of a byte offset.
fn char_pos(s: &str, byte: usize) -> i64 {
    s[..byte].chars().count() as i64
}

/// The characters of `s`, each a string.
fn chars(vm: &Vm, s: &str, what: &str) -> Result<Value, Exc> {
    let mut out = Vec::new();
    reserve(vm, &mut out, s.chars().count(), what)?;
    out.extend(s.chars().map(|c| Value::str(c.to_string())));
    Ok(Value::array(out))
}

pub(super) static NATIVES: &[NativeFn] = &[
    native!("String.length", |vm, args| Ok(Value::Int(
        this(vm, args)?.chars().count() as i64
    ))),
    native!("String.size", |vm, args| Ok(Value::Int(
        this(vm, args)?.chars().count() as i64
    ))),
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
        let s = this(vm, args)?;
        let start = int_arg(vm, args, 1, "the start")?;
        let end = match args.get(2) {
            None | Some(Value::Nil) => None,
            Some(_) => Some(int_arg(vm, args, 2, "the end")?),
        };
        let chars: Vec<char> = s.chars().collect();
        let (a, b) = slice_bounds(chars.len(), start, end);
        Ok(Value::str(chars[a..b].iter().collect::<String>()))
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
        let s = this(vm, args)?;
        let i = int_arg(vm, args, 1, "the index")?;
        let n = s.chars().count();
        Ok(crate::vm::resolve_index(i, n)
            .and_then(|i| s.chars().nth(i))
            .map(Value::Char)
            .unwrap_or_default())
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
];
