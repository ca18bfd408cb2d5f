//! `gene run --timeline FILE`: what every task did and when, in the Chrome Trace Event format
//! (JSON; Perfetto UI and chrome://tracing open it).
//!
//! One track (a `tid`) per task, named `task 3 worker`; track 0 is the runtime (timers and
//! I/O completing). On a task's track: a slice for each time it ran, and between them a slice
//! for each `await` it parked in, labelled with the await site and what it waited for. Flow
//! arrows go from a task to the tasks it started and from whatever woke a task (another task
//! settling a future, a completion) to the slice where it runs next. Failures and
//! cancellations are instant events on the failing task's track.
//!
//! Recording is cheap because it happens on every task switch: an event is a fixed-size record
//! (kind, track, a raw tick count, a duration or arrow id, and the index of an interned label)
//! pushed into a preallocated buffer. Labels are made once per distinct thing: a task's name
//! once per function, an await's label once per await site and kind of thing awaited (keyed
//! by pointers to code kept alive here, so a key is never reused). When the buffer is full it
//! goes to a thread of its own that formats its events as JSON and writes them to the file
//! (at most two buffers in flight: memory stays bounded on long runs, and the program does
//! not wait for the formatting).
//! Nothing here runs unless the flag was given: the scheduler's hooks test `Vm::timeline` and
//! go on.

mod json;

use std::io::{self, Write};
use std::rc::Rc;
use std::time::Instant;

use rustc_hash::FxHashMap;

use super::clock::{TickRate, ticks};
use super::code::Code;
use super::sched::OpTarget;
use super::tasks::{awaited_future, task_site};
use super::{Task, Vm};
use crate::value::Closure;
use crate::value::future::Producer;
use json::{CHUNKS_IN_FLIGHT, Chunk, Sink};

/// The track of the runtime (completions from the reactor).
const RUNTIME_TRACK: u64 = 0;

/// Events kept before they are formatted and written (32 bytes each: 2 MiB).
const CHUNK: usize = 1 << 16;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// A turn of a task (`X`, named by its track).
    Run,
    /// An await (`X`, named by its label).
    Await,
    /// A completion on the runtime's track (`X` of 1 µs: a flow starts inside a slice).
    Completion,
    /// The start (`s`) of a flow arrow, named by its label (`start`, `wake`).
    FlowStart,
    /// The end (`f`) of a flow arrow, named by its track.
    FlowEnd,
    /// An instant event (`i`): a failure or a cancellation.
    Instant,
}

#[derive(Clone, Copy)]
struct Event {
    track: u64,
    /// Ticks of [`ticks`].
    ts: u64,
    /// A slice's duration in ticks, or an arrow's id.
    arg: u64,
    /// For `Run` and `FlowEnd` the task's name, else the event's name.
    label: u32,
    kind: Kind,
}

/// What an await waits on, as far as its label goes (a timer's remaining time is not part of
/// it: the slice's length shows it).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum On {
    Task(Option<u64>),
    Sleep,
    FutureTimeout(u64),
    AwaitTimeout,
    OpGone,
    /// A hand-made future: the code and op that made it (0, 0: unknown).
    Made(usize, u32),
}

/// An await's label is a function of this.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct AwaitKey {
    code: usize,
    ip: u32,
    on: On,
    more: usize,
}

/// Labels, JSON-escaped (without the quotes), each made once.
#[derive(Default)]
struct Labels {
    text: Vec<Box<str>>,
    by_text: FxHashMap<Box<str>, u32>,
    /// Task names by the code of their first frame.
    by_code: FxHashMap<usize, u32>,
    by_await: FxHashMap<AwaitKey, u32>,
    /// The code the keys above point at, kept alive so no other code takes its address.
    keep: Vec<Rc<Code>>,
}

impl Labels {
    fn intern(&mut self, text: &str) -> u32 {
        if let Some(&i) = self.by_text.get(text) {
            return i;
        }
        let quoted = serde_json::to_string(text).unwrap_or_else(|_| "\"?\"".to_string());
        let escaped = &quoted[1..quoted.len().saturating_sub(1).max(1)];
        let i = self.text.len() as u32;
        self.text.push(escaped.into());
        self.by_text.insert(text.into(), i);
        i
    }
}

/// What is open for a task until it runs next: the await it parked in, the arrows to it.
#[derive(Default)]
struct Pending {
    wait: Option<(u64, u32)>,
    /// The first arrow's id (ids start at 1; 0: none), kept inline: most tasks have one.
    arrow: u64,
    more_arrows: Vec<u64>,
}

