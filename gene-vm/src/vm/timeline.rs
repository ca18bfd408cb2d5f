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
//! Events are kept as small records and written once at the end. Nothing here runs unless the
//! flag was given: the scheduler's hooks test `Vm::timeline` and go on.

use std::io::{self, Write};
use std::rc::Rc;
use std::time::Instant;

use rustc_hash::FxHashMap;

use super::Vm;

/// The track of the runtime (completions from the reactor).
const RUNTIME_TRACK: u64 = 0;

enum Kind {
    /// A complete slice (`X`) of `dur` microseconds.
    Slice {
        dur: f64,
    },
    /// The start (`s`) or end (`f`) of a flow arrow.
    FlowStart {
        id: u64,
    },
    FlowEnd {
        id: u64,
    },
    /// An instant event (`i`).
    Instant,
}

struct Event {
    kind: Kind,
    track: u64,
    /// Microseconds since the timeline began.
    ts: f64,
    name: Rc<str>,
    cat: &'static str,
}

/// The events of one run.
pub struct Timeline {
    start: Instant,
    events: Vec<Event>,
    /// Track names, in the order tasks were first seen.
    tracks: Vec<(u64, Rc<str>)>,
    names: FxHashMap<u64, Rc<str>>,
    /// Parked tasks: since when, and the label of their await.
    waits: FxHashMap<u64, (f64, Rc<str>)>,
    /// Flow arrows that end where the task runs next.
    arrows_in: FxHashMap<u64, Vec<u64>>,
    next_arrow: u64,
    /// The slice in progress: which task, since when.
    running: Option<(u64, f64)>,
}

impl Default for Timeline {
    fn default() -> Timeline {
        Timeline::new()
    }
}

impl Timeline {
    pub fn new() -> Timeline {
        Timeline {
            start: Instant::now(),
            events: Vec::new(),
            tracks: vec![(RUNTIME_TRACK, Rc::from("runtime (timers, I/O)"))],
            names: FxHashMap::default(),
            waits: FxHashMap::default(),
            arrows_in: FxHashMap::default(),
            next_arrow: 0,
            running: None,
        }
    }

    fn now(&self) -> f64 {
        self.start.elapsed().as_nanos() as f64 / 1000.0
    }

    fn arrow(&mut self, from: u64, to: u64, name: &'static str) {
        self.next_arrow += 1;
        let id = self.next_arrow;
        let ts = self.now();
        if from == RUNTIME_TRACK {
            // A flow starts inside a slice: a short one on the runtime's track.
            self.events.push(Event {
                kind: Kind::Slice { dur: 1.0 },
                track: from,
                ts,
                name: Rc::from("completion"),
                cat: "runtime",
            });
        }
        self.events.push(Event {
            kind: Kind::FlowStart { id },
            track: from,
            ts,
            name: Rc::from(name),
            cat: "flow",
        });
        self.arrows_in.entry(to).or_default().push(id);
    }

