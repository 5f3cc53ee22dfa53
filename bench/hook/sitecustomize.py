"""Gives every FastAPI app of a benchmark server the bare routes of bench/bare_app.py.

bench/server.py puts this folder (and the repository) first on the PYTHONPATH of `vneid-sandbox serve`, and Python
imports `sitecustomize` at start-up: in the server and in each worker process it starts. The sandbox stays a black
box started by its own CLI, with whatever server, workers and middleware it has, and the bare routes live in that
same app. Nothing else is changed; no other process sees this folder.
"""

import fastapi

from bench.bare_app import add_bare_routes

_original_init = fastapi.FastAPI.__init__


def _init_with_bare_routes(self: fastapi.FastAPI, *args: object, **kwargs: object) -> None:
    _original_init(self, *args, **kwargs)  # type: ignore[arg-type]
    add_bare_routes(self)


fastapi.FastAPI.__init__ = _init_with_bare_routes  # type: ignore[method-assign]
