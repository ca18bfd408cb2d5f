local function map(xs, f)
  local out = {}
  for i = 1, #xs do out[i] = f(xs[i]) end
  return out
end

local function filter(xs, f)
  local out = {}
  for i = 1, #xs do
    local x = xs[i]
    if f(x) then out[#out + 1] = x end
  end
  return out
end

local function reduce(xs, acc, f)
  for i = 1, #xs do acc = f(acc, xs[i]) end
  return acc
end

local xs = {}
local i = 0
while i < 200000 do xs[#xs + 1] = i; i = i + 1 end

local total = 0
local round = 1
while round <= 20 do
  local k = round
  local scaled = map(xs, function(x) return x * k end)
  local big = filter(scaled, function(x) return x > 100000 end)
  total = total + reduce(big, 0, function(acc, x) return acc + x end)
  round = round + 1
end
print(total)
