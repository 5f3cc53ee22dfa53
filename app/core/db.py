"""Engines and sessions for SQLite (the embedded default) and PostgreSQL, and the read/write transaction model.

Every request runs in one of two kinds of session:
- a **read session**: a plain deferred transaction. On SQLite (WAL) any number of them run at once and never
  wait for a writer; a read session refuses to write (a programming error, caught by the tests);
- a **write session**: on SQLite it takes the single write lock at its first statement (`BEGIN IMMEDIATE`), after
  queueing on a per-database *write gate* (a thread lock plus an advisory file lock shared by every process on the
  file), so writers wake in turn instead of polling SQLite's busy handler, whose sleeps grow to 100 ms.
Per-request bookkeeping (audit rows) of a read goes through `record_later()`: written in its own short write
transaction after the read ends and before the response is sent, so an acknowledged read is always audited.
"""

import asyncio
import contextlib
import fcntl
import itertools
import os
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from anyio import to_thread
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker
from sqlalchemy.pool import QueuePool

from app.core.errors import DatabaseBusy

# Connections per process beyond the admitted requests: the webhook dispatcher and the worker heartbeat.
BACKGROUND_CONNECTIONS = 2
POOL_TIMEOUT_SECONDS = 10
WRITE_GATE_TIMEOUT_SECONDS = 10
_READ_ONLY = "vneid_read_only"
_LATER = "vneid_record_later"
_HOLDS_GATE = "vneid_holds_gate"
T = TypeVar("T")
_SCHEMA = "vneid_schema"
WORLD_INFO = "vneid_world"  # the session's world id ("" for the default world): per-world caches key on it


class Mode(StrEnum):
    READ = "read"
    WRITE = "write"


class ReadOnlySessionError(RuntimeError):
    """A read session tried to write: the route must be declared as writing (`deps.writes`)."""


def normalise_url(url: str) -> str:
    """Accept the plain `postgresql://` form people paste and use the psycopg 3 driver for it."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def create_db_engine(url: str, pool_size: int = 16, background_checkpoints: bool = False) -> Engine:
    """An engine whose pool holds a connection for each admitted request plus the background threads.

    `background_checkpoints` (a serving worker): SQLite copies the WAL back into the database in a background loop
    (`checkpoint`), not inside whichever commit passes the threshold, so no request waits for the checkpoint's
    writes and fsync while it holds the write gate."""
    url = normalise_url(url)
    size = pool_size + BACKGROUND_CONNECTIONS
    if make_url(url).get_backend_name() != "sqlite":
        engine = create_engine(
            url, pool_pre_ping=True, pool_size=size, max_overflow=0, pool_timeout=POOL_TIMEOUT_SECONDS
        )
        _configure_postgresql(engine)
        return engine
    database = make_url(url).database
    in_memory = not database or database == ":memory:"
    if not in_memory:
        Path(database).parent.mkdir(parents=True, exist_ok=True)  # type: ignore[arg-type]
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": WRITE_GATE_TIMEOUT_SECONDS},
        poolclass=QueuePool,
        # An in-memory database exists once per connection: one connection, so every session sees the same data.
        pool_size=1 if in_memory else size,
        max_overflow=0,
        pool_timeout=POOL_TIMEOUT_SECONDS,
    )
    _configure_sqlite(engine, WriteGate(None if in_memory else f"{database}.write-lock"), background_checkpoints)
    return engine


class WriteGate:
    """SQLite's one writer, queued fairly: a thread lock in this process, then an advisory lock on a file beside
    the database for the other processes (workers, a second `serve`, the CLI). The kernel drops the file lock of
    a process that dies, so a crash never leaves the gate shut."""

    def __init__(self, lock_path: str | None) -> None:
        self._thread_lock = threading.Lock()
        self._lock_path = lock_path
        self._fd: int | None = None

    def acquire(self) -> None:
        if not self._thread_lock.acquire(timeout=WRITE_GATE_TIMEOUT_SECONDS):
            raise DatabaseBusy("the database is busy with other writes; try again in a moment")
        try:
            if self._lock_path is not None:
                if self._fd is None:
                    self._fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
                fcntl.flock(self._fd, fcntl.LOCK_EX)  # holders are short transactions; blocks without the GIL
        except BaseException:
            self._thread_lock.release()
            raise

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._thread_lock.release()


def _configure_sqlite(engine: Engine, gate: WriteGate, background_checkpoints: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy's "begin" event issue BEGIN itself (the pysqlite driver would defer it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.execute(f"PRAGMA busy_timeout={WRITE_GATE_TIMEOUT_SECONDS * 1000}")
        if background_checkpoints:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get(_READ_ONLY):
            connection.exec_driver_sql("BEGIN")  # a snapshot; WAL readers never wait for the writer
            return
        record = connection.connection.info
        if not record.get(_HOLDS_GATE):
            gate.acquire()
            record[_HOLDS_GATE] = True
        # Take the write lock up front: a transaction that read first can never fail with "database is locked".
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
        # Back in the pool means committed or rolled back: the next writer may go.
        if record.info.pop(_HOLDS_GATE, False):
            gate.release()


def _configure_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # A world's transactions see only its schema: every statement, raw SQL included, and no fall-back to
        # the default world's tables in `public`. SET LOCAL ends with the transaction, so the pool stays clean.
        schema = connection.get_execution_options().get(_SCHEMA)
        if schema:
            connection.exec_driver_sql(f'SET LOCAL search_path TO "{schema}"')


def in_schema(engine: Engine, schema: str) -> Engine:
    """The engine's pool, with every transaction confined to `schema` (PostgreSQL: a world)."""
    return engine.execution_options(**{_SCHEMA: schema})


