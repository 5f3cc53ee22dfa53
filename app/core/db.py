"""Engines and sessions for SQLite (the embedded default) and PostgreSQL."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool


def normalise_url(url: str) -> str:
    """Accept the plain `postgresql://` form people paste and use the psycopg 3 driver for it."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def create_db_engine(url: str) -> Engine:
    url = normalise_url(url)
    if make_url(url).get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # One connection per process: SQLite has a single writer anyway, and threads queueing on the pool
    # wake at once, whereas SQLite's own busy handler sleeps in steps of up to 100 ms (bad p99).
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        poolclass=QueuePool,
        pool_size=1,
        max_overflow=0,
        pool_timeout=60,
    )
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy's "begin" event issue BEGIN itself (the pysqlite driver would defer it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=30000", "synchronous=NORMAL"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        # Take the write lock up front: a read that later writes can never fail with "database is locked".
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


class Database:
    """The session factory the app runs on: over an engine, or over one connection (tests roll it back)."""

    def __init__(self, bind: Engine | Connection, **session_options: Any) -> None:
        self.bind = bind
        self.sessions = sessionmaker(bind, expire_on_commit=False, **session_options)

    @classmethod
    def from_url(cls, url: str) -> "Database":
        return cls(create_db_engine(url))

    def session(self) -> Iterator[Session]:
        """A request's session, committed before the response is sent so a failed commit is an error."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException as exc:
                # Some refusals must leave a trace (a replayed code revokes its tokens, a one-shot fault is used up).
                if getattr(exc, "keep_changes", False):
                    session.commit()
                else:
                    session.rollback()
                raise

    def dispose(self) -> None:
        if isinstance(self.bind, Engine):
            self.bind.dispose()
