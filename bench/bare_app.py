"""The app under benchmark: the sandbox's own `create_app()` plus one bare route to measure the stack against.

The bare route is a plain `def`, like the look-up, so both pay the same middleware and thread-pool hop.
"""

from fastapi import FastAPI

from app.main import create_app as create_sandbox_app

BARE_PATH = "/bench/bare"
BARE_BODY = {"status": "ok"}


def create_app() -> FastAPI:
    app = create_sandbox_app()

    @app.get(BARE_PATH, include_in_schema=False)
    def bare() -> dict[str, str]:
        return BARE_BODY

    return app
