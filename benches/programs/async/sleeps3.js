const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
(async () => {
  const started = Date.now();
  await Promise.all([sleep(100), sleep(100), sleep(100)]);
  console.log(Date.now() - started);
})();
