-- :GeneTasks: the live tasks of the program :GeneRun is running, asked of the server
-- (`gene/tasks {runId}` answers `{runId, running, tasks: [{id, name, parent, state, site,
-- created, waitingOn, waitingMs}]}`) and shown in a scratch buffer named [Gene Tasks], one task
-- a line, children indented under the task that started them. Each line ends with where the
-- task is (its await site) as path:line:col, so gF on it opens that line.

local compat = require('gene.compat')

local M = {}

M.BUFFER_NAME = '[Gene Tasks]'

local function site_text(site)
  if type(site) ~= 'table' or type(site.path) ~= 'string' then
    return nil
  end
  return string.format('%s:%d:%d', site.path, site.line or 1, site.col or 1)
end

local function task_line(task, depth)
  local parts = { string.rep('  ', depth) .. string.format('task %s %s', tostring(task.id), tostring(task.name)) }
  local state = tostring(task.state)
  if type(task.waitingMs) == 'number' then
    state = state .. string.format(' %.3fs', task.waitingMs / 1000)
  end
  table.insert(parts, state)
  if type(task.waitingOn) == 'string' then
    table.insert(parts, 'on ' .. task.waitingOn)
  end
  local at = site_text(task.site)
  if at then
    table.insert(parts, at)
  end
  return table.concat(parts, '  ')
end

--- The lines of the tree: roots are the tasks whose parent is not in the list.
function M.lines(tasks)
  local ids, children, roots = {}, {}, {}
  for _, task in ipairs(tasks) do
    ids[task.id] = true
  end
  for _, task in ipairs(tasks) do
    local parent = task.parent
    if type(parent) == 'number' and ids[parent] then
      children[parent] = children[parent] or {}
      table.insert(children[parent], task)
    else
      table.insert(roots, task)
    end
  end
  local lines = {}
  local function add(task, depth)
    table.insert(lines, task_line(task, depth))
    for _, child in ipairs(children[task.id] or {}) do
      add(child, depth + 1)
    end
  end
  for _, root in ipairs(roots) do
    add(root, 0)
  end
  return lines
end

local function tasks_buffer()
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_valid(buf) and vim.api.nvim_buf_get_name(buf):sub(-#M.BUFFER_NAME) == M.BUFFER_NAME then
      return buf
    end
  end
  local buf = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_buf_set_name(buf, M.BUFFER_NAME)
  vim.bo[buf].buftype = 'nofile'
  vim.bo[buf].bufhidden = 'hide'
  vim.bo[buf].swapfile = false
  vim.bo[buf].filetype = 'genetasks'
  return buf
end

local function show(lines)
  local buf = tasks_buffer()
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  if #vim.fn.win_findbuf(buf) == 0 then
    local previous = vim.api.nvim_get_current_win()
    vim.cmd('botright 10split')
    vim.api.nvim_win_set_buf(0, buf)
    vim.api.nvim_set_current_win(previous)
  end
  return buf
end

--- Asks the server for the running program's tasks and shows them.
function M.show()
  local run = require('gene.run').current()
  if not run then
    vim.notify('gene: no program is running (:GeneRun starts one)', vim.log.levels.INFO)
    return
  end
  local client = vim.lsp.get_client_by_id(run.client_id)
  if not client then
    vim.notify('gene: the language server of the run is gone', vim.log.levels.ERROR)
    return
  end
  compat.request(client, 'gene/tasks', { runId = run.id }, function(err, result)
    if err then
      vim.notify('gene: gene/tasks failed: ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
      return
    end
    if type(result) ~= 'table' or type(result.tasks) ~= 'table' then
      return
    end
    local lines = M.lines(result.tasks)
    if result.running == false then
      lines = { '(the run has ended)' }
    elseif #lines == 0 then
      lines = { '(the program did not answer: busy in a long native call?)' }
    end
    show(lines)
  end)
end

return M
