import asyncio, time

async def main():
    started = time.time()
    await asyncio.gather(asyncio.sleep(0.1), asyncio.sleep(0.1), asyncio.sleep(0.1))
    print((time.time() - started) * 1000)

asyncio.run(main())
