// Hello world over HTTP for benches/http_server_compare.sh: node's http.createServer on
// 127.0.0.1 at the port given (0: a free one); prints its URL.
const http = require("http");
const server = http.createServer((req, res) => {
  res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
  res.end("Hello, World!");
});
server.listen(Number(process.argv[2] || 0), "127.0.0.1", () => {
  console.log(`http://127.0.0.1:${server.address().port}`);
});
