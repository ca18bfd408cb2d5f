//! The Gene language server (see issue: gene-lsp).
