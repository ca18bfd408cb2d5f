class Counter { constructor() { this.n = 0; } add(k) { this.n = this.n + k; } get() { return this.n; } }
const c = new Counter();
let i = 0;
while (i < 1000000) { c.add(1); i += 1; }
console.log(c.get());
