//! `gene check FILE...`: report diagnostics, in human form or as JSON.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use gene_syntax::analysis::{self, LintConfig};
use gene_syntax::db::{self, RootDatabase, SourceFile};
use gene_syntax::{Diagnostic, Severity, SyntaxErrorKind};
use serde::ser::{SerializeSeq, Serializer};

use gene_vm::report::diagnostic as render;

use super::{EXIT_USAGE, check_fix, check_output, source};

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
    /// Apply every safe quick fix, print what changed, then check again. A file with syntax
    /// errors, or whose fixed text would not parse, is not written.
    #[arg(long, conflicts_with = "diff")]
    fix: bool,
    /// With `--fix` or `--diff`: the fixes not marked safe too.
    #[arg(long)]
    unsafe_fixes: bool,
    /// Print the edits `--fix` would make, as a unified diff, without writing (exit status 1
    /// when there are some).
    #[arg(long)]
    diff: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    /// rustc-style reports with the source line underlined.
    Human,
    /// One JSON array of diagnostic objects.
    Json,
    /// GitHub Actions workflow annotations, one line per diagnostic.
    Github,
    /// A SARIF 2.1.0 log, for code-scanning services.
    Sarif,
}

pub fn run(args: CheckArgs) -> ExitCode {
    if let Some(code) = &args.explain {
        return explain(code);
    }
    // Every configuration is read before anything is printed, so that a bad one stops the run
    // before half a report is out.
    let mut configs = Vec::with_capacity(args.files.len());
    for path in &args.files {
        match LintConfig::discover(path) {
            Ok(found) => configs.push(found.map(|(_, config)| config).unwrap_or_default()),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(EXIT_USAGE);
            }
        }
    }
    if args.diff {
        return print_diffs(&args.files, &configs, args.unsafe_fixes);
    }
    if args.fix && !apply_fixes(&args.files, &configs, args.unsafe_fixes, args.format) {
        return ExitCode::from(EXIT_USAGE);
    }
    let mut db = RootDatabase::new();
    db::limit_chunk_memos(&mut db, CHUNKS_IN_MEMORY);
    let mut checker = Checker {
        db,
        counts: [0; 4],
        checked: 0,
        unreadable: false,
    };
    let files = args.files.iter().zip(&configs);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = match args.format {
        OutputFormat::Json => checker.write_json(&mut out, files),
        OutputFormat::Github => checker.write_github(&mut out, files),
        OutputFormat::Sarif => checker.write_sarif(&mut out, files),
        OutputFormat::Human => checker.write_human(&mut out, files, render::stdout_color()),
    }
    .and_then(|_| out.flush());
    if written.is_err() || checker.unreadable {
        return ExitCode::from(EXIT_USAGE);
    }
    if checker.counts[Severity::Error as usize] > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// How many chunks' trees and lowered forms a check keeps in memory at once (see
/// [`db::limit_chunk_memos`]); all of a big file's would take many times its size.
const CHUNKS_IN_MEMORY: usize = 1024;

struct Checker {
    db: RootDatabase,
    /// Diagnostics by severity.
    counts: [usize; 4],
    checked: usize,
    unreadable: bool,
}

impl Checker {
    /// Loads `path` and finds its diagnostics, in source order; `None` when it cannot be read
    /// (the reason is printed).
    fn check(&mut self, path: &Path, config: &LintConfig) -> Option<(SourceFile, Vec<Diagnostic>)> {
        // Each chunk is parsed, walked and its definitions found a window of chunks at a time,
        // keeping what the file-level analysis reads (its lint facts, definitions, allow
        // comments, syntax errors) and dropping the trees, forms and walks as it goes; before
        // the imports are followed, which reads the definitions.
        let mut syntax: Vec<Diagnostic> = Vec::new();
        let visit_chunks = |db: &mut RootDatabase, file: SourceFile| {
            db::visit_chunks_bounded(db, file, CHUNKS_IN_MEMORY / 2, |db, at| {
                // The chunk's lint facts, definitions, allow comments and syntax errors, in one
                // memo (see `db::limit_chunk_memos`).
                let facts = analysis::chunk_facts(db, at.chunk);
                syntax.extend(facts.syntax().iter().map(|d| d.shifted(at.offset)));
            });
        };
        let loaded = match source::load_with(&mut self.db, path, visit_chunks) {
            Ok(loaded) => loaded,
            Err(e) => {
                eprintln!("error: {e}");
                self.unreadable = true;
                return None;
            }
        };
        self.checked += 1;
        let file = loaded.file;
        // What `analysis::diagnostics` gives, with the syntax errors gathered above (its
        // `db::syntax_diagnostics` would parse the chunks again).
        let mut diagnostics: Vec<Diagnostic> = loaded.read_diagnostics;
        diagnostics.append(&mut syntax);
        diagnostics.extend(config.apply(analysis::lint_diagnostics(&self.db, file)));
        diagnostics.sort_by_key(|d| (d.range.start(), d.range.end()));
        for diagnostic in &diagnostics {
            self.counts[diagnostic.severity as usize] += 1;
        }
        Some((file, diagnostics))
    }

