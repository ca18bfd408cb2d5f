//! Async building blocks: channels, semaphores, locks, events, and timers (`gene/interval`,
//! `gene/sleep_until_async`).

use super::methods::m;
use super::{
    Builtin,
    BuiltinKind::{Class, Function},
    FUTURE, Flags, NO_FLAGS, Param, opt, req,
};

const fn entry(
    kind: super::BuiltinKind,
    name: &'static str,
    path: &'static str,
    params: &'static [Param],
    flags: Flags,
    doc: &'static str,
) -> Builtin {
    super::entry(kind, name, path, None, params, flags, doc)
}

/// A method giving a future.
const fn async_method(
    receiver: &'static str,
    path: &'static str,
    params: &'static [Param],
    doc: &'static str,
) -> Builtin {
    Builtin {
        flags: FUTURE,
        ..m(receiver, path, params, doc)
    }
}

pub(crate) static FUNCTIONS: &[Builtin] = &[
    entry(
        Function,
        "interval",
        "gene/interval",
        &[req("ms")],
        NO_FLAGS,
        "An async generator of ticks: `(for await n in (gene/interval 100) ...)` gets 1, 2, 3 ... every ms milliseconds (more than 0). Tick n is due n * ms after the call, on the monotonic clock, so delays never add up; a consumer slower than the period gets the latest tick due at once, skipping the ones it missed (n jumps). It sleeps only while a step is asked for: closing it (`.close`, leaving a `for await` early) leaves no timer running.",
    ),
    entry(
        Function,
        "sleep_until_async",
        "gene/sleep_until_async",
        &[req("t")],
        FUTURE,
        "A future that completes with nil at time t, in seconds since the Unix epoch as `gene/time/now` gives them (a time already past completes at once, as `(gene/sleep_async 0)` does). Other tasks run meanwhile; cancelling it drops the timer.",
    ),
];

pub(crate) static CLASSES: &[Builtin] = &[
    entry(
        Class,
        "Channel",
        "gene/Channel",
        &[opt("capacity")],
        NO_FLAGS,
        "A first-in, first-out queue of values between tasks. Without a capacity it is unbounded; with one, a sender waits while it holds that many values; with 0 it is a rendezvous (a send waits until a receiver takes the value). Senders and receivers are served in the order they came. `(for await v in ch ...)` receives until the channel is closed and drained. A capacity that is not an int is a TypeError, a negative one an ArgumentError.",
    ),
    entry(
        Class,
        "ChannelClosed",
        "gene/ChannelClosed",
        &[opt("message")],
        NO_FLAGS,
        "A send on a closed channel: thrown by `.try_send`, and by awaiting `.send_async` (also for a send that was waiting when the channel closed).",
    ),
    entry(
        Class,
        "Semaphore",
        "gene/Semaphore",
        &[req("n")],
        NO_FLAGS,
        "n permits (an int, 0 or more) for tasks to acquire: at most n tasks hold one at a time, the others wait in the order they came. `(sem .with_async f)` runs f holding a permit.",
    ),
    entry(
        Class,
        "Lock",
        "gene/Lock",
        &[],
        NO_FLAGS,
        "A lock for one task at a time (not reentrant): `.lock_async`, then `.unlock` by the same task, or `(lock .with_async f)`. Waiting tasks get it in the order they asked.",
    ),
    entry(
        Class,
        "LockError",
        "gene/LockError",
        &[opt("message")],
        NO_FLAGS,
        "`.unlock` of a lock the running task does not hold (unlocked, or held by another task).",
    ),
    entry(
        Class,
        "Event",
        "gene/Event",
        &[],
        NO_FLAGS,
        "A flag tasks can wait for: `.wait_async` completes once the event is set (at once while it is set); `.set` lets every waiting task go on, `.clear` resets it.",
    ),
];

