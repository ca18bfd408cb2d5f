//! An uncaught error of a run as a diagnostic (source "gene run") in the file that was run: at
//! the innermost form of that file on the stack (the form that threw, when it threw there),
//! with the stack trace as related information. A deadlock adds one diagnostic per waiting
//! task at its `await`, naming the task and what it waits on, with where the task was started
//! as related information; a failure nobody observed adds where its task was started, and
//! the other unobserved failures of the run come as diagnostics of their own. They stay until
//! the document is edited or run again, and are shown only with the text they were computed
//! for.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use gene_syntax::TextRange;
use ropey::Rope;
use tower_lsp_server::lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, Range, Uri,
};

use super::wire::{SiteEntry, TaskEntry, TraceFrame, Uncaught};
use crate::document::Stamp;
use crate::position::{LineMap, PositionEncoding};
use crate::workspace::path_to_uri;

/// The `source` of run diagnostics.
pub const RUN_SOURCE: &str = "gene run";

struct Entry {
    /// The document version the run used; `None` for a file that is not open.
    stamp: Option<Stamp>,
    items: Vec<Diagnostic>,
}

/// The run diagnostics of each document, and apart from them the failures of its last test
/// run (`gene test`, see `super::test_run`), which stay until the next test run.
#[derive(Default)]
pub struct RunDiagnostics(
    Mutex<HashMap<Uri, Entry>>,
    Mutex<HashMap<Uri, Vec<Diagnostic>>>,
);

impl RunDiagnostics {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Uri, Entry>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn tests(&self) -> std::sync::MutexGuard<'_, HashMap<Uri, Vec<Diagnostic>>> {
        self.1.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The failures of the last test run of `uri`; returns whether that changes anything.
    pub fn set_tests(&self, uri: Uri, items: Vec<Diagnostic>) -> bool {
        let before = if items.is_empty() {
            self.tests().remove(&uri)
        } else {
            self.tests().insert(uri, items.clone())
        };
        before.unwrap_or_default() != items
    }

    pub fn set(&self, uri: Uri, stamp: Option<Stamp>, items: Vec<Diagnostic>) {
        self.lock().insert(uri, Entry { stamp, items });
    }

    /// Forgets the run diagnostics of `uri`; returns whether there were any.
    pub fn clear(&self, uri: &Uri) -> bool {
        self.lock()
            .remove(uri)
            .is_some_and(|entry| !entry.items.is_empty())
    }

    /// The run diagnostics of `uri` that belong to the text `stamp`, and the failures of its
    /// last test run.
    pub fn for_text(&self, uri: &Uri, stamp: Option<Stamp>) -> Vec<Diagnostic> {
        let mut items = match self.lock().get(uri) {
            Some(entry) if entry.stamp == stamp => entry.items.clone(),
            _ => Vec::new(),
        };
        items.extend(self.tests().get(uri).cloned().unwrap_or_default());
        items
    }
}

/// Where the run took place, for converting the trace.
pub struct RunSite<'a> {
    pub uri: &'a Uri,
    /// The path the VM ran the text under.
    pub path: &'a str,
    pub encoding: PositionEncoding,
    pub related_information: bool,
}

/// The diagnostics of a run that ended with an uncaught error: the error's, each deadlocked
/// task's (those waiting in the file run), each other unobserved failure's.
pub fn run_diagnostics(error: &Uncaught, site: &RunSite<'_>) -> Vec<Diagnostic> {
    let mut out = vec![error_diagnostic(error, site)];
    for task in &error.deadlocked {
        out.extend(deadlock_diagnostic(task, error, site));
    }
    for other in &error.unobserved {
        out.push(error_diagnostic(other, site));
    }
    out
}

