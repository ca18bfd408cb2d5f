//! What the client can do (read once from `initialize`) and what the server offers in return.

use serde::Deserialize;
use tower_lsp_server::lsp_types::{
    ClientCapabilities, CodeActionKind, CodeActionOptions, CodeActionProviderCapability,
    CodeLensOptions, CompletionOptions, DiagnosticOptions, DiagnosticServerCapabilities,
    ExecuteCommandOptions, HoverProviderCapability, InitializeParams, MarkupKind, OneOf,
    RenameOptions, SaveOptions, SelectionRangeProviderCapability, SemanticTokensFullOptions,
    SemanticTokensOptions, SemanticTokensServerCapabilities, ServerCapabilities,
    SignatureHelpOptions, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, WorkDoneProgressOptions,
    WorkspaceFoldersServerCapabilities, WorkspaceServerCapabilities,
};

use crate::diagnostics::DiagnosticFeatures;
use crate::position::PositionEncoding;
use crate::run::test_run::RUN_TESTS_COMMAND;
use crate::run::{RUN_FILE_COMMAND, RunSettings, STOP_RUN_COMMAND};

/// The code action kind of "fix all safe problems" for Gene.
pub const FIX_ALL_KIND: &str = "source.fixAll.gene";

/// Characters after which the client asks for completions: methods, path segments, named
/// arguments, the head of a form.
pub const COMPLETION_TRIGGERS: &[char] = &['.', '/', '^', '('];

/// Options a client may pass in `initializationOptions`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InitializationOptions {
    /// A link for each diagnostic code, with `{code}` standing for the code, e.g.
    /// `https://example.org/rules/{code}`; sent as the diagnostic's `codeDescription`.
    pub rule_docs_url: Option<String>,
    /// The client handles `gene/runOutput` and `gene/runEnd` itself; without this the output
    /// of a run is also sent as `window/logMessage`, which every client shows somewhere.
    pub run_notifications: bool,
    /// How "Run file" starts programs: `{"executable", "maxMemoryMb"}`.
    pub run: RunSettings,
}

impl InitializationOptions {
    /// The options of an `initialize` request; unreadable options count as none.
    pub fn from_params(params: &InitializeParams) -> InitializationOptions {
        params
            .initialization_options
            .clone()
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default()
    }
}

/// The client's abilities the server adapts to.
#[derive(Clone, Debug, Default)]
pub struct ClientFeatures {
    pub encoding: PositionEncoding,
    /// The client pulls diagnostics (`textDocument/diagnostic`); the server then does not push.
    pub pull_diagnostics: bool,
    pub diagnostics: DiagnosticFeatures,
    /// Workspace edits may carry document versions (`documentChanges`).
    pub document_changes: bool,
    /// The server may register a file watcher for `**/*.gene` at run time.
    pub dynamic_file_watching: bool,
    /// The client supports `workspace/diagnostic/refresh`.
    pub diagnostic_refresh: bool,
    /// Hover text may be Markdown (else plain text).
    pub markdown_hover: bool,
    /// Completion documentation may be Markdown.
    pub markdown_completion_docs: bool,
    /// Completion items may be snippets (`${1:name}`).
    pub snippets: bool,
    /// Document symbols may nest (classes holding their methods).
    pub hierarchical_symbols: bool,
    /// The client shows `$/progress` for tokens the server creates.
    pub work_done_progress: bool,
    /// See [`InitializationOptions::run_notifications`].
    pub run_notifications: bool,
}

impl ClientFeatures {
    /// `raw` is the `initialize` request's parameters as JSON, for what `lsp-types` does not
    /// read (see [`crate::raw_init`]).
    pub fn from_params(
        params: &InitializeParams,
        raw: Option<&serde_json::Value>,
    ) -> ClientFeatures {
        let caps: &ClientCapabilities = &params.capabilities;
        let options = InitializationOptions::from_params(params);
        let text = caps.text_document.as_ref();
        let publish = text.and_then(|t| t.publish_diagnostics.as_ref());
        let workspace = caps.workspace.as_ref();
        let completion_item = text
            .and_then(|t| t.completion.as_ref())
            .and_then(|c| c.completion_item.as_ref());
        ClientFeatures {
            encoding: PositionEncoding::negotiate(
                caps.general
                    .as_ref()
                    .and_then(|g| g.position_encodings.as_deref()),
            ),
            pull_diagnostics: text.is_some_and(|t| t.diagnostic.is_some()),
            diagnostics: DiagnosticFeatures {
                related_information: publish.and_then(|p| p.related_information).unwrap_or(false),
                tags: publish.is_some_and(|p| p.tag_support.is_some()),
                code_description: publish
                    .and_then(|p| p.code_description_support)
                    .unwrap_or(false),
                docs_url: options.rule_docs_url,
            },
            document_changes: workspace
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|e| e.document_changes)
                .unwrap_or(false),
            dynamic_file_watching: workspace
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|w| w.dynamic_registration)
                .unwrap_or(false),
            // The specification spells it `workspace.diagnostics`; lsp-types 0.97 reads
            // `workspace.diagnostic`. Either counts.
            diagnostic_refresh: workspace
                .and_then(|w| w.diagnostic.as_ref())
                .and_then(|d| d.refresh_support)
                .or_else(|| {
                    raw?.pointer("/capabilities/workspace/diagnostics/refreshSupport")?
                        .as_bool()
                })
                .unwrap_or(false),
            markdown_hover: text
                .and_then(|t| t.hover.as_ref())
                .and_then(|h| h.content_format.as_ref())
                .is_some_and(|formats| formats.contains(&MarkupKind::Markdown)),
            markdown_completion_docs: completion_item
                .and_then(|c| c.documentation_format.as_ref())
                .is_some_and(|formats| formats.contains(&MarkupKind::Markdown)),
            snippets: completion_item
                .and_then(|c| c.snippet_support)
                .unwrap_or(false),
            hierarchical_symbols: text
                .and_then(|t| t.document_symbol.as_ref())
                .and_then(|s| s.hierarchical_document_symbol_support)
                .unwrap_or(false),
            work_done_progress: caps
                .window
                .as_ref()
                .and_then(|w| w.work_done_progress)
                .unwrap_or(false),
            run_notifications: options.run_notifications,
        }
    }
}

