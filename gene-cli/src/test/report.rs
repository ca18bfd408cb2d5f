//! `gene test`'s output. Human: a line per test as it finishes (`test FILE > NAME ... ok`,
//! with the duration of a test that took 100 ms or more), then each failure's report, then
//! `N passed, M failed` (`, K skipped` when any). JSON: one object per line, an event per
//! test and a final summary. JUnit: one XML document at the end, a `testsuite` per file.

use std::fmt::Write as _;
use std::io::Write;
use std::time::Duration;

use serde_json::json;

use super::Format;
use super::outcome::{Outcome, Status};

/// A test that took this long shows its duration.
const SLOW: Duration = Duration::from_millis(100);

#[derive(Default)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

pub struct Reporter {
    format: Format,
    outcomes: Vec<Outcome>,
    started: std::time::Instant,
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl Reporter {
    pub fn new(format: Format) -> Reporter {
        Reporter {
            format,
            outcomes: Vec::new(),
            started: std::time::Instant::now(),
        }
    }

    pub fn add(&mut self, outcome: Outcome) {
        let line = match self.format {
            Format::Human => Some(human_line(&outcome)),
            Format::Json => Some(
                json!({
                    "event": "test",
                    "file": outcome.file,
                    "name": outcome.name,
                    "status": outcome.status.json_name(),
                    "durationMs": millis(outcome.duration),
                    "message": outcome.message,
                    "line": outcome.line,
                    "column": outcome.column,
                })
                .to_string(),
            ),
            Format::Junit => None,
        };
        if let Some(line) = line {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        }
        self.outcomes.push(outcome);
    }

    /// Prints what comes after the tests and gives the counts.
    pub fn finish(mut self) -> Counts {
        // Files ran in parallel: the reports go in discovery order, each file's in test order.
        self.outcomes.sort_by_key(|o| o.job);
        let mut counts = Counts::default();
        for o in &self.outcomes {
            match o.status {
                Status::Passed => counts.passed += 1,
                Status::Failed => counts.failed += 1,
                Status::Skipped => counts.skipped += 1,
            }
        }
        let text = match self.format {
            Format::Human => self.human_end(&counts),
            Format::Json => format!(
                "{}\n",
                json!({
                    "event": "summary",
                    "passed": counts.passed,
                    "failed": counts.failed,
                    "skipped": counts.skipped,
                    "durationMs": millis(self.started.elapsed()),
                })
            ),
            Format::Junit => self.junit(&counts),
        };
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
        counts
    }

    fn human_end(&self, counts: &Counts) -> String {
        let mut out = String::new();
        let failures: Vec<&Outcome> = self
            .outcomes
            .iter()
            .filter(|o| o.status == Status::Failed)
            .collect();
        if !failures.is_empty() {
            out.push_str("\nfailures:\n");
            for o in failures {
                let _ = write!(out, "\n---- {} ----\n", full_name(o));
                out.push_str(o.details.as_deref().or(o.message.as_deref()).unwrap_or(""));
                if !out.ends_with('\n') {
                    out.push('\n');
                }
            }
        }
        if self.outcomes.is_empty() {
            out.push_str("no tests found\n");
        }
        let _ = write!(out, "\n{} passed, {} failed", counts.passed, counts.failed);
        if counts.skipped > 0 {
            let _ = write!(out, ", {} skipped", counts.skipped);
        }
        out.push('\n');
        out
    }

    fn junit(&self, counts: &Counts) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let total = counts.passed + counts.failed + counts.skipped;
        let _ = writeln!(
            out,
            "<testsuites name=\"gene test\" tests=\"{total}\" failures=\"{}\" skipped=\"{}\" time=\"{:.3}\">",
            counts.failed,
            counts.skipped,
            self.started.elapsed().as_secs_f64()
        );
        for file in self.outcomes.chunk_by(|a, b| a.job == b.job) {
            let count = |s: Status| file.iter().filter(|o| o.status == s).count();
            let time: Duration = file.iter().map(|o| o.duration).sum();
            let _ = writeln!(
                out,
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" time=\"{:.3}\">",
                xml(&file[0].file),
                file.len(),
                count(Status::Failed),
                count(Status::Skipped),
                time.as_secs_f64()
            );
            for o in file {
                let _ = write!(
                    out,
                    "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\"{} time=\"{:.3}\"",
                    xml(&o.name),
                    xml(&o.file),
                    xml(&o.file),
                    o.line.map(|l| format!(" line=\"{l}\"")).unwrap_or_default(),
                    o.duration.as_secs_f64()
                );
                match o.status {
                    Status::Passed => out.push_str("/>\n"),
                    Status::Skipped => out.push_str(">\n      <skipped/>\n    </testcase>\n"),
                    Status::Failed => {
                        let _ = write!(
                            out,
                            ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                            xml(o.message.as_deref().unwrap_or("")),
                            xml(o.details.as_deref().unwrap_or(""))
                        );
                    }
                }
            }
            out.push_str("  </testsuite>\n");
        }
        out.push_str("</testsuites>\n");
        out
    }
}

fn full_name(o: &Outcome) -> String {
    if o.name == o.file.rsplit('/').next().unwrap_or("") {
        o.file.clone()
    } else {
        format!("{} > {}", o.file, o.name)
    }
}

fn human_line(o: &Outcome) -> String {
    let status = match o.status {
        Status::Passed => "ok",
        Status::Failed => "FAILED",
        Status::Skipped => "skipped",
    };
    let mut line = format!("test {} ... {status}", full_name(o));
    if o.status != Status::Skipped && o.duration >= SLOW {
        let _ = write!(line, " ({:.2}s)", o.duration.as_secs_f64());
    }
    line
}

/// Text for XML attributes and content: markup escaped, and control characters XML 1.0 cannot
/// hold (an ANSI escape in a program's output) replaced by U+FFFD.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes_markup_and_drops_control_characters() {
        assert_eq!(
            xml("a<b & \"c\"\u{1b}[0m"),
            "a&lt;b &amp; &quot;c&quot;\u{FFFD}[0m"
        );
    }
}
