let i = 1, sum = 0;
while (i <= 10000000) { sum += i; i += 1; }
console.log(sum);
