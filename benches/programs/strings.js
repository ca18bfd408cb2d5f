const parts = [];
for (let i = 0; i < 200000; i++) parts.push("item" + i + ",");
const s = parts.join("");
console.log(s.length);
