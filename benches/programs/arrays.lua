local xs = {}
local i = 0
while i < 1000000 do xs[#xs + 1] = i; i = i + 1 end
local total = 0
for _, x in ipairs(xs) do total = total + x end
print(total)
