parts = []
i = 0
while i < 200000:
    parts.append("item" + str(i) + ",")
    i += 1
s = "".join(parts)
print(len(s))
