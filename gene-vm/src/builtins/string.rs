//! String methods. Strings are immutable; positions count characters (Unicode scalar values).

use super::{arg, int_arg, str_arg};
use crate::builtins::array::slice_bounds;
use crate::value::{NativeFn, Value, display};
use crate::vm::{Exc, Vm};

fn this<'a>(vm: &Vm, args: &'a [Value]) -> Result<&'a str, Exc> {
    str_arg(vm, args, 0, "the receiver")
}

/// The character position of a byte offset.
fn char_pos(s: &str, byte: usize) -> i64 {
    s[..byte].chars().count() as i64
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
        let mut s = this(vm, args)?.to_string();
        for v in &args[1..] {
            crate::value::write_display(&mut s, v);
        }
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
        let parts: Vec<Value> = if sep.is_empty() {
            s.chars().map(|c| Value::str(c.to_string())).collect()
        } else {
            s.split(sep).map(Value::str).collect()
        };
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
        Ok(Value::str(s.replace(from, &to)))
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
    native!("String.to_i", |vm, args| Ok(this(vm, args)?
        .trim()
        .parse::<i64>()
        .map(Value::Int)
        .unwrap_or_default())),
    native!("String.to_f", |vm, args| Ok(this(vm, args)?
        .trim()
        .parse::<f64>()
        .map(Value::Float)
        .unwrap_or_default())),
    native!("String.chars", |vm, args| Ok(Value::array(
        this(vm, args)?
            .chars()
            .map(|c| Value::str(c.to_string()))
            .collect()
    ))),
];
