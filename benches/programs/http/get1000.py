# 1000 concurrent GETs with aiohttp against the server at argv[1], awaited together; prints the
# seconds they took (start-up excluded). Every response must be a 200 "hello". The connector has
# no connection limit (aiohttp's default is 100), as gene's and node's clients have none.
import asyncio
import sys
import time

import aiohttp


async def get(session, url):
    async with session.get(url) as r:
        return r.status, await r.text()


async def main():
    url = f"{sys.argv[1]}/hello"
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        start = time.perf_counter()
        responses = await asyncio.gather(*(get(session, url) for _ in range(1000)))
        elapsed = time.perf_counter() - start
    for status, body in responses:
        if status != 200 or body != "hello":
            raise RuntimeError(f"bad response: {status}")
    print(elapsed)


asyncio.run(main())
