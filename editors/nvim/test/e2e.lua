-- End-to-end test of the Neovim plugin against the real gene-lsp, run by test/e2e.sh in a
-- headless Neovim (0.7 and newer). Each step either passes or ends the test with its name, the
-- error, the LSP log, :messages and the [Gene Run] buffer.
--
-- Environment (set by e2e.sh): GENE_LSP, GENE_E2E_FIXTURE, GENE_E2E_WORKDIR.

local started = vim.loop.hrtime()
local gene_lsp = assert(os.getenv('GENE_LSP'), 'GENE_LSP is not set')
local fixture = assert(os.getenv('GENE_E2E_FIXTURE'), 'GENE_E2E_FIXTURE is not set')
local workdir = assert(os.getenv('GENE_E2E_WORKDIR'), 'GENE_E2E_WORKDIR is not set')

local function log(message)
  io.stdout:write(string.format('[nvim-e2e %5.1fs] %s\n', (vim.loop.hrtime() - started) / 1e9, message))
  io.stdout:flush()
end

local function read_file(path)
  local f = io.open(path, 'r')
  if not f then
    return nil
  end
  local text = f:read('*a')
  f:close()
  return text
end

local function write_file(path, text)
  local f = assert(io.open(path, 'w'))
  f:write(text)
  f:close()
end

