//! `gene eval 'EXPR'`: evaluates the text and prints its value in `$` form.

use std::process::ExitCode;

use clap::Args;
use gene_vm::{Session, StdOutput, Vm};

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
    let mut session = Session::new(vm);
    match session.eval(&args.code) {
        Ok(value) => {
            let out = session.services.output();
            out.out(&gene_vm::value::inspect(&value));
            out.out("\n");
            out.flush();
            ExitCode::SUCCESS
        }
        Err(e) => super::run::finish(&mut session, Err(e)),
    }
}
