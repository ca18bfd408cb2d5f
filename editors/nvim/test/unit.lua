-- Tests of the plugin that need no language server: filetype detection, ftplugin options,
-- indentation, syntax groups, the [Gene Run] text and helpers. Run by test/unit.sh in a
-- headless Neovim.

local failures = {}
local count = 0

local function test(name, body)
  count = count + 1
  local ok, err = xpcall(body, debug.traceback)
  if ok then
    io.stdout:write('ok   ' .. name .. '\n')
  else
    io.stdout:write('FAIL ' .. name .. '\n')
    table.insert(failures, name .. ': ' .. tostring(err))
  end
end

local function eq(actual, expected, what)
  if not vim.deep_equal(actual, expected) then
    error(string.format('%s: expected %s, got %s', what or 'value', vim.inspect(expected), vim.inspect(actual)), 2)
  end
end

vim.cmd('filetype plugin indent on')
vim.cmd('syntax on')
vim.cmd('runtime! plugin/gene.lua')

local function scratch_gene(lines)
  local path = vim.fn.tempname() .. '.gene'
  vim.fn.writefile(lines, path)
  vim.cmd('edit ' .. vim.fn.fnameescape(path))
  return vim.api.nvim_get_current_buf()
end

test('*.gene files get filetype gene, ftplugin options and the syntax', function()
  scratch_gene({ '(println "hi")' })
  eq(vim.bo.filetype, 'gene', 'filetype')
  eq(vim.bo.commentstring, '# %s', 'commentstring')
  eq(vim.b.current_syntax, 'gene', 'b:current_syntax')
  eq(vim.bo.shiftwidth, 2, 'shiftwidth')
  eq(vim.bo.expandtab, true, 'expandtab')
end)

test('a script with a gene shebang is detected', function()
  local path = vim.fn.tempname()
  vim.fn.writefile({ '#!/usr/bin/env gene run', '(println 1)' }, path)
  vim.cmd('edit ' .. vim.fn.fnameescape(path))
  eq(vim.bo.filetype, 'gene', 'filetype')
end)

test('a word keeps paths, properties and spreads whole', function()
  scratch_gene({ '(f gene/io/read_async ^key xs...)' })
  local function word_at(col)
    vim.api.nvim_win_set_cursor(0, { 1, col })
    return vim.fn.expand('<cword>')
  end
  eq(word_at(6), 'gene/io/read_async', 'path')
  eq(word_at(24), '^key', 'property')
  eq(word_at(28), 'xs...', 'spread')
end)

-- Indentation ----------------------------------------------------------------------------------

local indent = require('gene.indent')

test('a body is indented two columns past its (', function()
  eq(indent.indent_after({ '(fn f [x]' }, ''), 2)
  eq(indent.indent_after({ '(fn f [x]', '  (if x' }, ''), 4)
  eq(indent.indent_after({ '(fn f [x]', '  (if x', '    1)' }, ''), 2)
  eq(indent.indent_after({ '(fn f [x] (g x))' }, ''), 0)
end)

test('elements of [ ] and { } line up with the first one', function()
  eq(indent.indent_after({ '(var xs [1 2' }, ''), 9)
  eq(indent.indent_after({ '(var m {^a 1' }, ''), 8)
  eq(indent.indent_after({ '(var xs [' }, ''), 9)
end)

test('a closer lines up with its opener', function()
  eq(indent.indent_after({ '(fn f [x]', '  (if x' }, '  )'), 2)
  eq(indent.indent_after({ '(var xs [1 2' }, ']'), 8)
end)

test('brackets in strings, characters and comments do not count', function()
  eq(indent.indent_after({ '(f "(((" \'(\'' }, ''), 2)
  eq(indent.indent_after({ '(f # (((' }, ''), 2)
  eq(indent.indent_after({ '(f #< ((( ># [' }, ''), 14)
  eq(indent.indent_after({ '(f #"a #{x} (("' }, ''), 2)
  eq(indent.indent_after({ '(f """ ((', ' """' }, ''), 2)
  -- `(` always ends a token: `a#(b` is the symbol `a#` then a gene.
  eq(indent.indent_after({ '(f a#(b' }, ''), 7)
end)

test('inside a multi-line string the indent is kept', function()
  eq(indent.indent_after({ '(f "abc' }, ''), -1)
  eq(indent.indent_after({ '#< a comment' }, ''), -1)
end)