impl Pending {
    fn add_arrow(&mut self, id: u64) {
        if self.arrow == 0 {
            self.arrow = id;
        } else {
            self.more_arrows.push(id);
        }
    }
}

/// The events of one run.
pub struct Timeline {
    start: Instant,
    start_ticks: u64,
    events: Vec<Event>,
    /// How many events are kept before they are written ([`CHUNK`]).
    chunk: usize,
    labels: Labels,
    /// Tracks first seen since the last write (their names go out with the next chunk).
    new_tracks: Vec<(u64, u32)>,
    /// The name label of each live task's track.
    names: FxHashMap<u64, u32>,
    pending: FxHashMap<u64, Pending>,
    next_arrow: u64,
    /// The turn in progress: which task, since when, its name label.
    running: Option<(u64, u64, u32)>,
    label_start: u32,
    label_wake: u32,
    label_completion: u32,
    label_await: u32,
    label_cancelled: u32,
    /// Labels already handed to the writer.
    labels_sent: usize,
    /// Fixed at the first chunk (measured over the run so far) so all chunks agree.
    rate: Option<TickRate>,
    to_writer: Option<std::sync::mpsc::SyncSender<Chunk>>,
    /// Buffers the writer is done with, to be filled again.
    spent: std::sync::mpsc::Receiver<Vec<Event>>,
    writer: Option<std::thread::JoinHandle<io::Result<()>>>,
}

impl Timeline {
    /// A recording written to `out` as it goes (in chunks) and at the end ([`Timeline::finish`]).
    pub fn new(out: Box<dyn Write + Send>) -> Timeline {
        Timeline::with_chunk(out, CHUNK)
    }

    fn with_chunk(out: Box<dyn Write + Send>, chunk: usize) -> Timeline {
        let chunk = chunk.max(1);
        let mut labels = Labels::default();
        let runtime = labels.intern("runtime (timers, I/O)");
        let start_ticks = ticks();
        let (to_writer, chunks) = std::sync::mpsc::sync_channel::<Chunk>(CHUNKS_IN_FLIGHT);
        let (give_back, spent) = std::sync::mpsc::channel();
        let mut sink = Sink {
            out,
            buf: Vec::with_capacity(chunk * 128),
            labels: Vec::new(),
            start_ticks,
            first: true,
            error: None,
        };
        let writer = std::thread::Builder::new()
            .name("gene timeline".to_string())
            .spawn(move || {
                sink.buf
                    .extend_from_slice(b"{\"displayTimeUnit\":\"ms\",\"traceEvents\":[");
                for mut chunk in chunks {
                    sink.write_chunk(&mut chunk);
                    let _ = give_back.send(chunk.events);
                }
                sink.buf.extend_from_slice(b"]}\n");
                sink.flush_buf();
                match sink.error.take() {
                    Some(e) => Err(e),
                    None => sink.out.flush(),
                }
            });
        let (to_writer, writer) = match writer {
            Ok(handle) => (Some(to_writer), Some(handle)),
            Err(_) => (None, None),
        };
        Timeline {
            start: Instant::now(),
            start_ticks,
            events: Vec::with_capacity(chunk),
            chunk,
            label_start: labels.intern("start"),
            label_wake: labels.intern("wake"),
            label_completion: labels.intern("completion"),
            label_await: labels.intern("await"),
            label_cancelled: labels.intern("cancelled"),
            labels,
            new_tracks: vec![(RUNTIME_TRACK, runtime)],
            names: FxHashMap::default(),
            pending: FxHashMap::default(),
            next_arrow: 0,
            running: None,
            labels_sent: 0,
            rate: None,
            to_writer,
            spent,
            writer,
        }
    }

    #[inline]
    fn push(&mut self, event: Event) {
        self.events.push(event);
        if self.events.len() >= self.chunk {
            self.write_chunk();
        }
    }

    fn arrow(&mut self, from: u64, to: u64, label: u32) {
        self.next_arrow += 1;
        let id = self.next_arrow;
        let ts = ticks();
        if from == RUNTIME_TRACK {
            let completion = self.label_completion;
            self.push(Event {
                track: from,
                ts,
                arg: 0,
                label: completion,
                kind: Kind::Completion,
            });
        }
        self.push(Event {
            track: from,
            ts,
            arg: id,
            label,
            kind: Kind::FlowStart,
        });
        self.pending.entry(to).or_default().add_arrow(id);
    }