/// A deadlocked task at its `await` (when that is in the file run).
fn deadlock_diagnostic(
    task: &TaskEntry,
    error: &Uncaught,
    site: &RunSite<'_>,
) -> Option<Diagnostic> {
    let at = task.site.as_ref().filter(|s| s.path == site.path)?;
    let range = site_range(at, error, site)?;
    let mut message = format!("deadlock: task {} {} waits here", task.id, task.name);
    if let Some(on) = &task.waiting_on {
        message.push_str(&format!(" on {on}"));
    }
    message.push_str(", which nothing will settle");
    let mut related = Vec::new();
    if let Some(created) = &task.created {
        let what = format!("task {} {} was started here", task.id, task.name);
        add_related(&mut related, &mut message, created, what, error, site);
    }
    Some(Diagnostic {
        range,
        severity: Some(DiagnosticSeverity::ERROR),
        source: Some(RUN_SOURCE.to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Default::default()
    })
}

/// Related information at a task site, or (for clients without it) a line of the message.
fn add_related(
    related: &mut Vec<DiagnosticRelatedInformation>,
    message: &mut String,
    at: &SiteEntry,
    what: String,
    error: &Uncaught,
    site: &RunSite<'_>,
) {
    let uri = if at.path == site.path {
        Some(site.uri.clone())
    } else {
        path_to_uri(Path::new(&at.path))
    };
    let range = site_range(at, error, site);
    match (uri, range) {
        (Some(uri), Some(range)) if site.related_information => {
            related.push(DiagnosticRelatedInformation {
                location: Location::new(uri, range),
                message: what,
            });
        }
        _ => message.push_str(&format!("\n  {what} ({}:{}:{})", at.path, at.line, at.col)),
    }
}

/// A task site (1-based line, column in characters) as a range to the end of its line, in
/// the text the child sent for its file.
fn site_range(at: &SiteEntry, error: &Uncaught, site: &RunSite<'_>) -> Option<Range> {
    let text = error.sources.get(&at.path)?;
    let rope = Rope::from_str(text);
    let line = (at.line as usize).checked_sub(1)?;
    if line >= rope.len_lines() {
        return None;
    }
    let line_start = rope.line_to_char(line);
    let line_text = rope.line(line).to_string();
    let line_chars = line_text.trim_end().chars().count();
    let col = (at.col as usize).saturating_sub(1).min(line_chars);
    let start = rope.char_to_byte(line_start + col);
    let end = rope.char_to_byte(line_start + line_chars.max(col));
    let range = TextRange::new((start as u32).into(), (end as u32).into());
    Some(LineMap::new(&rope, site.encoding).range(range))
}

/// The diagnostic of an uncaught error.
pub fn error_diagnostic(error: &Uncaught, site: &RunSite<'_>) -> Diagnostic {
    let mut ropes: HashMap<String, Rope> = HashMap::new();
    let mut position = |frame: &TraceFrame| {
        let text = error.sources.get(&frame.path).map_or("", String::as_str);
        let rope = ropes
            .entry(frame.path.clone())
            .or_insert_with(|| Rope::from_str(text));
        // The child's ranges are into these texts; clamped in case they are not.
        let end = (frame.end as usize).min(text.len());
        let start = (frame.start as usize).min(end);
        let range = TextRange::new((start as u32).into(), (end as u32).into());
        LineMap::new(rope, site.encoding).range(range)
    };
    let here = error.frames.iter().find(|f| f.path == site.path);
    let range = here.map(&mut position).unwrap_or_default();
    let mut message = format!("Error: {}", error.message);
    let mut related = Vec::new();
    for (i, frame) in error.frames.iter().enumerate() {
        let at = position(frame);
        let what = if i == 0 {
            format!("thrown in {}", frame.function)
        } else {
            format!("called from {}", frame.function)
        };
        let uri = if frame.path == site.path {
            Some(site.uri.clone())
        } else {
            path_to_uri(Path::new(&frame.path))
        };
        match uri.filter(|_| site.related_information) {
            Some(uri) => related.push(DiagnosticRelatedInformation {
                location: Location::new(uri, at),
                message: what,
            }),
            None => message.push_str(&format!(
                "\n  {what} ({}:{}:{})",
                frame.path,
                at.start.line + 1,
                at.start.character + 1
            )),
        }
    }
    if let Some(created) = &error.created {
        let what = "its task was started here; nothing awaited it".to_string();
        add_related(&mut related, &mut message, created, what, error, site);
    }
    if error.omitted > 0 {
        message.push_str(&format!(
            "\n  ({} frames in the middle of the trace left out)",
            error.omitted
        ));
    }
    Diagnostic {
        range,
        severity: Some(DiagnosticSeverity::ERROR),
        source: Some(RUN_SOURCE.to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn frame(function: &str, path: &str, text: &str, part: &str) -> TraceFrame {
        let start = text.find(part).unwrap();
        TraceFrame {
            function: function.into(),
            path: path.into(),
            start: start as u32,
            end: (start + part.len()) as u32,
        }
    }

    #[test]
    fn the_error_sits_at_the_innermost_form_of_the_file_run() {
        let main = "(import f from \"lib\")\n(f 1)\n";
        let lib = "(fn f [x]\n  (throw \"no\"))\n";
        let error = Uncaught {
            message: "Gene exception: \"no\"".into(),
            frames: vec![
                frame("f", "/w/lib.gene", lib, "(throw \"no\")"),
                frame("<main>", "/w/main.gene", main, "(f 1)"),
            ],
            omitted: 0,
            sources: BTreeMap::from([
                ("/w/lib.gene".to_string(), lib.to_string()),
                ("/w/main.gene".to_string(), main.to_string()),
            ]),
            deadlocked: Vec::new(),
            created: None,
            unobserved: Vec::new(),
        };
        let uri: Uri = "file:///w/main.gene".parse().unwrap();
        let mut site = RunSite {
            uri: &uri,
            path: "/w/main.gene",
            encoding: PositionEncoding::Utf16,
            related_information: true,
        };
        let d = error_diagnostic(&error, &site);
        assert_eq!(d.source.as_deref(), Some("gene run"));
        assert_eq!((d.range.start.line, d.range.start.character), (1, 0));
        let related = d.related_information.unwrap();
        assert_eq!(related[0].location.uri.as_str(), "file:///w/lib.gene");
        assert_eq!(related[0].location.range.start.line, 1);
        assert_eq!(related[0].message, "thrown in f");
        assert_eq!(related[1].location.uri, uri);

        site.related_information = false;
        let plain = error_diagnostic(&error, &site);
        assert!(plain.related_information.is_none());
        assert!(
            plain.message.contains("thrown in f (/w/lib.gene:2:3)"),
            "{}",
            plain.message
        );
    }

    #[test]
    fn a_deadlocked_task_sits_at_its_await_in_utf16_columns() {
        // `é` is one character and one UTF-16 unit but two bytes; `𝄞` is two UTF-16 units.
        let main =
            "(var é (new gene/Future))\n(fn ^^async w [] (println \"𝄞\") (await é))\n(await (w))\n";
        let site = |line: u32, col: u32| SiteEntry {
            path: "/w/main.gene".into(),
            line,
            col,
        };
        let task = TaskEntry {
            id: 3,
            name: "w".into(),
            parent: Some(2),
            state: "waiting".into(),
            site: Some(site(2, 32)),
            created: Some(site(3, 8)),
            waiting_on: Some("gene/Future created at /w/main.gene:1:8".into()),
            waiting_ms: Some(0),
        };
        let error = Uncaught {
            message: "DeadlockError: deadlock".into(),
            frames: Vec::new(),
            omitted: 0,
            sources: BTreeMap::from([("/w/main.gene".to_string(), main.to_string())]),
            deadlocked: vec![task],
            created: None,
            unobserved: Vec::new(),
        };
        let uri: Uri = "file:///w/main.gene".parse().unwrap();
        let mut at = RunSite {
            uri: &uri,
            path: "/w/main.gene",
            encoding: PositionEncoding::Utf16,
            related_information: true,
        };
        let all = run_diagnostics(&error, &at);
        assert_eq!(all.len(), 2, "{all:?}");
        let d = &all[1];
        assert_eq!(
            d.message,
            "deadlock: task 3 w waits here on gene/Future created at /w/main.gene:1:8, which nothing will settle"
        );
        // Column 32 of the line is `(await é)`: 31 characters before it, 32 UTF-16 units;
        // the range goes to the end of the line.
        assert_eq!((d.range.start.line, d.range.start.character), (1, 32));
        assert_eq!(d.range.end.character, 42);
        let related = d.related_information.as_ref().unwrap();
        assert_eq!(related[0].message, "task 3 w was started here");
        assert_eq!(related[0].location.range.start.line, 2);

        at.related_information = false;
        let plain = &run_diagnostics(&error, &at)[1];
        assert!(plain.related_information.is_none());
        assert!(
            plain
                .message
                .ends_with("\n  task 3 w was started here (/w/main.gene:3:8)"),
            "{}",
            plain.message
        );
    }

    #[test]
    fn run_diagnostics_belong_to_one_text() {
        let store = RunDiagnostics::default();
        let uri: Uri = "file:///w/a.gene".parse().unwrap();
        let stamp = Stamp {
            open_id: 1,
            version: 3,
        };
        store.set(uri.clone(), Some(stamp), vec![Diagnostic::default()]);
        assert_eq!(store.for_text(&uri, Some(stamp)).len(), 1);
        let later = Stamp {
            open_id: 1,
            version: 4,
        };
        assert!(store.for_text(&uri, Some(later)).is_empty());
        assert!(store.clear(&uri));
        assert!(!store.clear(&uri));
        // Test failures stay with the document, whatever its text, until the next test run.
        let failure = Diagnostic {
            message: "failed".into(),
            ..Default::default()
        };
        assert!(store.set_tests(uri.clone(), vec![failure.clone()]));
        assert_eq!(store.for_text(&uri, Some(later)).len(), 1);
        assert!(!store.clear(&uri));
        assert_eq!(store.for_text(&uri, None)[0].message, "failed");
        assert!(!store.set_tests(uri.clone(), vec![failure]));
        assert!(store.set_tests(uri.clone(), Vec::new()));
        assert!(store.for_text(&uri, None).is_empty());
    }
}
