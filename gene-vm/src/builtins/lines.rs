//! Lines as they come: `gene/io/lines_async` (a file), `gene/process/lines_async` (a child's
//! standard output), both async generators, and `gene/io/read_line_async` (standard input).
//!
//! A generator here is a small Gene `^^async ^^generator` function (compiled once per process)
//! around a [`LineReader`]: it awaits the next *batch* of lines, a reactor job that reads on the
//! runtime, and yields them one by one; its `finally` closes the reader, which kills a child
//! still running. A batch is the lines that have arrived, at most one 64 KiB buffer's worth
//! (and [`BATCH_LINES`] lines or [`BATCH_BYTES`]), so a file of any size streams in constant
//! memory, and a line a child (or a FIFO's writer) writes comes as soon as it is written. Lines
//! drop their `\n` (and a `\r` before it); a last line without one is still a line.
//!
//! A file's lines must be UTF-8 (an IOError naming the line otherwise, as `gene/io/read`
//! refuses such a file); a child's and standard input's invalid bytes become U+FFFD, as an HTTP
//! body's do.

use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::sync::Mutex;

use super::gene_fn::{GeneFn, GiveResult};
use super::process::{GroupKill, ProcessSpec};
use super::str_arg;
use crate::reactor::{JobError, JobResult, JobValue};
use crate::value::{Host, HostObject, NativeFn, NativeImpl, Value};
use crate::vm::jobs::JobKind;
use crate::vm::native::Flow;
use crate::vm::{Exc, Vm};

pub(super) static NATIVES: &[NativeFn] = &[
    flow_native!("gene/io/lines_async", |vm, args| {
        let path = str_arg(vm, args, 0, "gene/io/lines_async's path")?.to_string();
        generator(vm, Source::File(path))
    }),
    native!("gene/io/read_line_async", |vm, _| {
        Ok(vm.start_job(JobKind::Async(Box::pin(read_stdin_line()))))
    }),
];

/// At most this many lines per batch...
const BATCH_LINES: usize = 1024;
/// ... and about this much text.
const BATCH_BYTES: usize = 256 * 1024;

/// Where lines come from.
pub(crate) enum Source {
    File(String),
    Process(ProcessSpec),
}

/// The generator's steps. `next` gives a future of the next batch (an array) or nil at the
/// end; `close` stops the reader.
static STEPS: GeneFn = GeneFn::new(
    "<lines>",
    r#"
(fn ^^async ^^generator lines [reader next close]
  (try
    (loop
      (var batch (await (next reader)))
      (if (batch == nil) (break))
      (for line in batch (yield line)))
  finally
    (close reader)))
"#,
);

static NEXT: NativeFn = NativeFn {
    name: "lines next",
    imp: NativeImpl::Simple(|vm, args| {
        let Some(reader) = reader_arg(args) else {
            return Err(vm.type_error("the lines generator needs its reader"));
        };
        let job = next_batch(reader.state.clone(), reader.group.clone());
        Ok(vm.start_job(JobKind::Async(Box::pin(job))))
    }),
};

static CLOSE: NativeFn = NativeFn {
    name: "lines close",
    imp: NativeImpl::Simple(|_, args| {
        if let Some(reader) = reader_arg(args) {
            reader.group.kill();
        }
        Ok(Value::Nil)
    }),
};

fn reader_arg(args: &[Value]) -> Option<&LineReader> {
    match args.first() {
        Some(Value::Host(h)) => h.downcast::<LineReader>(),
        _ => None,
    }
}

/// The async generator of `source`'s lines (nothing is opened or started before its first
/// `.next`).
pub(crate) fn generator(vm: &mut Vm, source: Source) -> Result<Flow, Exc> {
    let steps = STEPS.closure(vm)?;
    let (label, from_child, context) = match &source {
        Source::File(path) => (
            path.clone(),
            false,
            format!("gene/io/lines_async: cannot read '{path}'"),
        ),
        Source::Process(spec) => (
            spec.program.clone(),
            true,
            format!(
                "{}: cannot read the output of '{}'",
                spec.what, spec.program
            ),
        ),
    };
    let reader = LineReader {
        label: label.clone(),
        state: Arc::new(Mutex::new(LineState {
            source: Some(source),
            reader: None,
            child: None,
            pending: Vec::new(),
            line_no: 0,
            from_child,
            context,
            failed: None,
            finished: false,
        })),
        group: Arc::new(GroupKill::default()),
    };
    Ok(Flow::call(
        GiveResult,
        Value::Func(steps),
        vec![
            Value::Host(Host::new(reader)),
            Value::Native(&NEXT),
            Value::Native(&CLOSE),
        ],
    ))
}

/// What the generator holds. Dropping it (a generator dropped without being closed) kills a
/// child still running too.
struct LineReader {
    label: String,
    state: Arc<Mutex<LineState>>,
    group: Arc<GroupKill>,
}

impl HostObject for LineReader {
    fn type_name(&self) -> &'static str {
        "LineReader"
    }

    fn describe(&self) -> String {
        format!("<LineReader {}>", self.label)
    }
}

impl Drop for LineReader {
    fn drop(&mut self) {
        self.group.kill();
    }
}

type Input = BufReader<Pin<Box<dyn AsyncRead + Send>>>;

/// The reading side, used by one batch job at a time (the lock), so a job aborted halfway
/// leaves what it read in `pending` for the next.
struct LineState {
    /// What to open at the first batch.
    source: Option<Source>,
    reader: Option<Input>,
    child: Option<tokio::process::Child>,
    /// The start of a line read so far.
    pending: Vec<u8>,
    line_no: u64,
    /// A child's output: invalid UTF-8 becomes U+FFFD (a file's is an error).
    from_child: bool,
    /// What a read error's message starts with (the function and the file or program).
    context: String,
    /// An error met after some good lines of a batch: given by the next batch.
    failed: Option<JobError>,
    finished: bool,
}

