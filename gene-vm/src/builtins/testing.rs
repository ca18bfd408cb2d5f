//! The assertions (`assert_eq`, `assert_ne`, and what `assert_throws`/`assert_rejects`
//! compile to) and the natives the `test` and `describe` forms compile to
//! (`crate::testing` keeps the registry).

use std::fmt::Write;

use super::{arg, str_arg};
use crate::testing::{DEFAULT_TIMEOUT_MS, diff::value_diff};
use crate::value::{Value, display, inspect, values_equal};
use crate::vm::{Exc, Vm};

pub(super) static NATIVES: &[crate::value::NativeFn] = &[
    native!("gene/assert_eq", assert_eq),
    native!("gene/assert_ne", assert_ne),
    native!("gene/test/declare", declare),
    native!("gene/test/enter_group", |vm, args| {
        let name = display(arg(args, 0));
        vm.services.tests.enter_group(name);
        Ok(Value::Nil)
    }),
    native!("gene/test/leave_group", |vm, _| {
        vm.services.tests.leave_group();
        Ok(Value::Nil)
    }),
    native!("gene/test/expect_thrown", expect_thrown),
];

/// `assert_eq failed: message` or `assert_eq failed`.
fn headline(what: &str, args: &[Value], message_at: usize) -> String {
    match args.get(message_at) {
        Some(Value::Nil) | None => format!("{what} failed"),
        Some(m) => format!("{what} failed: {}", display(m)),
    }
}

fn assert_eq(vm: &mut Vm, args: &[Value]) -> Result<Value, Exc> {
    let (actual, expected) = (arg(args, 0), arg(args, 1));
    if values_equal(actual, expected) {
        return Ok(Value::Nil);
    }
    let mut message = headline("assert_eq", args, 2);
    let _ = write!(
        message,
        "\n  actual:   {}\n  expected: {}",
        inspect(actual),
        inspect(expected)
    );
    if let Some(diff) = value_diff(expected, actual, "    ") {
        let _ = write!(
            message,
            "\n  diff (- expected, + actual):\n{}",
            diff.trim_end()
        );
    }
    Err(vm.error("AssertionError", message))
}

fn assert_ne(vm: &mut Vm, args: &[Value]) -> Result<Value, Exc> {
    let (actual, unexpected) = (arg(args, 0), arg(args, 1));
    if !values_equal(actual, unexpected) {
        return Ok(Value::Nil);
    }
    let mut message = headline("assert_ne", args, 2);
    let _ = write!(message, "\n  both are: {}", inspect(actual));
    Err(vm.error("AssertionError", message))
}

/// `(gene/test/declare name skip timeout offset body)`.
fn declare(vm: &mut Vm, args: &[Value]) -> Result<Value, Exc> {
    let name = str_arg(vm, args, 0, "a test's name")?.to_string();
    let skip = arg(args, 1).truthy();
    let timeout = match arg(args, 2) {
        Value::Nil => DEFAULT_TIMEOUT_MS,
        Value::Int(ms) if *ms >= 0 => *ms as u64,
        Value::Float(ms) if *ms >= 0.0 && ms.is_finite() => ms.ceil() as u64,
        other => {
            return Err(vm.error(
                "ArgumentError",
                format!(
                    "a test's ^timeout must be a number of milliseconds (0 or more), got {}",
                    inspect(other)
                ),
            ));
        }
    };
    let offset = match arg(args, 3) {
        Value::Int(o) => u32::try_from(*o).unwrap_or(0),
        _ => 0,
    };
    vm.services
        .tests
        .declare(&name, skip, timeout, offset, arg(args, 4).clone());
    Ok(Value::Nil)
}

/// `(gene/test/expect_thrown class [thrown? value] form)`.
fn expect_thrown(vm: &mut Vm, args: &[Value]) -> Result<Value, Exc> {
    let form = display(arg(args, 2));
    let Value::Class(class) = arg(args, 0) else {
        return Err(vm.type_error(format!(
            "{form}'s first argument must be a class, got {}",
            inspect(arg(args, 0))
        )));
    };
    let (thrown, value) = match arg(args, 1) {
        Value::Array(a) => {
            let a = a.borrow();
            (
                a.first().is_some_and(Value::truthy),
                a.get(1).cloned().unwrap_or_default(),
            )
        }
        _ => (false, Value::Nil),
    };
    let expectation = if form == "assert_rejects" {
        format!("expected the future to fail with {}", class.name)
    } else {
        format!("expected the body to throw {}", class.name)
    };
    let message = match (&value, thrown) {
        (Value::Instance(i), true) if i.class.is_subclass_of(class) => return Ok(value),
        (_, true) => format!(
            "{form} failed: {expectation}, got {}",
            vm.describe_exception(&value)
        ),
        (_, false) => format!(
            "{form} failed: {expectation}, but it gave {}",
            inspect(&value)
        ),
    };
    Err(vm.error("AssertionError", message))
}
