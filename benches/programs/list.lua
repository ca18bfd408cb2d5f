local Node = {}
Node.__index = Node
function Node.new(value, next) return setmetatable({value = value, next = next}, Node) end

local function build(n)
  local head = nil
  local i = 0
  while i < n do head = Node.new(i, head); i = i + 1 end
  return head
end

local function total(list)
  local sum = 0
  local node = list
  while node ~= nil do
    sum = sum + node.value
    node = node.next
  end
  return sum
end

local result = 0
for _ = 1, 10 do result = result + total(build(100000)) end
print(result)
