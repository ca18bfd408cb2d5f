//! `gene parse FILE`: print the syntax tree.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use gene_syntax::db::{self, RootDatabase};
use gene_syntax::printer;

use gene_vm::report::diagnostic as render;

use super::{EXIT_USAGE, source};

#[derive(Args)]
pub struct ParseArgs {
    /// The Gene file to parse.
    file: PathBuf,
    /// How to print the tree.
    #[arg(long, value_enum, default_value_t = TreeFormat::Tree)]
    format: TreeFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum TreeFormat {
    /// An outline of the concrete syntax tree, whitespace and comments left out.
    Tree,
    /// The lowered forms written back as Gene data, one top-level form per line.
    Sexpr,
    /// The full concrete syntax tree with every token, trivia included.
    Debug,
}

pub fn run(args: ParseArgs) -> ExitCode {
    let mut db = RootDatabase::new();
    let loaded = match source::load_one(&mut db, &args.file) {
        Ok(loaded) => loaded,
        Err(status) => return status,
    };
    let file = loaded.file;
    let parse = db::parse(&db, file);
    let output = match args.format {
        TreeFormat::Tree => printer::outline(&parse.syntax_node()),
        TreeFormat::Debug => printer::debug_tree(&parse.syntax_node()),
        TreeFormat::Sexpr => printer::sexpr(db::file_forms(&db, file)),
    };
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(output.as_bytes()).is_err() {
        return ExitCode::from(EXIT_USAGE);
    }
    // Syntax errors go to stderr so the tree on stdout stays clean for tools.
    let mut diagnostics = loaded.read_diagnostics;
    diagnostics.extend(db::syntax_diagnostics(&db, file).iter().cloned());
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
