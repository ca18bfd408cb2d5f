def sieve(n):
    flags = [True] * (n + 1)
    count = 0
    i = 2
    while i <= n:
        if flags[i]:
            count += 1
            k = i * i
            while k <= n:
                flags[k] = False
                k += i
        i += 1
    return count

total = 0
for _ in range(3):
    total += sieve(1000000)
print(total)
