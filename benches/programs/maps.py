m = {}
i = 0
while i < 200000:
    m["k" + str(i)] = i
    i += 1
total = 0
i = 0
while i < 200000:
    total += m["k" + str(i)]
    i += 1
print(total)