test('the indentexpr re-indents a buffer', function()
  local buf = scratch_gene({ '(fn f [x]', '(if x', '[1', '2]', '3))', '(g)' })
  vim.cmd('normal! gg=G')
  eq(vim.api.nvim_buf_get_lines(buf, 0, -1, false), { '(fn f [x]', '  (if x', '    [1', '     2]', '    3))', '(g)' })
end)

-- Syntax ---------------------------------------------------------------------------------------

local function group_at(line, col)
  local id = vim.fn.synID(line, col + 1, 1)
  return vim.fn.synIDattr(id, 'name')
end

local function group_of(buf_line, text, needle, nth)
  local from = 0
  for _ = 1, nth or 1 do
    from = assert(text:find(needle, from + 1, true), needle .. ' not in ' .. text)
  end
  return group_at(buf_line, from - 1)
end

test('syntax groups of the reader syntax', function()
  local lines = {
    '#!/usr/bin/env gene run',
    '(fn ^^async job [ms] (await (gene/sleep_async ms)) ms) # done',
    '(var s #"n=#{n} and #(f 1)" t """x""" c \'x\' e \'\\n\')',
    '[42 -7 2.5 6e3 3px nil true _ a#b x^y a:b]',
    '{^a 1 ^^flag ^!off ^p^q 2} :(quoted %u %_d) #@deco f',
    '#< block ># (class P < Q (.fn m _ (self .x))) else',
    '(x + 1) (xs... ./ k) $ns/y @sel ]',
  }
  scratch_gene(lines)
  local expectations = {
    { 1, '#!', 'geneLineComment' },
    { 2, 'fn', 'geneDefine' },
    { 2, 'async', 'geneAsync' },
    { 2, 'job', 'geneDefName' },
    { 2, 'await', 'geneSpecialForm' },
    { 2, 'gene', 'geneNamespace' },
    { 2, '# done', 'geneLineComment' },
    { 3, '#"', 'geneIStringDelim' },
    { 3, 'n=', 'geneIString' },
    { 3, '#{', 'geneInterpDelim' },
    { 3, '#(', 'geneInterpDelim' },
    { 3, '"""', 'geneString' },
    { 3, "'x'", 'geneChar' },
    { 3, '\\n', 'geneChar' },
    { 4, '42', 'geneNumber' },
    { 4, '-7', 'geneNumber' },
    { 4, '2.5', 'geneFloat' },
    { 4, '6e3', 'geneFloat' },
    { 4, '3px', 'geneError' },
    { 4, 'nil', 'geneConstant' },
    { 4, 'true', 'geneConstant' },
    { 4, '_', 'geneConstant' },
    { 5, '^a', 'geneProperty' },
    { 5, '^^flag', 'geneProperty' },
    { 5, '^!off', 'geneProperty' },
    { 5, '^p^q', 'geneProperty' },
    { 5, ':(', 'geneQuote' },
    { 5, '%u', 'geneUnquote' },
    { 5, '%_', 'geneUnquote' },
    { 5, '#@deco', 'geneDecorator' },
    { 6, '#<', 'geneBlockComment' },
    { 6, 'class', 'geneDefine' },
    { 6, 'P', 'geneTypeName' },
    { 6, '.fn', 'geneDefine' },
    { 6, 'm _', 'geneDefName' },
    { 6, 'self', 'geneSelf' },
    { 6, '.x', 'geneMethod' },
    { 6, 'else', 'geneKeyword' },
    { 7, '+', 'geneOperator' },
    { 7, '...', 'geneOperator' },
    { 7, './', 'geneOperator' },
    { 7, '$ns', 'geneSpecialVar' },
    { 7, '@sel', 'geneSelector' },
    { 7, ']', 'geneStray' },
  }
  local wrong = {}
  for _, e in ipairs(expectations) do
    local line, needle, expected = e[1], e[2], e[3]
    local actual = group_of(line, lines[line], needle)
    if actual ~= expected then
      table.insert(wrong, string.format('line %d %q: %s, expected %s', line, needle, actual, expected))
    end
  end
  -- Tokens that only look like something else.
  for _, e in ipairs({ { 4, 'a#b' }, { 4, 'x^y' }, { 4, 'a:b' } }) do
    local actual = group_of(e[1], lines[e[1]], e[2])
    local after = group_at(e[1], lines[e[1]]:find(e[2], 1, true))
    if actual ~= '' and actual ~= 'geneArray' or (after ~= '' and after ~= 'geneArray') then
      table.insert(wrong, string.format('line %d %q: %s/%s, expected a plain symbol', e[1], e[2], actual, after))
    end
  end
  eq(wrong, {}, 'syntax groups')
end)