    /// Hands the buffered events (with the labels and tracks seen since the last time) to the
    /// writer.
    fn write_chunk(&mut self) {
        let rate = *self
            .rate
            .get_or_insert_with(|| TickRate::since(self.start, self.start_ticks));
        let fresh = self.spent.try_recv().unwrap_or_default();
        let mut fresh = fresh;
        fresh.clear();
        if fresh.capacity() < self.chunk {
            fresh.reserve(self.chunk);
        }
        let chunk = Chunk {
            events: std::mem::replace(&mut self.events, fresh),
            new_labels: self.labels.text[self.labels_sent..].to_vec(),
            new_tracks: std::mem::take(&mut self.new_tracks),
            rate,
        };
        self.labels_sent = self.labels.text.len();
        if let Some(to_writer) = &self.to_writer {
            // A writer that is gone (it failed) says why at the end.
            let _ = to_writer.send(chunk);
        }
    }

    /// Ends the recording: awaits still open (a deadlock, a program stopped) end now; the rest
    /// is written and the file closed. Reports the first write error of the whole run.
    pub fn finish(mut self) -> io::Result<()> {
        let end = ticks();
        let mut open: Vec<(u64, u64, u32)> = self
            .pending
            .iter()
            .filter_map(|(&track, p)| p.wait.map(|(ts, label)| (track, ts, label)))
            .collect();
        open.sort_unstable();
        for (track, ts, label) in open {
            self.push(Event {
                track,
                ts,
                arg: end.saturating_sub(ts),
                label,
                kind: Kind::Await,
            });
        }
        self.write_chunk();
        self.to_writer = None;
        match self.writer.take().map(std::thread::JoinHandle::join) {
            Some(Ok(written)) => written,
            Some(Err(_)) => Err(io::Error::other("the timeline's writer failed")),
            None => Err(io::Error::other("the timeline's writer could not start")),
        }
    }
}

/// The scheduler's hooks. Each is called only when `vm.timeline` is set.
impl Vm {
    /// The running task is about to run: the await it parked in ends, the arrows to it land.
    #[cold]
    pub(super) fn timeline_run_begins(&mut self) {
        let serial = self.task.meta.serial;
        let name = self.timeline_name(serial);
        let Some(tl) = self.timeline.as_deref_mut() else {
            return;
        };
        let ts = ticks();
        if let Some(pending) = tl.pending.remove(&serial) {
            if let Some((since, label)) = pending.wait {
                tl.push(Event {
                    track: serial,
                    ts: since,
                    arg: ts.saturating_sub(since),
                    label,
                    kind: Kind::Await,
                });
            }
            let first = (pending.arrow != 0).then_some(pending.arrow);
            for id in first.into_iter().chain(pending.more_arrows) {
                tl.push(Event {
                    track: serial,
                    ts,
                    arg: id,
                    label: name,
                    kind: Kind::FlowEnd,
                });
            }
        }
        tl.running = Some((serial, ts, name));
    }

    /// The running task left the loop (it parked, yielded, ended or threw).
    #[cold]
    pub(super) fn timeline_run_ends(&mut self) {
        let serial = self.task.meta.serial;
        let Some(tl) = self.timeline.as_deref_mut() else {
            return;
        };
        let Some((running, since, name)) = tl.running.take() else {
            return;
        };
        if running != serial {
            return;
        }
        tl.push(Event {
            track: serial,
            ts: since,
            arg: ticks().saturating_sub(since),
            label: name,
            kind: Kind::Run,
        });
    }

    /// The running task parks in an await: the span starts, labelled with where and on what.
    #[cold]
    pub(super) fn timeline_wait_begins(&mut self) {
        let label = self.timeline_await_label();
        let serial = self.task.meta.serial;
        if let Some(tl) = self.timeline.as_deref_mut() {
            tl.pending.entry(serial).or_default().wait = Some((ticks(), label));
        }
    }

    /// A task starts (`child` is its serial): an arrow from the task that started it.
    #[cold]
    pub(super) fn timeline_task_started(&mut self, child: u64) {
        let from = self.running_track();
        if let Some(tl) = self.timeline.as_deref_mut() {
            let label = tl.label_start;
            tl.arrow(from, child, label);
        }
    }

    /// A parked task was woken: an arrow from whoever woke it.
    #[cold]
    pub(super) fn timeline_woken(&mut self, serial: u64) {
        let from = self.running_track();
        if let Some(tl) = self.timeline.as_deref_mut() {
            let label = tl.label_wake;
            tl.arrow(from, serial, label);
        }
    }

    /// The running task ended with an exception: failed, or cancelled.
    #[cold]
    pub(super) fn timeline_task_failed(&mut self, what: String, cancelled: bool) {
        let serial = self.task.meta.serial;
        if let Some(tl) = self.timeline.as_deref_mut() {
            let label = if cancelled {
                tl.label_cancelled
            } else {
                tl.labels.intern(&format!("failed: {what}"))
            };
            tl.push(Event {
                track: serial,
                ts: ticks(),
                arg: 0,
                label,
                kind: Kind::Instant,
            });
        }
    }

