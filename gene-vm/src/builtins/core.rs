//! Core functions: printing, assertions, conversions, ranges, eval, types, selectors, parsing,
//! time; and the methods every value (and classes, exceptions, genes, ranges...) has.

use std::rc::Rc;

use super::{arg, duration_arg, str_arg};
use crate::intern::Sym;
use crate::value::{NativeFn, RangeData, Value, display, form_to_value, inspect};
use crate::vm::{Exc, Vm};

pub(super) static NATIVES: &[NativeFn] = &[
    native!("gene/println", |vm, args| print_values(vm, args, true)),
    native!("gene/print", |vm, args| print_values(vm, args, false)),
    native!("gene/assert", assert),
    native!("gene/str", |vm, args| vm.concat(args)),
    native!("gene/to_s", |_, args| Ok(Value::str(display(arg(args, 0))))),
    native!("gene/inspect", |_, args| Ok(Value::str(inspect(arg(
        args, 0
    ))))),
    native!("gene/range", |vm, args| vm.make_range(
        arg(args, 0),
        arg(args, 1),
        args.get(2)
    )),
    flow_native!("gene/eval", |vm, args| vm.eval_values(args)),
    native!("gene/type", |_, args| Ok(Value::symbol(
        &arg(args, 0).type_name()
    ))),
    native!("gene/@", |_, args| Ok(Value::Selector(Rc::new(
        args.to_vec()
    )))),
    native!("gene/parse", parse),
    native!("gene/time/now", |_, _| {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        Ok(Value::Float(now))
    }),
    native!("gene/sleep", |vm, args| {
        let ms = duration_arg(vm, args, 0, "gene/sleep's duration")?;
        vm.services.out.flush();
        if ms > 0.0 {
            let duration = std::time::Duration::try_from_secs_f64(ms / 1000.0)
                .unwrap_or(std::time::Duration::MAX);
            vm.reactor.sleep_blocking(duration);
            vm.check_interrupt()?;
        }
        // Blocking stops every task; afterwards, what completed meanwhile (timers, I/O) gets
        // its callbacks run before this task goes on.
        if !vm.sched.ops.is_empty() {
            vm.sched.yield_now = true;
        }
        Ok(Value::Nil)
    }),
    // Every value
    native!("Any.class", |vm, args| Ok(vm.class_of(arg(args, 0)))),
    native!("Any.to_s", |_, args| Ok(Value::str(display(arg(args, 0))))),
    native!("Any.is_a", |vm, args| Ok(Value::Bool(
        vm.is_a(arg(args, 0), arg(args, 1))
    ))),
    native!("Symbol.to_s", |_, args| Ok(Value::str(display(arg(
        args, 0
    ))))),
    native!("Class.name", |_, args| match arg(args, 0) {
        Value::Class(c) => Ok(Value::str(c.name.as_str())),
        _ => Ok(Value::Nil),
    }),
    native!("Class.parent", |_, args| match arg(args, 0) {
        Value::Class(c) => Ok(c.parent.clone().map(Value::Class).unwrap_or_default()),
        _ => Ok(Value::Nil),
    }),
    native!("Exception.message", |vm, args| match arg(args, 0) {
        Value::Instance(i) => Ok(i
            .props
            .borrow()
            .get(&vm.sym.message)
            .cloned()
            .unwrap_or_default()),
        _ => Ok(Value::Nil),
    }),
    native!("EnumMember.name", |_, args| match arg(args, 0) {
        Value::EnumMember(m) => Ok(Value::str(m.name.as_str())),
        _ => Ok(Value::Nil),
    }),
    native!("EnumMember.value", |_, args| match arg(args, 0) {
        Value::EnumMember(m) => Ok(Value::Int(m.value)),
        _ => Ok(Value::Nil),
    }),
    native!("Gene.type", |_, args| match arg(args, 0) {
        Value::Gene(g) => Ok(g.borrow().head.clone()),
        _ => Ok(Value::Nil),
    }),
    native!("Gene.props", |_, args| match arg(args, 0) {
        Value::Gene(g) => Ok(Value::map(g.borrow().props.clone())),
        _ => Ok(Value::Nil),
    }),
    native!("Gene.children", |_, args| match arg(args, 0) {
        Value::Gene(g) => Ok(Value::array(g.borrow().children.clone())),
        _ => Ok(Value::Nil),
    }),
    native!("Range.to_a", |vm, args| Ok(Value::array(
        vm.spread_items(arg(args, 0))?
    ))),
    native!("Range.size", |vm, args| match arg(args, 0) {
        Value::Range(r) => range_size(vm, r),
        _ => Ok(Value::Nil),
    }),
    flow_native!("Range.each", |vm, args| match arg(args, 0) {
        Value::Range(r) => Ok(crate::builtins::array::range_each_flow(
            arg(args, 0).clone(),
            **r,
            arg(args, 1).clone(),
        )),
        other => Ok(crate::builtins::array::each_flow(
            other.clone(),
            vm.spread_items(other)?,
            arg(args, 1).clone(),
        )),
    }),
];

/// A range's number of elements, exactly; an OverflowError when that is more than an Int holds
/// (`MIN..MAX` has 2^64).
fn range_size(vm: &Vm, r: &RangeData) -> Result<Value, Exc> {
    let count = r.count();
    i64::try_from(count).map(Value::Int).map_err(|_| {
        vm.error(
            "OverflowError",
            format!(
                "the range {} has {count} elements, more than an Int holds",
                display(&Value::Range(Rc::new(*r)))
            ),
        )
    })
}

fn print_values(vm: &mut Vm, args: &[Value], newline: bool) -> Result<Value, Exc> {
    let mut text = String::new();
    for (i, v) in args.iter().enumerate() {
        if i > 0 {
            text.push(' ');
        }
        // A nil given directly prints as nothing; nested nils print `nil`.
        if !matches!(v, Value::Nil) {
            crate::value::write_display(&mut text, v);
        }
    }
    if newline {
        text.push('\n');
    }
    let to_stderr = vm
        .native_props
        .as_ref()
        .and_then(|p| p.get(&Sym::new("stderr")))
        .is_some_and(Value::truthy);
    if to_stderr {
        vm.services.out.err(&text);
    } else {
        vm.services.out.out(&text);
    }
    Ok(Value::Nil)
}

fn assert(vm: &mut Vm, args: &[Value]) -> Result<Value, Exc> {
    if arg(args, 0).truthy() {
        return Ok(Value::Nil);
    }
    let message = match args.get(1) {
        Some(m) => display(m),
        None => "Assertion failed".to_string(),
    };
    Err(vm.error("AssertionError", message))
}

fn parse(vm: &mut Vm, args: &[Value]) -> Result<Value, Exc> {
    let text = str_arg(vm, args, 0, "$parse's argument")?;
    let parse = gene_syntax::parse_text(text);
    if let Some(e) = parse.errors().first() {
        return Err(vm.error(
            "SyntaxError",
            format!("{} (at offset {})", e.message, u32::from(e.range.start())),
        ));
    }
    Ok(parse.forms().first().map(form_to_value).unwrap_or_default())
}