    /// Writes the trace: `{"traceEvents": [...]}`. Awaits still open (a deadlock, a program
    /// stopped) end at the time of writing.
    pub fn write_json(&self, w: &mut dyn Write) -> io::Result<()> {
        let end = self.now();
        let mut w = io::BufWriter::new(w);
        write!(w, "{{\"displayTimeUnit\":\"ms\",\"traceEvents\":[")?;
        let mut first = true;
        let mut sep = |w: &mut io::BufWriter<&mut dyn Write>| -> io::Result<()> {
            if !std::mem::take(&mut first) {
                w.write_all(b",\n")?;
            }
            Ok(())
        };
        for (track, name) in &self.tracks {
            sep(&mut w)?;
            write!(
                w,
                "{{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":{track},\"args\":{{\"name\":{}}}}}",
                json_str(name)
            )?;
            sep(&mut w)?;
            write!(
                w,
                "{{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":1,\"tid\":{track},\"args\":{{\"sort_index\":{track}}}}}"
            )?;
        }
        let open_waits = self.waits.iter().map(|(track, (ts, name))| Event {
            kind: Kind::Slice { dur: end - ts },
            track: *track,
            ts: *ts,
            name: name.clone(),
            cat: "await",
        });
        let open: Vec<Event> = open_waits.collect();
        for e in self.events.iter().chain(open.iter()) {
            sep(&mut w)?;
            let head = format!(
                "\"pid\":1,\"tid\":{},\"ts\":{:.3},\"name\":{},\"cat\":\"{}\"",
                e.track,
                e.ts,
                json_str(&e.name),
                e.cat
            );
            match e.kind {
                Kind::Slice { dur } => write!(w, "{{\"ph\":\"X\",{head},\"dur\":{dur:.3}}}")?,
                Kind::FlowStart { id } => write!(w, "{{\"ph\":\"s\",{head},\"id\":{id}}}")?,
                Kind::FlowEnd { id } => {
                    write!(w, "{{\"ph\":\"f\",\"bp\":\"e\",{head},\"id\":{id}}}")?
                }
                Kind::Instant => write!(w, "{{\"ph\":\"i\",\"s\":\"t\",{head}}}")?,
            }
        }
        writeln!(w, "]}}")?;
        w.flush()
    }
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"?\"".to_string())
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
        let ts = tl.now();
        if let Some((since, label)) = tl.waits.remove(&serial) {
            tl.events.push(Event {
                kind: Kind::Slice { dur: ts - since },
                track: serial,
                ts: since,
                name: label,
                cat: "await",
            });
        }
        if let Some(arrows) = tl.arrows_in.remove(&serial) {
            for id in arrows {
                tl.events.push(Event {
                    kind: Kind::FlowEnd { id },
                    track: serial,
                    ts,
                    name: name.clone(),
                    cat: "flow",
                });
            }
        }
        tl.running = Some((serial, ts));
    }

    /// The running task left the loop (it parked, yielded, ended or threw).
    #[cold]
    pub(super) fn timeline_run_ends(&mut self) {
        let serial = self.task.meta.serial;
        let name = self.timeline_name(serial);
        let Some(tl) = self.timeline.as_deref_mut() else {
            return;
        };
        let Some((running, since)) = tl.running.take() else {
            return;
        };
        if running != serial {
            return;
        }
        let ts = tl.now();
        tl.events.push(Event {
            kind: Kind::Slice { dur: ts - since },
            track: serial,
            ts: since,
            name,
            cat: "run",
        });
    }

    /// The running task parks in an await: the span starts, labelled with where and on what.
    #[cold]
    pub(super) fn timeline_wait_begins(&mut self) {
        let info = self.task_info_running_as_waiting();
        let label = match (&info.site, &info.waiting_on) {
            (Some(site), Some(on)) => format!("await at {site} on {on}"),
            (Some(site), None) => format!("await at {site}"),
            _ => "await".to_string(),
        };
        let serial = self.task.meta.serial;
        if let Some(tl) = self.timeline.as_deref_mut() {
            let ts = tl.now();
            tl.waits.insert(serial, (ts, Rc::from(label)));
        }
    }

    /// A task starts (`child` is its serial): an arrow from the task that started it.
    #[cold]
    pub(super) fn timeline_task_started(&mut self, child: u64) {
        let from = self.running_track();
        if let Some(tl) = self.timeline.as_deref_mut() {
            tl.arrow(from, child, "start");
        }
    }

    /// A parked task was woken: an arrow from whoever woke it.
    #[cold]
    pub(super) fn timeline_woken(&mut self, serial: u64) {
        let from = self.running_track();
        if let Some(tl) = self.timeline.as_deref_mut() {
            tl.arrow(from, serial, "wake");
        }
    }

    /// The running task ended with an exception: failed, or cancelled.
    #[cold]
    pub(super) fn timeline_task_failed(&mut self, what: String, cancelled: bool) {
        let serial = self.task.meta.serial;
        if let Some(tl) = self.timeline.as_deref_mut() {
            let ts = tl.now();
            let name = if cancelled {
                "cancelled".to_string()
            } else {
                format!("failed: {what}")
            };
            tl.events.push(Event {
                kind: Kind::Instant,
                track: serial,
                ts,
                name: Rc::from(name),
                cat: if cancelled { "cancel" } else { "failure" },
            });
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

    /// The name of a task's track, made once.
    fn timeline_name(&mut self, serial: u64) -> Rc<str> {
        if let Some(name) = self.timeline.as_ref().and_then(|tl| tl.names.get(&serial)) {
            return name.clone();
        }
        let name: Rc<str> = Rc::from(format!("task {serial} {}", self.task_name_of_running()));
        if let Some(tl) = self.timeline.as_deref_mut() {
            tl.names.insert(serial, name.clone());
            tl.tracks.push((serial, name.clone()));
        }
        name
    }

    /// Starts recording (`gene run --timeline`).
    pub fn start_timeline(&mut self) {
        self.timeline = Some(Box::new(Timeline::new()));
    }

    /// The recording so far, taken (to be written).
    pub fn take_timeline(&mut self) -> Option<Box<Timeline>> {
        self.timeline.take()
    }
}
