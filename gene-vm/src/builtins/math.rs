//! `gene/math`: constants, float functions, min/max/sum, and random numbers.
//!
//! The functions take ints or floats. The float functions follow IEEE where the mathematics has
//! no answer (`(gene/math/sqrt -1)` is nan, `(gene/math/log 0)` is -inf), as `/` does.
//!
//! Random numbers come from one generator per VM (xoshiro256++), seeded from the operating
//! system on first use unless `gene/math/seed` fixed the sequence.

use rand::rngs::{SysRng, Xoshiro256PlusPlus};
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};

use super::arg;
use super::number::{Num, describe, int_param, num_arg, to_int};
use crate::value::{NativeFn, Value, format_float};
use crate::vm::{Exc, Vm};

/// The values bound in `gene/math`.
pub(super) static CONSTANTS: &[(&str, f64)] = &[
    ("gene/math/pi", std::f64::consts::PI),
    ("gene/math/e", std::f64::consts::E),
    ("gene/math/inf", f64::INFINITY),
    ("gene/math/nan", f64::NAN),
];

/// The per-VM random number generator (see the module's doc).
#[derive(Default)]
pub(crate) struct Random(Option<Xoshiro256PlusPlus>);

impl Random {
    fn rng(&mut self) -> &mut Xoshiro256PlusPlus {
        self.0.get_or_insert_with(|| {
            Xoshiro256PlusPlus::try_from_rng(&mut SysRng).unwrap_or_else(|_| {
                // No OS randomness (a sandbox without getrandom): the clock is the next best.
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos() as u64);
                Xoshiro256PlusPlus::seed_from_u64(nanos)
            })
        })
    }

    fn seed(&mut self, seed: u64) {
        self.0 = Some(Xoshiro256PlusPlus::seed_from_u64(seed));
    }
}

fn float(vm: &Vm, args: &[Value], i: usize, what: &str) -> Result<f64, Exc> {
    num_arg(vm, args, i, what).map(Num::f64)
}

/// A one-argument float function.
macro_rules! unary {
    ($path:literal, $f:expr) => {
        native!($path, |vm, args| {
            let x = float(vm, args, 0, $path)?;
            Ok(Value::Float(($f)(x)))
        })
    };
}

/// A two-argument float function.
macro_rules! binary {
    ($path:literal, $f:expr) => {
        native!($path, |vm, args| {
            let x = float(vm, args, 0, $path)?;
            let y = float(vm, args, 1, $path)?;
            Ok(Value::Float(($f)(x, y)))
        })
    };
}

/// `floor`, `ceil`, `round`, `trunc`: an int stays itself, a float becomes an int.
fn rounded(vm: &Vm, args: &[Value], what: &str, f: fn(f64) -> f64) -> Result<Value, Exc> {
    match num_arg(vm, args, 0, what)? {
        Num::Int(i) => Ok(Value::Int(i)),
        Num::Float(x) => to_int(vm, f(x)).map_err(|_| {
            vm.error(
                "OverflowError",
                format!("{what}: {} does not fit in an int", format_float(x)),
            )
        }),
    }
}

fn log(vm: &mut Vm, args: &[Value]) -> Result<Value, Exc> {
    let what = "gene/math/log";
    let x = float(vm, args, 0, what)?;
    if matches!(arg(args, 1), Value::Nil) {
        return Ok(Value::Float(x.ln()));
    }
    // Bases 2 and 10 through their own functions, which are exact at powers of the base.
    Ok(Value::Float(match float(vm, args, 1, what)? {
        2.0 => x.log2(),
        10.0 => x.log10(),
        base => x.ln() / base.ln(),
    }))
}

/// The numbers `gene/math/min`, `max` and `sum` work on: their arguments, or the elements of
/// their one array argument.
fn operands(args: &[Value]) -> Vec<Value> {
    match args {
        [Value::Array(a)] => a.borrow().clone(),
        _ => args.to_vec(),
    }
}

/// The smallest or largest of numbers (and, when `strings` allows, of strings); None for none.
/// A nan makes the answer nan.
pub(crate) fn extreme(
    vm: &Vm,
    items: &[Value],
    max: bool,
    strings: bool,
    what: &str,
) -> Result<Option<Value>, Exc> {
    let Some(first) = items.first() else {
        return Ok(None);
    };
    if strings && let Value::Str(_) = first {
        let mut best: &str = "";
        for (i, v) in items.iter().enumerate() {
            let Value::Str(s) = v else {
                return Err(mixed(vm, what, v));
            };
            if i == 0 || (max && s.as_str() > best) || (!max && s.as_str() < best) {
                best = s.as_str();
            }
        }
        return Ok(Some(Value::str(best)));
    }
    let mut best: Option<Num> = None;
    for v in items {
        let n = Num::of(v).ok_or_else(|| {
            if strings {
                mixed(vm, what, v)
            } else {
                vm.type_error(format!("{what} needs numbers, got {}", describe(v)))
            }
        })?;
        best = Some(match best {
            None => n,
            Some(b) => pick(b, n, max),
        });
    }
    Ok(best.map(Num::value))
}

fn mixed(vm: &Vm, what: &str, v: &Value) -> Exc {
    vm.type_error(format!(
        "{what} compares numbers or strings, one kind at a time: got {}",
        describe(v)
    ))
}

