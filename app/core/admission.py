"""Admission control: a worker runs at most N requests at once, so it never runs out of threads or connections.

Every admitted request holds at most one thread and one database connection at a time, and the worker has more of
each than it admits requests: a request in progress can always finish. The others wait in line, first come first
served, for a bounded time, then get 503 with `Retry-After`; a request whose client leaves while it waits is
dropped without running. A response that a sandbox scenario delays (`token_slow`) gives its place up before it
waits, so a slow answer costs no thread, no connection and no place in line.
"""

import asyncio
import json
from typing import Any

from starlette._utils import get_route_path  # the path within a world (/w/{id} is its root_path)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import PROBLEM_JSON, RETRY_AFTER_SECONDS, ServerBusy, problem

RESPOND_AFTER = "respond_after_seconds"  # request.state key: hold the finished response back this long


def respond_after(state: Any, seconds: float) -> None:
    """Ask for the response to be held back `seconds` after the request's work is committed (a slow-server fault)."""
    setattr(state, RESPOND_AFTER, seconds)


class AdmissionMiddleware:
    def __init__(self, app: ASGIApp, limit: int, queue_seconds: float, exempt_paths: frozenset[str]) -> None:
        self.app = app
        self.limit = limit
        self.queue_seconds = queue_seconds
        self.exempt_paths = exempt_paths
        self._slots: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or get_route_path(scope) in self.exempt_paths:
            await self.app(scope, receive, send)
            return
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.limit)
        slots = self._slots
        if slots.locked():
            admitted, receive = await self._wait_in_line(slots, receive)
            if admitted is None:
                return  # the client left while waiting: nothing ran, nobody to answer
            if not admitted:
                await _busy(scope, send, self.queue_seconds)
                return
        else:
            await slots.acquire()
        holding = True

        async def send_and_maybe_wait(message: Message) -> None:
            nonlocal holding
            if message["type"] == "http.response.start":
                delay = scope.get("state", {}).get(RESPOND_AFTER)
                if delay:
                    holding = False
                    slots.release()
                    await asyncio.sleep(delay)
            await send(message)

        try:
            await self.app(scope, receive, send_and_maybe_wait)
        finally:
            if holding:
                slots.release()

    async def _wait_in_line(self, slots: asyncio.Semaphore, receive: Receive) -> tuple[bool | None, Receive]:
        """Wait for a place while watching the connection. Returns (True, receive) once admitted, (False, …)
        after the time in line ran out, (None, …) if the client disconnected; `receive` replays what the
        watch read."""
        taken: list[Message] = []

        async def client_left() -> None:
            message = await receive()
            taken.append(message)
            if message["type"] == "http.disconnect" or message.get("more_body"):
                # Gone, or a body still streaming that only the app may consume: stop watching.
                if message["type"] != "http.disconnect":
                    await asyncio.Event().wait()
                return
            # The whole request is in; the next message can only be the disconnect.
            taken.append(await receive())

        watch = asyncio.ensure_future(client_left())
        place = asyncio.ensure_future(slots.acquire())
        done, _ = await asyncio.wait({watch, place}, timeout=self.queue_seconds, return_when=asyncio.FIRST_COMPLETED)
        if place not in done:
            place.cancel()
            try:
                await place
            except asyncio.CancelledError:
                pass
            else:
                slots.release()  # acquired just as the wait ended: give the place back
        watch.cancel()
        try:
            await watch
        except asyncio.CancelledError:
            pass
        if any(message["type"] == "http.disconnect" for message in taken):
            if place in done:
                slots.release()
            return None, receive
        return (place in done), _replaying(taken, receive)


def _replaying(taken: list[Message], receive: Receive) -> Receive:
    pending = list(taken)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


async def _busy(scope: Scope, send: Send, waited: float) -> None:
    error = ServerBusy(f"the sandbox has more requests in progress than it admits; waited {waited:g} s in line")
    body = problem(error.status, error.code, error.title, error.detail, scope["path"])
    request_id = scope.get("state", {}).get("request_id")
    if request_id:
        body["request_id"] = request_id
    await send(
        {
            "type": "http.response.start",
            "status": error.status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": json.dumps(body).encode()})
