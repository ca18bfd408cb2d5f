//! Diagnostics as plain data, shared by `gene check`, the language server and every analysis:
//! syntax errors now, lint rules later.

use rowan::TextRange;

use crate::syntax_error::{RelatedInfo, SyntaxError};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Info,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Hint => "hint",
        }
    }
}

/// One diagnostic for one file, with byte ranges into that file's text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub range: TextRange,
    pub severity: Severity,
    /// A stable code: `E...` for syntax errors, `A...`/`N...` for analysis rules.
    pub code: &'static str,
    pub message: String,
    pub related: Vec<RelatedInfo>,
    /// Quick fixes, best first.
    pub fixes: Vec<Fix>,
    pub tags: Vec<DiagnosticTag>,
}

/// Extra meaning an editor can show: faded for unnecessary code, struck through for deprecated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DiagnosticTag {
    Unnecessary,
    Deprecated,
}

/// Replace `range` (byte offsets in the file) with `new_text`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TextEdit {
    pub range: TextRange,
    pub new_text: String,
}

/// A quick fix: a title for the editor's menu and the edits that apply it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<TextEdit>,
    /// Safe fixes keep the program's meaning apart from the problem they fix, so
    /// `source.fixAll` and `gene check --fix` may apply them without asking.
    pub safe: bool,
}

impl Diagnostic {
    pub fn new(
        range: TextRange,
        severity: Severity,
        code: &'static str,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            range,
            severity,
            code,
            message: message.into(),
            related: Vec::new(),
            fixes: Vec::new(),
            tags: Vec::new(),
        }
    }

    pub fn with_related(mut self, range: TextRange, message: impl Into<String>) -> Diagnostic {
        self.related.push(RelatedInfo {
            range,
            message: message.into(),
        });
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Diagnostic {
        self.fixes.push(fix);
        self
    }

    pub fn with_tag(mut self, tag: DiagnosticTag) -> Diagnostic {
        self.tags.push(tag);
        self
    }

    /// The same diagnostic with every range (its own, related ones and fix edits) moved
    /// forward by `offset`.
    pub fn shifted(&self, offset: rowan::TextSize) -> Diagnostic {
        let mut d = self.clone();
        d.range += offset;
        for r in &mut d.related {
            r.range += offset;
        }
        for fix in &mut d.fixes {
            for edit in &mut fix.edits {
                edit.range += offset;
            }
        }
        d
    }
}

impl From<&SyntaxError> for Diagnostic {
    fn from(e: &SyntaxError) -> Diagnostic {
        Diagnostic {
            range: e.range,
            severity: Severity::Error,
            code: e.code(),
            message: e.message.clone(),
            related: e.related.clone(),
            fixes: Vec::new(),
            tags: Vec::new(),
        }
    }
}
