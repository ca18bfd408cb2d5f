//! The protocol methods. Each request converts its positions and runs one function of the
//! feature modules ([`crate::hover`], [`crate::navigation`], [`crate::completion`],
//! [`crate::outline`], [`crate::semantic_tokens`], [`crate::hints`], [`crate::formatting`],
//! [`crate::code_actions`]) on a snapshot; those in turn call `gene_syntax::ide`.

use std::sync::atomic::Ordering;

use tower_lsp_server::LanguageServer;
use tower_lsp_server::jsonrpc::{self, Result};
use tower_lsp_server::lsp_types::*;
use tracing::{info, warn};

use crate::capabilities::{ClientFeatures, InitializationOptions, server_capabilities};
use crate::code_actions::{Target, code_actions};
use crate::completion::CompletionFeatures;
use crate::diagnostics::{all_to_lsp, diagnostics_for};
use crate::publish::report_config_problems;
use crate::run::test_run::RUN_TESTS_COMMAND;
use crate::run::{RUN_FILE_COMMAND, STOP_RUN_COMMAND};
use crate::server::{Backend, diagnostic_failure, invalid_position, result_id, roots_from};
use crate::workspace::uri_to_path;
use crate::{completion, formatting, hints, hover, navigation, outline, semantic_tokens};
use gene_syntax::analysis::config::CONFIG_FILE;

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let features = ClientFeatures::from_params(&params, self.raw_init.get().as_ref());
        let capabilities = server_capabilities(&features);
        self.state.workspace.set_roots(roots_from(&params));
        info!(
            "initialize: encoding {:?}, {} diagnostics, roots {:?}",
            features.encoding,
            if features.pull_diagnostics {
                "pull"
            } else {
                "push"
            },
            self.state.workspace.roots()
        );
        self.state.set_features(features);
        self.runs
            .configure(InitializationOptions::from_params(&params).run);
        Ok(InitializeResult {
            capabilities,
            server_info: Some(ServerInfo {
                name: "gene-lsp".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        if self.state.features().dynamic_file_watching {
            tokio::spawn(Self::register_file_watcher(self.client.clone()));
        }
        self.load_workspace(self.state.workspace.roots());
    }

    async fn shutdown(&self) -> Result<()> {
        self.shutdown_requested.store(true, Ordering::SeqCst);
        self.runs.stop_all();
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let uri = doc.uri.clone();
        if self
            .guarded("didOpen", || {
                self.state.open(doc.uri, doc.version, doc.text)
            })
            .is_some()
        {
            self.diagnostics.schedule(uri);
        }
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let changed = self.guarded("didChange", || {
            self.state.change(&uri, version, &params.content_changes)
        });
        match changed {
            Some(Some(warnings)) => {
                for w in warnings {
                    warn!("{}: {}", uri.as_str(), w.0);
                    self.log_to_client(MessageType::WARNING, format!("{}: {}", uri.as_str(), w.0));
                }
                // A run's error belongs to the text that ran.
                self.state.run_diagnostics.clear(&uri);
                self.diagnostics.schedule(uri);
            }
            Some(None) => warn!("didChange for {}, which is not open", uri.as_str()),
            None => {}
        }
    }

    async fn did_save(&self, _: DidSaveTextDocumentParams) {
        // The editor's buffer is already the document's text; saving changes nothing here.
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let closed = self.guarded("didClose", || self.state.close(&uri));
        self.state.run_diagnostics.clear(&uri);
        self.tokens.forget(&uri);
        if closed == Some(true) && !self.state.features().pull_diagnostics {
            self.diagnostics.publisher.clear(&self.client, uri).await;
        }
    }

    /// `gene.run.maxMemoryMb` in the settings (VS Code sends the `gene` section) caps the runs
    /// started from now on.
    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let run = params.settings.pointer("/gene/run");
        if let Some(run) = run {
            let mb = run.get("maxMemoryMb").and_then(serde_json::Value::as_u64);
            info!("settings: gene.run.maxMemoryMb {mb:?}");
            self.runs.set_max_memory_mb(mb);
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let paths: Vec<_> = params
            .changes
            .iter()
            .map(|event| uri_to_path(&event.uri))
            .collect();
        let config_changed = paths
            .iter()
            .any(|p| p.file_name().is_some_and(|n| n == CONFIG_FILE));
        if config_changed {
            self.state.configs.invalidate();
        }
        // A new file may be one an open document imports: run the diagnostics again.
        let created = params
            .changes
            .iter()
            .any(|event| event.typ == FileChangeType::CREATED);
        let sources_changed = self
            .guarded("didChangeWatchedFiles", || {
                self.state.files_changed_on_disk(paths)
            })
            .unwrap_or(false);
        if config_changed || sources_changed || created {
            self.diagnostics.refresh_all();
        }
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        for removed in &params.event.removed {
            self.state.workspace.remove_root(&uri_to_path(&removed.uri));
        }
        let added: Vec<_> = params
            .event
            .added
            .iter()
            .map(|f| uri_to_path(&f.uri))
            .collect();
        for root in &added {
            self.state.workspace.add_root(root.clone());
        }
        self.load_workspace(added);
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let features = self.state.features();
        let uri = params.text_document.uri;
        let (mut items, stamp) = self
            .on_document(
                "textDocument/diagnostic",
                uri.clone(),
                move |snapshot, doc| {
                    let config = snapshot.configs.for_file(&doc.path());
                    let diagnostics = diagnostics_for(&snapshot.db, doc.file, &config);
                    let map = doc.line_map(snapshot.encoding);
                    let items = all_to_lsp(&diagnostics, &doc.uri, &map, &features.diagnostics);
                    Ok((items, doc.stamp))
                },
            )
            .await
            .map_err(diagnostic_failure)?;
        items.extend(self.state.run_diagnostics.for_text(&uri, stamp));
        report_config_problems(&self.state, &self.client).await;
        let id = result_id(&items);
        let report = if params.previous_result_id.as_deref() == Some(id.as_str()) {
            DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
                related_documents: None,
                unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                    result_id: id,
                },
            })
        } else {
            DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: Some(id),
                    items,
                },
            })
        };
        Ok(DocumentDiagnosticReportResult::Report(report))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let features = self.state.features();
        let uri = params.text_document.uri;
        let actions = self
            .document_request("textDocument/codeAction", uri, move |snapshot, doc| {
                let map = doc.line_map(snapshot.encoding);
                let range = map.text_range(params.range).map_err(invalid_position)?;
                let config = snapshot.configs.for_file(&doc.path());
                let diagnostics = diagnostics_for(&snapshot.db, doc.file, &config);
                let target = Target {
                    uri: &doc.uri,
                    version: doc.stamp.map(|s| s.version),
                    map,
                    document_changes: features.document_changes,
                };
                Ok(code_actions(
                    &diagnostics,
                    range,
                    params.context.only.as_deref(),
                    &target,
                    &features.diagnostics,
                ))
            })
            .await?;
        Ok(Some(actions))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let at = params.text_document_position_params;
        let markdown = self.state.features().markdown_hover;
        self.document_request("textDocument/hover", at.text_document.uri, move |s, d| {
            hover::hover(s, d, at.position, markdown)
        })
        .await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let at = params.text_document_position_params;
        self.document_request(
            "textDocument/definition",
            at.text_document.uri,
            move |s, d| navigation::definition(s, d, at.position),
        )
        .await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let at = params.text_document_position;
        let include_declaration = params.context.include_declaration;
        self.document_request(
            "textDocument/references",
            at.text_document.uri,
            move |s, d| navigation::references(s, d, at.position, include_declaration),
        )
        .await
    }

    async fn document_highlight(
        &self,
        params: DocumentHighlightParams,
    ) -> Result<Option<Vec<DocumentHighlight>>> {
        let at = params.text_document_position_params;
        self.document_request(
            "textDocument/documentHighlight",
            at.text_document.uri,
            move |s, d| navigation::highlights(s, d, at.position),
        )
        .await
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        self.document_request(
            "textDocument/prepareRename",
            params.text_document.uri,
            move |s, d| navigation::prepare_rename(s, d, params.position),
        )
        .await
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let at = params.text_document_position;
        let new_name = params.new_name;
        let document_changes = self.state.features().document_changes;
        self.document_request("textDocument/rename", at.text_document.uri, move |s, d| {
            navigation::rename(s, d, at.position, &new_name, document_changes)
        })
        .await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let at = params.text_document_position;
        let features = self.state.features();
        let accepts = CompletionFeatures {
            snippets: features.snippets,
            markdown: features.markdown_completion_docs,
        };
        self.document_request(
            "textDocument/completion",
            at.text_document.uri,
            move |s, d| completion::completion(s, d, at.position, accepts),
        )
        .await
    }

    async fn signature_help(&self, params: SignatureHelpParams) -> Result<Option<SignatureHelp>> {
        let at = params.text_document_position_params;
        self.document_request(
            "textDocument/signatureHelp",
            at.text_document.uri,
            move |s, d| completion::signature_help(s, d, at.position),
        )
        .await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let hierarchical = self.state.features().hierarchical_symbols;
        self.document_request(
            "textDocument/documentSymbol",
            params.text_document.uri,
            move |s, d| outline::document_symbols(s, d, hierarchical),
        )
        .await
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<OneOf<Vec<SymbolInformation>, Vec<WorkspaceSymbol>>>> {
        let query = params.query;
        let symbols = self
            .workspace_request("workspace/symbol", move |s| {
                outline::workspace_symbols(s, &query)
            })
            .await?;
        Ok(symbols.map(OneOf::Left))
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        self.document_request(
            "textDocument/foldingRange",
            params.text_document.uri,
            outline::folding_ranges,
        )
        .await
    }

    async fn selection_range(
        &self,
        params: SelectionRangeParams,
    ) -> Result<Option<Vec<SelectionRange>>> {
        let positions = params.positions;
        self.document_request(
            "textDocument/selectionRange",
            params.text_document.uri,
            move |s, d| outline::selection_ranges(s, d, &positions),
        )
        .await
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        let uri = params.text_document.uri;
        let tokens = self
            .document_request("textDocument/semanticTokens/full", uri.clone(), |s, d| {
                Ok(semantic_tokens::encode(s, d))
            })
            .await?;
        Ok(Some(SemanticTokensResult::Tokens(
            self.tokens.full(&uri, tokens),
        )))
    }

    async fn semantic_tokens_full_delta(
        &self,
        params: SemanticTokensDeltaParams,
    ) -> Result<Option<SemanticTokensFullDeltaResult>> {
        let uri = params.text_document.uri;
        let tokens = self
            .document_request(
                "textDocument/semanticTokens/full/delta",
                uri.clone(),
                |s, d| Ok(semantic_tokens::encode(s, d)),
            )
            .await?;
        Ok(Some(self.tokens.delta(
            &uri,
            &params.previous_result_id,
            tokens,
        )))
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let range = params.range;
        self.document_request(
            "textDocument/inlayHint",
            params.text_document.uri,
            move |s, d| hints::inlay_hints(s, d, range),
        )
        .await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        self.document_request(
            "textDocument/codeLens",
            params.text_document.uri,
            hints::code_lenses,
        )
        .await
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        self.document_request(
            "textDocument/formatting",
            params.text_document.uri,
            formatting::format_document,
        )
        .await
    }

    async fn range_formatting(
        &self,
        params: DocumentRangeFormattingParams,
    ) -> Result<Option<Vec<TextEdit>>> {
        let range = params.range;
        self.document_request(
            "textDocument/rangeFormatting",
            params.text_document.uri,
            move |s, d| formatting::format_range(s, d, range),
        )
        .await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        match params.command.as_str() {
            RUN_FILE_COMMAND => self
                .runs
                .start(
                    &self.diagnostics,
                    &params.arguments,
                    params.work_done_progress_params.work_done_token,
                )
                .map(Some),
            RUN_TESTS_COMMAND => self
                .runs
                .start_tests(
                    &self.diagnostics,
                    &params.arguments,
                    params.work_done_progress_params.work_done_token,
                )
                .map(Some),
            STOP_RUN_COMMAND => self.runs.stop(&params.arguments).map(Some),
            other => Err(jsonrpc::Error::invalid_params(format!(
                "unknown command `{other}` (gene-lsp runs {RUN_FILE_COMMAND}, {RUN_TESTS_COMMAND} \
                 and {STOP_RUN_COMMAND})"
            ))),
        }
    }
}
