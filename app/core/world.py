"""Which sandbox world a request is in, and the ASGI layer that mounts every world at `/w/{id}`.

A world is a whole sandbox of its own (database, settings with its own issuer, signing keys). The root URL is the
default world. `WorldMount` serves `/w/{id}/…` with the very same app, the way a reverse proxy mounts an app under
a prefix: the prefix goes to the ASGI `root_path` (so routes match as at the root and `url_for` keeps it), the
world to the request scope, and root-relative redirects, cookie paths and the links of HTML pages the app sends
get the prefix back.
"""

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from anyio import to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.config import Settings
from app.core.db import Database
from app.core.errors import PROBLEM_JSON, AppError, problem
from app.core.keys import KeyStore

WORLD_PREFIX = "/w/"
# World ids are 12 lowercase hex digits: safe as a path segment, a file name and a PostgreSQL schema name.
WORLD_ID = re.compile(r"[0-9a-f]{12}")
_PATH = re.compile(r"/w/([^/]+)(/.*)?\Z", re.DOTALL)
_SCOPE_KEY = "vneid.world"


@dataclass(frozen=True)
class World:
    """What a request runs on: `id` None is the default world at the root URL."""

    id: str | None
    database: Database
    settings: Settings
    keys: KeyStore


class WorldNotFound(AppError):
    status, code, title = 404, "world_not_found", "No such sandbox world (deleted, expired or never created)"


def world_of(scope: Scope) -> World | None:
    """The world a request was routed to; None at the root URL (the default world, kept in `app.state`)."""
    world: World | None = scope.get(_SCOPE_KEY)
    return world


class WorldMount:
    """Routes `/w/{id}/…` to world `id` (resolved by `resolve`, which does blocking I/O), everything else as is."""

    def __init__(self, app: ASGIApp, resolve: Callable[[str], World | None]) -> None:
        self.app = app
        self.resolve = resolve

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = _PATH.match(scope["path"]) if scope["type"] == "http" else None
        if match is None:
            await self.app(scope, receive, send)
            return
        world_id, rest = match.group(1), match.group(2)
        world = await to_thread.run_sync(self.resolve, world_id) if WORLD_ID.fullmatch(world_id) else None
        if world is None:
            await _not_found(scope, send, world_id)
            return
        prefix = f"{WORLD_PREFIX}{world_id}"
        if rest is None:  # `/w/{id}` itself: its home page, as `/` is the root's
            scope = {**{k: v for k, v in scope.items() if k != "raw_path"}, "path": scope["path"] + "/"}
        root_path = scope.get("root_path", "") + prefix
        world_scope = {**scope, "root_path": root_path, _SCOPE_KEY: world}

        held: Message | None = None  # an HTML page's start, sent once its whole body is rewritten
        chunks: list[bytes] = []

        async def send_under_prefix(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                headers = list(_prefixed_headers(message["headers"], root_path))
                if any(name.lower() == b"content-type" and value.startswith(b"text/html") for name, value in headers):
                    held = {**message, "headers": headers}
                    return
                message = {**message, "headers": headers}
            elif held is not None and message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                body = _prefixed_links(b"".join(chunks), root_path)
                length = (b"content-length", str(len(body)).encode())
                headers = [(n, v) for n, v in held["headers"] if n.lower() != b"content-length"] + [length]
                await send({**held, "headers": headers})
                message = {"type": "http.response.body", "body": body}
            await send(message)

        await self.app(world_scope, receive, send_under_prefix)


def _prefixed_headers(headers: Iterable[tuple[bytes, bytes]], prefix: str) -> Iterable[tuple[bytes, bytes]]:
    """Root-relative `Location` and cookie `Path` get the world's prefix (nginx's proxy_redirect and
    proxy_cookie_path), so the pages' redirects stay in the world and its cookies never reach another world."""
    raw = prefix.encode()
    for name, value in headers:
        lowered = name.lower()
        if lowered == b"location" and value.startswith(b"/") and not value.startswith(b"//"):
            value = raw + value
        elif lowered == b"set-cookie":
            value = re.sub(rb"(?i)(;\s*path=)(/[^;]*)", lambda m: m.group(1) + raw + m.group(2).rstrip(b"/"), value)
        yield name, value


def _prefixed_links(page: bytes, prefix: str) -> bytes:
    """Root-relative links, form actions and htmx requests of a page get the world's prefix (nginx's sub_filter),
    so a person clicking through the world's pages stays in it."""
    inside = re.escape(prefix.lstrip("/").encode())  # a link that already has the prefix keeps it
    pattern = rb'((?:href|src|action|formaction|hx-get|hx-post|hx-put|hx-patch|hx-delete)=")(/(?!/|' + inside + rb"/))"
    return re.sub(pattern, lambda m: m.group(1) + prefix.encode() + m.group(2), page)


async def _not_found(scope: Scope, send: Send, world_id: str) -> None:
    error = WorldNotFound(f"no sandbox world {world_id!r}: it was deleted, expired after its ttl, or never created")
    body = json.dumps(problem(error.status, error.code, error.title, error.detail, scope["path"])).encode()
    headers = [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
