//! The `gene` command: run, check and inspect Gene programs.

mod cli;

/// mimalloc rather than the system allocator: parsing and the VM allocate many small,
/// short-lived objects (tree nodes, tokens, values), which it serves faster than glibc's
/// allocator (the parser benchmarks, which use it too, measure the difference).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
