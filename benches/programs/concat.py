lines = []
r = 0
while r < 150000:
    line = ""
    c = 0
    while c < 10:
        line += f"{c}:{r + c};"
        c += 1
    lines.append(line)
    r += 1
text = "\n".join(lines)
print(len(text))
