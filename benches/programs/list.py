class Node:
    def __init__(self, value, next):
        self.value = value
        self.next = next

def build(n):
    head = None
    i = 0
    while i < n:
        head = Node(i, head)
        i += 1
    return head

def total(lst):
    s = 0
    node = lst
    while node is not None:
        s += node.value
        node = node.next
    return s

result = 0
for _ in range(10):
    result += total(build(100000))
print(result)
