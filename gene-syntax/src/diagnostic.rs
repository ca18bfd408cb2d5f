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
}

impl From<&SyntaxError> for Diagnostic {
    fn from(e: &SyntaxError) -> Diagnostic {
        Diagnostic {
            range: e.range,
            severity: Severity::Error,
            code: e.code(),
            message: e.message.clone(),
            related: e.related.clone(),
        }
    }
}
