-- Indentation of bracketed forms: a line inside `( ... )` is indented two columns past the
-- `(` (the body indent `gene fmt` uses); inside `[ ... ]` or `{ ... }` it lines up with the
-- first element after the opener, or one column past it; a line that starts with a closer
-- lines up with its opener. Strings, characters and comments are skipped.

local M = {}

-- How far up to look for the start of the enclosing top-level form.
local MAX_LINES_BACK = 2000

local function is_boundary(c)
  return c == nil or c == '' or c:match('[%s,"%%%(%)%[%]{}]') ~= nil
end

--- The open brackets at the end of `lines`: a stack of { char, line (1-based in lines), col
--- (0-based byte), first (0-based byte column of the first element after it on its line) }.
function M.open_brackets(lines)
  local stack = {}
  local in_string = nil -- '"' or '"""'
  local in_block = false
  for index, line in ipairs(lines) do
    local i = 1
    local n = #line
    while i <= n do
      local c = line:sub(i, i)
      local prev = i > 1 and line:sub(i - 1, i - 1) or nil
      if in_block then
        if c == '>' and line:sub(i + 1, i + 1) == '#' and prev ~= '>' then
          in_block = false
          i = i + 2
        else
          i = i + 1
        end
      elseif in_string then
        if c == '\\' then
          i = i + 2
        elseif in_string == '"""' and line:sub(i, i + 2) == '"""' then
          in_string = nil
          i = i + 3
        elseif in_string == '"' and c == '"' then
          in_string = nil
          i = i + 1
        else
          i = i + 1
        end
      else
        local top = stack[#stack]
        if top and top.first == nil and top.line == index and not c:match('[%s,]') and not c:match('[%)%]}]') then
          top.first = i - 1
        end
        local at_start = is_boundary(prev)
        if c == '"' then
          in_string = line:sub(i, i + 2) == '"""' and '"""' or '"'
          i = i + #in_string
        elseif c == '#' and at_start and line:sub(i + 1, i + 1):match('^[ !#]?$') then
          if top and top.first == i - 1 and top.line == index then
            top.first = nil -- a comment is not the first element
          end
          break -- a line comment
        elseif c == '#' and at_start and line:sub(i + 1, i + 1) == '<' then
          in_block = true
          i = i + 2
        elseif c == '#' and at_start and line:sub(i + 1, i + 1) == '"' then
          in_string = line:sub(i + 1, i + 3) == '"""' and '"""' or '"'
          i = i + 1 + #in_string
        elseif c == "'" and at_start and line:sub(i + 1, i + 1) == '\\' and line:sub(i + 3, i + 3) == "'" then
          i = i + 4
        elseif c == "'" and at_start and line:sub(i + 2, i + 2) == "'" then
          i = i + 3
        elseif c == '(' or c == '[' or c == '{' then
          table.insert(stack, { char = c, line = index, col = i - 1 })
          i = i + 1
        elseif c == ')' or c == ']' or c == '}' then
          table.remove(stack)
          i = i + 1
        else
          i = i + 1
        end
      end
    end
  end
  return stack, in_string ~= nil or in_block
end

--- The indent of the text after `lines` given the text of the new line (`current`).
function M.indent_after(lines, current)
  local stack, inside_literal = M.open_brackets(lines)
  if inside_literal then
    return -1 -- inside a string or block comment: keep what is there
  end
  local top = stack[#stack]
  if not top then
    return 0
  end
  local opener_line = lines[top.line]
  local function width(bytes)
    return vim.fn.strdisplaywidth(opener_line:sub(1, bytes))
  end
  if (current or ''):match('^%s*[%)%]}]') then
    return width(top.col)
  end
  if top.char == '(' then
    return width(top.col) + 2
  end
  if top.first then
    return width(top.first)
  end
  return width(top.col) + 1
end

--- indentexpr: the indent of line `lnum` (1-based) of buffer `bufnr`.
function M.indent(bufnr, lnum)
  if lnum <= 1 then
    return 0
  end
  -- Start at the nearest line above that opens a top-level form in column 0.
  local first = lnum - 1
  local limit = math.max(1, lnum - MAX_LINES_BACK)
  while first > limit do
    local text = vim.api.nvim_buf_get_lines(bufnr, first - 1, first, false)[1] or ''
    if text:match('^[%(%[{]') then
      break
    end
    first = first - 1
  end
  local lines = vim.api.nvim_buf_get_lines(bufnr, first - 1, lnum - 1, false)
  local current = vim.api.nvim_buf_get_lines(bufnr, lnum - 1, lnum, false)[1]
  return M.indent_after(lines, current)
end

return M
