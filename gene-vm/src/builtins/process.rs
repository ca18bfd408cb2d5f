//! `gene/process`: running programs, never through a shell, on `tokio::process`.
//!
//! `run_async` gives a future of `{^code ^stdout ^stderr}`: a non-zero exit is a result, a
//! program that cannot be started an IOError, a `^timeout` a TimeoutError; `run` is its blocking
//! twin. `lines_async` streams a child's standard output as an async generator (`lines.rs`).
//!
//! Each child is the leader of a process group of its own, and whatever stops waiting for it
//! (a timeout, a cancelled future, a closed generator, an interrupt) kills the whole group: a
//! `sh -c "sleep 100"` leaves no `sleep` behind. Children get no standard input unless `^stdin`
//! gives some, and see the environment as the program does (`gene/env/set` included).

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::AsyncWriteExt;

use super::{arg, str_arg};
use crate::reactor::{JobError, JobResult, JobValue};
use crate::value::{Map, NativeFn, Value, display};
use crate::vm::jobs::JobKind;
use crate::vm::{Exc, Vm};

pub(super) static NATIVES: &[NativeFn] = &[
    native!("gene/process/run_async", |vm, args| {
        let spec = ProcessSpec::from_args(vm, args, "gene/process/run_async", RUN_OPTIONS)?;
        Ok(vm.start_job(JobKind::Async(Box::pin(run(spec)))))
    }),
    native!("gene/process/run", |vm, args| {
        let spec = ProcessSpec::from_args(vm, args, "gene/process/run", RUN_OPTIONS)?;
        vm.services.output().flush();
        let interrupt = vm.interrupt.clone();
        match crate::reactor::block_on(&interrupt, run(spec)) {
            Ok(Ok(v)) => Ok(vm.job_value(v)),
            Ok(Err(JobError { class, message })) => Err(vm.error(class, message)),
            Err(crate::reactor::Blocked::Interrupted) => {
                vm.check_interrupt()?;
                Err(vm.error("Interrupted", "interrupted"))
            }
            Err(crate::reactor::Blocked::Failed(message)) => Err(vm.error("IOError", message)),
        }
    }),
    flow_native!("gene/process/lines_async", |vm, args| {
        let spec = ProcessSpec::from_args(vm, args, "gene/process/lines_async", &["cwd", "env"])?;
        super::lines::generator(vm, super::lines::Source::Process(spec))
    }),
];

const RUN_OPTIONS: &[&str] = &["cwd", "env", "stdin", "timeout"];

/// A program to start, as plain data.
pub(crate) struct ProcessSpec {
    /// The function's name, for messages.
    pub what: &'static str,
    pub program: String,
    args: Vec<String>,
    cwd: Option<String>,
    /// Variables to set (`Some`) or remove (`None`), after the program's own changes.
    env: Vec<(String, Option<String>)>,
    stdin: Option<Vec<u8>>,
    timeout_ms: Option<f64>,
}

impl ProcessSpec {
    fn from_args(
        vm: &mut Vm,
        args: &[Value],
        what: &'static str,
        allowed: &[&str],
    ) -> Result<ProcessSpec, Exc> {
        let program = str_arg(vm, args, 0, &format!("{what}'s program"))?.to_string();
        if program.is_empty() {
            return Err(vm.error(
                "ArgumentError",
                format!("{what}: the program name is empty"),
            ));
        }
        let mut spec = ProcessSpec {
            what,
            program,
            args: Vec::new(),
            cwd: None,
            env: Vec::new(),
            stdin: None,
            timeout_ms: None,
        };
        match arg(args, 1) {
            Value::Nil => {}
            Value::Array(items) => {
                for (i, item) in items.borrow().iter().enumerate() {
                    match item {
                        Value::Str(s) => spec.args.push(s.to_string()),
                        Value::Int(_) | Value::Float(_) => spec.args.push(display(item)),
                        other => {
                            return Err(vm.type_error(format!(
                                "{what}'s arguments must be strings (or numbers), got {} at index {i}",
                                other.type_name()
                            )));
                        }
                    }
                }
            }
            other => {
                return Err(vm.type_error(format!(
                    "{what}'s arguments must be an array of strings, got {}",
                    other.type_name()
                )));
            }
        }
        let props = vm.native_props.take().unwrap_or_default();
        spec.apply_options(vm, &props, allowed)?;
        Ok(spec)
    }

