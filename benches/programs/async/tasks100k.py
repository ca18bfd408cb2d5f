import asyncio

async def task(i):
    await asyncio.sleep(0.01)
    return i

async def main():
    futures = [asyncio.ensure_future(task(i)) for i in range(100000)]
    results = await asyncio.gather(*futures)
    print(len(results))

asyncio.run(main())