fn pick(best: Num, n: Num, max: bool) -> Num {
    let nan = |x: Num| matches!(x, Num::Float(f) if f.is_nan());
    if nan(best) {
        return best;
    }
    if nan(n) {
        return n;
    }
    let better = match (best, n) {
        (Num::Int(a), Num::Int(b)) => (max && b > a) || (!max && b < a),
        (a, b) => (max && b.f64() > a.f64()) || (!max && b.f64() < a.f64()),
    };
    if better { n } else { best }
}

/// The sum of numbers: an int while every number is an int (an OverflowError past i64), a
/// float from the first float on. The empty sum is 0.
pub(crate) fn sum(vm: &Vm, items: &[Value], what: &str) -> Result<Value, Exc> {
    let mut total = Num::Int(0);
    for v in items {
        let n = Num::of(v)
            .ok_or_else(|| vm.type_error(format!("{what} needs numbers, got {}", describe(v))))?;
        total =
            match (total, n) {
                (Num::Int(a), Num::Int(b)) => Num::Int(a.checked_add(b).ok_or_else(|| {
                    vm.error("OverflowError", format!("integer overflow in {what}"))
                })?),
                (a, b) => Num::Float(a.f64() + b.f64()),
            };
    }
    Ok(total.value())
}

fn math_extreme(vm: &mut Vm, args: &[Value], max: bool) -> Result<Value, Exc> {
    let what = if max {
        "gene/math/max"
    } else {
        "gene/math/min"
    };
    extreme(vm, &operands(args), max, false, what)?.ok_or_else(|| {
        let got = if args.is_empty() {
            "none"
        } else {
            "an empty array"
        };
        vm.error(
            "ValueError",
            format!("{what} needs at least one number, got {got}"),
        )
    })
}

fn array_arg(vm: &Vm, args: &[Value], what: &str) -> Result<Vec<Value>, Exc> {
    match arg(args, 0) {
        Value::Array(a) => Ok(a.borrow().clone()),
        other => Err(vm.type_error(format!("{what} needs an array, got {}", describe(other)))),
    }
}

pub(super) static NATIVES: &[NativeFn] = &[
    unary!("gene/math/sqrt", f64::sqrt),
    unary!("gene/math/cbrt", f64::cbrt),
    unary!("gene/math/exp", f64::exp),
    unary!("gene/math/log2", f64::log2),
    unary!("gene/math/log10", f64::log10),
    unary!("gene/math/sin", f64::sin),
    unary!("gene/math/cos", f64::cos),
    unary!("gene/math/tan", f64::tan),
    unary!("gene/math/asin", f64::asin),
    unary!("gene/math/acos", f64::acos),
    unary!("gene/math/atan", f64::atan),
    unary!("gene/math/sinh", f64::sinh),
    unary!("gene/math/cosh", f64::cosh),
    unary!("gene/math/tanh", f64::tanh),
    binary!("gene/math/atan2", f64::atan2),
    binary!("gene/math/hypot", f64::hypot),
    native!("gene/math/log", log),
    native!("gene/math/floor", |vm, args| rounded(
        vm,
        args,
        "gene/math/floor",
        f64::floor
    )),
    native!("gene/math/ceil", |vm, args| rounded(
        vm,
        args,
        "gene/math/ceil",
        f64::ceil
    )),
    native!("gene/math/round", |vm, args| rounded(
        vm,
        args,
        "gene/math/round",
        f64::round
    )),
    native!("gene/math/trunc", |vm, args| rounded(
        vm,
        args,
        "gene/math/trunc",
        f64::trunc
    )),
    native!("gene/math/abs", |vm, args| {
        match num_arg(vm, args, 0, "gene/math/abs")? {
            Num::Int(i) => i.checked_abs().map(Value::Int).ok_or_else(|| {
                vm.error(
                    "OverflowError",
                    format!("integer overflow in (gene/math/abs {i})"),
                )
            }),
            Num::Float(f) => Ok(Value::Float(f.abs())),
        }
    }),
    native!("gene/math/min", |vm, args| math_extreme(vm, args, false)),
    native!("gene/math/max", |vm, args| math_extreme(vm, args, true)),
    native!("gene/math/sum", |vm, args| sum(
        vm,
        &operands(args),
        "gene/math/sum"
    )),
    native!("gene/math/random", |vm, _args| Ok(Value::Float(
        vm.random.rng().random::<f64>()
    ))),
    native!("gene/math/random_int", |vm, args| {
        let what = "gene/math/random_int";
        let lo = int_param(vm, args, 0, what)?;
        let hi = int_param(vm, args, 1, what)?;
        if lo > hi {
            return Err(vm.error(
                "ArgumentError",
                format!("{what} needs lo <= hi, got {lo} and {hi}"),
            ));
        }
        Ok(Value::Int(vm.random.rng().random_range(lo..=hi)))
    }),
    native!("gene/math/shuffle", |vm, args| {
        let mut items = array_arg(vm, args, "gene/math/shuffle")?;
        items.shuffle(vm.random.rng());
        Ok(Value::array(items))
    }),
    native!("gene/math/choice", |vm, args| {
        let what = "gene/math/choice";
        let items = array_arg(vm, args, what)?;
        if items.is_empty() {
            return Err(vm.error(
                "ValueError",
                format!("{what} needs a non-empty array, got []"),
            ));
        }
        let i = vm.random.rng().random_range(0..items.len());
        Ok(items.get(i).cloned().unwrap_or_default())
    }),
    native!("gene/math/seed", |vm, args| {
        let n = int_param(vm, args, 0, "gene/math/seed")?;
        vm.random.seed(n as u64);
        Ok(Value::Nil)
    }),
];