    /// One JSON array of every file's diagnostics, written as they are found.
    fn write_json<'a>(
        &mut self,
        out: &mut dyn Write,
        files: impl Iterator<Item = (&'a PathBuf, &'a LintConfig)>,
    ) -> std::io::Result<()> {
        let mut json = serde_json::Serializer::pretty(&mut *out);
        let mut array = json.serialize_seq(None)?;
        for (path, config) in files {
            if let Some((file, diagnostics)) = self.check(path, config) {
                for diagnostic in &diagnostics {
                    array.serialize_element(&render::to_json(&self.db, file, diagnostic))?;
                }
            }
        }
        array.end()?;
        writeln!(out)
    }

    /// One workflow annotation line per diagnostic.
    fn write_github<'a>(
        &mut self,
        out: &mut dyn Write,
        files: impl Iterator<Item = (&'a PathBuf, &'a LintConfig)>,
    ) -> std::io::Result<()> {
        for (path, config) in files {
            if let Some((file, diagnostics)) = self.check(path, config) {
                for diagnostic in &diagnostics {
                    let json = render::to_json(&self.db, file, diagnostic);
                    writeln!(out, "{}", check_output::github_annotation(&json))?;
                }
            }
        }
        Ok(())
    }

    /// One SARIF log with every file's diagnostics.
    fn write_sarif<'a>(
        &mut self,
        out: &mut dyn Write,
        files: impl Iterator<Item = (&'a PathBuf, &'a LintConfig)>,
    ) -> std::io::Result<()> {
        let mut results = Vec::new();
        for (path, config) in files {
            if let Some((file, diagnostics)) = self.check(path, config) {
                results.extend(
                    diagnostics
                        .iter()
                        .map(|d| render::to_json(&self.db, file, d)),
                );
            }
        }
        serde_json::to_writer_pretty(&mut *out, &check_output::sarif_log(&results))?;
        writeln!(out)
    }

    /// Each file's diagnostics as reports with the source underlined, then a summary.
    fn write_human<'a>(
        &mut self,
        out: &mut dyn Write,
        files: impl Iterator<Item = (&'a PathBuf, &'a LintConfig)>,
        color: bool,
    ) -> std::io::Result<()> {
        for (path, config) in files {
            if let Some((file, diagnostics)) = self.check(path, config) {
                let reports = render::HumanReports::new(&self.db, file, color);
                for diagnostic in &diagnostics {
                    reports.write(out, diagnostic)?;
                }
            }
        }
        if self.checked > 0 {
            writeln!(out, "{}", summary(&self.counts, self.checked))?;
        }
        Ok(())
    }
}

/// `--diff`: each file's fixed text against its text, as unified diffs on stdout.
fn print_diffs(files: &[PathBuf], configs: &[LintConfig], unsafe_fixes: bool) -> ExitCode {
    let mut changed = false;
    let mut out = std::io::stdout().lock();
    for (path, config) in files.iter().zip(configs) {
        match check_fix::fix_file(path, config, unsafe_fixes) {
            Ok((before, check_fix::Outcome::Fixed { text, .. })) => {
                changed = true;
                if write!(out, "{}", check_fix::unified_diff(path, &before, &text)).is_err() {
                    return ExitCode::from(EXIT_USAGE);
                }
            }
            Ok((_, outcome)) => report_unfixed(path, &outcome),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(EXIT_USAGE);
            }
        }
    }
    if changed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// `--fix`: writes each file's fixed text and prints what changed (on stdout for the human
/// format, on stderr for the machine formats, whose stdout is the re-check's report). False
/// when a file could not be read or written.
fn apply_fixes(
    files: &[PathBuf],
    configs: &[LintConfig],
    unsafe_fixes: bool,
    format: OutputFormat,
) -> bool {
    let mut log = String::new();
    let mut ok = true;
    for (path, config) in files.iter().zip(configs) {
        match check_fix::fix_file(path, config, unsafe_fixes) {
            Ok((_, check_fix::Outcome::Fixed { text, applied })) => {
                if let Err(e) = std::fs::write(path, &text) {
                    eprintln!("error: cannot write `{}`: {e}", path.display());
                    ok = false;
                    continue;
                }
                let plural = if applied.len() == 1 { "" } else { "s" };
                log.push_str(&format!(
                    "Fixed {} problem{plural} in {}:\n",
                    applied.len(),
                    path.display()
                ));
                for a in &applied {
                    log.push_str(&format!(
                        "  {}:{}:{} [{}] {}\n",
                        path.display(),
                        a.line,
                        a.column,
                        a.code,
                        a.title
                    ));
                }
            }
            Ok((_, outcome)) => report_unfixed(path, &outcome),
            Err(e) => {
                eprintln!("error: {e}");
                ok = false;
            }
        }
    }
    if format == OutputFormat::Human {
        print!("{log}");
    } else {
        eprint!("{log}");
    }
    ok
}

/// Why a file was left as it is, when that is worth saying.
fn report_unfixed(path: &Path, outcome: &check_fix::Outcome) {
    match outcome {
        check_fix::Outcome::SyntaxErrors => eprintln!(
            "note: `{}` has syntax errors: no fixes applied",
            path.display()
        ),
        check_fix::Outcome::WouldBreak => eprintln!(
            "note: the fixes for `{}` would leave it unparsable: not applied",
            path.display()
        ),
        _ => {}
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
