//! Native implementations of the builtin catalogue's functions and methods.
//!
//! Each `NativeFn::name` is the catalogue path it implements (`gene/io/read`, `String.length`);
//! [`crate::vm`] binds them at start-up, and `tests/catalogue.rs` checks that the catalogue and
//! these tables match entry for entry.

use crate::value::{NativeFn, Value};
use crate::vm::{Exc, Vm};

/// Every native, functions and methods.
pub fn all_natives() -> impl Iterator<Item = &'static NativeFn> {
    core::NATIVES
        .iter()
        .chain(string::NATIVES)
        .chain(array::NATIVES)
        .chain(map::NATIVES)
        .chain(number::NATIVES)
        .chain(math::NATIVES)
        .chain(set::NATIVES)
        .chain(io::NATIVES)
        .chain(async_io::NATIVES)
        .chain(future::NATIVES)
        .chain(generator::NATIVES)
        .chain(serdes::NATIVES)
        .chain(http::NATIVES)
        .chain(json::NATIVES)
        .chain(bytes::NATIVES)
        .chain(db::NATIVES)
        .chain(re::NATIVES)
        .chain(time::NATIVES)
        .chain(env::NATIVES)
        .chain(path::NATIVES)
        .chain(fs::NATIVES)
        .chain(process::NATIVES)
        .chain(lines::NATIVES)
        .chain(channel::NATIVES)
        .chain(sync::NATIVES)
        .chain(timers::NATIVES)
        .chain(net::NATIVES)
        .chain(http_server::NATIVES)
        .chain(testing::NATIVES)
}

/// Makes a builtin value from `new`'s arguments.
pub(crate) type Constructor = fn(&mut Vm, &[Value]) -> Result<Value, Exc>;

/// What `(new gene/NAME args...)` calls for the builtin classes made with `new` (besides
/// `Future`), or None when `NAME` is not one of them.
pub(crate) fn constructor(name: &str) -> Option<Constructor> {
    Some(match name {
        "Channel" => channel::construct,
        "Semaphore" => sync::new_semaphore,
        "Lock" => sync::new_lock,
        "Event" => sync::new_event,
        _ => return None,
    })
}

/// The values bound in namespaces (`gene/math/pi` ...), by catalogue path.
pub(crate) fn all_constants() -> impl Iterator<Item = (&'static str, Value)> {
    math::CONSTANTS
        .iter()
        .map(|(path, x)| (*path, Value::Float(*x)))
}

/// The i-th argument (nil when missing).
pub(crate) fn arg(args: &[Value], i: usize) -> &Value {
    const NIL: Value = Value::Nil;
    args.get(i).unwrap_or(&NIL)
}

pub(crate) fn str_arg<'a>(
    vm: &Vm,
    args: &'a [Value],
    i: usize,
    what: &str,
) -> Result<&'a str, Exc> {
    match args.get(i) {
        Some(Value::Str(s)) => Ok(s.as_str()),
        other => Err(vm.type_error(format!(
            "{what} must be a string, got {}",
            other.map_or("nothing".to_string(), Value::type_name)
        ))),
    }
}

pub(crate) fn int_arg(vm: &Vm, args: &[Value], i: usize, what: &str) -> Result<i64, Exc> {
    match args.get(i) {
        Some(Value::Int(n)) => Ok(*n),
        other => Err(vm.type_error(format!(
            "{what} must be an int, got {}",
            other.map_or("nothing".to_string(), Value::type_name)
        ))),
    }
}

/// A number as f64, for functions that accept both.
pub(crate) fn num_arg(vm: &Vm, args: &[Value], i: usize, what: &str) -> Result<f64, Exc> {
    match args.get(i) {
        Some(Value::Int(n)) => Ok(*n as f64),
        Some(Value::Float(f)) => Ok(*f),
        other => Err(vm.type_error(format!(
            "{what} must be a number, got {}",
            other.map_or("nothing".to_string(), Value::type_name)
        ))),
    }
}

/// A duration in milliseconds (see [`Vm::duration_ms`]); `what` names the function.
pub(crate) fn duration_arg(vm: &Vm, args: &[Value], i: usize, what: &str) -> Result<f64, Exc> {
    vm.duration_ms(arg(args, i), what)
}

macro_rules! native {
    ($path:literal, $f:expr) => {
        $crate::value::NativeFn {
            name: $path,
            imp: $crate::value::NativeImpl::Simple($f),
        }
    };
}
macro_rules! flow_native {
    ($path:literal, $f:expr) => {
        $crate::value::NativeFn {
            name: $path,
            imp: $crate::value::NativeImpl::Flow($f),
        }
    };
}

mod array;
mod async_io;
mod bytes;
mod channel;
mod core;
mod db;
mod db_sql;
mod db_tx;
mod db_worker;
mod env;
pub(crate) use env::exit_code;
mod fs;
mod future;
mod gene_fn;
mod generator;
mod http;
mod http_exchange;
mod http_serve_io;
mod http_server;
mod io;
mod io_write;
mod json;
mod lines;
pub(crate) use db::roll_back_transaction;
pub(crate) use io_write::write_file;
mod map;
mod math;
pub(crate) use math::Random;
mod net;
mod net_io;
mod number;
pub(crate) use number::power;
mod path;
mod process;
mod re;
mod serdes;
mod set;
mod sort;
mod string;
mod testing;
pub(crate) use string::char_at;
mod sync;
mod time;
mod timers;
mod waiters;
