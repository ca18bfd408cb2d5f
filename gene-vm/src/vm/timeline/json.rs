//! The timeline's writer: full buffers of events, with the labels and tracks that appeared
//! since the last one, formatted as Chrome Trace Event JSON on a thread of its own.

use std::io::{self, Write};

use super::super::clock::TickRate;
use super::{Event, Kind, RUNTIME_TRACK};

/// What the recording hands to the thread that writes the file: a full buffer of events, the
/// labels and tracks that appeared since the last one.
pub(super) struct Chunk {
    pub(super) events: Vec<Event>,
    pub(super) new_labels: Vec<Box<str>>,
    pub(super) new_tracks: Vec<(u64, u32)>,
    pub(super) rate: TickRate,
}

/// Formats events as JSON and writes them out, on a thread of its own so the program does not
/// wait for it.
pub(super) struct Sink {
    pub(super) out: Box<dyn Write + Send>,
    pub(super) buf: Vec<u8>,
    /// Every label so far, JSON-escaped, by index.
    pub(super) labels: Vec<Box<str>>,
    pub(super) start_ticks: u64,
    /// Nothing written yet: no comma before the next event.
    pub(super) first: bool,
    pub(super) error: Option<io::Error>,
}

/// Chunks in flight to the writer at most; a program that records faster than the file is
/// written waits (memory stays bounded).
pub(super) const CHUNKS_IN_FLIGHT: usize = 2;

impl Sink {
    pub(super) fn write_chunk(&mut self, chunk: &mut Chunk) {
        let mut labels = std::mem::take(&mut self.labels);
        labels.append(&mut chunk.new_labels);
        let label = |i: u32| labels.get(i as usize).map_or("?", |l| &**l);
        for &(track, name) in &chunk.new_tracks {
            self.track_names(track, label(name));
        }
        for e in &chunk.events {
            self.event(e, chunk.rate, label(e.label));
        }
        self.labels = labels;
        self.flush_buf();
    }

    fn comma(&mut self) {
        if !std::mem::take(&mut self.first) {
            self.buf.extend_from_slice(b",\n");
        }
    }

    fn int(&mut self, n: u64) {
        self.buf
            .extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    }

    /// Microseconds with three decimals.
    fn micros(&mut self, ns: u64) {
        self.int(ns / 1000);
        let frac = (ns % 1000) as usize;
        let digits = [
            b'.',
            b'0' + (frac / 100) as u8,
            b'0' + (frac / 10 % 10) as u8,
            b'0' + (frac % 10) as u8,
        ];
        self.buf.extend_from_slice(&digits);
    }

    fn track_names(&mut self, track: u64, name: &str) {
        self.comma();
        self.buf
            .extend_from_slice(b"{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":");
        self.int(track);
        self.buf.extend_from_slice(b",\"args\":{\"name\":\"");
        self.name(track, name);
        self.buf.extend_from_slice(b"\"}}");
        self.comma();
        self.buf
            .extend_from_slice(b"{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":1,\"tid\":");
        self.int(track);
        self.buf.extend_from_slice(b",\"args\":{\"sort_index\":");
        self.int(track);
        self.buf.extend_from_slice(b"}}");
    }

    /// A track's name: `task 3 worker` (the runtime's is its label).
    fn name(&mut self, track: u64, name: &str) {
        if track != RUNTIME_TRACK {
            self.buf.extend_from_slice(b"task ");
            self.int(track);
            self.buf.push(b' ');
        }
        self.buf.extend_from_slice(name.as_bytes());
    }

    fn event(&mut self, e: &Event, rate: TickRate, label: &str) {
        self.buf.reserve(192 + label.len());
        self.comma();
        let ph: &[u8] = match e.kind {
            Kind::Run | Kind::Await | Kind::Completion => b"{\"ph\":\"X\",\"pid\":1,\"tid\":",
            Kind::FlowStart => b"{\"ph\":\"s\",\"pid\":1,\"tid\":",
            Kind::FlowEnd => b"{\"ph\":\"f\",\"bp\":\"e\",\"pid\":1,\"tid\":",
            Kind::Instant => b"{\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":",
        };
        self.buf.extend_from_slice(ph);
        self.int(e.track);
        self.buf.extend_from_slice(b",\"ts\":");
        self.micros(rate.nanos(e.ts.saturating_sub(self.start_ticks)));
        self.buf.extend_from_slice(b",\"name\":\"");
        match e.kind {
            Kind::Run | Kind::FlowEnd => self.name(e.track, label),
            _ => self.buf.extend_from_slice(label.as_bytes()),
        }
        let cat: &[u8] = match e.kind {
            Kind::Run => b"\",\"cat\":\"run\"",
            Kind::Await => b"\",\"cat\":\"await\"",
            Kind::Completion => b"\",\"cat\":\"runtime\"",
            Kind::FlowStart | Kind::FlowEnd => b"\",\"cat\":\"flow\"",
            Kind::Instant if label == "cancelled" => b"\",\"cat\":\"cancel\"",
            Kind::Instant => b"\",\"cat\":\"failure\"",
        };
        self.buf.extend_from_slice(cat);
        match e.kind {
            Kind::Run | Kind::Await => {
                self.buf.extend_from_slice(b",\"dur\":");
                self.micros(rate.nanos(e.arg));
            }
            Kind::Completion => self.buf.extend_from_slice(b",\"dur\":1.000"),
            Kind::FlowStart | Kind::FlowEnd => {
                self.buf.extend_from_slice(b",\"id\":");
                self.int(e.arg);
            }
            Kind::Instant => {}
        }
        self.buf.push(b'}');
    }

    /// Writes the buffer out; after an error nothing more is written.
    pub(super) fn flush_buf(&mut self) {
        if self.error.is_none()
            && let Err(e) = self.out.write_all(&self.buf)
        {
            self.error = Some(e);
        }
        self.buf.clear();
    }
}
