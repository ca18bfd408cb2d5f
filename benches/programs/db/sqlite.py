# The same work as sqlite.gene with Python's sqlite3: 10,000 inserts in one transaction, then
# 10,000 point queries (each row turned into a dict, as gene gives maps).
import sqlite3
import sys
import time

db = sqlite3.connect(sys.argv[1])
db.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL NOT NULL)")
n = 10000

t0 = time.perf_counter()
with db:
    for i in range(1, n + 1):
        db.execute("INSERT INTO items (id, name, price) VALUES (?, ?, ?)", (i, f"item{i}", i * 0.5))
t1 = time.perf_counter()

total = 0.0
for i in range(1, n + 1):
    cur = db.execute("SELECT name, price FROM items WHERE id = ?", (i,))
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, row)) for row in cur.fetchall()]
    total += rows[0]["price"]
t2 = time.perf_counter()
assert total == 25002500.0

print("inserts", t1 - t0)
print("queries", t2 - t1)
db.close()
