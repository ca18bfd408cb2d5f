//! `gene eval 'EXPR'`: evaluates the text and prints its value in `$` form.

use std::process::ExitCode;

use clap::Args;
use gene_vm::{StdOutput, Vm};

#[derive(Args)]
pub struct EvalArgs {
    /// Gene code to evaluate.
    code: String,
    /// Arguments for the code (`$args`).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

pub fn run(args: EvalArgs) -> ExitCode {
    let mut vm = Vm::new(Box::new(StdOutput::new()));
    vm.set_args(args.args);
    match vm.eval_input(&args.code) {
        Ok(value) => {
            let text = gene_vm::value::inspect(&value);
            vm.out.out(&text);
            vm.out.out("\n");
            vm.out.flush();
            ExitCode::SUCCESS
        }
        Err(e) => super::run::finish(&mut vm, Err(e)),
    }
}
