//! Printing diagnostics (`gene check`, `gene parse`, and a run refused for syntax or compile
//! errors): the human form (ariadne: file:line:col, severity, code, message, the
//! source line with the range underlined) and the JSON form for tools.

use std::io::{IsTerminal, Write};

use ariadne::{Color, Config, IndexType, Label, Report, ReportKind, Source};
use gene_syntax::db::{self, Db, SourceFile};
use gene_syntax::{Diagnostic, LineIndex, Severity, TextSize};

/// Whether to color output: only on a terminal, and never when `NO_COLOR` is set.
pub fn use_color(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none()
}

pub fn stdout_color() -> bool {
    use_color(std::io::stdout().is_terminal())
}

pub fn stderr_color() -> bool {
    use_color(std::io::stderr().is_terminal())
}

/// The report header names the severity in lower case, as rustc does.
fn kind_and_color(severity: Severity) -> (ReportKind<'static>, Color) {
    let color = match severity {
        Severity::Error => Color::Red,
        Severity::Warning => Color::Yellow,
        Severity::Info => Color::Blue,
        Severity::Hint => Color::Cyan,
    };
    (ReportKind::Custom(severity.as_str(), color), color)
}

/// Writes one diagnostic of a file in the database the way rustc and ruff do.
pub fn write_human(
    out: &mut dyn Write,
    db: &dyn Db,
    file: SourceFile,
    diagnostic: &Diagnostic,
    color: bool,
) -> std::io::Result<()> {
    let name = file.path(db).display().to_string();
    write_human_text(out, &name, file.text(db), diagnostic, color)
}

/// Writes one diagnostic of the text `text` (named `name` in the report).
pub fn write_human_text(
    out: &mut dyn Write,
    name: &str,
    text: &str,
    diagnostic: &Diagnostic,
    color: bool,
) -> std::io::Result<()> {
    if !color {
        // ariadne colors custom report kinds regardless of its config; turn styling off at
        // the source.
        yansi::disable();
    }
    let name = name.to_string();
    let (kind, label_color) = kind_and_color(diagnostic.severity);
    let span = clamp(diagnostic.range.start(), diagnostic.range.end(), text.len());
    let mut report = Report::build(kind, (name.clone(), span.clone()))
        .with_config(
            Config::default()
                .with_index_type(IndexType::Byte)
                .with_color(color),
        )
        .with_code(diagnostic.code)
        .with_message(&diagnostic.message)
        .with_label(
            Label::new((name.clone(), span))
                .with_message(short_label(diagnostic))
                .with_color(label_color),
        );
    for related in &diagnostic.related {
        let span = clamp(related.range.start(), related.range.end(), text.len());
        report = report.with_label(
            Label::new((name.clone(), span))
                .with_message(&related.message)
                .with_color(Color::Blue),
        );
    }
    report.finish().write((name, Source::from(text)), out)
}

/// The text under the primary underline: the message's first clause, so the header and the
/// label do not repeat the same sentence.
fn short_label(diagnostic: &Diagnostic) -> String {
    diagnostic
        .message
        .split(':')
        .next()
        .unwrap_or(&diagnostic.message)
        .trim()
        .to_string()
}

fn clamp(start: TextSize, end: TextSize, len: usize) -> std::ops::Range<usize> {
    let start = usize::from(start).min(len);
    let end = usize::from(end).clamp(start, len);
    start..end
}

/// One diagnostic as a JSON object; lines and columns are 1-based, columns count characters.
pub fn to_json(db: &dyn Db, file: SourceFile, diagnostic: &Diagnostic) -> serde_json::Value {
    let index: &LineIndex = db::line_index(db, file);
    let start = index.line_col_chars(diagnostic.range.start());
    let end = index.line_col_chars(diagnostic.range.end());
    let related: Vec<serde_json::Value> = diagnostic
        .related
        .iter()
        .map(|r| {
            let at = index.line_col_chars(r.range.start());
            serde_json::json!({
                "line": at.line + 1,
                "column": at.col + 1,
                "message": r.message,
            })
        })
        .collect();
    serde_json::json!({
        "file": file.path(db).display().to_string(),
        "line": start.line + 1,
        "column": start.col + 1,
        "end_line": end.line + 1,
        "end_column": end.col + 1,
        "severity": diagnostic.severity.as_str(),
        "code": diagnostic.code,
        "message": diagnostic.message,
        "related": related,
    })
}
