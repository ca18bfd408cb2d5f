-- The debugger in nvim-dap: `require('gene').setup({ dap = true })` registers the adapter
-- (`gene dap`, the Debug Adapter Protocol over stdio) and a launch configuration for `gene`
-- buffers when nvim-dap is installed. The plugin does not need nvim-dap otherwise.
-- `dap = { cmd = { '/path/to/gene', 'dap' } }` names another binary.

local M = {}

M.default_cmd = { 'gene', 'dap' }

--- nvim-dap's adapter entry for `cmd` (a list: the executable, then its arguments).
function M.adapter(cmd)
  cmd = cmd or M.default_cmd
  return { type = 'executable', command = cmd[1], args = vim.list_slice(cmd, 2) }
end

M.configurations = {
  {
    type = 'gene',
    request = 'launch',
    name = 'Debug File',
    program = '${file}',
    cwd = '${fileDirname}',
  },
}

--- Registers with nvim-dap (`dap`, else require('dap') if installed). `opts` is setup()'s
--- `dap` option. Returns false when nvim-dap is not there.
function M.register(opts, dap)
  if dap == nil then
    local ok, loaded = pcall(require, 'dap')
    if not ok then
      return false
    end
    dap = loaded
  end
  local cmd = type(opts) == 'table' and opts.cmd or nil
  dap.adapters.gene = M.adapter(cmd)
  dap.configurations.gene = dap.configurations.gene or {}
  for _, c in ipairs(M.configurations) do
    local present = false
    for _, existing in ipairs(dap.configurations.gene) do
      if existing.name == c.name then
        present = true
      end
    end
    if not present then
      table.insert(dap.configurations.gene, vim.deepcopy(c))
    end
  end
  return true
end

--- The language server's "Debug" code lens runs `gene.debugFile` with `{ uri }`: debugs that
--- file through nvim-dap (`dap`, else require('dap')), registering the adapter first if
--- setup() did not; without nvim-dap it says so. `opts` is setup()'s `dap` option.
function M.debug_lens(command, opts, dap)
  local argument = command and command.arguments and command.arguments[1]
  local uri = type(argument) == 'table' and argument.uri or nil
  if type(uri) ~= 'string' or uri == '' then
    return false
  end
  if dap == nil then
    local ok, loaded = pcall(require, 'dap')
    if not ok then
      vim.notify('Gene: debugging needs nvim-dap (https://github.com/mfussenegger/nvim-dap)', vim.log.levels.WARN)
      return false
    end
    dap = loaded
  end
  if not (dap.adapters and dap.adapters.gene) then
    M.register(opts or true, dap)
  end
  local file = vim.uri_to_fname(uri)
  local run = vim.deepcopy(M.configurations[1])
  run.program = file
  run.cwd = vim.fn.fnamemodify(file, ':h')
  dap.run(run)
  return true
end

return M