    /// The running task ended: its name is no longer needed.
    #[cold]
    pub(super) fn timeline_task_ended(&mut self) {
        let serial = self.task.meta.serial;
        if let Some(tl) = self.timeline.as_deref_mut() {
            tl.names.remove(&serial);
        }
    }

    /// The track of the code running now: its task's, or the runtime's between tasks.
    fn running_track(&self) -> u64 {
        if self.task.frames.is_empty() {
            RUNTIME_TRACK
        } else {
            self.task.meta.serial
        }
    }

    /// The label of the running task's name (one per function), its track named the first
    /// time it runs.
    fn timeline_name(&mut self, serial: u64) -> u32 {
        let Some(tl) = self.timeline.as_deref() else {
            return 0;
        };
        if let Some(&name) = tl.names.get(&serial) {
            return name;
        }
        let key = name_key(&self.task, self.callback_entry.as_ref());
        let known = key.and_then(|code| tl.labels.by_code.get(&code).copied());
        let label = match known {
            Some(label) => label,
            None => {
                let text = self.task_name(&self.task);
                let Some(tl) = self.timeline.as_deref_mut() else {
                    return 0;
                };
                let label = tl.labels.intern(&text);
                if let (Some(code), Some(first)) = (key, self.task.frames.first()) {
                    tl.labels.by_code.insert(code, label);
                    tl.labels.keep.push(first.closure.code.clone());
                }
                label
            }
        };
        if let Some(tl) = self.timeline.as_deref_mut() {
            tl.names.insert(serial, label);
            tl.new_tracks.push((serial, label));
        }
        label
    }

    /// The label of the running task's await: `await at FILE:LINE:COL on WHAT`.
    fn timeline_await_label(&mut self) -> u32 {
        let key = self.await_key();
        if let (Some(key), Some(tl)) = (&key, self.timeline.as_deref())
            && let Some(&label) = tl.labels.by_await.get(key)
        {
            return label;
        }
        let text = task_site(&self.task)
            .map(|site| format!("await at {site} on {}", self.waited_for(&self.task, false)));
        let keep = self.await_key_code();
        let Some(tl) = self.timeline.as_deref_mut() else {
            return 0;
        };
        let Some(text) = text else {
            return tl.label_await;
        };
        let label = tl.labels.intern(&text);
        if let Some(key) = key {
            tl.labels.by_await.insert(key, label);
            tl.labels.keep.extend(keep);
        }
        label
    }

    /// What the running task's await label depends on; `None` for awaits labelled anew each
    /// time (file I/O, jobs: their paths and calls differ).
    fn await_key(&self) -> Option<AwaitKey> {
        let task = &self.task;
        if task.meta.idle_waiter {
            return None;
        }
        let frame = task.frames.last()?;
        let (future, more) = awaited_future(task)?;
        let on = match &*future.producer.borrow() {
            Producer::Task(slot) => On::Task(self.serial_of_slot(*slot)),
            Producer::Op(op) => match self.sched.ops.get(op).map(|entry| &entry.target) {
                Some(OpTarget::Sleep(_)) => On::Sleep,
                Some(OpTarget::FutureTimeout { ms, .. }) => On::FutureTimeout(ms.to_bits()),
                Some(OpTarget::AwaitTimeout { .. }) => On::AwaitTimeout,
                Some(_) => return None,
                None => On::OpGone,
            },
            Producer::Manual => match &future.origin {
                Some(origin) => On::Made(Rc::as_ptr(&origin.code) as usize, origin.ip),
                None => On::Made(0, 0),
            },
            Producer::Adopts(_) => return None,
        };
        Some(AwaitKey {
            code: Rc::as_ptr(&frame.closure.code) as usize,
            ip: frame.ip,
            on,
            more,
        })
    }

    /// The code an [`AwaitKey`] points at: the await's, and the one that made the future.
    fn await_key_code(&self) -> Vec<Rc<Code>> {
        let mut keep = Vec::new();
        if let Some(frame) = self.task.frames.last() {
            keep.push(frame.closure.code.clone());
        }
        if let Some(origin) =
            awaited_future(&self.task).and_then(|(future, _)| future.origin.clone())
        {
            keep.push(origin.code);
        }
        keep
    }

    /// Starts recording (`gene run --timeline`), written to `out` in chunks as the run goes.
    pub fn start_timeline(&mut self, out: Box<dyn Write + Send>) {
        self.timeline = Some(Box::new(Timeline::new(out)));
    }