pub fn server_capabilities(features: &ClientFeatures) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(features.encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..Default::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::new(FIX_ALL_KIND),
            ]),
            work_done_progress_options: WorkDoneProgressOptions::default(),
            resolve_provider: Some(false),
        })),
        diagnostic_provider: features.pull_diagnostics.then(|| {
            DiagnosticServerCapabilities::Options(DiagnosticOptions {
                identifier: Some(crate::diagnostics::SOURCE.to_string()),
                // Imports will make one file's diagnostics depend on others.
                inter_file_dependencies: true,
                workspace_diagnostics: false,
                work_done_progress_options: WorkDoneProgressOptions::default(),
            })
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_highlight_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(COMPLETION_TRIGGERS.iter().map(|c| c.to_string()).collect()),
            resolve_provider: Some(false),
            ..Default::default()
        }),
        signature_help_provider: Some(SignatureHelpOptions {
            trigger_characters: Some(vec!["(".to_string(), " ".to_string()]),
            retrigger_characters: Some(vec![" ".to_string()]),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        }),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        folding_range_provider: Some(
            tower_lsp_server::lsp_types::FoldingRangeProviderCapability::Simple(true),
        ),
        selection_range_provider: Some(SelectionRangeProviderCapability::Simple(true)),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                work_done_progress_options: WorkDoneProgressOptions::default(),
                legend: crate::semantic_tokens::legend(),
                range: Some(false),
                full: Some(SemanticTokensFullOptions::Delta { delta: Some(true) }),
            },
        )),
        inlay_hint_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        document_range_formatting_provider: Some(OneOf::Left(true)),
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(false),
        }),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![
                RUN_FILE_COMMAND.to_string(),
                RUN_TESTS_COMMAND.to_string(),
                STOP_RUN_COMMAND.to_string(),
            ],
            work_done_progress_options: WorkDoneProgressOptions {
                work_done_progress: Some(true),
            },
        }),
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn features(value: serde_json::Value) -> ClientFeatures {
        let params: InitializeParams = serde_json::from_value(value.clone()).unwrap();
        ClientFeatures::from_params(&params, Some(&value))
    }

    #[test]
    fn a_bare_client_gets_utf16_and_push() {
        let f = features(json!({"capabilities": {}}));
        assert_eq!(f.encoding, PositionEncoding::Utf16);
        assert!(!f.pull_diagnostics);
        let caps = server_capabilities(&f);
        assert!(caps.diagnostic_provider.is_none());
        assert_eq!(
            caps.position_encoding,
            Some(tower_lsp_server::lsp_types::PositionEncodingKind::UTF16)
        );
    }

    #[test]
    fn a_modern_client_gets_utf8_pull_and_links() {
        let f = features(json!({
            "capabilities": {
                "general": {"positionEncodings": ["utf-16", "utf-8"]},
                "textDocument": {
                    "diagnostic": {"dynamicRegistration": false},
                    "publishDiagnostics": {
                        "relatedInformation": true,
                        "tagSupport": {"valueSet": [1, 2]},
                        "codeDescriptionSupport": true
                    }
                },
                "workspace": {
                    "workspaceEdit": {"documentChanges": true},
                    "didChangeWatchedFiles": {"dynamicRegistration": true},
                    "diagnostics": {"refreshSupport": true}
                }
            },
            "initializationOptions": {"ruleDocsUrl": "https://docs.example/{code}"}
        }));
        assert_eq!(f.encoding, PositionEncoding::Utf8);
        assert!(f.pull_diagnostics && f.document_changes && f.dynamic_file_watching);
        assert!(f.diagnostic_refresh);
        assert!(f.diagnostics.related_information && f.diagnostics.tags);
        assert!(f.diagnostics.code_description);
        assert_eq!(
            f.diagnostics.docs_url.as_deref(),
            Some("https://docs.example/{code}")
        );
        assert!(server_capabilities(&f).diagnostic_provider.is_some());
    }
}