-- Run output and helpers -----------------------------------------------------------------------

local runtext = require('gene.runtext')
local compat = require('gene.compat')

test('run header and exit lines', function()
  eq(runtext.duration(12.4), '12 ms')
  eq(runtext.duration(2500), '2.50 s')
  eq(runtext.duration(-1), '?')
  eq(runtext.exit_line({ status = 'ok', exitCode = 0, durationMs = 15 }), '[Done] exited with code 0 in 15 ms')
  eq(runtext.exit_line({ status = 'error', exitCode = 1, durationMs = 1500 }), '[Failed] exited with code 1 in 1.50 s')
  eq(runtext.exit_line({ status = 'stopped', exitCode = 130, durationMs = 300 }), '[Stopped] after 300 ms')
  assert(runtext.header('/w/a.gene', true):match('^%[Running%] /w/a%.gene %(with unsaved changes%) at %d%d:%d%d:%d%d$'))
end)

test('split_lines keeps empty pieces', function()
  eq(compat.split_lines('a\nb\n'), { 'a', 'b', '' })
  eq(compat.split_lines(''), { '' })
  eq(compat.split_lines('\n\n'), { '', '', '' })
end)

test('find_root stops at the nearest marker', function()
  local root = vim.fn.tempname()
  vim.fn.mkdir(root .. '/src/deep', 'p')
  vim.fn.writefile({}, root .. '/gene.toml')
  eq(compat.find_root(root .. '/src/deep/x.gene', { 'gene.toml' }), root)
  eq(compat.find_root(root .. '/src/deep/x.gene', { 'no-such-marker-here' }), nil)
end)

