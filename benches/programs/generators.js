function* numbers(n) {
  let i = 0;
  while (i < n) { yield i; i += 1; }
}
let sum = 0;
for (const x of numbers(1000000)) sum += x;
console.log(sum);
