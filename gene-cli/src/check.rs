//! `gene check FILE...`: report diagnostics, in human form or as JSON.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use gene_syntax::analysis::{self, LintConfig};
use gene_syntax::db::RootDatabase;
use gene_syntax::{Diagnostic, Severity, SyntaxErrorKind};

use gene_vm::report::diagnostic as render;

use super::{EXIT_USAGE, source};

#[derive(Args)]
pub struct CheckArgs {
    /// Gene files to check.
    #[arg(required_unless_present = "explain")]
    files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    format: OutputFormat,
    /// Print the explanation of a diagnostic code (such as E001) and exit.
    #[arg(long, value_name = "CODE")]
    explain: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    /// rustc-style reports with the source line underlined.
    Human,
    /// One JSON array of diagnostic objects.
    Json,
}

pub fn run(args: CheckArgs) -> ExitCode {
    if let Some(code) = &args.explain {
        return explain(code);
    }
    let mut db = RootDatabase::new();
    let mut stdout = std::io::stdout().lock();
    let color = render::stdout_color();
    let mut json = Vec::new();
    let mut counts = [0usize; 4];
    let mut unreadable = false;
    let mut checked = 0usize;
    for path in &args.files {
        let config = match LintConfig::discover(path) {
            Ok(found) => found.map(|(_, config)| config).unwrap_or_default(),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(EXIT_USAGE);
            }
        };
        let loaded = match source::load(&mut db, path) {
            Ok(loaded) => loaded,
            Err(e) => {
                eprintln!("error: {e}");
                unreadable = true;
                continue;
            }
        };
        checked += 1;
        let file = loaded.file;
        let mut diagnostics: Vec<Diagnostic> = loaded.read_diagnostics;
        diagnostics.extend(analysis::diagnostics(&db, file, &config));
        diagnostics.sort_by_key(|d| (d.range.start(), d.range.end()));
        for diagnostic in &diagnostics {
            counts[diagnostic.severity as usize] += 1;
            match args.format {
                OutputFormat::Json => json.push(render::to_json(&db, file, diagnostic)),
                OutputFormat::Human => {
                    if render::write_human(&mut stdout, &db, file, diagnostic, color).is_err() {
                        return ExitCode::from(EXIT_USAGE);
                    }
                }
            }
        }
    }
    let written = match args.format {
        OutputFormat::Json => serde_json::to_writer_pretty(&mut stdout, &json)
            .map_err(std::io::Error::from)
            .and_then(|_| writeln!(stdout)),
        OutputFormat::Human if checked == 0 => Ok(()),
        OutputFormat::Human => writeln!(stdout, "{}", summary(&counts, checked)),
    };
    if written.is_err() || unreadable {
        return ExitCode::from(EXIT_USAGE);
    }
    if counts[Severity::Error as usize] > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn summary(counts: &[usize; 4], files: usize) -> String {
    let names = ["error", "warning", "info", "hint"];
    let parts: Vec<String> = counts
        .iter()
        .zip(names)
        .filter(|(n, _)| **n > 0)
        .map(|(n, name)| match (*n, name) {
            (1, name) => format!("1 {name}"),
            (n, "info") => format!("{n} infos"),
            (n, name) => format!("{n} {name}s"),
        })
        .collect();
    let files = if files == 1 {
        "1 file".to_string()
    } else {
        format!("{files} files")
    };
    if parts.is_empty() {
        format!("No problems found in {files}.")
    } else {
        format!("Found {} in {files}.", parts.join(", "))
    }
}

fn explain(code: &str) -> ExitCode {
    if let Some(kind) = SyntaxErrorKind::from_code(code) {
        println!(
            "{} ({}): syntax error\n\n{}",
            kind.code(),
            kind.name(),
            kind.explanation()
        );
        return ExitCode::SUCCESS;
    }
    if let Some(rule) = analysis::rule(code) {
        println!(
            "{} ({}): {} by default\n\n{}",
            rule.code,
            rule.name,
            rule.severity.as_str(),
            rule.doc_text()
        );
        if let Some(fix) = rule.fix {
            println!("\nQuick fix: {fix}.");
        }
        return ExitCode::SUCCESS;
    }
    let syntax_codes = match (SyntaxErrorKind::ALL.first(), SyntaxErrorKind::ALL.last()) {
        (Some(first), Some(last)) => format!("{}-{}", first.code(), last.code()),
        _ => String::new(),
    };
    eprintln!(
        "error: unknown diagnostic code `{code}` (`gene rules` lists the lint rules; syntax errors are {syntax_codes})"
    );
    ExitCode::from(EXIT_USAGE)
}