test('the run output buffer appends streamed pieces as lines', function()
  local run = require('gene.run')
  -- Feed a fake run through the notification handlers.
  local handlers = run.handlers()
  assert(handlers['gene/runOutput'] and handlers['gene/runEnd'], 'handlers for the run notifications')
  -- Without a run in progress, output is ignored rather than written anywhere.
  handlers['gene/runOutput'](nil, { runId = 'none', stream = 'stdout', text = 'lost\n' }, { client_id = 1 })
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    local name = vim.api.nvim_buf_get_name(buf)
    if name:sub(-#run.BUFFER_NAME) == run.BUFFER_NAME then
      local text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n')
      assert(not text:find('lost'), 'output of an unknown run was shown')
    end
  end
  eq(run.running(), false, 'running')
end)

test('the client config says the plugin handles the run notifications, keeping the user\'s options', function()
  local config = require('gene.config')
  config.set({ cmd = { '/opt/gene-lsp', '--log-file', '/tmp/l' }, init_options = { ruleDocsUrl = 'https://x/{code}' } })
  local c = config.client_config('/w/project')
  eq(c.init_options, { runNotifications = true, ruleDocsUrl = 'https://x/{code}' }, 'init_options')
  eq(c.cmd, { '/opt/gene-lsp', '--log-file', '/tmp/l' }, 'cmd')
  eq(c.name, 'gene', 'name')
  eq(c.root_dir, '/w/project', 'root_dir')
  eq(c.workspace_folders, { { uri = 'file:///w/project', name = 'project' } }, 'workspace_folders')
  assert(c.handlers['gene/runOutput'] and c.handlers['gene/runEnd'], 'run handlers')
  eq(config.native_config().init_options.runNotifications, true, 'native config')
  config.set(nil)
  eq(config.get().cmd, { 'gene-lsp' }, 'default cmd')
end)

-- :GeneRun against a scripted client: the protocol's order of events, without a server.
test(':GeneRun shows the header, streamed pieces, stderr and the exit line; :GeneStop asks the server', function()
  local run = require('gene.run')
  local handlers = run.handlers()
  local requests = {}
  local fake = { id = 99, name = 'gene' }
  local function emit(method, params)
    handlers[method](nil, params, { client_id = fake.id })
  end
  local script -- what the fake server does with each executeCommand
  fake.request = function(...)
    local args = { ... }
    if args[1] == fake then -- client:request on Neovim 0.11
      table.remove(args, 1)
    end
    local method, params, handler = args[1], args[2], args[3]
    table.insert(requests, { method = method, params = params })
    script(params, handler)
    return true, #requests
  end

  local gene = require('gene')
  local real_client_for, real_get_client = gene.client_for, vim.lsp.get_client_by_id
  gene.client_for = function()
    return fake
  end
  vim.lsp.get_client_by_id = function(id)
    return id == fake.id and fake or real_get_client(id)
  end
  local ok, err = pcall(function()
    local buf = scratch_gene({ '(println "hi")' })
    vim.bo[buf].modified = true

    -- The server streams before its answer arrives, then in pieces that split lines.
    script = function(params, handler)
      eq(params.command, 'gene.runFile', 'command')
      eq(params.arguments, { { uri = vim.uri_from_bufnr(buf) } }, 'arguments')
      emit('gene/runOutput', { runId = 'r1', stream = 'stdout', text = 'early\n' })
      handler(nil, { runId = 'r1' })
      emit('gene/runOutput', { runId = 'r1', stream = 'stdout', text = 'par' })
      emit('gene/runOutput', { runId = 'old', stream = 'stdout', text = 'from another run\n' })
      emit('gene/runOutput', { runId = 'r1', stream = 'stdout', text = 'tial\nnext ' })
      emit('gene/runOutput', { runId = 'r1', stream = 'stderr', text = 'oops\n' })
    end
    vim.cmd('GeneRun')
    eq(run.running(), true, 'running after the answer')
    emit('gene/runEnd', { runId = 'r1', status = 'error', exitCode = 1, durationMs = 5 })
    eq(run.running(), false, 'running after the end')

    local out
    for _, b in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_get_name(b):sub(-#run.BUFFER_NAME) == run.BUFFER_NAME then
        out = b
      end
    end
    assert(out, 'no [Gene Run] buffer')
    local lines = vim.api.nvim_buf_get_lines(out, 0, -1, false)
    assert(lines[1]:match('^%[Running%] .*%.gene %(with unsaved changes%) at '), 'header: ' .. lines[1])
    eq({ unpack(lines, 2) }, { 'early', 'partial', 'next oops', '[Failed] exited with code 1 in 5 ms', '' }, 'output lines')
    eq(vim.bo[out].modifiable, false, 'the output buffer is read-only')
    local marks = vim.api.nvim_buf_get_extmarks(out, vim.api.nvim_create_namespace('gene_run'), 0, -1, { details = true })
    local highlighted = {}
    for _, mark in ipairs(marks) do
      highlighted[lines[mark[2] + 1]] = mark[4].hl_group
    end
    eq(highlighted['next oops'], 'WarningMsg', 'highlight of the line stderr wrote to')
    eq(highlighted['early'], nil, 'highlight of stdout')
    eq(vim.api.nvim_get_current_buf(), buf, 'the cursor stays in the source')
    eq(#vim.fn.win_findbuf(out), 1, 'windows showing [Gene Run]')

    -- A second run starts afresh in the same buffer; :GeneStop sends gene.stopRun.
    script = function(params, handler)
      if params.command == 'gene.runFile' then
        handler(nil, { runId = 'r2' })
      else
        eq(params, { command = 'gene.stopRun', arguments = { { runId = 'r2' } } }, 'stop request')
        handler(nil, nil)
        emit('gene/runEnd', { runId = 'r2', status = 'stopped', exitCode = 130, durationMs = 1200 })
      end
    end
    vim.cmd('GeneRun')
    emit('gene/runOutput', { runId = 'r2', stream = 'stdout', text = 'tick\n' })
    vim.cmd('GeneStop')
    lines = vim.api.nvim_buf_get_lines(out, 0, -1, false)
    eq({ unpack(lines, 2) }, { 'tick', '[Stopped] after 1.20 s', '' }, 'second run')
    eq(#vim.fn.win_findbuf(out), 1, 'windows showing [Gene Run] after the second run')

    -- A server that has no Run File says so in the buffer.
    script = function(_, handler)
      handler({ code = -32601, message = 'Method not found' }, nil)
    end
    vim.cmd('GeneRun')
    lines = vim.api.nvim_buf_get_lines(out, 0, -1, false)
    assert(lines[2]:match('^%[Failed%] the language server did not start the run: Method not found %(this gene%-lsp does not support Run File'), lines[2])
    eq(run.running(), false, 'running after a refused run')
  end)
  gene.client_for, vim.lsp.get_client_by_id = real_client_for, real_get_client
  if not ok then
    error(err, 0)
  end
end)


test('setup({ dap = true }) registers the adapter and a launch configuration with nvim-dap', function()
  local fake = { adapters = {}, configurations = {} }
  package.loaded['dap'] = fake
  require('gene').setup({ cmd = { 'true' }, dap = true })
  eq(fake.adapters.gene, { type = 'executable', command = 'gene', args = { 'dap' } }, 'adapter')
  eq(fake.configurations.gene[1].request, 'launch', 'request')
  eq(fake.configurations.gene[1].program, '${file}', 'program')
  -- Again: the configuration is not added twice; a cmd names another binary.
  require('gene').setup({ cmd = { 'true' }, dap = { cmd = { '/opt/gene', 'dap' } } })
  eq(#fake.configurations.gene, 1, 'configurations')
  eq(fake.adapters.gene.command, '/opt/gene', 'command')
  package.loaded['dap'] = nil
end)

test('the Debug code lens starts nvim-dap on its file', function()
  local started = {}
  local fake = { adapters = {}, configurations = {}, run = function(c) table.insert(started, c) end }
  eq(require('gene.dap').debug_lens({ arguments = { { uri = 'file:///w/src/main.gene' } } }, nil, fake), true, 'ran')
  eq(fake.adapters.gene.command, 'gene', 'adapter registered on demand')
  eq(started[1].type, 'gene', 'type')
  eq(started[1].program, '/w/src/main.gene', 'program')
  eq(started[1].cwd, '/w/src', 'cwd')
  eq(require('gene.dap').debug_lens({ arguments = {} }, nil, fake), false, 'no uri')
  require('gene').setup({ cmd = { 'true' } })
  eq(type(vim.lsp.commands['gene.debugFile']), 'function', 'lens command registered')
end)

test('setup({ dap = true }) without nvim-dap does nothing', function()
  package.loaded['dap'] = nil
  eq(require('gene.dap').register(true), false, 'registered')
  require('gene').setup({ cmd = { 'true' }, dap = true })
end)

test('the test code lenses\' commands run :GeneTest with the id and debug through nvim-dap', function()
  vim.cmd('runtime plugin/gene.lua')
  local test = require('gene.test')
  eq(vim.lsp.commands['gene.test.run'], test.lens_commands['gene.test.run'], 'run registered')
  eq(vim.lsp.commands['gene.test.debug'], test.lens_commands['gene.test.debug'], 'debug registered')
  local ran = {}
  local real_run = test.run
  test.run = function(bufnr, filter) table.insert(ran, { bufnr, filter }) end
  local path = vim.fn.tempname() .. '_test.gene'
  local uri = vim.uri_from_fname(path)
  vim.lsp.commands['gene.test.run']({ arguments = { { uri = uri, ids = { 'math > adds' } } } })
  vim.lsp.commands['gene.test.run']({ arguments = { { uri = uri } } })
  test.run = real_run
  eq(#ran, 2, 'runs')
  eq(ran[1][1], vim.uri_to_bufnr(uri), 'buffer')
  eq(ran[1][2], 'math > adds', 'filter')
  eq(ran[2][2], nil, 'whole file')
  local started
  package.loaded['dap'] = { run = function(c) started = c end }
  vim.lsp.commands['gene.test.debug']({ arguments = { { uri = uri, ids = { 'math > adds' } } } })
  package.loaded['dap'] = nil
  eq(started.type, 'gene', 'type')
  eq(started.request, 'launch', 'request')
  eq(started.program, path, 'program')
  eq(started.test, 'math > adds', 'test')
end)

if #failures > 0 then
  io.stdout:write('\n' .. table.concat(failures, '\n\n') .. '\n')
  io.stdout:write(string.format('%d of %d Neovim plugin tests failed\n', #failures, count))
  io.stdout:flush()
  vim.cmd('cquit 1')
else
  io.stdout:write(string.format('all %d Neovim plugin tests passed\n', count))
  io.stdout:flush()
  vim.cmd('qall!')
end
