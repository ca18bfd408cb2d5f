local function solve(row, n, cols, d1, d2)
  if row == n then return 1 end
  local count = 0
  local c = 0
  while c < n do
    local a = row + c
    local b = row - c + n - 1
    if not (cols[c] or d1[a] or d2[b]) then
      cols[c] = true; d1[a] = true; d2[b] = true
      count = count + solve(row + 1, n, cols, d1, d2)
      cols[c] = false; d1[a] = false; d2[b] = false
    end
    c = c + 1
  end
  return count
end

local function queens(n)
  local cols, d1, d2 = {}, {}, {}
  for i = 0, n - 1 do cols[i] = false end
  for i = 0, 2 * n - 1 do d1[i] = false; d2[i] = false end
  return solve(0, n, cols, d1, d2)
end

local total = 0
for _ = 1, 2 do total = total + queens(11) end
print(total)
