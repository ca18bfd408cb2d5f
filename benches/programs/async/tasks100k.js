const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function task(i) {
  await sleep(10);
  return i;
}
(async () => {
  const futures = [];
  for (let i = 0; i < 100000; i++) futures.push(task(i));
  const results = await Promise.all(futures);
  console.log(results.length);
})();
