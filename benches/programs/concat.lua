local lines = {}
local r = 0
while r < 150000 do
  local line = ""
  local c = 0
  while c < 10 do
    line = line .. c .. ":" .. (r + c) .. ";"
    c = c + 1
  end
  lines[#lines + 1] = line
  r = r + 1
end
local text = table.concat(lines, "\n")
print(#text)
