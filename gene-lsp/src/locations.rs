//! Results that land in any file of the database (definitions, references, rename edits, stack
//! traces): the file's URI and its text for position conversion.
//!
//! An open document is named by the URI the editor opened it under and converted with the
//! editor's text; any other file by its path, with the text the database holds. A file with no
//! URI (a relative path, which only tests create) is left out of results rather than invented.

use std::collections::HashMap;

use gene_syntax::TextRange;
use gene_syntax::db::SourceFile;
use ropey::Rope;
use tower_lsp_server::lsp_types::{Location, Uri};

use crate::position::LineMap;
use crate::state::Snapshot;
use crate::workspace::path_to_uri;

/// One file as a result needs it.
pub struct FileText {
    pub uri: Uri,
    pub rope: Rope,
    /// The open document's version; `None` for a file read from disk.
    pub version: Option<i32>,
}

/// Looks files up once per request (ropes of files read from disk are built once each).
pub struct Locator<'a> {
    snapshot: &'a Snapshot,
    seen: HashMap<SourceFile, Option<FileText>>,
}

impl<'a> Locator<'a> {
    pub fn new(snapshot: &'a Snapshot) -> Locator<'a> {
        Locator {
            snapshot,
            seen: HashMap::new(),
        }
    }

    /// The URI and text of `file`, if it has a URI.
    pub fn file(&mut self, file: SourceFile) -> Option<&FileText> {
        let snapshot = self.snapshot;
        self.seen
            .entry(file)
            .or_insert_with(|| {
                if let Some(doc) = snapshot.open.iter().find(|d| d.file == file) {
                    return Some(FileText {
                        uri: doc.uri.clone(),
                        rope: doc.rope.clone(),
                        version: doc.stamp.map(|s| s.version),
                    });
                }
                let uri = path_to_uri(file.path(&snapshot.db))?;
                Some(FileText {
                    uri,
                    rope: Rope::from_str(file.text(&snapshot.db)),
                    version: None,
                })
            })
            .as_ref()
    }

    /// A range of `file` as an LSP location.
    pub fn location(&mut self, file: SourceFile, range: TextRange) -> Option<Location> {
        let encoding = self.snapshot.encoding;
        let text = self.file(file)?;
        let map = LineMap::new(&text.rope, encoding);
        Some(Location::new(text.uri.clone(), map.range(range)))
    }
}