pub(crate) static METHODS: &[Builtin] = &[
    async_method(
        "Channel",
        "Channel.send_async",
        &[req("value")],
        "A future that completes with nil once the channel has taken value: at once when a receiver waits or there is room, else when a receiver makes room. On a closed channel (or one closed while the send waits) it fails with ChannelClosed and value is not delivered. Cancelling the future withdraws the value.",
    ),
    async_method(
        "Channel",
        "Channel.recv_async",
        &[],
        "A future of the next value, or of nil once the channel is closed and every value sent before has been received. Receivers get values in the order they asked. Cancelling the future (`.cancel`, `gene/timeout`) loses no value: a future nothing can read any more gets none.",
    ),
    async_method(
        "Channel",
        "Channel.next",
        &[],
        "The async-iteration step `for await` calls: a future of `{^value v ^done false}`, or `{^done true}` once the channel is closed and drained (so a nil sent through the channel is still a value).",
    ),
    m(
        "Channel",
        "Channel.try_send",
        &[req("value")],
        "Hands value over without waiting: true when the channel took it, false when it is full (always, for a rendezvous with no receiver waiting). Throws ChannelClosed on a closed channel.",
    ),
    m(
        "Channel",
        "Channel.try_recv",
        &[],
        "The next value without waiting, or nil when none is there.",
    ),
    m(
        "Channel",
        "Channel.close",
        &[],
        "Closes the channel: sends fail with ChannelClosed from then on, senders waiting fail the same way; receivers get the values left, then nil (`for await` ends). Closing again does nothing. Gives nil.",
    ),
    m(
        "Channel",
        "Channel.is_closed",
        &[],
        "Whether the channel was closed.",
    ),
    m(
        "Channel",
        "Channel.size",
        &[],
        "The number of values waiting in the channel to be received (not counting waiting senders').",
    ),
    async_method(
        "Semaphore",
        "Semaphore.acquire_async",
        &[],
        "A future that completes with nil once the task holds a permit: at once when one is free, else when one is released to it. Cancelling the future while it waits gives up the place in the queue.",
    ),
    m(
        "Semaphore",
        "Semaphore.release",
        &[],
        "Gives a permit back: to the first waiting task, else to the count (releasing more than was acquired raises the count, as Python's Semaphore does). Gives nil.",
    ),
    m(
        "Semaphore",
        "Semaphore.available",
        &[],
        "The number of free permits.",
    ),
    async_method(
        "Semaphore",
        "Semaphore.with_async",
        &[req("f")],
        "Acquires a permit, calls f (awaiting the future it gives) and releases the permit whatever happens: f throws, its future fails, or this future is cancelled or times out (then f's future is cancelled, and its clean-up runs, before the release). A future of f's value.",
    ),
    async_method(
        "Lock",
        "Lock.lock_async",
        &[],
        "A future that completes with nil once the running task holds the lock: at once when it is free, else when it is handed over. A task locking a lock it holds waits forever (a DeadlockError when nothing else can run).",
    ),
    m(
        "Lock",
        "Lock.unlock",
        &[],
        "Releases the lock, handing it to the first waiting task. Only the task that locked it may unlock it (for an async generator's body, the generator): otherwise a LockError. Gives nil.",
    ),
    m(
        "Lock",
        "Lock.is_locked",
        &[],
        "Whether some task holds the lock.",
    ),
    async_method(
        "Lock",
        "Lock.with_async",
        &[req("f")],
        "Locks, calls f (awaiting the future it gives) and unlocks whatever happens: f throws, its future fails, or this future is cancelled or times out (then f's future is cancelled, and its clean-up runs, before the unlock). A future of f's value.",
    ),
    m(
        "Event",
        "Event.set",
        &[],
        "Sets the event: every waiting task goes on (in the order they came), and later waits complete at once until `.clear`. Gives nil.",
    ),
    m(
        "Event",
        "Event.clear",
        &[],
        "Resets the event, so that `.wait_async` waits again. Gives nil.",
    ),
    m("Event", "Event.is_set", &[], "Whether the event is set."),
    async_method(
        "Event",
        "Event.wait_async",
        &[],
        "A future that completes with nil once the event is set (at once if it is).",
    ),
];