local function run_buffer()
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_get_name(buf):sub(-#'[Gene Run]') == '[Gene Run]' then
      return buf
    end
  end
  return nil
end

local function run_text()
  local buf = run_buffer()
  if not buf then
    return ''
  end
  return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n')
end

local function fail(step, err)
  io.stderr:write(string.format('\n\nNeovim e2e FAILED at step "%s"\n%s\n', step, tostring(err)))
  local lsp_log = read_file(vim.lsp.get_log_path()) or '(no LSP log)'
  -- The server's query tracing says nothing about the protocol: leave it out.
  local kept = {}
  for _, line in ipairs(vim.split(lsp_log, '\n', true)) do
    if not line:find('executing query', 1, true) then
      table.insert(kept, line)
    end
  end
  lsp_log = table.concat(kept, '\n')
  io.stderr:write('----- LSP log (' .. vim.lsp.get_log_path() .. ', last 8000 bytes) -----\n')
  io.stderr:write(lsp_log:sub(-8000) .. '\n')
  io.stderr:write('----- :messages -----\n' .. vim.fn.execute('messages') .. '\n')
  io.stderr:write('----- [Gene Run] -----\n' .. run_text() .. '\n')
  io.stderr:flush()
  vim.cmd('cquit 1')
end

local function step(name, body)
  log('step: ' .. name)
  local t0 = vim.loop.hrtime()
  local ok, err = xpcall(body, debug.traceback)
  if not ok then
    fail(name, err)
    return
  end
  log(string.format('  ok in %d ms', (vim.loop.hrtime() - t0) / 1e6))
end

local function wait_for(description, timeout_ms, condition)
  if not vim.wait(timeout_ms, condition, 50) then
    error(string.format('timed out after %d ms waiting for %s', timeout_ms, description), 2)
  end
end

local function check(condition, message)
  if not condition then
    error(message, 2)
  end
end

local function diagnostic_code(d)
  if d.code then
    return d.code
  end
  local lsp = d.user_data and d.user_data.lsp
  return lsp and lsp.code
end

local function find_diagnostic(buf, code)
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if diagnostic_code(d) == code then
      return d
    end
  end
  return nil
end

local gene
local source_buf
local floating_path = workdir .. '/floating.gene'

step('load the plugin from the repository', function()
  vim.lsp.set_log_level('debug')
  vim.cmd('filetype plugin indent on')
  vim.cmd('syntax on')
  vim.cmd('runtime! plugin/gene.lua')
  gene = require('gene')
  -- A small memory cap, so the run that exhausts memory below ends quickly.
  gene.setup({ cmd = { gene_lsp }, init_options = { run = { maxMemoryMb = 256 } } })
  for _, command in ipairs({ 'GeneRun', 'GeneStop', 'GeneTasks', 'GeneRestart' }) do
    check(vim.fn.exists(':' .. command) == 2, ':' .. command .. ' is not defined')
  end
end)

step('open a file with a floating future', function()
  vim.fn.mkdir(workdir, 'p')
  write_file(floating_path, read_file(fixture))
  vim.cmd('edit ' .. vim.fn.fnameescape(floating_path))
  source_buf = vim.api.nvim_get_current_buf()
  check(vim.bo.filetype == 'gene', 'filetype is ' .. vim.inspect(vim.bo.filetype) .. ', not gene')
  check(vim.bo.commentstring == '# %s', 'commentstring is ' .. vim.inspect(vim.bo.commentstring))
  check(vim.b.current_syntax == 'gene', 'syntax/gene.vim is not loaded')
  check(vim.bo.indentexpr:find('GeneIndent') ~= nil, 'indentexpr is ' .. vim.inspect(vim.bo.indentexpr))
end)

local client
step('the language server attaches', function()
  wait_for('a gene client on the buffer', 20000, function()
    client = gene.client_for(source_buf)
    return client ~= nil and client.initialized ~= false
  end)
  log('  client ' .. client.id .. ' rooted at ' .. tostring(client.config.root_dir))
end)

local diagnostic
step('wait for the A001 diagnostic', function()
  wait_for('A001 on the buffer', 30000, function()
    diagnostic = find_diagnostic(source_buf, 'A001')
    return diagnostic ~= nil
  end)
  local line = vim.api.nvim_buf_get_lines(source_buf, diagnostic.lnum, diagnostic.lnum + 1, false)[1]
  check(line == '(job 10)', 'A001 is on ' .. vim.inspect(line) .. ', not on (job 10)')
  log('  A001 at line ' .. (diagnostic.lnum + 1) .. ': ' .. diagnostic.message)
end)

step('apply the quick fix through textDocument/codeAction', function()
  -- Neovim 0.7 keeps only part of the server's diagnostic in user_data: rebuild the range.
  local lsp_diagnostic = vim.tbl_extend('force', {
    range = {
      start = { line = diagnostic.lnum, character = diagnostic.col },
      ['end'] = { line = diagnostic.end_lnum, character = diagnostic.end_col },
    },
    message = diagnostic.message,
    code = diagnostic_code(diagnostic),
    severity = diagnostic.severity,
    source = diagnostic.source,
  }, diagnostic.user_data and diagnostic.user_data.lsp or {})
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(source_buf) },
    range = lsp_diagnostic.range,
    context = { diagnostics = { lsp_diagnostic }, only = { 'quickfix' } },
  }
  local responses = vim.lsp.buf_request_sync(source_buf, 'textDocument/codeAction', params, 10000)
  check(responses ~= nil, 'no answer to textDocument/codeAction')
  local action
  local titles = {}
  for _, response in pairs(responses) do
    local err = response.err or response.error -- `error` on Neovim 0.7
    check(err == nil, 'textDocument/codeAction failed: ' .. vim.inspect(err))
    for _, candidate in ipairs(response.result or {}) do
      table.insert(titles, candidate.title)
      if candidate.title:find('await', 1, true) then
        action = candidate
      end
    end
  end
  log('  actions offered: ' .. vim.inspect(titles))
  check(action ~= nil, 'no quick fix that wraps the call in (await ...)')
  check(action.edit ~= nil, 'the quick fix carries no edit: ' .. vim.inspect(action))
  vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding or 'utf-16')
  if action.command then
    vim.lsp.buf_request_sync(source_buf, 'workspace/executeCommand', action.command, 10000)
  end
end)

step('the text now awaits the future', function()
  local lines = vim.api.nvim_buf_get_lines(source_buf, 0, -1, false)
  local found = false
  for _, line in ipairs(lines) do
    if line == '(await (job 10))' then
      found = true
    end
  end
  check(found, 'no line reads (await (job 10)):\n' .. table.concat(lines, '\n'))
  wait_for('the A001 diagnostic to go away', 30000, function()
    return find_diagnostic(source_buf, 'A001') == nil
  end)
end)

