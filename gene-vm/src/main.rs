//! The `gene` command: run, check and inspect Gene programs.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
