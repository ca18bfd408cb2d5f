import asyncio

async def main():
    sleeps = [asyncio.sleep(0.1) for _ in range(1000)]
    await asyncio.gather(*sleeps)
    print(len(sleeps))

asyncio.run(main())
