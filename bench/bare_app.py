"""The bare routes every benchmark server carries: constant JSON, to measure the sandbox's own routes against.

bench/hook/sitecustomize.py adds them to the app that `vneid-sandbox serve` builds, so they run behind the same
middleware, server and workers as the sandbox's routes. Two of them, since the cheapest route the stack can serve
depends on its concurrency model: a plain `def` (run in the thread pool, like the sandbox's routes today) and an
`async def` (run on the event loop). The benchmarks compare against the faster of the two.
"""

from fastapi import FastAPI

BARE_PATH = "/bench/bare"
BARE_ASYNC_PATH = "/bench/bare-async"
BARE_BODY = {"status": "ok"}


def add_bare_routes(app: FastAPI) -> None:
    def bare() -> dict[str, str]:
        return BARE_BODY

    async def bare_async() -> dict[str, str]:
        return BARE_BODY

    app.add_api_route(BARE_PATH, bare, methods=["GET"], include_in_schema=False)
    app.add_api_route(BARE_ASYNC_PATH, bare_async, methods=["GET"], include_in_schema=False)