    fn apply_options(&mut self, vm: &Vm, props: &Map, allowed: &[&str]) -> Result<(), Exc> {
        let what = self.what;
        for (key, value) in props {
            let key = key.name();
            if !allowed.contains(&&*key) {
                let known: Vec<String> = allowed.iter().map(|k| format!("^{k}")).collect();
                return Err(vm.error(
                    "ArgumentError",
                    format!("{what} has no option ^{key} (known: {})", known.join(" ")),
                ));
            }
            match (&*key, value) {
                (_, Value::Nil) => {}
                ("cwd", Value::Str(s)) => self.cwd = Some(s.to_string()),
                ("env", Value::Map(m)) => {
                    for (name, v) in m.borrow().iter() {
                        let v = match v {
                            Value::Nil => None,
                            Value::Str(s) => Some(s.to_string()),
                            Value::Int(_) | Value::Float(_) => Some(display(v)),
                            other => {
                                return Err(vm.type_error(format!(
                                    "{what}: the value of ^env's {} must be a string (nil removes it), got {}",
                                    name.name(),
                                    other.type_name()
                                )));
                            }
                        };
                        self.env.push((name.name().to_string(), v));
                    }
                }
                ("stdin", Value::Str(s)) => self.stdin = Some(s.as_bytes().to_vec()),
                ("stdin", Value::Bytes(b)) => self.stdin = Some(b.to_vec()),
                ("timeout", v) => {
                    self.timeout_ms = Some(vm.duration_ms(v, &format!("{what}'s ^timeout"))?)
                }
                (key, other) => {
                    let expected = match key {
                        "cwd" => "a string",
                        "env" => "a map of names to strings",
                        _ => "a string or bytes",
                    };
                    return Err(vm.type_error(format!(
                        "{what}'s ^{key} must be {expected}, got {}",
                        other.type_name()
                    )));
                }
            }
        }
        Ok(())
    }

    /// The command, its environment and working directory; killed when dropped, in a group
    /// of its own.
    pub(crate) fn command(&self) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new(&self.program);
        cmd.args(&self.args);
        if let Some(dir) = &self.cwd {
            cmd.current_dir(dir);
        }
        for (name, value) in super::env::overlay()
            .into_iter()
            .chain(self.env.iter().cloned())
        {
            match value {
                Some(v) => cmd.env(name, v),
                None => cmd.env_remove(name),
            };
        }
        cmd.kill_on_drop(true);
        #[cfg(unix)]
        cmd.process_group(0);
        cmd
    }

    /// The IOError's message for a child that could not be started.
    pub(crate) fn spawn_error(&self, e: &std::io::Error) -> String {
        let place = match &self.cwd {
            Some(dir) => format!(" in '{dir}'"),
            None => String::new(),
        };
        format!("{}: cannot run '{}'{place}: {e}", self.what, self.program)
    }
}

/// The process group of a running child, killed (SIGKILL) when this is dropped or
/// [`GroupKill::kill`]ed before [`GroupKill::disarm`]: once the child has been waited for, its id
/// may be reused, so it is disarmed then.
#[derive(Default)]
pub(crate) struct GroupKill(Mutex<Option<u32>>);

impl GroupKill {
    pub(crate) fn arm(&self, pid: Option<u32>) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = pid;
        }
    }

    pub(crate) fn disarm(&self) {
        self.arm(None);
    }

    pub(crate) fn kill(&self) {
        let pid = self.0.lock().ok().and_then(|mut slot| slot.take());
        #[cfg(unix)]
        if let Some(pid) = pid.and_then(|p| i32::try_from(p).ok()).filter(|&p| p > 0) {
            // SAFETY: kill(2) takes plain integers and touches no memory of ours. A negative
            // id names the process group the child leads (it was started with
            // `process_group(0)`), and the child has not been waited for, so the id is still
            // its own.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
        }
        #[cfg(not(unix))]
        let _ = pid;
    }
}

impl Drop for GroupKill {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Runs the program to its end: `{^code ^stdout ^stderr}`. Dropping the future (a cancelled
/// job) kills the child's group.
async fn run(spec: ProcessSpec) -> JobResult {
    let mut cmd = spec.command();
    cmd.stdin(if spec.stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| JobError::new("IOError", spec.spawn_error(&e)))?;
    let group = Arc::new(GroupKill::default());
    group.arm(child.id());
    if let (Some(input), Some(mut stdin)) = (spec.stdin.clone(), child.stdin.take()) {
        // Written beside the reading of the output, so a child that answers before it has read
        // everything cannot block on a full pipe. A child that exits early makes this fail with
        // a broken pipe, which is not an error of the run.
        tokio::spawn(async move {
            let _ = stdin.write_all(&input).await;
        });
    }
    let output = child.wait_with_output();
    let output = match spec.timeout_ms {
        Some(ms) => {
            let limit = Duration::try_from_secs_f64(ms / 1000.0).unwrap_or(Duration::MAX);
            match tokio::time::timeout(limit, output).await {
                Ok(result) => result,
                Err(_) => {
                    return Err(JobError::new(
                        "TimeoutError",
                        format!(
                            "{}: '{}' did not finish within {} ms and was killed",
                            spec.what,
                            spec.program,
                            display(&Value::Float(ms)).trim_end_matches(".0")
                        ),
                    ));
                }
            }
        }
        None => output.await,
    };
    let output = output.map_err(|e| {
        JobError::new(
            "IOError",
            format!(
                "{}: cannot read the output of '{}': {e}",
                spec.what, spec.program
            ),
        )
    })?;
    group.disarm();
    Ok(JobValue::Map(vec![
        ("code".into(), JobValue::Int(exit_code(&output.status))),
        (
            "stdout".into(),
            JobValue::Str(String::from_utf8_lossy(&output.stdout).into_owned()),
        ),
        (
            "stderr".into(),
            JobValue::Str(String::from_utf8_lossy(&output.stderr).into_owned()),
        ),
    ]))
}

/// The exit status; a child killed by a signal gives minus the signal's number (as Python).
fn exit_code(status: &std::process::ExitStatus) -> i64 {
    if let Some(code) = status.code() {
        return i64::from(code);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return -i64::from(signal);
        }
    }
    -1
}
