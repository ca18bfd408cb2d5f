-- What differs between Neovim 0.7 and 0.11 in the LSP client API, in one place.

local M = {}

function M.has(version)
  return vim.fn.has('nvim-' .. version) == 1
end

-- 0.11 made client methods take `self` (client:request); the dot form is deprecated there.
local method_calls = M.has('0.11')

--- The clients attached to a buffer (or all clients), optionally only those named `name`.
function M.clients(filter)
  filter = filter or {}
  local all
  if vim.lsp.get_clients then
    all = vim.lsp.get_clients()
  else
    all = vim.lsp.get_active_clients()
  end
  local result = {}
  for _, client in ipairs(all) do
    local named = filter.name == nil or client.name == filter.name
    local attached = filter.bufnr == nil
      or (client.attached_buffers and client.attached_buffers[filter.bufnr])
      or vim.lsp.buf_is_attached(filter.bufnr, client.id)
    if named and attached then
      table.insert(result, client)
    end
  end
  return result
end

function M.request(client, method, params, handler, bufnr)
  if method_calls then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

function M.stop(client, force)
  if method_calls then
    return client:stop(force)
  end
  return client.stop(force)
end

function M.is_stopped(client)
  if method_calls then
    return client:is_stopped()
  end
  return client.is_stopped()
end

--- Splits on "\n", keeping empty pieces (vim.split's options changed between versions).
function M.split_lines(text)
  local lines = {}
  local from = 1
  while true do
    local at = string.find(text, '\n', from, true)
    if not at then
      table.insert(lines, string.sub(text, from))
      return lines
    end
    table.insert(lines, string.sub(text, from, at - 1))
    from = at + 1
  end
end

--- The directory above `path` (or `path` itself) holding one of `markers`, else nil.
function M.find_root(path, markers)
  local dir = vim.fn.fnamemodify(path, ':p:h')
  while dir and dir ~= '' do
    for _, marker in ipairs(markers) do
      if vim.loop.fs_stat(dir .. '/' .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ':h')
    if parent == dir then
      return nil
    end
    dir = parent
  end
  return nil
end

return M
