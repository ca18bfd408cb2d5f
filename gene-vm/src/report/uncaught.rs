//! Rendering runtime failures for people: `Error: ...`, the source line with a caret under the
//! throwing form, and the Gene stack trace.

use std::fmt::Write;

use crate::vm::{Exc, Vm};

/// The text `gene run` prints on stderr for an uncaught exception.
pub fn render_uncaught(vm: &Vm, exc: &Exc) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Error: {}", vm.describe_exception(&exc.value));
    if let Some(note) = &exc.note {
        let _ = writeln!(out, "  note: {note}");
    }
    let Some(trace) = &exc.trace else { return out };
    if let Some(top) = trace.entries.first() {
        let index = &top.source.line_index;
        let start = index.line_col(top.range.start());
        if let Some(line_range) = index.line_range(start.line) {
            let text = &top.source.text;
            let from = usize::from(line_range.start()).min(text.len());
            let to = usize::from(line_range.end()).min(text.len());
            let line = text
                .get(from..to)
                .unwrap_or("")
                .trim_end_matches(['\n', '\r']);
            let col = index.line_col_chars(top.range.start()).col as usize;
            let end = if top.range.end() <= line_range.end() {
                index.line_col_chars(top.range.end()).col as usize
            } else {
                line.chars().count()
            };
            let width = end.saturating_sub(col).max(1);
            let gutter = format!("{}", start.line + 1);
            let _ = writeln!(out, "  --> {}", top.location());
            let _ = writeln!(out, "{} |", " ".repeat(gutter.len()));
            let _ = writeln!(out, "{gutter} | {line}");
            let _ = writeln!(
                out,
                "{} | {}{}",
                " ".repeat(gutter.len()),
                " ".repeat(col),
                "^".repeat(width)
            );
        }
    }
    let _ = writeln!(out, "Stack trace (innermost first):");
    let inner = trace.entries.len().min(30);
    for (i, e) in trace.entries.iter().enumerate() {
        if i == inner && trace.omitted > 0 {
            let _ = writeln!(out, "  ... {} more frames ...", trace.omitted);
        }
        if e.awaited {
            let _ = writeln!(out, "  ... awaited by:");
        }
        let _ = writeln!(out, "  at {} ({})", e.function, e.location());
    }
    out
}