    /// The recording, taken to be finished ([`Timeline::finish`]).
    pub fn take_timeline(&mut self) -> Option<Box<Timeline>> {
        self.timeline.take()
    }
}

/// A task's name is a function of its first frame's code, except for the main program and
/// callbacks (named by the function called back): that code's address, or `None`.
fn name_key(task: &Task, callback_entry: Option<&Rc<Closure>>) -> Option<usize> {
    task.meta.future.as_ref()?;
    let first = task.frames.first()?;
    if callback_entry.is_some_and(|entry| Rc::ptr_eq(entry, &first.closure)) {
        return None;
    }
    Some(Rc::as_ptr(&first.closure.code) as usize)
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::CaptureOutput;

    /// A file that can be read back after the VM is done with it.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// Runs `src` recording a timeline that is written every `chunk` events; gives the trace.
    fn trace(src: &str, chunk: usize) -> serde_json::Value {
        let file = Shared::default();
        let mut vm = Vm::new(Box::new(CaptureOutput::new()));
        vm.timeline = Some(Box::new(Timeline::with_chunk(
            Box::new(file.clone()),
            chunk,
        )));
        let _ = vm.run_source("t.gene", src.to_string());
        let timeline = vm.take_timeline().expect("recording");
        timeline.finish().expect("written");
        let text = String::from_utf8(file.0.lock().unwrap().clone()).expect("UTF-8");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
    }

    const PING_PONG: &str = r#"(var ping (new gene/Channel))
(var pong (new gene/Channel))
(fn ^^async echo []
  (loop
    (var v (await (ping .recv_async)))
    (if (v == nil) (return nil))
    (await (pong .send_async v))))
(var e (echo))
(var i 0)
(while (i < 20)
  (await (ping .send_async i))
  (await (pong .recv_async))
  (i += 1))
(ping .close)
(await e)
(fn ^^async fails [] (await (gene/sleep_async 1)) (throw "no"))
(try (await (fails)) catch * nil)
"#;

    #[test]
    fn a_trace_written_in_small_chunks_has_every_event_of_one_written_at_the_end() {
        let whole = trace(PING_PONG, CHUNK);
        let chunked = trace(PING_PONG, 3);
        let events = |t: &serde_json::Value| -> Vec<(String, String, u64, String)> {
            let mut out: Vec<_> = t["traceEvents"]
                .as_array()
                .expect("traceEvents")
                .iter()
                .map(|e| {
                    (
                        e["ph"].as_str().unwrap_or("").to_string(),
                        e["cat"].as_str().unwrap_or("").to_string(),
                        e["tid"].as_u64().unwrap_or(u64::MAX),
                        e["name"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect();
            out.sort();
            out
        };
        let (whole, chunked) = (events(&whole), events(&chunked));
        assert_eq!(whole, chunked);
        // Both tasks ran many turns and awaited at their sites on what they waited for.
        let count = |ph: &str, cat: &str| whole.iter().filter(|e| e.0 == ph && e.1 == cat).count();
        assert!(count("X", "run") > 40, "{whole:?}");
        assert!(
            whole
                .iter()
                .any(|e| e.1 == "await" && e.3.starts_with("await at t.gene:5:12 on ")),
            "{whole:?}"
        );
        assert_eq!(count("s", "flow"), count("f", "flow"), "every arrow lands");
        assert!(
            whole
                .iter()
                .any(|e| e.0 == "i" && e.3 == "failed: Gene exception: \"no\""),
            "{whole:?}"
        );
        let names: Vec<&str> = whole
            .iter()
            .filter(|e| e.0 == "M")
            .map(|e| e.3.as_str())
            .collect();
        assert_eq!(names.iter().filter(|n| **n == "thread_name").count(), 4);
    }

    #[test]
    fn timestamps_and_durations_are_microseconds_in_order() {
        let t = trace(
            "(fn ^^async w [] (await (gene/sleep_async 20)))\n(await (w))\n",
            CHUNK,
        );
        let events = t["traceEvents"].as_array().expect("traceEvents");
        let slept = events
            .iter()
            .find(|e| {
                e["cat"] == "await" && e["name"].as_str().is_some_and(|n| n.contains("sleep"))
            })
            .expect("the sleep's await");
        let dur = slept["dur"].as_f64().expect("dur");
        assert!((15_000.0..5_000_000.0).contains(&dur), "{dur} us");
        let ts: Vec<f64> = events.iter().filter_map(|e| e["ts"].as_f64()).collect();
        assert!(ts.iter().all(|&t| t >= 0.0), "{ts:?}");
    }
}
