//! Methods on ints and floats: conversions, floored and truncated division, bits, text in a
//! radix or with fixed decimals, comparisons. The `**` operator's arithmetic is here too
//! ([`power`], run by `Op::Pow`).
//!
//! Ints are i64: a result that does not fit is an `OverflowError`, an int divided by zero an
//! `ArgumentError`; floats follow IEEE (division by zero gives inf or nan).

use super::arg;
use crate::value::{NativeFn, Value, format_float, inspect};
use crate::vm::{Exc, Vm};

/// A number argument, int or float, kept as it was given.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    pub(crate) fn of(v: &Value) -> Option<Num> {
        match v {
            Value::Int(i) => Some(Num::Int(*i)),
            Value::Float(f) => Some(Num::Float(*f)),
            _ => None,
        }
    }

    pub(crate) fn f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }

    pub(crate) fn value(self) -> Value {
        match self {
            Num::Int(i) => Value::Int(i),
            Num::Float(f) => Value::Float(f),
        }
    }

    fn is_nan(self) -> bool {
        matches!(self, Num::Float(f) if f.is_nan())
    }

    /// Exact for two ints, through f64 otherwise (as `<` compares).
    fn less_than(self, other: Num) -> bool {
        match (self, other) {
            (Num::Int(a), Num::Int(b)) => a < b,
            (a, b) => a.f64() < b.f64(),
        }
    }
}

/// A value as an error message shows it: `String "a"`, `Float 1.5`, `nil` (long values by their
/// type only).
pub(crate) fn describe(v: &Value) -> String {
    if let Value::Nil = v {
        return "nil".into();
    }
    let text = inspect(v);
    if text.chars().count() <= 40 {
        format!("{} {text}", v.type_name())
    } else {
        v.type_name()
    }
}

/// The i-th argument as a number; `what` names the function in the TypeError.
pub(crate) fn num_arg(vm: &Vm, args: &[Value], i: usize, what: &str) -> Result<Num, Exc> {
    Num::of(arg(args, i)).ok_or_else(|| {
        vm.type_error(format!(
            "{what} needs a number, got {}",
            describe(arg(args, i))
        ))
    })
}

/// The i-th argument as an int; `what` names the function in the TypeError.
pub(crate) fn int_param(vm: &Vm, args: &[Value], i: usize, what: &str) -> Result<i64, Exc> {
    match arg(args, i) {
        Value::Int(n) => Ok(*n),
        other => Err(vm.type_error(format!("{what} needs an int, got {}", describe(other)))),
    }
}

fn int(vm: &Vm, v: &Value) -> Result<i64, Exc> {
    match v {
        Value::Int(i) => Ok(*i),
        other => Err(vm.type_error(format!("expected an int, got {}", other.type_name()))),
    }
}

fn float(vm: &Vm, v: &Value) -> Result<f64, Exc> {
    match v {
        Value::Float(f) => Ok(*f),
        other => Err(vm.type_error(format!("expected a float, got {}", other.type_name()))),
    }
}

/// The receiver of an Int or Float method.
fn receiver(vm: &Vm, args: &[Value]) -> Result<Num, Exc> {
    Num::of(arg(args, 0)).ok_or_else(|| {
        vm.type_error(format!(
            "expected a number, got {}",
            arg(args, 0).type_name()
        ))
    })
}

/// A float rounded some way, as an int (an error when it does not fit).
pub(crate) fn to_int(vm: &Vm, f: f64) -> Result<Value, Exc> {
    if f.is_finite() && f >= i64::MIN as f64 && f < i64::MAX as f64 {
        Ok(Value::Int(f as i64))
    } else {
        Err(vm.error(
            "OverflowError",
            format!("{} does not fit in an int", format_float(f)),
        ))
    }
}

fn overflow(vm: &Vm, expr: String) -> Exc {
    vm.error("OverflowError", format!("integer overflow in {expr}"))
}

/// `(a ** b)`: an int to a non-negative int power is an int (an OverflowError when it does not
/// fit); anything else is a float (`(2 ** -1)` is 0.5).
pub(crate) fn power(vm: &Vm, a: &Value, b: &Value) -> Result<Value, Exc> {
    match (Num::of(a), Num::of(b)) {
        (Some(Num::Int(x)), Some(Num::Int(y))) if y >= 0 => int_pow(x, y)
            .map(Value::Int)
            .ok_or_else(|| overflow(vm, format!("({x} ** {y})"))),
        (Some(x), Some(y)) => Ok(Value::Float(x.f64().powf(y.f64()))),
        _ => Err(vm.type_error(format!(
            "** needs numbers, got {} and {}",
            describe(a),
            describe(b)
        ))),
    }
}

