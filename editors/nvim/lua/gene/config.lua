-- The language-server configuration: the options of setup() and the client config built from them.

local M = {}

M.defaults = {
  -- The server command; `gene-lsp` on PATH unless given.
  cmd = { 'gene-lsp' },
  -- A workspace root is the nearest directory above the file holding one of these; files
  -- outside any root share a client per directory.
  root_markers = { 'gene.toml', '.git' },
  -- Passed on to the client as they are.
  on_attach = nil,
  capabilities = nil,
  init_options = nil,
  settings = nil,
  -- The [Gene Run] split.
  run = { height = 12 },
  -- The `gene` command that :GeneTest and :GeneTestNearest run (`gene test --format json`).
  gene = 'gene',
  -- Register the debugger with nvim-dap when it is installed (true, or { cmd = {...} }).
  dap = false,
}

local options = vim.deepcopy(M.defaults)

function M.set(opts)
  options = vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), opts or {})
  if opts and opts.cmd then
    options.cmd = opts.cmd -- a list replaces the default, it is not merged into it
  end
  return options
end

function M.get()
  return options
end

--- initializationOptions: the user's, plus `runNotifications` (the plugin shows gene/runOutput
--- and gene/runEnd itself, so the server need not also send the output as window/logMessage).
function M.init_options()
  return vim.tbl_extend('force', { runNotifications = true }, options.init_options or {})
end

--- The client config for the workspace at `root_dir` (used with vim.lsp.start / start_client).
function M.client_config(root_dir)
  local run = require('gene.run')
  return {
    name = 'gene',
    cmd = options.cmd,
    root_dir = root_dir,
    workspace_folders = {
      { uri = vim.uri_from_fname(root_dir), name = vim.fn.fnamemodify(root_dir, ':t') },
    },
    capabilities = options.capabilities or vim.lsp.protocol.make_client_capabilities(),
    on_attach = options.on_attach,
    init_options = M.init_options(),
    settings = options.settings,
    handlers = run.handlers(),
    on_exit = run.on_client_exit,
  }
end

--- The config for Neovim 0.11's vim.lsp.config / vim.lsp.enable (see lsp/gene.lua).
function M.native_config()
  local run = require('gene.run')
  return {
    cmd = options.cmd,
    filetypes = { 'gene' },
    root_markers = options.root_markers,
    init_options = M.init_options(),
    handlers = run.handlers(),
    on_exit = run.on_client_exit,
  }
end

return M
