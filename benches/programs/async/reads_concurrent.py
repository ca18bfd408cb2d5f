import asyncio, sys

def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()

async def main():
    d = sys.argv[1]
    loop = asyncio.get_running_loop()
    paths = [f"{d}/file{i}.txt" for i in range(100)]
    texts = await asyncio.gather(*[loop.run_in_executor(None, read, p) for p in paths])
    print(len(texts))

asyncio.run(main())
