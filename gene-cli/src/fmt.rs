//! `gene fmt [--check] FILE...`: format files in place, or check that they are formatted.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use gene_syntax::db::{self, RootDatabase};
use gene_syntax::format;

use super::{EXIT_USAGE, source};

#[derive(Args)]
pub struct FmtArgs {
    /// Files to format; `-` reads standard input and writes the result to standard output.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Change nothing; list the files that are not formatted and exit with status 1 if any.
    #[arg(long)]
    check: bool,
}

pub fn run(args: FmtArgs) -> ExitCode {
    let mut db = RootDatabase::new();
    let mut unformatted = 0usize;
    let mut failed = false;
    for path in &args.files {
        if path == Path::new("-") {
            let mut text = String::new();
            if std::io::stdin().read_to_string(&mut text).is_err() {
                eprintln!("error: standard input is not UTF-8 text");
                return ExitCode::from(EXIT_USAGE);
            }
            match format::format_text(&text) {
                Ok(formatted) => {
                    if args.check && formatted != text {
                        println!("<stdin> is not formatted");
                        unformatted += 1;
                    } else if !args.check {
                        let _ = std::io::stdout().write_all(formatted.as_bytes());
                    }
                }
                Err(e) => {
                    eprintln!("error: cannot format <stdin>: {e}");
                    failed = true;
                }
            }
            continue;
        }
        let loaded = match source::load(&mut db, path) {
            Ok(loaded) => loaded,
            Err(e) => {
                eprintln!("error: {e}");
                failed = true;
                continue;
            }
        };
        if !loaded.read_diagnostics.is_empty() {
            eprintln!(
                "error: cannot format `{}`: it is not valid UTF-8",
                path.display()
            );
            failed = true;
            continue;
        }
        let original = loaded.file.text(&db).clone();
        let formatted = match format::format(db::parse(&db, loaded.file)) {
            Ok(f) => f,
            Err(e) => {
                eprintln!(
                    "error: cannot format `{}`: {e} (`gene check` shows them)",
                    path.display()
                );
                failed = true;
                continue;
            }
        };
        if *formatted == *original {
            continue;
        }
        if args.check {
            println!("{} is not formatted", path.display());
            unformatted += 1;
        } else if let Err(e) = write_atomically(path, &formatted) {
            eprintln!("error: cannot write `{}`: {e}", path.display());
            failed = true;
        } else {
            println!("formatted {}", path.display());
        }
    }
    if failed {
        ExitCode::from(EXIT_USAGE)
    } else if unformatted > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Writes to a temporary file beside `path`, then renames it over `path`, so an interrupted
/// write never leaves half a file.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.fmt-{}", std::process::id()));
    std::fs::write(&tmp, text)?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(&tmp, meta.permissions());
    }
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
