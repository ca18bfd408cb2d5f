from functools import reduce

xs = []
i = 0
while i < 200000:
    xs.append(i)
    i += 1

total = 0
rnd = 1
while rnd <= 20:
    k = rnd
    scaled = list(map(lambda x: x * k, xs))
    big = list(filter(lambda x: x > 100000, scaled))
    total += reduce(lambda acc, x: acc + x, big, 0)
    rnd += 1
print(total)