SETUP_LOCK_KEY = 0x766E6964  # any constant shared by every instance


def serialise_setup(connection: Connection) -> None:
    """Instances started at once on a new database migrate and seed one after the other: on PostgreSQL through an
    advisory lock held to the end of the caller's transaction (SQLite's write lock already does it)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SETUP_LOCK_KEY})")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


class WriteRefused(Exception):
    """Raised by a `record_later` write that finds its request must fail after all, its own changes undone in a
    savepoint (a unique key already taken: a single-use value spent by a concurrent request). Only that request
    fails, with `error`, and its remaining writes are not made; the rest of the batch is written."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def reads_only(db: Session) -> bool:
    """Whether this is a read session (it cannot write; `record_later` defers its bookkeeping)."""
    return bool(db.info.get(_READ_ONLY))


def record_later(db: Session, write: Callable[[Session], None]) -> None:
    """Per-request bookkeeping (an audit row): written now in a write session; after a read session ends, in a
    short write transaction of its own before the response is sent. Dropped if the request fails."""
    if reads_only(db):
        db.info.setdefault(_LATER, []).append(write)
        return
    try:
        write(db)
    except WriteRefused as refused:
        raise refused.error from None


async def run_in_session(db: Session, work: Callable[[], T]) -> T:
    """Run a request's database work: inline when the session reads SQLite, else in a worker thread.

    A SQLite read is a local page read of microseconds that never waits for a writer (WAL), cheaper than the trip to
    a thread and back; a PostgreSQL round trip, or a write that may queue for the gate, must not hold the event loop.
    """
    if db.info.get(_READ_ONLY) and db.get_bind().dialect.name == "sqlite":
        return work()
    return await to_thread.run_sync(work)


def _commit_and_close(session: Session) -> None:
    try:
        session.commit()
    finally:
        session.close()


def _refuse_writes_in_read_sessions(sessions: sessionmaker[Session]) -> None:
    @event.listens_for(sessions, "before_flush")
    def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
        if session.info.get(_READ_ONLY) and (session.new or session.dirty or session.deleted):
            raise ReadOnlySessionError("a read session cannot write: declare the route with @writes")

    @event.listens_for(sessions, "do_orm_execute")
    def _do_orm_execute(state: ORMExecuteState) -> None:
        if state.session.info.get(_READ_ONLY) and (state.is_insert or state.is_update or state.is_delete):
            raise ReadOnlySessionError("a read session cannot write: declare the route with @writes")


