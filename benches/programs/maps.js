const m = new Map();
for (let i = 0; i < 200000; i++) m.set("k" + i, i);
let total = 0;
for (let i = 0; i < 200000; i++) total += m.get("k" + i);
console.log(total);
