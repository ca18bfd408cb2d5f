//! The Generator and AsyncGenerator methods: `.next` and `.close` (the VM side of resuming is
//! in `vm/generator.rs`).

use std::rc::Rc;

use super::arg;
use crate::value::{GeneratorObj, NativeFn, Value};
use crate::vm::{Exc, Vm};

pub(super) static NATIVES: &[NativeFn] = &[
    flow_native!("Generator.next", |vm, args| {
        let g = generator_arg(vm, args, ".next")?;
        vm.generator_next(g, arg(args, 1).clone())
    }),
    flow_native!("Generator.close", |vm, args| {
        let g = generator_arg(vm, args, ".close")?;
        vm.generator_close(g)
    }),
    flow_native!("AsyncGenerator.next", |vm, args| {
        let g = generator_arg(vm, args, ".next")?;
        vm.generator_next(g, arg(args, 1).clone())
    }),
    flow_native!("AsyncGenerator.close", |vm, args| {
        let g = generator_arg(vm, args, ".close")?;
        vm.generator_close(g)
    }),
];

fn generator_arg(vm: &Vm, args: &[Value], what: &str) -> Result<Rc<GeneratorObj>, Exc> {
    match arg(args, 0) {
        Value::Generator(g) => Ok(g.clone()),
        other => Err(vm.type_error(format!(
            "{what} needs a generator, got {}",
            other.type_name()
        ))),
    }
}
