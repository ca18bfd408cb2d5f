//! `gene/time` (besides `now`, in `core.rs`): a monotonic clock for measuring, RFC 3339 text
//! and strftime-style formatting, on `jiff`. Times are seconds since the Unix epoch as floats,
//! as `gene/time/now` gives them.

use std::sync::OnceLock;
use std::time::Instant;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::{arg, str_arg};
use crate::value::{NativeFn, Value};
use crate::vm::{Exc, Vm};

pub(super) static NATIVES: &[NativeFn] = &[
    native!("gene/time/monotonic", |_, _| {
        static START: OnceLock<Instant> = OnceLock::new();
        let start = *START.get_or_init(Instant::now);
        Ok(Value::Float(start.elapsed().as_secs_f64()))
    }),
    native!("gene/time/iso", |vm, args| {
        let t = timestamp_arg(vm, args, "gene/time/iso")?;
        // Whole milliseconds, always three digits: the instant's millisecond, rounded down.
        let t = Timestamp::from_millisecond(t.as_millisecond()).unwrap_or(t);
        let text = jiff::fmt::strtime::format("%Y-%m-%dT%H:%M:%S%.3fZ", &t.to_zoned(TimeZone::UTC))
            .map_err(|e| vm.error("ValueError", format!("gene/time/iso: {e}")))?;
        Ok(Value::str(text))
    }),
    native!("gene/time/parse_iso", |vm, args| {
        let text = str_arg(vm, args, 0, "gene/time/parse_iso's text")?;
        let t: Timestamp = text.trim().parse().map_err(|e| {
            vm.error(
                "ValueError",
                format!(
                    "gene/time/parse_iso: {} is not an RFC 3339 time with an offset or Z ({e})",
                    crate::value::inspect(arg(args, 0))
                ),
            )
        })?;
        Ok(Value::Float(seconds(t)))
    }),
    native!("gene/time/format", |vm, args| {
        let t = timestamp_arg(vm, args, "gene/time/format")?;
        let pattern = str_arg(vm, args, 1, "gene/time/format's pattern")?;
        let mut local = false;
        if let Some(props) = vm.native_props.take() {
            for (key, value) in &props {
                match &*key.name() {
                    "local" => local = value.truthy(),
                    other => {
                        return Err(vm.error(
                            "ArgumentError",
                            format!("gene/time/format has no option ^{other} (known: ^local)"),
                        ));
                    }
                }
            }
        }
        let tz = if local { local_zone() } else { TimeZone::UTC };
        jiff::fmt::strtime::format(pattern, &t.to_zoned(tz))
            .map(Value::str)
            .map_err(|e| {
                vm.error(
                    "ValueError",
                    format!(
                        "gene/time/format: cannot format with {}: {e}",
                        crate::value::inspect(arg(args, 1))
                    ),
                )
            })
    }),
];

/// The time zone `^local` means: the `TZ` the program set with `gene/env/set` (an IANA name
/// such as `"Europe/Paris"` or a POSIX rule such as `"JST-9"`), else the system's.
fn local_zone() -> TimeZone {
    match super::env::overlay_var("TZ") {
        Some(Some(name)) => TimeZone::get(&name)
            .or_else(|_| TimeZone::posix(&name))
            .unwrap_or(TimeZone::UTC),
        Some(None) => TimeZone::UTC,
        None => TimeZone::system(),
    }
}

fn seconds(t: Timestamp) -> f64 {
    t.as_second() as f64 + f64::from(t.subsec_nanosecond()) / 1e9
}

/// Argument 0 as an instant: seconds since the epoch, an int or a float.
fn timestamp_arg(vm: &Vm, args: &[Value], what: &str) -> Result<Timestamp, Exc> {
    let secs = match arg(args, 0) {
        Value::Int(n) => return Timestamp::new(*n, 0).map_err(|e| out_of_range(vm, what, e)),
        Value::Float(f) => *f,
        other => {
            return Err(vm.type_error(format!(
                "{what}'s time must be a number of seconds since the epoch, got {}",
                other.type_name()
            )));
        }
    };
    let shown = crate::value::display(arg(args, 0));
    if !secs.is_finite() {
        return Err(vm.error(
            "ValueError",
            format!("{what}: the time must be a finite number of seconds, got {shown}"),
        ));
    }
    let whole = secs.floor();
    let nanos = ((secs - whole) * 1e9).floor().clamp(0.0, 999_999_999.0) as i32;
    if whole.abs() >= 1e15 {
        return Err(out_of_range(vm, what, format!("{shown} seconds")));
    }
    Timestamp::new(whole as i64, nanos).map_err(|e| out_of_range(vm, what, e))
}

fn out_of_range(vm: &Vm, what: &str, e: impl std::fmt::Display) -> Exc {
    vm.error(
        "ValueError",
        format!("{what}: the time is out of range (years -9999 to 9999): {e}"),
    )
}
