//! A cheap monotonic clock for the task bookkeeping done on every park (when a task started
//! waiting). On Linux it is `CLOCK_MONOTONIC_COARSE`: read from the vDSO without touching the
//! hardware counter, a few nanoseconds, with the resolution of the kernel tick (1-4 ms), which
//! is plenty for "waiting 1.204s". Elsewhere it is `Instant` from a process-wide epoch.

/// Milliseconds on a monotonic clock with an arbitrary start.
#[cfg(target_os = "linux")]
pub(crate) fn coarse_ms() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the call only writes it.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC_COARSE, &mut ts) };
    if rc != 0 {
        return 0;
    }
    (ts.tv_sec as u64)
        .saturating_mul(1000)
        .saturating_add(ts.tv_nsec as u64 / 1_000_000)
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn coarse_ms() -> u64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    let epoch = *EPOCH.get_or_init(Instant::now);
    epoch.elapsed().as_millis() as u64
}

/// A fine clock for `--timeline`, read at every event: the time-stamp counter on x86-64
/// (`rdtsc`, a few cycles, where a clock read is a vDSO call), nanoseconds since a process-wide
/// epoch elsewhere. Ticks become nanoseconds with [`TickRate`], measured against `Instant`.
#[cfg(target_arch = "x86_64")]
#[inline]
pub(crate) fn ticks() -> u64 {
    // SAFETY: `rdtsc` reads a counter; it has no preconditions on x86-64.
    unsafe { std::arch::x86_64::_rdtsc() }
}

#[cfg(not(target_arch = "x86_64"))]
#[inline]
pub(crate) fn ticks() -> u64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    let epoch = *EPOCH.get_or_init(Instant::now);
    epoch.elapsed().as_nanos() as u64
}

/// Nanoseconds per tick, as a 32.32 fixed-point factor.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TickRate(u64);

impl TickRate {
    /// The rate seen since `(start, start_ticks)` (read together): the longer ago, the closer.
    pub(crate) fn since(start: std::time::Instant, start_ticks: u64) -> TickRate {
        if cfg!(not(target_arch = "x86_64")) {
            return TickRate(1 << 32);
        }
        let ns = start.elapsed().as_nanos();
        let ticks = u128::from(ticks().saturating_sub(start_ticks));
        if ticks == 0 || ns == 0 {
            return TickRate(1 << 32);
        }
        TickRate(u64::try_from((ns << 32) / ticks).unwrap_or(u64::MAX))
    }

    pub(crate) fn nanos(self, ticks: u64) -> u64 {
        ((u128::from(ticks) * u128::from(self.0)) >> 32) as u64
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_clock_does_not_go_back_and_moves_on() {
        let a = super::coarse_ms();
        std::thread::sleep(std::time::Duration::from_millis(30));
        let b = super::coarse_ms();
        assert!(b >= a + 20, "{a} then {b}");
    }

    #[test]
    fn ticks_become_nanoseconds_at_the_measured_rate() {
        let start = std::time::Instant::now();
        let t0 = super::ticks();
        std::thread::sleep(std::time::Duration::from_millis(30));
        let rate = super::TickRate::since(start, t0);
        let ns = rate.nanos(super::ticks() - t0);
        assert!((29_000_000..1_000_000_000).contains(&ns), "{ns} ns");
    }
}
