//! An uncaught error of a run as a diagnostic (source "gene run") in the file that was run: at
//! the innermost form of that file on the stack (the form that threw, when it threw there),
//! with the stack trace as related information. It stays until the document is edited or run
//! again, and is shown only with the text it was computed for.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use gene_syntax::TextRange;
use ropey::Rope;
use tower_lsp_server::lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, Uri,
};

use super::wire::{TraceFrame, Uncaught};
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
