// 1000 concurrent GETs with fetch against the server at argv[2], awaited together; prints the
// seconds they took (start-up excluded). Every response must be a 200 "hello".
const url = `${process.argv[2]}/hello`;
(async () => {
  const start = performance.now();
  const requests = [];
  for (let i = 0; i < 1000; i++) {
    requests.push(fetch(url).then(async (r) => ({ status: r.status, body: await r.text() })));
  }
  const responses = await Promise.all(requests);
  const elapsed = (performance.now() - start) / 1000;
  for (const r of responses) {
    if (r.status !== 200 || r.body !== "hello") throw new Error(`bad response: ${r.status}`);
  }
  console.log(elapsed);
})();
