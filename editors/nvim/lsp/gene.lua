-- Neovim 0.11+: `vim.lsp.enable('gene')` picks this up from the runtime path; override any of it
-- with `vim.lsp.config('gene', { cmd = { '/path/to/gene-lsp' } })`.
return require('gene.config').native_config()
