"""The group commit writes the bookkeeping of read requests together; a write that refuses (`WriteRefused`, e.g. a
single-use value another request spent first) fails its own request alone, and the rest of the batch is written."""

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.core.db import Database, Mode, WriteRefused, record_later


class Spent(Exception):
    pass


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    database = Database.from_url(f"sqlite:///{tmp_path / 'group-commit.sqlite'}")
    with database.sessions() as db, db.begin():
        db.execute(text("CREATE TABLE spent (value TEXT PRIMARY KEY)"))
    yield database
    database.dispose()


def spend(value: str) -> Callable[[Session], None]:
    def write(db: Session) -> None:
        if db.execute(text("SELECT 1 FROM spent WHERE value = :v"), {"v": value}).first():
            raise WriteRefused(Spent(value))
        db.execute(text("INSERT INTO spent VALUES (:v)"), {"v": value})

    return write


async def read_request(database: Database, *values: str) -> None:
    async with database.request_session(Mode.READ) as session:
        for value in values:
            record_later(session, spend(value))


def spent(database: Database) -> list[str]:
    with database.sessions() as db:
        return sorted(db.scalars(text("SELECT value FROM spent")))


def test_a_refused_write_fails_its_request_alone(database: Database) -> None:
    async def requests() -> list[BaseException | None]:
        return await asyncio.gather(
            read_request(database, "a", "audit-1"),
            read_request(database, "a", "audit-2"),
            read_request(database, "b"),
            return_exceptions=True,
        )

    outcomes = asyncio.run(requests())
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["NoneType", "NoneType", "Spent"]
    loser = 1 if isinstance(outcomes[1], Spent) else 0
    assert spent(database) == ["a", f"audit-{2 - loser}", "b"]  # the loser's later write was not made


def test_in_a_write_session_the_refusal_is_raised_at_once(database: Database) -> None:
    with database.sessions() as db, db.begin():
        record_later(db, spend("c"))
        with pytest.raises(Spent):
            record_later(db, spend("c"))
