class Counter:
    def __init__(self):
        self.n = 0
    def add(self, k):
        self.n = self.n + k
    def get(self):
        return self.n
c = Counter()
i = 0
while i < 1000000:
    c.add(1)
    i += 1
print(c.get())
