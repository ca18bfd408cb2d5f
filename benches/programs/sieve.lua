local function sieve(n)
  local flags = {}
  for i = 0, n do flags[i] = true end
  local count = 0
  local i = 2
  while i <= n do
    if flags[i] then
      count = count + 1
      local k = i * i
      while k <= n do
        flags[k] = false
        k = k + i
      end
    end
    i = i + 1
  end
  return count
end

local total = 0
for _ = 1, 3 do total = total + sieve(1000000) end
print(total)
