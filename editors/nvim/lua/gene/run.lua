-- :GeneRun and :GeneStop. The server runs the buffer as Neovim sent it (unsaved changes
-- included): `workspace/executeCommand gene.runFile [{uri}]` answers `{runId}`, the output
-- arrives as `gene/runOutput {runId, stream, text}`, the end as `gene/runEnd {runId, status,
-- exitCode, durationMs}`; `gene.stopRun [{runId}]` stops it. The output goes to a scratch
-- buffer named [Gene Run], shown in a split and reused between runs.

local compat = require('gene.compat')
local runtext = require('gene.runtext')

local M = {}

M.BUFFER_NAME = '[Gene Run]'
local namespace = vim.api.nvim_create_namespace('gene_run')

-- The run in progress: { id, client_id, source, started }.
local current = nil
-- While a gene.runFile request is in flight: notifications that came before its answer.
local early = nil
-- Whether the last output ended in the middle of a line.
local partial = false
-- The buffer of the last run, for :GeneRun from the [Gene Run] window.
local last_source = nil

local function output_buffer()
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    local name = vim.api.nvim_buf_get_name(buf)
    if vim.api.nvim_buf_is_valid(buf) and name:sub(-#M.BUFFER_NAME) == M.BUFFER_NAME then
      return buf
    end
  end
  local buf = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_buf_set_name(buf, M.BUFFER_NAME)
  vim.bo[buf].buftype = 'nofile'
  vim.bo[buf].bufhidden = 'hide'
  vim.bo[buf].swapfile = false
  vim.bo[buf].modifiable = false
  vim.bo[buf].filetype = 'generun'
  return buf
end

--- The windows of the current tab page that show `buf`.
local function windows_of(buf)
  local wins = {}
  for _, win in ipairs(vim.api.nvim_tabpage_list_wins(0)) do
    if vim.api.nvim_win_get_buf(win) == buf then
      table.insert(wins, win)
    end
  end
  return wins
end

local function show(buf)
  if #windows_of(buf) > 0 then
    return
  end
  local previous = vim.api.nvim_get_current_win()
  local height = (require('gene.config').get().run or {}).height or 12
  vim.cmd('botright ' .. tostring(height) .. 'split')
  local win = vim.api.nvim_get_current_win()
  vim.api.nvim_win_set_buf(win, buf)
  vim.wo[win].winfixheight = true
  vim.wo[win].number = false
  vim.wo[win].relativenumber = false
  vim.api.nvim_set_current_win(previous)
end

local function follow(buf)
  local last = vim.api.nvim_buf_line_count(buf)
  for _, win in ipairs(windows_of(buf)) do
    vim.api.nvim_win_set_cursor(win, { last, 0 })
  end
end

--- Appends `text` (which may end mid-line) to the output buffer, highlighted with `hl` if given.
local function append(text, hl)
  local buf = output_buffer()
  local lines = compat.split_lines(text)
  vim.bo[buf].modifiable = true
  -- The buffer always ends with the line the output continues on (empty after a newline).
  local count = vim.api.nvim_buf_line_count(buf)
  local first_line = count - 1
  local last = vim.api.nvim_buf_get_lines(buf, first_line, count, false)[1] or ''
  lines[1] = last .. lines[1]
  vim.api.nvim_buf_set_lines(buf, first_line, count, false, lines)
  partial = lines[#lines] ~= ''
  vim.bo[buf].modifiable = false
  if hl then
    -- Not the empty line the next output starts on: that text may be another stream's.
    local last_line = vim.api.nvim_buf_line_count(buf) - (partial and 1 or 2)
    local texts = vim.api.nvim_buf_get_lines(buf, first_line, last_line + 1, false)
    for i, text in ipairs(texts) do
      local line = first_line + i - 1
      vim.api.nvim_buf_set_extmark(buf, namespace, line, 0, { end_row = line, end_col = #text, hl_group = hl })
    end
  end
  follow(buf)
end

local function clear()
  local buf = output_buffer()
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, {})
  vim.api.nvim_buf_clear_namespace(buf, namespace, 0, -1)
  vim.bo[buf].modifiable = false
  partial = false
end

local function finish(line)
  if partial then
    append('\n')
  end
  append(line .. '\n', 'Title')
  current = nil
  vim.api.nvim_echo({ { 'gene: ' .. line, 'None' } }, true, {})
end

local function elapsed_ms(run)
  return (vim.loop.hrtime() - run.started) / 1e6
end

function M.on_output(params, client_id)
  if type(params) ~= 'table' or type(params.text) ~= 'string' then
    return
  end
  if early and not current then
    table.insert(early, { 'output', params, client_id })
    return
  end
  if not current or params.runId ~= current.id or client_id ~= current.client_id then
    return -- a run that was stopped and replaced
  end
  if params.text ~= '' then
    append(params.text, params.stream == 'stderr' and 'WarningMsg' or nil)
  end
end

function M.on_end(params, client_id)
  if type(params) ~= 'table' then
    return
  end
  if early and not current then
    table.insert(early, { 'end', params, client_id })
    return
  end
  if not current or params.runId ~= current.id or client_id ~= current.client_id then
    return
  end
  finish(runtext.exit_line(params))
end

--- The server went away: a run it was doing is over.
function M.on_client_exit(_, _, client_id)
  vim.schedule(function()
    if current and current.client_id == client_id then
      finish(runtext.lost_line(elapsed_ms(current)))
    end
  end)
end

function M.handlers()
  return {
    ['gene/runOutput'] = function(_, params, ctx)
      M.on_output(params, ctx and ctx.client_id)
    end,
    ['gene/runEnd'] = function(_, params, ctx)
      M.on_end(params, ctx and ctx.client_id)
    end,
  }
end

function M.running()
  return current ~= nil
end

--- The run in progress, `{ id, client_id }`, or nil.
function M.current()
  if not current then
    return nil
  end
  return { id = current.id, client_id = current.client_id }
end

local function describe_error(err)
  if type(err) == 'table' then
    local message = err.message or vim.inspect(err)
    if err.code == -32601 then
      message = message .. ' (this gene-lsp does not support Run File; update it)'
    end
    return message
  end
  return tostring(err)
end

--- Asks the server to stop the current run; the run ends when the server says so.
function M.stop()
  if not current then
    vim.notify('gene: no program is running', vim.log.levels.INFO)
    return
  end
  local client = vim.lsp.get_client_by_id(current.client_id)
  if not client then
    finish(runtext.lost_line(elapsed_ms(current)))
    return
  end
  compat.request(client, 'workspace/executeCommand', {
    command = 'gene.stopRun',
    arguments = { { runId = current.id } },
  }, function(err)
    if err then
      vim.notify('gene: could not stop the run: ' .. describe_error(err), vim.log.levels.ERROR)
    end
  end)
end

--- Runs the Gene buffer `bufnr` (the current one by default).
function M.run(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if vim.bo[bufnr].filetype ~= 'gene' then
    if last_source and vim.api.nvim_buf_is_valid(last_source) then
      bufnr = last_source
    else
      vim.notify('gene: :GeneRun runs a Gene buffer; this one is not', vim.log.levels.WARN)
      return
    end
  end
  local client = require('gene').client_for(bufnr)
  if not client then
    vim.notify('gene: no Gene language server is attached to this buffer', vim.log.levels.ERROR)
    return
  end
  if current then
    M.stop()
    vim.wait(3000, function()
      return current == nil
    end, 20)
    if current then
      finish('[Stopped] the previous run did not report its end within 3 s')
    end
  end
  last_source = bufnr
  local path = vim.api.nvim_buf_get_name(bufnr)
  clear()
  show(output_buffer())
  append(runtext.header(path ~= '' and path or '[No Name]', vim.bo[bufnr].modified) .. '\n', 'Title')

  early = {}
  compat.request(client, 'workspace/executeCommand', {
    command = 'gene.runFile',
    arguments = { { uri = vim.uri_from_bufnr(bufnr) } },
  }, function(err, result)
    local waiting = early or {}
    early = nil
    if err then
      local message = describe_error(err)
      finish('[Failed] the language server did not start the run: ' .. message)
      return
    end
    if type(result) ~= 'table' or type(result.runId) ~= 'string' then
      finish('[Failed] the language server answered gene.runFile with ' .. vim.inspect(result) .. ', not a run id')
      return
    end
    current = { id = result.runId, client_id = client.id, source = bufnr, started = vim.loop.hrtime() }
    for _, event in ipairs(waiting) do
      if event[1] == 'output' then
        M.on_output(event[2], event[3])
      else
        M.on_end(event[2], event[3])
      end
    end
  end, bufnr)
end

return M
