const fs = require("fs/promises");
(async () => {
  const dir = process.argv[2];
  const paths = Array.from({ length: 100 }, (_, i) => `${dir}/file${i}.txt`);
  const texts = await Promise.all(paths.map((p) => fs.readFile(p, "utf8")));
  console.log(texts.length);
})();