step(':GeneRestart starts a new client that still publishes diagnostics', function()
  local old_id = client.id
  vim.cmd('GeneRestart')
  wait_for('a new gene client on the buffer', 20000, function()
    local c = gene.client_for(source_buf)
    return c ~= nil and c.id ~= old_id
  end)
  client = gene.client_for(source_buf)
  check(vim.lsp.get_client_by_id(old_id) == nil, 'the old client is still running')
  local last = vim.api.nvim_buf_line_count(source_buf)
  vim.api.nvim_buf_set_lines(source_buf, last, last, false, { '(job 20)' })
  wait_for('A001 from the new client', 30000, function()
    return find_diagnostic(source_buf, 'A001') ~= nil
  end)
  vim.api.nvim_buf_set_lines(source_buf, last, last + 1, false, {})
  wait_for('the A001 diagnostic to go away again', 30000, function()
    return find_diagnostic(source_buf, 'A001') == nil
  end)
end)

step(':GeneRun streams the output into [Gene Run]', function()
  vim.cmd('GeneRun')
  wait_for('the run to end in [Gene Run]', 60000, function()
    return run_text():find('%[Done%]') or run_text():find('%[Failed%]') or run_text():find('%[Stopped%]')
  end)
  local text = run_text()
  local shown = {}
  for _, line in ipairs(vim.split(text, '\n', true)) do
    table.insert(shown, '    | ' .. line)
  end
  log('  [Gene Run]:\n' .. table.concat(shown, '\n'))
  for _, expected in ipairs({ '%[Running%] [^\n]*floating%.gene', 'e2e: start', 'job finished after 10 ms', 'e2e: end', '%[Done%] exited with code 0' }) do
    check(text:find(expected) ~= nil, '[Gene Run] lacks ' .. expected)
  end
  local buf = run_buffer()
  check(#vim.fn.win_findbuf(buf) == 1, '[Gene Run] is not shown in one window')
  -- The plugin said it handles the run notifications: the output is not also logged.
  local lsp_log = read_file(vim.lsp.get_log_path()) or ''
  for line in lsp_log:gmatch('[^\n]+') do
    check(not (line:find('window/logMessage', 1, true) and line:find('job finished after', 1, true)),
      'the server also sent the output as window/logMessage: ' .. line:sub(1, 300))
  end
  check(vim.api.nvim_get_current_buf() == source_buf, 'the cursor left the source window')
end)

step(':GeneRun again reuses the [Gene Run] buffer', function()
  local first = run_buffer()
  vim.cmd('GeneRun')
  wait_for('the second run to end', 60000, function()
    return run_text():find('%[Done%]') ~= nil or run_text():find('%[Failed%]') ~= nil
  end)
  local count = 0
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_get_name(buf):sub(-#'[Gene Run]') == '[Gene Run]' then
      count = count + 1
    end
  end
  check(count == 1 and run_buffer() == first, 'expected one [Gene Run] buffer, found ' .. count)
  local _, headers = run_text():gsub('%[Running%]', '')
  check(headers == 1, 'the buffer holds ' .. headers .. ' run headers, not the last run only')
  check(#vim.fn.win_findbuf(first) == 1, '[Gene Run] opened a second window')
end)

step(':GeneStop stops a program that runs forever', function()
  local loop_path = workdir .. '/forever.gene'
  write_file(loop_path, '(var n 0)\n(loop\n  (n += 1)\n  (println "tick" n)\n  (gene/sleep 20))\n')
  vim.cmd('edit ' .. vim.fn.fnameescape(loop_path))
  local buf = vim.api.nvim_get_current_buf()
  wait_for('the client to attach to forever.gene', 20000, function()
    return gene.client_for(buf) ~= nil
  end)
  vim.cmd('GeneRun')
  wait_for('the program to print', 30000, function()
    return run_text():find('tick 3') ~= nil
  end)
  vim.cmd('GeneStop')
  wait_for('[Stopped] in [Gene Run]', 10000, function()
    return run_text():find('%[Stopped%]') ~= nil
  end)
end)

step(':GeneTasks shows the tasks of the running program with gF-able await sites', function()
  local path = workdir .. '/tasks.gene'
  write_file(path, '(var gate (new gene/Future))\n(fn ^^async worker [] (await gate))\n'
    .. '(var w (worker))\n(println "ready")\n(await (gene/sleep_async 600000))\n')
  vim.cmd('edit ' .. vim.fn.fnameescape(path))
  local buf = vim.api.nvim_get_current_buf()
  wait_for('the client to attach to tasks.gene', 20000, function()
    return gene.client_for(buf) ~= nil
  end)
  vim.cmd('GeneRun')
  wait_for('the program to print', 30000, function()
    return run_text():find('ready') ~= nil
  end)
  vim.cmd('GeneTasks')
  local tasks_buf
  wait_for('[Gene Tasks] to show the worker', 10000, function()
    for _, b in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_get_name(b):sub(-#'[Gene Tasks]') == '[Gene Tasks]' then
        tasks_buf = b
        local text = table.concat(vim.api.nvim_buf_get_lines(b, 0, -1, false), '\n')
        return text:find('worker', 1, true) ~= nil
      end
    end
    return false
  end)
  local lines = vim.api.nvim_buf_get_lines(tasks_buf, 0, -1, false)
  check(lines[1]:find('^task %d+ main  waiting') ~= nil, 'the first line is not main: ' .. lines[1])
  check(lines[2]:find('^  task %d+ worker  waiting') ~= nil, 'the worker is not under main: ' .. tostring(lines[2]))
  check(lines[2]:find('on gene/Future created at', 1, true) ~= nil, 'what the worker waits on: ' .. lines[2])
  -- gF on the site opens the await's line.
  local win = vim.fn.win_findbuf(tasks_buf)[1]
  vim.api.nvim_set_current_win(win)
  -- The site ends the line (what it waits on may name the file too).
  local col
  local from = 1
  while true do
    local found = lines[2]:find(path, from, true)
    if not found then
      break
    end
    col, from = found, found + 1
  end
  check(col ~= nil, 'the worker line does not end with its site: ' .. lines[2])
  vim.api.nvim_win_set_cursor(win, { 2, col - 1 })
  vim.cmd('normal! gF')
  check(vim.api.nvim_buf_get_name(0) == path, 'gF opened ' .. vim.api.nvim_buf_get_name(0))
  check(vim.api.nvim_win_get_cursor(0)[1] == 2, 'gF went to line ' .. vim.api.nvim_win_get_cursor(0)[1])
  vim.cmd('GeneStop')
  wait_for('[Stopped] in [Gene Run]', 10000, function()
    return run_text():find('%[Stopped%]') ~= nil
  end)
end)

step('a deadlocked run puts each waiting task on its await line as a diagnostic', function()
  local path = workdir .. '/deadlock.gene'
  write_file(path, '(var fa (new gene/Future))\n(var fb (new gene/Future))\n'
    .. '(fn ^^async a [] (await fb) (fa .complete 1))\n(fn ^^async b [] (await fa) (fb .complete 2))\n'
    .. '(var ta (a))\n(var tb (b))\n(await ta)\n')
  vim.cmd('edit ' .. vim.fn.fnameescape(path))
  local buf = vim.api.nvim_get_current_buf()
  wait_for('the client to attach to deadlock.gene', 20000, function()
    return gene.client_for(buf) ~= nil
  end)
  vim.cmd('GeneRun')
  local function deadlock_lines()
    local lines = {}
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if d.source == 'gene run' and d.message:find('^deadlock: task') then
        lines[d.lnum + 1] = d.message
      end
    end
    return lines
  end
  wait_for('the deadlocked tasks as diagnostics', 60000, function()
    local lines = deadlock_lines()
    return lines[3] ~= nil and lines[4] ~= nil and lines[7] ~= nil
  end)
  local lines = deadlock_lines()
  log('  line 3: ' .. lines[3])
  check(lines[3]:find(' a waits here on gene/Future created at ', 1, true) ~= nil, lines[3])
end)

step('the server outlives runs that abort, read stdin or write /dev/stdout', function()
  -- Each program runs in a child process of the server: the run ends, the server answers.
  local cases = {
    { 'memory.gene', '(var s "x")\n(while true (s = (s .append s)))\n', 'MemoryError' },
    { 'abort.gene', '(var head nil)\n(while true (head = [head]))\n', 'killed by SIGABRT' },
    { 'stdin.gene', '(println "read" (gene/io/read "/dev/stdin") "end")\n', 'read  end' },
    { 'stdout.gene', '(gene/io/append "/dev/stdout" "raw\\n")\n(println "after")\n', 'after' },
  }
  for _, case in ipairs(cases) do
    local name, program, expected = case[1], case[2], case[3]
    local path = workdir .. '/' .. name
    write_file(path, program)
    vim.cmd('edit ' .. vim.fn.fnameescape(path))
    local buf = vim.api.nvim_get_current_buf()
    wait_for('the client to attach to ' .. name, 20000, function()
      return gene.client_for(buf) ~= nil
    end)
    local id = gene.client_for(buf).id
    vim.cmd('GeneRun')
    wait_for(name .. ' to end in [Gene Run]', 60000, function()
      return run_text():find('%[Done%]') ~= nil or run_text():find('%[Failed%]') ~= nil
    end)
    check(run_text():find(expected, 1, true) ~= nil, '[Gene Run] lacks ' .. expected .. ' after ' .. name)
    check(vim.lsp.get_client_by_id(id) ~= nil, 'the language server stopped after ' .. name)
    local params = { textDocument = { uri = vim.uri_from_bufnr(buf) } }
    local answers = vim.lsp.buf_request_sync(buf, 'textDocument/documentSymbol', params, 10000)
    local answer = answers and answers[id]
    check(answer ~= nil and (answer.err or answer.error) == nil,
      'no answer to textDocument/documentSymbol after ' .. name .. ': ' .. vim.inspect(answers))
  end
end)

step(':GeneTest puts the failures in the quickfix list, :GeneTestNearest runs one test', function()
  local gene_bin = assert(os.getenv('GENE'), 'GENE is not set')
  require('gene.config').set({ cmd = { gene_lsp }, gene = gene_bin })
  local path = workdir .. '/math_test.gene'
  write_file(path, '(test "adds" (assert_eq (1 + 1) 2))\n'
    .. '(describe "group"\n  (test "fails" (assert_eq [1 2] [1 3])))\n')
  vim.cmd('edit ' .. vim.fn.fnameescape(path))
  local test = require('gene.test')
  vim.cmd('GeneTest')
  wait_for('gene test to finish', 60000, function()
    return test.last ~= nil
  end)
  local summary = test.last.summary
  check(summary and summary.passed == 1 and summary.failed == 1, 'summary: ' .. vim.inspect(summary))
  local qf = vim.fn.getqflist()
  check(#qf == 1, 'quickfix: ' .. vim.inspect(qf))
  check(qf[1].lnum == 3 and qf[1].col == 17, 'the failure is not at its assertion: ' .. vim.inspect(qf[1]))
  check(qf[1].text:find('group > fails: AssertionError: assert_eq failed', 1, true) ~= nil, qf[1].text)
  vim.api.nvim_win_set_cursor(0, { 1, 0 })
  vim.cmd('GeneTestNearest')
  wait_for('the nearest test to finish', 60000, function()
    return test.last ~= nil
  end)
  summary = test.last.summary
  check(summary.passed == 1 and summary.failed == 0, 'nearest ran ' .. vim.inspect(summary))
  check(#vim.fn.getqflist() == 0, 'the quickfix list still holds a failure')
end)

log(string.format('PASSED in %.1f s', (vim.loop.hrtime() - started) / 1e9))
vim.cmd('qall!')
