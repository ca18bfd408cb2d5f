//! `gene disasm FILE`: print the bytecode the compiler makes of a file, function by function,
//! each op under the source line it came from.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use gene_syntax::db::{self, RootDatabase};
use gene_vm::report::diagnostic as render;

use super::{EXIT_USAGE, source};

#[derive(Args)]
pub struct DisasmArgs {
    /// The Gene file to compile.
    file: PathBuf,
}

pub fn run(args: DisasmArgs) -> ExitCode {
    let mut db = RootDatabase::new();
    let loaded = match source::load_one(&mut db, &args.file) {
        Ok(loaded) => loaded,
        Err(status) => return status,
    };
    let file = loaded.file;
    let name = args.file.display().to_string();
    // Compiled as `gene run` would (a file with syntax errors still compiles: the bad forms
    // become code that throws), so the listing shows what would run.
    let proto = gene_vm::compiler::compile_module(db::file_forms(&db, file), &name);
    let listing = gene_vm::bytecode::disassemble(&proto, file.text(&db));
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(listing.as_bytes()).is_err() {
        return ExitCode::from(EXIT_USAGE);
    }
    let mut diagnostics = loaded.read_diagnostics;
    diagnostics.extend(db::syntax_diagnostics(&db, file).iter().cloned());
    diagnostics.extend(proto.errors.iter().cloned());
    let mut stderr = std::io::stderr().lock();
    for diagnostic in &diagnostics {
        let _ = render::write_human(&mut stderr, &db, file, diagnostic, render::stderr_color());
    }
    if diagnostics.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
