-- The lines the [Gene Run] buffer shows around a program's output (the same as the VS Code
-- extension's "Gene Run" channel).

local M = {}

function M.duration(ms)
  if type(ms) ~= 'number' or ms ~= ms or ms < 0 then
    return '?'
  end
  if ms < 1000 then
    return string.format('%d ms', math.floor(ms + 0.5))
  end
  return string.format('%.2f s', ms / 1000)
end

function M.header(path, unsaved)
  local note = unsaved and ' (with unsaved changes)' or ''
  return string.format('[Running] %s%s at %s', path, note, os.date('%H:%M:%S'))
end

function M.exit_line(params)
  local took = M.duration(params.durationMs)
  local code = tostring(params.exitCode)
  if params.status == 'ok' then
    return string.format('[Done] exited with code %s in %s', code, took)
  elseif params.status == 'error' then
    return string.format('[Failed] exited with code %s in %s', code, took)
  elseif params.status == 'stopped' then
    return string.format('[Stopped] after %s', took)
  end
  return string.format('[Ended] status %s, code %s, in %s', tostring(params.status), code, took)
end

function M.lost_line(elapsed_ms)
  return '[Stopped] the language server stopped after ' .. M.duration(elapsed_ms)
end

return M