fn int_pow(x: i64, y: i64) -> Option<i64> {
    match u32::try_from(y) {
        Ok(e) => x.checked_pow(e),
        // Exponents past u32: only 0, 1 and -1 stay in range.
        Err(_) => match x {
            0 | 1 => Some(x),
            -1 => Some(if y % 2 == 0 { 1 } else { -1 }),
            _ => None,
        },
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Division {
    /// Floored remainder: the sign of the divisor.
    Mod,
    /// Truncated remainder: the sign of the dividend.
    Rem,
    /// Floored quotient.
    Div,
}

impl Division {
    fn name(self) -> &'static str {
        match self {
            Division::Mod => ".mod",
            Division::Rem => ".rem",
            Division::Div => ".div",
        }
    }
}

fn divide(vm: &mut Vm, args: &[Value], kind: Division) -> Result<Value, Exc> {
    let name = kind.name();
    let a = receiver(vm, args)?;
    let b = num_arg(vm, args, 1, name)?;
    let (x, y) = match (a, b) {
        (Num::Int(x), Num::Int(y)) => return int_divide(vm, x, y, kind),
        (a, b) => (a.f64(), b.f64()),
    };
    Ok(Value::Float(match kind {
        Division::Rem => x % y,
        Division::Mod => float_mod(x, y),
        Division::Div => float_floor_div(x, y),
    }))
}

fn int_divide(vm: &Vm, x: i64, y: i64, kind: Division) -> Result<Value, Exc> {
    let name = kind.name();
    if y == 0 {
        return Err(vm.error(
            "ArgumentError",
            format!("division by zero in ({x} {name} 0)"),
        ));
    }
    // `wrapping_rem` is exact: only MIN % -1 wraps, and its remainder is 0.
    let r = x.wrapping_rem(y);
    let signs_differ = r != 0 && (r < 0) != (y < 0);
    Ok(Value::Int(match kind {
        Division::Rem => r,
        Division::Mod if signs_differ => r + y,
        Division::Mod => r,
        Division::Div => {
            let q = x
                .checked_div(y)
                .ok_or_else(|| overflow(vm, format!("({x} {name} {y})")))?;
            if signs_differ { q - 1 } else { q }
        }
    }))
}

/// Python's float `%`: the sign of y (a zero result too).
fn float_mod(x: f64, y: f64) -> f64 {
    let r = x % y;
    if r == 0.0 {
        0.0f64.copysign(y)
    } else if (r < 0.0) != (y < 0.0) {
        r + y
    } else {
        r
    }
}

/// Python's float `//`: computed from the remainder, so that `(x .div y) * y + (x .mod y)` is x
/// as nearly as floats allow (`(1 .div 0.1)` is 9.0, not the 10.0 of flooring `1 / 0.1`).
fn float_floor_div(x: f64, y: f64) -> f64 {
    if y == 0.0 {
        return (x / y).floor();
    }
    let m = x % y;
    let mut div = (x - m) / y;
    if m != 0.0 && (y < 0.0) != (m < 0.0) {
        div -= 1.0;
    }
    if div == 0.0 {
        return 0.0f64.copysign(x / y);
    }
    let mut floor = div.floor();
    if div - floor > 0.5 {
        floor += 1.0;
    }
    floor
}

/// The bit operations with an int operand.
fn bits(vm: &Vm, args: &[Value], name: &str, f: fn(i64, i64) -> i64) -> Result<Value, Exc> {
    let a = int(vm, arg(args, 0))?;
    let b = int_param(vm, args, 1, name)?;
    Ok(Value::Int(f(a, b)))
}

fn shift_count(vm: &Vm, args: &[Value], name: &str) -> Result<i64, Exc> {
    let n = int_param(vm, args, 1, name)?;
    if n < 0 {
        return Err(vm.error(
            "ArgumentError",
            format!("{name} needs a shift count of 0 or more, got {n}"),
        ));
    }
    Ok(n)
}

/// `x << n` when no bit of the value is lost (else None: the result does not fit).
fn shift_left(x: i64, n: i64) -> Option<i64> {
    if x == 0 {
        return Some(0);
    }
    let n = u32::try_from(n).ok().filter(|n| *n < 64)?;
    let r = x << n;
    (r >> n == x).then_some(r)
}

/// An arithmetic shift: floored division by 2^n.
fn shift_right(x: i64, n: i64) -> i64 {
    match u32::try_from(n) {
        Ok(n) if n < 64 => x >> n,
        _ => {
            if x < 0 {
                -1
            } else {
                0
            }
        }
    }
}

/// A radix argument (2..36; 10 when nil or missing).
pub(crate) fn radix_arg(vm: &Vm, args: &[Value], i: usize, name: &str) -> Result<u32, Exc> {
    if matches!(arg(args, i), Value::Nil) {
        return Ok(10);
    }
    let r = int_param(vm, args, i, name)?;
    match u32::try_from(r) {
        Ok(r @ 2..=36) => Ok(r),
        _ => Err(vm.error(
            "ArgumentError",
            format!("{name} needs a radix from 2 to 36, got {r}"),
        )),
    }
}

/// The digits of n in a radix, lower case, with a leading `-` for negative numbers.
fn to_radix(n: i64, radix: u32) -> String {
    let mut m = n.unsigned_abs();
    let mut digits = Vec::new();
    loop {
        let d = (m % u64::from(radix)) as u32;
        digits.push(char::from_digit(d, radix).unwrap_or('?'));
        m /= u64::from(radix);
        if m == 0 {
            break;
        }
    }
    if n < 0 {
        digits.push('-');
    }
    digits.iter().rev().collect()
}

/// The most decimals `.to_fixed` writes.
const MAX_FIXED_DIGITS: i64 = 100;

fn to_fixed(vm: &mut Vm, args: &[Value]) -> Result<Value, Exc> {
    let x = receiver(vm, args)?;
    let digits = int_param(vm, args, 1, ".to_fixed")?;
    if !(0..=MAX_FIXED_DIGITS).contains(&digits) {
        return Err(vm.error(
            "ArgumentError",
            format!(".to_fixed needs 0 to {MAX_FIXED_DIGITS} digits, got {digits}"),
        ));
    }
    let digits = digits as usize;
    Ok(Value::str(match x {
        Num::Int(i) if digits == 0 => i.to_string(),
        Num::Int(i) => format!("{i}.{}", "0".repeat(digits)),
        Num::Float(f) if !f.is_finite() => format_float(f),
        Num::Float(f) => format!("{f:.digits$}"),
    }))
}

/// `(a .min b)`, `(a .max b)`: the smaller or larger of two numbers, as it was given; nan when
/// either is nan.
fn extreme(vm: &mut Vm, args: &[Value], max: bool) -> Result<Value, Exc> {
    let a = receiver(vm, args)?;
    let b = num_arg(vm, args, 1, if max { ".max" } else { ".min" })?;
    if a.is_nan() || b.is_nan() {
        return Ok(Value::Float(f64::NAN));
    }
    let take_b = if max { a.less_than(b) } else { b.less_than(a) };
    Ok(if take_b { b.value() } else { a.value() })
}

fn clamp(vm: &mut Vm, args: &[Value]) -> Result<Value, Exc> {
    let x = receiver(vm, args)?;
    let lo = num_arg(vm, args, 1, ".clamp")?;
    let hi = num_arg(vm, args, 2, ".clamp")?;
    if lo.is_nan() || hi.is_nan() || hi.less_than(lo) {
        return Err(vm.error(
            "ArgumentError",
            format!(
                ".clamp needs lo <= hi, got {} and {}",
                describe(&lo.value()),
                describe(&hi.value())
            ),
        ));
    }
    Ok(if x.less_than(lo) {
        lo.value()
    } else if hi.less_than(x) {
        hi.value()
    } else {
        x.value()
    })
}

fn sign(vm: &mut Vm, args: &[Value]) -> Result<Value, Exc> {
    Ok(match receiver(vm, args)? {
        Num::Int(i) => Value::Int(i.signum()),
        // Zeros and nan are their own sign.
        Num::Float(f) if f == 0.0 || f.is_nan() => Value::Float(f),
        Num::Float(f) => Value::Float(f.signum()),
    })
}

pub(super) static NATIVES: &[NativeFn] = &[
    native!("Int.to_s", |vm, args| {
        let i = int(vm, arg(args, 0))?;
        let radix = radix_arg(vm, args, 1, ".to_s")?;
        Ok(Value::str(to_radix(i, radix)))
    }),
    native!("Int.abs", |vm, args| {
        let i = int(vm, arg(args, 0))?;
        i.checked_abs()
            .map(Value::Int)
            .ok_or_else(|| overflow(vm, format!("({i} .abs)")))
    }),
    native!("Int.to_f", |vm, args| Ok(Value::Float(
        int(vm, arg(args, 0))? as f64
    ))),
    native!("Int.to_i", |vm, args| Ok(Value::Int(int(
        vm,
        arg(args, 0)
    )?))),
    native!("Int.floor", |vm, args| Ok(Value::Int(int(
        vm,
        arg(args, 0)
    )?))),
    native!("Int.ceil", |vm, args| Ok(Value::Int(int(
        vm,
        arg(args, 0)
    )?))),
    native!("Int.round", |vm, args| Ok(Value::Int(int(
        vm,
        arg(args, 0)
    )?))),
    native!("Int.mod", |vm, args| divide(vm, args, Division::Mod)),
    native!("Int.rem", |vm, args| divide(vm, args, Division::Rem)),
    native!("Int.div", |vm, args| divide(vm, args, Division::Div)),
    native!("Int.band", |vm, args| bits(vm, args, ".band", |a, b| a & b)),
    native!("Int.bor", |vm, args| bits(vm, args, ".bor", |a, b| a | b)),
    native!("Int.bxor", |vm, args| bits(vm, args, ".bxor", |a, b| a ^ b)),
    native!("Int.bnot", |vm, args| Ok(Value::Int(!int(
        vm,
        arg(args, 0)
    )?))),
    native!("Int.shl", |vm, args| {
        let x = int(vm, arg(args, 0))?;
        let n = shift_count(vm, args, ".shl")?;
        shift_left(x, n)
            .map(Value::Int)
            .ok_or_else(|| overflow(vm, format!("({x} .shl {n})")))
    }),
    native!("Int.shr", |vm, args| {
        let x = int(vm, arg(args, 0))?;
        let n = shift_count(vm, args, ".shr")?;
        Ok(Value::Int(shift_right(x, n)))
    }),
    native!("Int.to_fixed", to_fixed),
    native!("Int.min", |vm, args| extreme(vm, args, false)),
    native!("Int.max", |vm, args| extreme(vm, args, true)),
    native!("Int.clamp", clamp),
    native!("Int.sign", sign),
    native!("Float.to_s", |vm, args| Ok(Value::str(format_float(
        float(vm, arg(args, 0))?
    )))),
    native!("Float.abs", |vm, args| Ok(Value::Float(
        float(vm, arg(args, 0))?.abs()
    ))),
    native!("Float.floor", |vm, args| to_int(
        vm,
        float(vm, arg(args, 0))?.floor()
    )),
    native!("Float.ceil", |vm, args| to_int(
        vm,
        float(vm, arg(args, 0))?.ceil()
    )),
    native!("Float.round", |vm, args| to_int(
        vm,
        float(vm, arg(args, 0))?.round()
    )),
    native!("Float.to_i", |vm, args| to_int(
        vm,
        float(vm, arg(args, 0))?.trunc()
    )),
    native!("Float.to_f", |vm, args| Ok(Value::Float(float(
        vm,
        arg(args, 0)
    )?))),
    native!("Float.mod", |vm, args| divide(vm, args, Division::Mod)),
    native!("Float.rem", |vm, args| divide(vm, args, Division::Rem)),
    native!("Float.div", |vm, args| divide(vm, args, Division::Div)),
    native!("Float.to_fixed", to_fixed),
    native!("Float.min", |vm, args| extreme(vm, args, false)),
    native!("Float.max", |vm, args| extreme(vm, args, true)),
    native!("Float.clamp", clamp),
    native!("Float.sign", sign),
    native!("Float.is_nan", |vm, args| Ok(Value::Bool(
        float(vm, arg(args, 0))?.is_nan()
    ))),
    native!("Float.is_finite", |vm, args| Ok(Value::Bool(
        float(vm, arg(args, 0))?.is_finite()
    ))),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radix_text_covers_the_extremes() {
        assert_eq!(to_radix(i64::MIN, 2).len(), 65);
        assert_eq!(to_radix(i64::MIN, 16), "-8000000000000000");
        assert_eq!(to_radix(0, 36), "0");
        assert_eq!(to_radix(35, 36), "z");
    }

    #[test]
    fn shifts_never_lose_bits_silently() {
        assert_eq!(shift_left(1, 62), Some(1 << 62));
        assert_eq!(shift_left(1, 63), None);
        assert_eq!(shift_left(-1, 63), Some(i64::MIN));
        assert_eq!(shift_left(3, 1000), None);
        assert_eq!(shift_left(0, 1000), Some(0));
        assert_eq!(shift_right(-5, 1), -3);
        assert_eq!(shift_right(-5, 100), -1);
    }

    #[test]
    fn float_division_matches_python() {
        assert_eq!(float_floor_div(1.0, 0.1), 9.0);
        assert_eq!(float_mod(-7.5, 2.0), 0.5);
        assert_eq!(float_mod(7.5, -2.0), -0.5);
        assert!(float_mod(-0.0, 3.0).is_sign_positive());
        assert_eq!(float_floor_div(-7.0, 2.0), -4.0);
        assert!(float_floor_div(1.0, 0.0).is_infinite());
    }
}
