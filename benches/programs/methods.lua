local Counter = {}
Counter.__index = Counter
function Counter.new() return setmetatable({n = 0}, Counter) end
function Counter:add(k) self.n = self.n + k end
function Counter:get() return self.n end
local c = Counter.new()
local i = 0
while i < 1000000 do c:add(1); i = i + 1 end
print(c:get())
