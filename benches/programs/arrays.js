const xs = [];
let i = 0;
while (i < 1000000) { xs.push(i); i += 1; }
let total = 0;
for (const x of xs) total += x;
console.log(total);
