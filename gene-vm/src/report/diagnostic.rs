//! Printing diagnostics (`gene check`, `gene parse`, and a run refused for syntax or compile
//! errors): the human form (ariadne: file:line:col, severity, code, message, the
//! source line with the range underlined) and the JSON form for tools.

use std::io::{IsTerminal, Write};

use ariadne::{Color, Config, IndexType, Label, Report, ReportKind, Source};
use gene_syntax::db::{self, Db, SourceFile};
use gene_syntax::{Diagnostic, LineIndex, Severity, TextRange, TextSize};

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
    HumanReports::new(db, file, color).write(out, diagnostic)
}

/// Writes one diagnostic of the text `text` (named `name` in the report): a run refused for
/// its syntax or compile errors, whose source is not in a database.
pub fn write_human_text(
    out: &mut dyn Write,
    name: &str,
    text: &str,
    diagnostic: &Diagnostic,
    color: bool,
) -> std::io::Result<()> {
    HumanReports::for_text(name.to_string(), text, color).write(out, diagnostic)
}

/// The human reports of one file's diagnostics. The file's lines are indexed once for all of
/// them: indexed per report, a big file with many diagnostics took time quadratic in its size.
pub struct HumanReports<'a> {
    name: String,
    text: &'a str,
    source: Source<&'a str>,
    color: bool,
}

impl<'a> HumanReports<'a> {
    pub fn new(db: &'a dyn Db, file: SourceFile, color: bool) -> HumanReports<'a> {
        let name = file.path(db).display().to_string();
        HumanReports::for_text(name, file.text(db), color)
    }

    /// The reports of a text named `name`.
    pub fn for_text(name: String, text: &'a str, color: bool) -> HumanReports<'a> {
        if !color {
            // ariadne colors custom report kinds regardless of its config; turn styling off at
            // the source.
            yansi::disable();
        }
        HumanReports {
            name,
            text,
            source: Source::from(text),
            color,
        }
    }

    /// Writes one diagnostic the way rustc and ruff do.
    pub fn write(&self, out: &mut dyn Write, diagnostic: &Diagnostic) -> std::io::Result<()> {
        let name = &self.name;
        let (kind, label_color) = kind_and_color(diagnostic.severity);
        let span = char_span(self.text, diagnostic.range);
        let mut report = Report::build(kind, (name.clone(), span.clone()))
            .with_config(
                Config::default()
                    .with_index_type(IndexType::Byte)
                    .with_color(self.color),
            )
            .with_code(diagnostic.code)
            .with_message(&diagnostic.message)
            .with_label(
                Label::new((name.clone(), span))
                    .with_message(short_label(diagnostic))
                    .with_color(label_color),
            );
        for related in &diagnostic.related {
            let span = char_span(self.text, related.range);
            report = report.with_label(
                Label::new((name.clone(), span))
                    .with_message(&related.message)
                    .with_color(Color::Blue),
            );
        }
        report.finish().write((name.clone(), &self.source), out)
    }
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

/// `range` as whole characters of `text`: the start moved back and the end forward to character
/// boundaries, both inside the text. A range from any producer can be rendered: ariadne slices
/// the text at the span's ends, and a column inside a character means nothing.
fn char_span(text: &str, range: TextRange) -> std::ops::Range<usize> {
    let mut start = usize::from(range.start()).min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = usize::from(range.end()).clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

/// One diagnostic as a JSON object; lines and columns are 1-based, columns count characters.
pub fn to_json(db: &dyn Db, file: SourceFile, diagnostic: &Diagnostic) -> serde_json::Value {
    let index: &LineIndex = db::line_index(db, file);
    let text = file.text(db);
    let at = |offset: usize| index.line_col_chars(TextSize::from(offset as u32));
    let span = char_span(text, diagnostic.range);
    let (start, end) = (at(span.start), at(span.end));
    let related: Vec<serde_json::Value> = diagnostic
        .related
        .iter()
        .map(|r| {
            let at = at(char_span(text, r.range).start);
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

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use gene_syntax::db::RootDatabase;
    use gene_syntax::{Diagnostic, Severity, TextRange, TextSize};

    use super::{to_json, write_human};

    /// Every range over a text of multi-byte characters and line breaks of every kind, its ends
    /// on and off character boundaries: the human report renders, and the JSON columns are
    /// those of the whole characters the range touches.
    #[test]
    fn every_range_over_multi_byte_text_renders() {
        let text = "(\\é/ 😀\u{2028}日本\r\n\tx\u{85}ÿ\u{FEFF}\rz̈)\n";
        let mut db = RootDatabase::new();
        let file = db.set_file(PathBuf::from("multi.gene"), text.to_string());
        // Line and character column (1-based) of a byte offset on a character boundary; the
        // middle of a `\r\n` is the end of its line.
        let position = |mut offset: usize| -> (usize, usize) {
            if text[..offset].ends_with('\r') && text[offset..].starts_with('\n') {
                offset -= 1;
            }
            let before = &text[..offset];
            let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
            let line = before.matches('\n').count() + before.matches('\r').count()
                - before.matches("\r\n").count();
            (line + 1, text[line_start..offset].chars().count() + 1)
        };
        let len = text.len();
        for start in 0..=len + 1 {
            for end in start..=len + 1 {
                let range =
                    TextRange::new(TextSize::from(start as u32), TextSize::from(end as u32));
                let diagnostic = Diagnostic::new(range, Severity::Warning, "N001", "a: b")
                    .with_related(range, "here");
                let mut out = Vec::new();
                write_human(&mut out, &db, file, &diagnostic, false)
                    .unwrap_or_else(|e| panic!("{start}..{end}: {e}"));
                assert!(!out.is_empty());
                let json = to_json(&db, file, &diagnostic);
                let floor = (0..=start.min(len))
                    .rev()
                    .find(|&i| text.is_char_boundary(i))
                    .unwrap_or(0);
                let ceil = (end.min(len)..=len)
                    .find(|&i| text.is_char_boundary(i))
                    .unwrap_or(len);
                let (line, column) = position(floor);
                let (end_line, end_column) = position(ceil);
                assert_eq!(
                    (&json["line"], &json["column"]),
                    (&line.into(), &column.into()),
                    "start of {start}..{end}"
                );
                assert_eq!(
                    (&json["end_line"], &json["end_column"]),
                    (&end_line.into(), &end_column.into()),
                    "end of {start}..{end}"
                );
            }
        }
    }
}
