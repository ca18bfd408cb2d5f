# Hello world over HTTP for benches/http_server_compare.sh: aiohttp's web server on 127.0.0.1
# at the port given (0: a free one); prints its URL.
import asyncio
import sys

from aiohttp import web


async def hello(request):
    return web.Response(text="Hello, World!")


async def main():
    app = web.Application()
    app.router.add_get("/", hello)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    print(f"http://127.0.0.1:{port}", flush=True)
    await asyncio.Event().wait()


asyncio.run(main())