class GroupCommit:
    """Bookkeeping rows of concurrent requests, written together by one writer thread at a time: a request hands
    its writes in and awaits them; the writer takes everything handed in so far, writes it in one transaction, wakes
    those requests and takes the next batch. Under load one commit serves many requests; alone, a request's rows are
    written at once. Awaiting costs a request no worker thread of its own."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._lock = threading.Lock()
        self._pending: list[_Handed] = []
        self._writing = False

    async def write(self, writes: list[Callable[[Session], None]]) -> None:
        loop = asyncio.get_running_loop()
        handed = _Handed(writes, loop, loop.create_future())
        with self._lock:
            self._pending.append(handed)
            idle, self._writing = not self._writing, True
        if idle:  # the writer: a thread of the loop's default executor until nothing is left to write
            loop.run_in_executor(None, self._write_batches)
        await handed.done

    def _write_batches(self) -> None:
        while True:
            with self._lock:
                batch, self._pending = self._pending, []
                if not batch:
                    self._writing = False
                    return
            error: BaseException | None = None
            refusals: list[Exception | None] = []
            try:
                with self._sessions() as writer, writer.begin():
                    refusals = [_write_all(writer, handed.writes) for handed in batch]
            except Exception as exc:  # every request of the batch fails with it; the writer goes on
                error = exc
            for handed, refusal in itertools.zip_longest(batch, refusals):
                with contextlib.suppress(RuntimeError):  # its loop has closed (shutdown): no one waits any more
                    handed.loop.call_soon_threadsafe(handed.settle, error or refusal)


def _write_all(writer: Session, writes: list[Callable[[Session], None]]) -> Exception | None:
    """One request's writes; the error its request must fail with if one of them refused (`WriteRefused`)."""
    for write in writes:
        try:
            write(writer)
        except WriteRefused as refused:
            return refused.error
    return None


@dataclass
class _Handed:
    writes: list[Callable[[Session], None]]
    loop: asyncio.AbstractEventLoop
    done: "asyncio.Future[None]"

    def settle(self, error: BaseException | None) -> None:
        if self.done.done():  # the request was cancelled (its client left); its rows are written all the same
            return
        if error is None:
            self.done.set_result(None)
        else:
            self.done.set_exception(error)


class Database:
    """The session factories the app runs on: over an engine, or over one connection (tests roll it back).

    `world` names the sandbox world the database holds ("" for the default one); its sessions carry it."""

    def __init__(self, bind: Engine | Connection, world: str = "", **session_options: Any) -> None:
        self.bind = bind
        self.world = world
        self.sessions = sessionmaker(bind, expire_on_commit=False, info={WORLD_INFO: world}, **session_options)
        read_bind = bind.execution_options(**{_READ_ONLY: True}) if isinstance(bind, Engine) else bind
        self.read_sessions = sessionmaker(
            read_bind, expire_on_commit=False, info={_READ_ONLY: True, WORLD_INFO: world}, **session_options
        )
        _refuse_writes_in_read_sessions(self.read_sessions)
        self._bookkeeping = GroupCommit(self.sessions)

    @classmethod
    def from_url(cls, url: str, pool_size: int = 16, background_checkpoints: bool = False) -> "Database":
        return cls(create_db_engine(url, pool_size, background_checkpoints))

    @property
    def on_engine(self) -> bool:
        """Over an engine (a server) rather than one connection (a test's transaction, not for other threads)."""
        return isinstance(self.bind, Engine)

    @property
    def checkpoints_in_background(self) -> bool:
        return (
            isinstance(self.bind, Engine)
            and is_sqlite(self.bind)
            and self.bind.url.database not in (None, "", ":memory:")
        )

    def checkpoint(self) -> None:
        """Copy what the WAL holds into the database file without waiting for readers or the writer (PASSIVE)."""
        raw = self.bind.raw_connection() if isinstance(self.bind, Engine) else None
        if raw is None:
            return
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            raw.close()

    @asynccontextmanager
    async def request_session(self, mode: Mode) -> AsyncIterator[Session]:
        """A request's session, committed before the response is sent so a failed commit is an error.

        Whatever is not committed is rolled back when the request fails, and the connection goes back to the pool
        at once, whether the request succeeded, failed or its client went away. Opening a session does no I/O, so
        it happens on the event loop; so does ending a read on SQLite (`run_in_session`); anything else is ended in
        a worker thread. Bookkeeping handed over by `record_later()` is then written by the group commit before
        the response.
        """
        session = (self.read_sessions if mode is Mode.READ else self.sessions)()
        try:
            yield session
        except BaseException:
            await run_in_session(session, session.close)  # rolls back what was not committed
            raise
        await run_in_session(session, partial(_commit_and_close, session))
        later: list[Callable[[Session], None]] = session.info.pop(_LATER, [])
        if later:
            await self._bookkeeping.write(later)

    def dispose(self) -> None:
        if isinstance(self.bind, Engine):
            self.bind.dispose()
