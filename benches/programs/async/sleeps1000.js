const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
(async () => {
  const sleeps = [];
  for (let i = 0; i < 1000; i++) sleeps.push(sleep(100));
  await Promise.all(sleeps);
  console.log(sleeps.length);
})();
