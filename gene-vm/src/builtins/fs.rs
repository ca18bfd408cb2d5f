//! `gene/fs`: directories and file metadata. Each operation has an async form (`list_async`
//! ...: a future at once, the work on the runtime's blocking pool, an IOError thrown at `await`)
//! and a blocking twin without the suffix (flagged for lint rule A005 inside async code). Both
//! run the same [`FsOp`]; failures are IOErrors naming the function, the path and the OS reason.

use std::path::Path;
use std::time::UNIX_EPOCH;

use super::str_arg;
use crate::reactor::{JobError, JobValue};
use crate::value::{NativeFn, Value};
use crate::vm::jobs::JobKind;
use crate::vm::{Exc, Vm};

pub(super) static NATIVES: &[NativeFn] = &[
    native!("gene/fs/list", |vm, args| blocking(vm, args, Kind::List)),
    native!("gene/fs/stat", |vm, args| blocking(vm, args, Kind::Stat)),
    native!("gene/fs/mkdir", |vm, args| blocking(vm, args, Kind::Mkdir)),
    native!("gene/fs/remove", |vm, args| blocking(
        vm,
        args,
        Kind::Remove
    )),
    native!("gene/fs/rename", |vm, args| blocking(
        vm,
        args,
        Kind::Rename
    )),
    native!("gene/fs/copy", |vm, args| blocking(vm, args, Kind::Copy)),
    native!("gene/fs/list_async", |vm, args| start(vm, args, Kind::List)),
    native!("gene/fs/stat_async", |vm, args| start(vm, args, Kind::Stat)),
    native!("gene/fs/mkdir_async", |vm, args| start(
        vm,
        args,
        Kind::Mkdir
    )),
    native!("gene/fs/remove_async", |vm, args| start(
        vm,
        args,
        Kind::Remove
    )),
    native!("gene/fs/rename_async", |vm, args| start(
        vm,
        args,
        Kind::Rename
    )),
    native!("gene/fs/copy_async", |vm, args| start(vm, args, Kind::Copy)),
];

#[derive(Clone, Copy)]
enum Kind {
    List,
    Stat,
    Mkdir,
    Remove,
    Rename,
    Copy,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::List => "list",
            Kind::Stat => "stat",
            Kind::Mkdir => "mkdir",
            Kind::Remove => "remove",
            Kind::Rename => "rename",
            Kind::Copy => "copy",
        }
    }
}

/// One operation as plain data, so that it can run on another thread.
struct FsOp {
    kind: Kind,
    /// The function's name for messages (`gene/fs/list_async`).
    what: String,
    path: String,
    /// The second path of rename and copy.
    to: String,
    recursive: bool,
}

impl FsOp {
    fn from_args(vm: &mut Vm, args: &[Value], kind: Kind, suffix: &str) -> Result<FsOp, Exc> {
        let what = format!("gene/fs/{}{suffix}", kind.name());
        let first = match kind {
            Kind::Rename | Kind::Copy => "from",
            _ => "path",
        };
        let path = str_arg(vm, args, 0, &format!("{what}'s {first}"))?.to_string();
        let to = match kind {
            Kind::Rename | Kind::Copy => str_arg(vm, args, 1, &format!("{what}'s to"))?.to_string(),
            _ => String::new(),
        };
        let mut recursive = false;
        if let Some(props) = vm.native_props.take() {
            for (key, value) in &props {
                match (kind, &*key.name()) {
                    (Kind::Remove, "recursive") => recursive = value.truthy(),
                    (_, other) => {
                        let known = match kind {
                            Kind::Remove => " (known: ^recursive)",
                            _ => "",
                        };
                        return Err(vm.error(
                            "ArgumentError",
                            format!("{what} has no option ^{other}{known}"),
                        ));
                    }
                }
            }
        }
        Ok(FsOp {
            kind,
            what,
            path,
            to,
            recursive,
        })
    }

