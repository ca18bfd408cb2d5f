// Channel ping-pong in Node: N messages in all (N/2 each way) between two async functions over
// two unbounded promise queues (Node has no built-in async queue; this is the usual minimal
// one: a value waits in an array, a receiver waits as a pending promise's resolve); see
// pingpong.gene.
const N = process.argv.length > 2 ? parseInt(process.argv[2], 10) : 1000000;

class Queue {
  constructor() {
    this.values = [];
    this.head = 0;
    this.receivers = [];
  }
  send(v) {
    const r = this.receivers.shift();
    if (r) r(v);
    else this.values.push(v);
    return Promise.resolve();
  }
  recv() {
    if (this.head < this.values.length) {
      const v = this.values[this.head++];
      if (this.head === this.values.length) {
        this.values = [];
        this.head = 0;
      }
      return Promise.resolve(v);
    }
    return new Promise((resolve) => this.receivers.push(resolve));
  }
}

async function echo(ping, pong) {
  for (;;) {
    const v = await ping.recv();
    if (v === null) return;
    await pong.send(v);
  }
}

async function main() {
  const ping = new Queue();
  const pong = new Queue();
  const echoing = echo(ping, pong);
  let total = 0;
  for (let i = 0; i < N / 2; i++) {
    await ping.send(i);
    total += await pong.recv();
  }
  await ping.send(null);
  await echoing;
  console.log(total);
}

main();
