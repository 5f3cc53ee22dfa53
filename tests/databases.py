"""Fresh databases for tests: a SQLite file, or a new database on the PostgreSQL server under test."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

TEST_DATABASE_URL_ENV = "VNEID_TEST_DATABASE_URL"


def configured_url() -> str | None:
    return os.environ.get(TEST_DATABASE_URL_ENV) or None


@contextmanager
def fresh_database(directory: Path) -> Iterator[str]:
    """A URL of an empty database of the backend under test, dropped afterwards."""
    base = configured_url()
    if base is None:
        yield f"sqlite:///{directory / f'{uuid.uuid4().hex}.db'}"
        return
    url = make_url(base.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"{url.database}_{uuid.uuid4().hex[:10]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
