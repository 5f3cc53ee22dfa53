"""The request journal: what the sandbox answered each client, and why it refused, written off the request path.

A plain ASGI middleware opens a draft entry per request (in a context variable, so the dependencies and the
error handler can fill in the client, the persona and the refusal); when the response is sent, the entry joins
the in-memory buffer of the database the request ran on (one per world), and a background loop of the worker
writes each buffer in one insert every `FLUSH_SECONDS`, keeping the last `JOURNAL_SIZE` entries. So a request
pays for a dictionary and an append, never for a write; an entry reaches the table within `FLUSH_SECONDS`, or at
once when the journal is read through the same worker. Secrets in query strings are redacted; bodies are never
recorded.
"""

import threading
import time
from collections import deque
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.models import JournalEntry

if TYPE_CHECKING:  # app.core.db imports the errors, whose handler notes refusals here
    from app.core.db import Database

# Entries kept per world (per database): older ones are deleted as new ones are written.
JOURNAL_SIZE = 1000
FLUSH_SECONDS = 0.5
# Paths that are not a client's dealings with the sandbox: assets, docs, health probes, the journal itself and
# the operator's panel (which polls it).
UNRECORDED_PREFIXES = ("/static/", "/docs", "/openapi.json", "/healthz", "/favicon", "/sandbox/journal", "/app/sandbox")
# Query parameters that carry a secret or a one-time credential.
SECRET_PARAMETERS = frozenset(
    {
        "access_token",
        "client_assertion",
        "client_secret",
        "code",
        "code_verifier",
        "id_token_hint",
        "otp",
        "password",
        "refresh_token",
        "token",
    }
)
REDACTED = "[redacted]"
MAX_PATH = 500


@dataclass
class Draft:
    """What the request's handling learns about the entry before the response is sent."""

    client_id: str | None = None
    personal_id: str | None = None
    error_code: str | None = None
    explanation: str | None = None


_draft: ContextVar[Draft | None] = ContextVar("vneid_journal_draft", default=None)


def note_client(client_id: str | None, personal_id: str | None = None) -> None:
    """The client the request was made by or for, and the persona (citizen) involved, once known."""
    if (draft := _draft.get()) is not None:
        draft.client_id = client_id or draft.client_id
        draft.personal_id = personal_id or draft.personal_id


def note_refusal(code: str, explanation: str) -> None:
    """The refusal the response carries: its stable code and why (the rule, and what would pass)."""
    if (draft := _draft.get()) is not None:
        draft.error_code, draft.explanation = code, explanation


def redacted_path(path: str, query: str) -> str:
    if not query:
        return path[:MAX_PATH]
    pairs = [(k, REDACTED if k in SECRET_PARAMETERS else v) for k, v in parse_qsl(query, keep_blank_values=True)]
    return f"{path}?{urlencode(pairs, safe='[]')}"[:MAX_PATH]


class _Buffer:
    """Entries waiting to be written, bounded so a database that stops answering cannot grow memory."""

    def __init__(self) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=JOURNAL_SIZE)
        self._lock = threading.Lock()

    def add(self, entry: dict[str, Any]) -> None:
        self._entries.append(entry)  # atomic: no lock on the request path

    def take(self) -> list[dict[str, Any]]:
        with self._lock:
            taken = list(self._entries)
            for _ in taken:
                self._entries.popleft()
        return taken


_buffers: "WeakKeyDictionary[Database, _Buffer]" = WeakKeyDictionary()
_buffers_lock = threading.Lock()


def _buffer(database: "Database") -> _Buffer:
    with _buffers_lock:
        buffer = _buffers.get(database)
        if buffer is None:
            buffer = _buffers[database] = _Buffer()
        return buffer


def write(db: Session, entries: list[dict[str, Any]]) -> None:
    """Insert entries and drop those beyond the last JOURNAL_SIZE of this database."""
    if not entries:
        return
    db.execute(insert(JournalEntry), entries)
    newest = db.scalar(select(func.max(JournalEntry.id)))
    if newest is not None and newest > JOURNAL_SIZE:
        db.execute(delete(JournalEntry).where(JournalEntry.id <= newest - JOURNAL_SIZE))


def flush_into(db: Session, scope: Scope) -> None:
    """Write what this worker holds for the request's database in the request's own write session, so a read of
    the journal that follows sees every request this worker answered before it."""
    database = _database_of(scope)
    if database is not None:
        write(db, _buffer(database).take())


def flush_all() -> None:
    """The background loop's round: each database's buffered entries in one short transaction.

    Databases over a single connection (the tests' rolled-back ones) are left to `flush_into`, since a second
    thread must not use their connection."""
    with _buffers_lock:
        pending = [(database, buffer) for database, buffer in _buffers.items() if isinstance(database.bind, Engine)]
    for database, buffer in pending:
        entries = buffer.take()
        if entries:
            with database.sessions.begin() as db:
                write(db, entries)


def _database_of(scope: Scope) -> "Database | None":
    """The database the request ran on: its world's journal gets the entry."""
    from app.core.world import world_of  # imported late: app.core.world imports the errors, which import this

    world = world_of(scope)
    database: Database | None = world.database if world else getattr(scope["app"].state, "database", None)
    return database


def _route_path(scope: Scope) -> str:
    """The path within its world: without the `/w/{id}` prefix a world's requests carry as their root_path."""
    root: str = scope.get("root_path", "")
    path: str = scope["path"]
    return path[len(root) :] if root and path.startswith(root) else path


class JournalMiddleware:
    """Drafts an entry per request and hands it to its database's buffer once the response is sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = _route_path(scope) if scope["type"] == "http" else ""
        if scope["type"] != "http" or path.startswith(UNRECORDED_PREFIXES):
            await self.app(scope, receive, send)
            return
        draft = Draft()
        token = _draft.set(draft)
        started = time.perf_counter()
        status = 500
        recorded = False

        def record() -> None:
            nonlocal recorded
            database = _database_of(scope)
            if recorded or database is None:
                return
            recorded = True
            _buffer(database).add(
                {
                    "at": datetime.now(UTC),
                    "method": scope["method"],
                    "path": redacted_path(path, scope.get("query_string", b"").decode("latin-1")),
                    "status": status,
                    "error_code": draft.error_code,
                    "explanation": draft.explanation,
                    "latency_ms": round((time.perf_counter() - started) * 1000, 2),
                    "request_id": scope.get("state", {}).get("request_id"),
                    "client_id": draft.client_id,
                    "personal_id": draft.personal_id,
                }
            )

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                # Buffered before the client can see the response end: a journal read right after it finds it.
                record()
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            _draft.reset(token)
            record()  # a request that failed before its last body message
