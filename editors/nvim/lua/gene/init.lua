-- Gene for Neovim: starts gene-lsp for `gene` buffers (one client per workspace root) and
-- provides :GeneRun, :GeneStop and :GeneRestart.
--
--   require('gene').setup({ cmd = { 'gene-lsp' }, on_attach = ..., capabilities = ... })

local compat = require('gene.compat')
local config = require('gene.config')

local M = {}

-- Neovim 0.7 has no vim.lsp.start: the client id of each root, to reuse it.
local clients_by_root = {}
local warned_missing = false

local function buffer_root(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == '' or vim.bo[bufnr].buftype ~= '' then
    return vim.loop.cwd()
  end
  return compat.find_root(name, config.get().root_markers) or vim.fn.fnamemodify(name, ':p:h')
end

local function server_available(cmd)
  if type(cmd) ~= 'table' or type(cmd[1]) ~= 'string' then
    return false
  end
  return vim.fn.executable(cmd[1]) == 1
end

--- Attaches the Gene language server of the buffer's workspace to the buffer.
function M.attach(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local cmd = config.get().cmd
  if not server_available(cmd) then
    if not warned_missing then
      warned_missing = true
      vim.notify(
        string.format(
          "gene: the language server %s was not found; install gene-lsp or pass its path: require('gene').setup({ cmd = { '/path/to/gene-lsp' } })",
          vim.inspect(cmd and cmd[1])
        ),
        vim.log.levels.ERROR
      )
    end
    return nil
  end
  local root = buffer_root(bufnr)
  local client_config = config.client_config(root)
  if vim.lsp.start then
    -- Reuses the client whose name and root_dir match: one client per root.
    return vim.lsp.start(client_config, { bufnr = bufnr })
  end
  local id = clients_by_root[root]
  local client = id and vim.lsp.get_client_by_id(id)
  if not client or compat.is_stopped(client) then
    id = vim.lsp.start_client(client_config)
    clients_by_root[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

--- The Gene client attached to `bufnr`, if any.
function M.client_for(bufnr)
  return compat.clients({ name = 'gene', bufnr = bufnr })[1]
end

local function gene_buffers()
  local buffers = {}
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.bo[buf].filetype == 'gene' then
      table.insert(buffers, buf)
    end
  end
  return buffers
end

--- Stops every Gene client and starts them again for the open Gene buffers.
function M.restart()
  local clients = compat.clients({ name = 'gene' })
  for _, client in ipairs(clients) do
    compat.stop(client)
  end
  local function all_stopped()
    for _, client in ipairs(clients) do
      if not compat.is_stopped(client) then
        return false
      end
    end
    return true
  end
  local waited = 0
  local function reattach()
    if not all_stopped() and waited < 3000 then
      waited = waited + 50
      vim.defer_fn(reattach, 50)
      return
    end
    for _, client in ipairs(clients) do
      if not compat.is_stopped(client) then
        compat.stop(client, true)
      end
    end
    clients_by_root = {}
    for _, buf in ipairs(gene_buffers()) do
      M.attach(buf)
    end
    vim.notify('gene: language server restarted', vim.log.levels.INFO)
  end
  reattach()
end

function M.setup(opts)
  config.set(opts)
  warned_missing = false
  local group = vim.api.nvim_create_augroup('gene_lsp', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = 'gene',
    callback = function(args)
      M.attach(args.buf)
    end,
  })
  for _, buf in ipairs(gene_buffers()) do
    M.attach(buf)
  end
  local dap = config.get().dap
  if dap then
    require('gene.dap').register(dap)
  end
  -- The server's "Debug" code lens is the client's to run (nvim-dap when installed).
  if vim.lsp.commands then
    vim.lsp.commands['gene.debugFile'] = function(command)
      require('gene.dap').debug_lens(command, config.get().dap)
    end
  end
end

return M
