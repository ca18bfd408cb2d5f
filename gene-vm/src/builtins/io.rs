//! Synchronous file I/O. Failures are IOErrors naming the path and the OS reason.

use std::io::Write;
use std::path::Path;

use super::str_arg;
use crate::value::{NativeFn, Value, display};
use crate::vm::{Exc, Vm};

pub(crate) fn io_error(vm: &Vm, action: &str, path: &str, e: std::io::Error) -> Exc {
    vm.error("IOError", format!("cannot {action} '{path}': {e}"))
}

/// Writes through a temporary file beside the target and a rename, so a failure never leaves a
/// half-written file behind.
pub(crate) fn write_atomically(target: &Path, text: &str) -> std::io::Result<()> {
    // Unique per write: two writes of the same file at once (from two tasks) must not share a
    // temporary file.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "file".into());
    let tmp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, target)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

pub(super) static NATIVES: &[NativeFn] = &[
    native!("gene/io/read", |vm, args| {
        let path = str_arg(vm, args, 0, "the path")?;
        std::fs::read_to_string(path)
            .map(Value::str)
            .map_err(|e| io_error(vm, "read", path, e))
    }),
    native!("gene/io/write", |vm, args| {
        let path = str_arg(vm, args, 0, "the path")?;
        let text = display(args.get(1).unwrap_or(&Value::Nil));
        write_atomically(Path::new(path), &text).map_err(|e| io_error(vm, "write", path, e))?;
        Ok(Value::Nil)
    }),
    native!("gene/io/append", |vm, args| {
        let path = str_arg(vm, args, 0, "the path")?;
        let text = display(args.get(1).unwrap_or(&Value::Nil));
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut f| f.write_all(text.as_bytes()))
            .map_err(|e| io_error(vm, "append to", path, e))?;
        Ok(Value::Nil)
    }),
    native!("gene/io/exists", |vm, args| {
        let path = str_arg(vm, args, 0, "the path")?;
        Ok(Value::Bool(Path::new(path).exists()))
    }),
];
