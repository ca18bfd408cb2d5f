-- :GeneTest and :GeneTestNearest: the tests of the current file run by `gene test --format
-- json` (the `gene` executable: setup({ gene = ... }), `gene` on PATH by default); the
-- failures go to the quickfix list at the line of their assertion, and the summary to the
-- message area.

local M = {}

local function decode(line)
  local ok, event = pcall(vim.fn.json_decode, line)
  if ok and type(event) == 'table' then
    return event
  end
  return nil
end

local function value(v, default)
  if v == nil or v == vim.NIL then
    return default
  end
  return v
end

--- The quickfix items of the failed tests and the summary event, from the JSON lines.
function M.parse(lines)
  local items, summary = {}, nil
  for _, line in ipairs(lines) do
    local event = line ~= '' and decode(line) or nil
    if event and event.event == 'summary' then
      summary = event
    elseif event and event.event == 'test' and event.status == 'failed' then
      local message = value(event.message, 'failed')
      table.insert(items, {
        filename = event.file,
        lnum = value(event.line, 1),
        col = value(event.column, 1),
        type = 'E',
        text = event.name .. ': ' .. (vim.split(message, '\n', true)[1] or ''),
      })
    end
  end
  return items, summary
end

--- `N passed, M failed[, K skipped]`, as `gene test` says it.
function M.summary_text(summary)
  if not summary then
    return 'gene test: no result'
  end
  local text = string.format('%d passed, %d failed', summary.passed, summary.failed)
  if summary.skipped > 0 then
    text = text .. string.format(', %d skipped', summary.skipped)
  end
  if summary.passed + summary.failed + summary.skipped == 0 then
    text = 'no tests found'
  end
  return text
end

--- The name of the test or describe group at or above the cursor's line (nil when none).
function M.nearest_name(bufnr, line)
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, line, false)
  for i = #lines, 1, -1 do
    local name = lines[i]:match('%(test[%s][^"(]*"([^"]*)"') or lines[i]:match('%(describe[%s][^"(]*"([^"]*)"')
    if name then
      return name
    end
  end
  return nil
end

M.last = nil

--- Runs the tests of the buffer's file (only those whose full name contains filter, if given).
--- When done, the quickfix list holds the failures and M.last the items and the summary.
function M.run(bufnr, filter)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local path = vim.api.nvim_buf_get_name(bufnr)
  if path == '' then
    vim.notify('gene test: the buffer has no file', vim.log.levels.WARN)
    return
  end
  if vim.bo[bufnr].modified then
    vim.api.nvim_buf_call(bufnr, function()
      vim.cmd('silent write')
    end)
  end
  local cmd = { require('gene.config').get().gene, 'test', '--format', 'json', path }
  if filter then
    vim.list_extend(cmd, { '--filter', filter })
  end
  M.last = nil
  local ok, job = pcall(vim.fn.jobstart, cmd, {
    stdout_buffered = true,
    on_stdout = function(_, data)
      local items, summary = M.parse(data or {})
      vim.fn.setqflist({}, ' ', { title = 'gene test ' .. vim.fn.fnamemodify(path, ':t'), items = items })
      M.last = { items = items, summary = summary }
      vim.notify('gene test: ' .. M.summary_text(summary),
        #items > 0 and vim.log.levels.WARN or vim.log.levels.INFO)
    end,
  })
  if not ok or job <= 0 then
    vim.notify('gene test: cannot start ' .. cmd[1], vim.log.levels.ERROR)
  end
end

function M.run_nearest(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local line = vim.api.nvim_win_get_cursor(0)[1]
  local name = M.nearest_name(bufnr, line)
  if not name then
    vim.notify('gene test: no test at or above the cursor', vim.log.levels.WARN)
    return
  end
  M.run(bufnr, name)
end

--- The launch configuration of nvim-dap that debugs test `id` (a full name, or a describe
--- group's) of the file `path`: `gene dap` runs the top level, then the test, under the debugger.
function M.debug_configuration(path, id)
  return {
    type = 'gene',
    request = 'launch',
    name = 'Debug test ' .. id,
    program = path,
    cwd = vim.fn.fnamemodify(path, ':h'),
    test = id,
  }
end

--- The client commands of the server's test code lenses: `gene.test.run` `{uri, ids?}` runs
--- the file's tests (those of ids[1] when given) as :GeneTest does; `gene.test.debug`
--- `{uri, ids}` debugs the test of ids[1] with nvim-dap (setup({ dap = true })).
M.lens_commands = {
  ['gene.test.run'] = function(command)
    local args = (command.arguments or {})[1] or {}
    local ids = value(args.ids, {})
    M.run(vim.uri_to_bufnr(args.uri), ids[1])
  end,
  ['gene.test.debug'] = function(command)
    local args = (command.arguments or {})[1] or {}
    local id = value(args.ids, {})[1]
    local ok, dap = pcall(require, 'dap')
    if not ok or not id then
      vim.notify('gene test: debugging a test needs nvim-dap and setup({ dap = true })', vim.log.levels.WARN)
      return
    end
    dap.run(M.debug_configuration(vim.uri_to_fname(args.uri), id))
  end,
}

--- Registers the lens commands with Neovim's LSP client (`vim.lsp.commands`).
function M.register_lens_commands()
  for name, handler in pairs(M.lens_commands) do
    vim.lsp.commands[name] = handler
  end
end

return M
