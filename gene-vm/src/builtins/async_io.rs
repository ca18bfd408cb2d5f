//! Async sources: `gene/sleep_async` and the file operations of `gene/io`. Each gives a pending
//! future at once and hands the work to the reactor (tokio). Wrong argument types are errors
//! at the call; I/O failures are IOErrors naming the path and the OS reason, thrown only by
//! `await` (or given to `.on_failure`).

use std::path::PathBuf;

use super::{duration_arg, str_arg};
use crate::reactor::IoJob;
use crate::value::future::Producer;
use crate::value::{FutureObj, NativeFn, Value};
use crate::vm::sched::{OpEntry, OpTarget};
use crate::vm::{Exc, Vm};

pub(super) static NATIVES: &[NativeFn] = &[
    native!("gene/sleep_async", |vm, args| {
        let ms = duration_arg(vm, args, 0, "gene/sleep_async's duration")?;
        let future = FutureObj::new(vm.origin_here());
        let deadline = crate::vm::deadline_after(ms);
        let op = vm.reactor.timer(deadline);
        vm.sched.ops.insert(
            op,
            OpEntry {
                target: OpTarget::Sleep(future.clone()),
                deadline: Some(deadline),
            },
        );
        *future.producer.borrow_mut() = Producer::Op(op);
        Ok(Value::Future(future))
    }),
    native!("gene/io/read_async", |vm, args| {
        let path = str_arg(vm, args, 0, "the path")?.to_string();
        Ok(start_io(
            vm,
            "read",
            path.clone(),
            IoJob::Read(PathBuf::from(path)),
        ))
    }),
    native!("gene/io/write_async", |vm, args| {
        let (path, text) = path_and_text(vm, args, "gene/io/write_async")?;
        let job = IoJob::Write(PathBuf::from(&path), text);
        Ok(start_io(vm, "write", path, job))
    }),
    native!("gene/io/append_async", |vm, args| {
        let (path, text) = path_and_text(vm, args, "gene/io/append_async")?;
        let job = IoJob::Append(PathBuf::from(&path), text);
        Ok(start_io(vm, "append to", path, job))
    }),
    native!("gene/io/remove_async", |vm, args| {
        let path = str_arg(vm, args, 0, "the path")?.to_string();
        let job = IoJob::Remove(PathBuf::from(&path));
        Ok(start_io(vm, "remove", path, job))
    }),
];

fn path_and_text(vm: &Vm, args: &[Value], what: &str) -> Result<(String, String), Exc> {
    let path = str_arg(vm, args, 0, "the path")?.to_string();
    let text = str_arg(vm, args, 1, &format!("{what}'s text"))?.to_string();
    Ok((path, text))
}

fn start_io(vm: &mut Vm, action: &'static str, path: String, job: IoJob) -> Value {
    let future = FutureObj::new(vm.origin_here());
    let op = vm.reactor.io(job);
    vm.sched.ops.insert(
        op,
        OpEntry {
            target: OpTarget::Io {
                future: future.clone(),
                action,
                path,
            },
            deadline: None,
        },
    );
    *future.producer.borrow_mut() = Producer::Op(op);
    Value::Future(future)
}
