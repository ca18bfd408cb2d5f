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

#[cfg(test)]
mod tests {
    #[test]
    fn the_clock_does_not_go_back_and_moves_on() {
        let a = super::coarse_ms();
        std::thread::sleep(std::time::Duration::from_millis(30));
        let b = super::coarse_ms();
        assert!(b >= a + 20, "{a} then {b}");
    }
}
