def solve(row, n, cols, d1, d2):
    if row == n:
        return 1
    count = 0
    c = 0
    while c < n:
        a = row + c
        b = row - c + n - 1
        if not (cols[c] or d1[a] or d2[b]):
            cols[c] = True; d1[a] = True; d2[b] = True
            count += solve(row + 1, n, cols, d1, d2)
            cols[c] = False; d1[a] = False; d2[b] = False
        c += 1
    return count

def queens(n):
    return solve(0, n, [False] * n, [False] * (2 * n), [False] * (2 * n))

total = 0
for _ in range(2):
    total += queens(11)
print(total)
