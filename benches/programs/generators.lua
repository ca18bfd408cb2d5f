local function numbers(n)
  return coroutine.wrap(function()
    local i = 0
    while i < n do coroutine.yield(i); i = i + 1 end
  end)
end
local sum = 0
for x in numbers(1000000) do sum = sum + x end
print(sum)
