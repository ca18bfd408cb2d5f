//! The diagnostics the server shows, and their conversion to LSP.
//!
//! [`diagnostics_for`] is the one place that decides what a file's diagnostics are: the syntax
//! errors (with their quick fixes, from [`crate::syntax_fixes`]) and the lint rules of
//! `gene_syntax::analysis` under the file's `gene.toml`. Push and pull, code actions and
//! `fixAll` all go through it, so they always agree.

use gene_syntax::analysis::{self, LintConfig};
use gene_syntax::db::{self, Chunk, Db, SourceFile};
use gene_syntax::{Diagnostic, DiagnosticTag, Severity};
use tower_lsp_server::lsp_types::{
    self as lsp, CodeDescription, DiagnosticRelatedInformation, Location, NumberOrString, Uri,
};

use crate::position::LineMap;
use crate::syntax_fixes::syntax_fixes;

/// Every diagnostic `source` field says this.
pub const SOURCE: &str = "gene";

/// The syntax diagnostics of one chunk with their fixes, relative to the chunk's start.
/// Memoized per chunk like the parse, so an edit elsewhere in the file reuses it.
#[salsa::tracked(returns(ref))]
fn chunk_diagnostics<'db>(db: &'db dyn Db, chunk: Chunk<'db>) -> Vec<Diagnostic> {
    let syntax = db::chunk_syntax_diagnostics(db, chunk);
    if syntax.is_empty() {
        return Vec::new();
    }
    let root = gene_syntax::SyntaxNode::new_root(db::parse_chunk(db, chunk).green.clone());
    syntax
        .iter()
        .map(|d| {
            let mut d = d.clone();
            d.fixes = syntax_fixes(&root, &d, syntax);
            d
        })
        .collect()
}

/// All diagnostics of a file, in source order, with byte ranges into its text: what `gene
/// check` reports for it (`gene_syntax::analysis::diagnostics`), the syntax errors with fixes.
pub fn diagnostics_for(db: &dyn Db, file: SourceFile, config: &LintConfig) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for at in db::chunks(db, file) {
        out.extend(
            chunk_diagnostics(db, at.chunk)
                .iter()
                .map(|d| d.shifted(at.offset)),
        );
    }
    out.extend(config.apply(analysis::lint_diagnostics(db, file)));
    out.sort_by_key(|d| (d.range.start(), d.range.end()));
    out
}

/// What the client can show, from its `publishDiagnostics` capabilities (the same ones apply
/// to pulled diagnostics).
#[derive(Clone, Debug, Default)]
pub struct DiagnosticFeatures {
    pub related_information: bool,
    pub tags: bool,
    pub code_description: bool,
    /// `{code}` in it is replaced by the diagnostic's code (from the initialization option
    /// `ruleDocsUrl`); without it diagnostics carry no link.
    pub docs_url: Option<String>,
}

fn severity(s: Severity) -> lsp::DiagnosticSeverity {
    match s {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
        Severity::Hint => lsp::DiagnosticSeverity::HINT,
    }
}

fn tag(t: DiagnosticTag) -> lsp::DiagnosticTag {
    match t {
        DiagnosticTag::Unnecessary => lsp::DiagnosticTag::UNNECESSARY,
        DiagnosticTag::Deprecated => lsp::DiagnosticTag::DEPRECATED,
    }
}

/// Converts one diagnostic of the document `uri` whose text `map` describes.
pub fn to_lsp(
    d: &Diagnostic,
    uri: &Uri,
    map: &LineMap<'_>,
    features: &DiagnosticFeatures,
) -> lsp::Diagnostic {
    let mut message = d.message.clone();
    let related_information = if features.related_information {
        Some(
            d.related
                .iter()
                .map(|r| DiagnosticRelatedInformation {
                    location: Location::new(uri.clone(), map.range(r.range)),
                    message: r.message.clone(),
                })
                .collect::<Vec<_>>(),
        )
        .filter(|r| !r.is_empty())
    } else {
        // Clients that cannot show related locations still get them, in the message.
        for r in &d.related {
            let p = map.position(r.range.start());
            message.push_str(&format!(
                "\n{} (line {}, column {})",
                r.message,
                p.line + 1,
                p.character + 1
            ));
        }
        None
    };
    let code_description = features
        .docs_url
        .as_deref()
        .filter(|_| features.code_description)
        .and_then(|template| template.replace("{code}", d.code).parse::<Uri>().ok())
        .map(|href| CodeDescription { href });
    let tags: Vec<lsp::DiagnosticTag> = d.tags.iter().copied().map(tag).collect();
    lsp::Diagnostic {
        range: map.range(d.range),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.code.to_string())),
        code_description,
        source: Some(SOURCE.to_string()),
        message,
        related_information,
        tags: (features.tags && !tags.is_empty()).then_some(tags),
        data: None,
    }
}