    /// Does the operation; an error is the IOError's message.
    fn run(self) -> Result<JobValue, String> {
        let FsOp {
            kind,
            what,
            path,
            to,
            recursive,
        } = self;
        let fail = |action: &str, p: &str, e: std::io::Error| {
            format!("{what}: cannot {action} '{p}': {e}")
        };
        match kind {
            Kind::List => {
                let entries = std::fs::read_dir(&path).map_err(|e| fail("list", &path, e))?;
                let mut names = Vec::new();
                for entry in entries {
                    let entry = entry.map_err(|e| fail("list", &path, e))?;
                    names.push(entry.file_name().to_string_lossy().into_owned());
                }
                names.sort();
                Ok(JobValue::Array(
                    names.into_iter().map(JobValue::Str).collect(),
                ))
            }
            Kind::Stat => {
                let meta = std::fs::metadata(&path).map_err(|e| fail("stat", &path, e))?;
                let modified = meta
                    .modified()
                    .ok()
                    .map(|t| match t.duration_since(UNIX_EPOCH) {
                        Ok(d) => d.as_secs_f64(),
                        Err(e) => -e.duration().as_secs_f64(),
                    })
                    .map_or(JobValue::Nil, JobValue::Float);
                Ok(JobValue::Map(vec![
                    (
                        "size".into(),
                        JobValue::Int(i64::try_from(meta.len()).unwrap_or(i64::MAX)),
                    ),
                    ("is_dir".into(), JobValue::Bool(meta.is_dir())),
                    ("is_file".into(), JobValue::Bool(meta.is_file())),
                    ("modified".into(), modified),
                ]))
            }
            Kind::Mkdir => std::fs::create_dir_all(&path)
                .map(|()| JobValue::Nil)
                .map_err(|e| fail("create directory", &path, e)),
            Kind::Remove => {
                // The link itself, never what it points to.
                let meta =
                    std::fs::symlink_metadata(&path).map_err(|e| fail("remove", &path, e))?;
                let result = if !meta.is_dir() {
                    std::fs::remove_file(&path)
                } else if recursive {
                    std::fs::remove_dir_all(&path)
                } else {
                    std::fs::remove_dir(&path)
                };
                result.map(|()| JobValue::Nil).map_err(|e| {
                    let hint = if meta.is_dir() && !recursive && is_not_empty(&e) {
                        " (use ^recursive true to remove a directory and its contents)"
                    } else {
                        ""
                    };
                    format!("{}{hint}", fail("remove", &path, e))
                })
            }
            Kind::Rename => std::fs::rename(&path, &to)
                .map(|()| JobValue::Nil)
                .map_err(|e| format!("{what}: cannot rename '{path}' to '{to}': {e}")),
            Kind::Copy => {
                if Path::new(&path).is_dir() {
                    return Err(format!(
                        "{what}: cannot copy '{path}': it is a directory (only files are copied)"
                    ));
                }
                std::fs::copy(&path, &to)
                    .map(|_| JobValue::Nil)
                    .map_err(|e| format!("{what}: cannot copy '{path}' to '{to}': {e}"))
            }
        }
    }
}

fn is_not_empty(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::DirectoryNotEmpty
}

fn blocking(vm: &mut Vm, args: &[Value], kind: Kind) -> Result<Value, Exc> {
    let op = FsOp::from_args(vm, args, kind, "")?;
    match op.run() {
        Ok(v) => Ok(vm.job_value(v)),
        Err(message) => Err(vm.error("IOError", message)),
    }
}

fn start(vm: &mut Vm, args: &[Value], kind: Kind) -> Result<Value, Exc> {
    let op = FsOp::from_args(vm, args, kind, "_async")?;
    let job = Box::pin(async move {
        match tokio::task::spawn_blocking(move || op.run()).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(message)) => Err(JobError::new("IOError", message)),
            Err(_) => Err(JobError::new(
                "IOError",
                "the file operation stopped unexpectedly",
            )),
        }
    });
    Ok(vm.start_job(JobKind::Async(job)))
}
