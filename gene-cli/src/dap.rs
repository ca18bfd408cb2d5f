//! `gene dap`: the debugger (Debug Adapter Protocol over standard input and output), served by
//! gene-dap's library.

use std::process::ExitCode;

use clap::Args;

#[derive(Args)]
pub struct DapArgs {}

pub fn run(_args: DapArgs) -> ExitCode {
    gene_dap::run_stdio();
    ExitCode::SUCCESS
}
