//! Synchronous file I/O. Failures are IOErrors naming the path and the OS reason.

use std::io::Write;
use std::path::Path;

use super::str_arg;
use crate::value::{NativeFn, Value, display};
use crate::vm::{Exc, Vm};

pub(crate) fn io_error(vm: &Vm, action: &str, path: &str, e: std::io::Error) -> Exc {
    vm.error("IOError", format!("cannot {action} '{path}': {e}"))
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
        super::io_write::write_file(Path::new(path), text.as_bytes())
            .map_err(|e| io_error(vm, "write", path, e))?;
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