/// Converts all of a document's diagnostics.
pub fn all_to_lsp(
    diagnostics: &[Diagnostic],
    uri: &Uri,
    map: &LineMap<'_>,
    features: &DiagnosticFeatures,
) -> Vec<lsp::Diagnostic> {
    diagnostics
        .iter()
        .map(|d| to_lsp(d, uri, map, features))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::position::PositionEncoding;
    use gene_syntax::TextRange;
    use gene_syntax::db::RootDatabase;
    use ropey::Rope;

    fn features() -> DiagnosticFeatures {
        DiagnosticFeatures {
            related_information: true,
            tags: true,
            code_description: true,
            docs_url: Some("https://docs.example/rules/{code}".into()),
        }
    }

    #[test]
    fn syntax_errors_carry_fixes_in_file_offsets() {
        let db = RootDatabase::new();
        let text = "(var ok 1)\n(println ok))\n(println [1 2";
        let file = SourceFile::new(&db, "t.gene".into(), text.into());
        let diags = diagnostics_for(&db, file, &LintConfig::default());
        let codes: Vec<&str> = diags.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["E002", "E001"]);
        let stray = &diags[0];
        assert_eq!(&text[stray.fixes[0].edits[0].range], ")");
        assert_eq!(stray.fixes[0].edits[0].range.start(), 23.into());
        let close = &diags[1].fixes[0].edits[0];
        assert_eq!(close.range, TextRange::empty(TextSize::of(text)));
        assert_eq!(close.new_text, "])");
    }

    use gene_syntax::TextSize;

    #[test]
    fn lint_diagnostics_come_with_the_syntax_errors_under_the_configuration() {
        let db = RootDatabase::new();
        let text = "(fn f ^^async [] 1)\n(f)\n";
        let file = SourceFile::new(&db, "t.gene".into(), text.into());
        let codes = |config: &LintConfig| -> Vec<&str> {
            diagnostics_for(&db, file, config)
                .iter()
                .map(|d| d.code)
                .collect()
        };
        let all = codes(&LintConfig::default());
        assert!(all.contains(&"A001"), "{all:?}");
        let config = LintConfig::from_toml("[lint]\nallow = [\"A001\"]\n").unwrap();
        assert!(!codes(&config).contains(&"A001"));
    }

    #[test]
    fn conversion_keeps_code_source_related_and_tags() {
        let text = "(f 😀 [1 2)";
        let rope = Rope::from_str(text);
        let map = LineMap::new(&rope, PositionEncoding::Utf16);
        let uri: Uri = "file:///w/t.gene".parse().unwrap();
        let d = Diagnostic::new(
            TextRange::new(8.into(), 9.into()),
            Severity::Hint,
            "A004",
            "m",
        )
        .with_related(TextRange::new(0.into(), 1.into()), "opened here")
        .with_tag(DiagnosticTag::Unnecessary);
        let lsp_d = to_lsp(&d, &uri, &map, &features());
        assert_eq!(lsp_d.range.start, lsp::Position::new(0, 6));
        assert_eq!(lsp_d.code, Some(NumberOrString::String("A004".into())));
        assert_eq!(lsp_d.source.as_deref(), Some("gene"));
        assert_eq!(lsp_d.severity, Some(lsp::DiagnosticSeverity::HINT));
        assert_eq!(lsp_d.tags, Some(vec![lsp::DiagnosticTag::UNNECESSARY]));
        assert_eq!(
            lsp_d.code_description.unwrap().href.as_str(),
            "https://docs.example/rules/A004"
        );
        let related = lsp_d.related_information.unwrap();
        assert_eq!(related[0].message, "opened here");
        assert_eq!(related[0].location.uri, uri);

        // Without client support, related locations go into the message and tags are left out.
        let plain = to_lsp(&d, &uri, &map, &DiagnosticFeatures::default());
        assert_eq!(plain.message, "m\nopened here (line 1, column 1)");
        assert_eq!(plain.tags, None);
        assert_eq!(plain.code_description, None);
        assert_eq!(plain.related_information, None);
    }
}