/// The next batch of lines: an array, or nil at the end.
async fn next_batch(state: Arc<Mutex<LineState>>, group: Arc<GroupKill>) -> JobResult {
    let mut guard = state.lock().await;
    let st = &mut *guard;
    if let Some(e) = st.failed.take() {
        st.finished = true;
        return Err(e);
    }
    if st.finished {
        return Ok(JobValue::Nil);
    }
    if st.reader.is_none()
        && let Some(source) = st.source.take()
    {
        match open(source, &group).await {
            Ok((reader, child)) => {
                st.reader = Some(reader);
                st.child = child;
            }
            Err(e) => {
                st.finished = true;
                return Err(e);
            }
        }
    }
    let Some(reader) = st.reader.as_mut() else {
        st.finished = true;
        return Ok(JobValue::Nil);
    };
    let mut lines = Vec::new();
    let mut bytes = 0;
    loop {
        let read = reader.read_until(b'\n', &mut st.pending).await;
        let n = match read {
            Ok(n) => n,
            Err(e) => {
                let e = JobError::new(
                    "IOError",
                    format!("{}: line {}: {e}", st.context, st.line_no + 1),
                );
                return fail_after(st, lines, e);
            }
        };
        let at_end = n == 0;
        if !st.pending.is_empty() && (at_end || st.pending.ends_with(b"\n")) {
            st.line_no += 1;
            let Ok(line) = take_line(&mut st.pending, st.from_child) else {
                let e = JobError::new(
                    "IOError",
                    format!("{}: line {} is not valid UTF-8", st.context, st.line_no),
                );
                return fail_after(st, lines, e);
            };
            bytes += line.len();
            lines.push(JobValue::Str(line));
        }
        if at_end {
            st.finished = true;
            // The generator ends when the child does (its exit status is not reported).
            if let Some(mut child) = st.child.take() {
                let _ = child.wait().await;
                group.disarm();
            }
            break;
        }
        let has_line = reader.buffer().contains(&b'\n');
        // A batch is the lines that have arrived (at least one: the batch waits for that), so a
        // child's line or a FIFO's comes as soon as it is written; a regular file's batch is
        // the lines of one buffer.
        let arrived = !has_line && !lines.is_empty();
        if lines.len() >= BATCH_LINES || bytes >= BATCH_BYTES || arrived {
            break;
        }
    }
    if lines.is_empty() {
        return Ok(JobValue::Nil);
    }
    Ok(JobValue::Array(lines))
}

/// A read failed: the lines read before it are this batch, and the error the next one (or,
/// with none read, the error now).
fn fail_after(st: &mut LineState, lines: Vec<JobValue>, e: JobError) -> JobResult {
    if lines.is_empty() {
        st.finished = true;
        return Err(e);
    }
    st.failed = Some(e);
    Ok(JobValue::Array(lines))
}

/// The line in `pending` without its line break; `pending` is emptied for the next.
fn take_line(pending: &mut Vec<u8>, lossy: bool) -> Result<String, ()> {
    let mut bytes = std::mem::take(pending);
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
    }
    match String::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(e) if lossy => Ok(String::from_utf8_lossy(e.as_bytes()).into_owned()),
        Err(_) => Err(()),
    }
}

async fn open(
    source: Source,
    group: &GroupKill,
) -> Result<(Input, Option<tokio::process::Child>), JobError> {
    match source {
        Source::File(path) => {
            let file = tokio::fs::File::open(PathBuf::from(&path))
                .await
                .map_err(|e| {
                    JobError::new(
                        "IOError",
                        format!("gene/io/lines_async: cannot read '{path}': {e}"),
                    )
                })?;
            let input: Pin<Box<dyn AsyncRead + Send>> = Box::pin(file);
            Ok((BufReader::with_capacity(64 * 1024, input), None))
        }
        Source::Process(spec) => {
            let mut cmd = spec.command();
            cmd.stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::inherit());
            let mut child = cmd
                .spawn()
                .map_err(|e| JobError::new("IOError", spec.spawn_error(&e)))?;
            group.arm(child.id());
            let Some(stdout) = child.stdout.take() else {
                return Err(JobError::new(
                    "IOError",
                    format!("{}: no output pipe for '{}'", spec.what, spec.program),
                ));
            };
            let input: Pin<Box<dyn AsyncRead + Send>> = Box::pin(stdout);
            Ok((BufReader::new(input), Some(child)))
        }
    }
}

/// Standard input, shared by every VM of the process (there is one), opened on first use.
struct StdinLines {
    reader: Option<BufReader<tokio::io::Stdin>>,
    pending: Vec<u8>,
}

async fn read_stdin_line() -> JobResult {
    static STDIN: OnceLock<Mutex<StdinLines>> = OnceLock::new();
    let stdin = STDIN.get_or_init(|| {
        Mutex::new(StdinLines {
            reader: None,
            pending: Vec::new(),
        })
    });
    let mut guard = stdin.lock().await;
    let st = &mut *guard;
    let reader = st
        .reader
        .get_or_insert_with(|| BufReader::new(tokio::io::stdin()));
    let n = reader
        .read_until(b'\n', &mut st.pending)
        .await
        .map_err(|e| {
            JobError::new(
                "IOError",
                format!("gene/io/read_line_async: cannot read standard input: {e}"),
            )
        })?;
    if n == 0 && st.pending.is_empty() {
        return Ok(JobValue::Nil);
    }
    match take_line(&mut st.pending, true) {
        Ok(line) => Ok(JobValue::Str(line)),
        Err(()) => Ok(JobValue::Nil),
    }
}
