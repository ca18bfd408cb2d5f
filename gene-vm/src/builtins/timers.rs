//! Timers on the reactor: `gene/sleep_until_async` (a sleep to a wall-clock time) and
//! `gene/interval` (an async generator of ticks).
//!
//! `gene/interval` is a small Gene async generator around an [`IntervalClock`]: each step
//! sleeps until the next tick's deadline, `start + n * ms` on the monotonic clock, so lateness
//! never accumulates; a consumer slower than the period gets the latest tick due at once (the
//! ticks it missed are skipped: the count jumps). The generator sleeps only while a step is
//! asked for, so closing it (a `for await` left early, `.close`) leaves no timer behind.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::arg;
use super::gene_fn::{GeneFn, GiveResult};
use crate::value::future::Producer;
use crate::value::{FutureObj, Host, HostObject, NativeFn, NativeImpl, Value};
use crate::vm::Vm;
use crate::vm::native::Flow;
use crate::vm::sched::{OpEntry, OpTarget};

pub(super) static NATIVES: &[NativeFn] = &[
    native!("gene/sleep_until_async", |vm, args| {
        let t = match arg(args, 0) {
            Value::Int(n) => *n as f64,
            Value::Float(x) => *x,
            other => {
                return Err(vm.type_error(format!(
                    "gene/sleep_until_async needs a time in seconds (as gene/time/now gives), got {}",
                    other.type_name()
                )));
            }
        };
        if !t.is_finite() {
            return Err(vm.error(
                "ArgumentError",
                format!("gene/sleep_until_async needs a finite time, got {t}"),
            ));
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        let deadline = crate::vm::deadline_after((t - now) * 1000.0);
        Ok(Value::Future(sleep_until(vm, deadline)))
    }),
    flow_native!("gene/interval", |vm, args| {
        let ms = super::duration_arg(vm, args, 0, "gene/interval's period")?;
        if ms == 0.0 {
            return Err(vm.error(
                "ArgumentError",
                "gene/interval's period must be more than 0 ms",
            ));
        }
        let clock = IntervalClock {
            start: Instant::now(),
            period_ms: ms,
            last: Cell::new(0),
            next: Cell::new(0),
        };
        let steps = TICKS.closure(vm)?;
        Ok(Flow::call(
            GiveResult,
            Value::Func(steps),
            vec![
                Value::Host(Host::new(clock)),
                Value::Native(&WAIT),
                Value::Native(&TICK),
            ],
        ))
    }),
];

/// A future settled with nil at `deadline` (a reactor timer, like `gene/sleep_async`'s).
fn sleep_until(vm: &mut Vm, deadline: Instant) -> Rc<FutureObj> {
    let future = FutureObj::new(vm.origin_here());
    let op = vm.reactor.timer(deadline);
    vm.sched.ops.insert(
        op,
        OpEntry {
            target: OpTarget::Sleep(future.clone()),
            deadline: Some(deadline),
        },
    );
    *future.producer.borrow_mut() = Producer::Op(op);
    future
}

/// The steps of `gene/interval`: wait for the next tick, yield its number.
static TICKS: GeneFn = GeneFn::new(
    "<interval>",
    r#"
(fn ^^async ^^generator interval [clock wait tick]
  (loop
    (await (wait clock))
    (yield (tick clock))))
"#,
);

/// When an interval started, its period, and the ticks given and coming.
struct IntervalClock {
    start: Instant,
    period_ms: f64,
    /// The last tick yielded (0 before the first).
    last: Cell<u64>,
    /// The tick the step in progress waits for.
    next: Cell<u64>,
}

impl HostObject for IntervalClock {
    fn type_name(&self) -> &'static str {
        "IntervalClock"
    }

    fn describe(&self) -> String {
        format!("<interval of {} ms>", self.period_ms)
    }
}

impl IntervalClock {
    fn deadline(&self, tick: u64) -> Instant {
        let offset = Duration::try_from_secs_f64(tick as f64 * self.period_ms / 1000.0)
            .unwrap_or(Duration::MAX);
        self.start
            .checked_add(offset)
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(86_400 * 365 * 100))
    }

    /// The number of ticks due by now.
    fn due(&self) -> u64 {
        let elapsed_ms = self.start.elapsed().as_secs_f64() * 1000.0;
        (elapsed_ms / self.period_ms).floor() as u64
    }
}

fn clock_arg(args: &[Value]) -> Option<&IntervalClock> {
    match args.first() {
        Some(Value::Host(h)) => h.downcast::<IntervalClock>(),
        _ => None,
    }
}

/// `(wait clock)`: a future settled when the next tick is due (at once for a late consumer).
static WAIT: NativeFn = NativeFn {
    name: "interval wait",
    imp: NativeImpl::Simple(|vm, args| {
        let Some(clock) = clock_arg(args) else {
            return Err(vm.type_error("the interval needs its clock"));
        };
        let due = clock.due();
        if due > clock.last.get() {
            clock.next.set(due);
            return Ok(Value::Future(FutureObj::completed(Value::Nil)));
        }
        let next = clock.last.get() + 1;
        clock.next.set(next);
        let deadline = clock.deadline(next);
        Ok(Value::Future(sleep_until(vm, deadline)))
    }),
};

/// `(tick clock)`: the number of the tick just waited for.
static TICK: NativeFn = NativeFn {
    name: "interval tick",
    imp: NativeImpl::Simple(|vm, args| {
        let Some(clock) = clock_arg(args) else {
            return Err(vm.type_error("the interval needs its clock"));
        };
        let n = clock.next.get();
        clock.last.set(n);
        Ok(Value::Int(i64::try_from(n).unwrap_or(i64::MAX)))
    }),
};
