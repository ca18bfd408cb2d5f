# Channel ping-pong with asyncio.Queue: N messages in all (N/2 each way) between two tasks;
# see pingpong.gene.
import asyncio
import sys

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000


async def echo(ping, pong):
    while True:
        v = await ping.get()
        if v is None:
            return
        await pong.put(v)


async def main():
    ping, pong = asyncio.Queue(), asyncio.Queue()
    echoing = asyncio.create_task(echo(ping, pong))
    total = 0
    for i in range(N // 2):
        await ping.put(i)
        total += await pong.get()
    await ping.put(None)
    await echoing
    print(total)


asyncio.run(main())
