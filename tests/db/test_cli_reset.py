"""`vneid-sandbox reset` seeds exactly once, on a new database too, and restores the same citizens as `seed`."""

import hashlib
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import cli
from app.core.config import get_settings
from app.core.db import create_db_engine
from app.models import Citizen
from app.services import sandbox
from tests.databases import fresh_database

POPULATION = 50
PERSONAS = 16  # 12 personas and 4 relatives


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str, str], None]]:
    """Runs `vneid-sandbox COMMAND` in this process on a database URL, as the command line does."""
    for name in [name for name in os.environ if name.startswith("VNEID_")]:
        monkeypatch.delenv(name)

    def run(command: str, url: str) -> None:
        monkeypatch.setenv("VNEID_DATABASE_URL", url)
        monkeypatch.setenv("VNEID_POPULATION", str(POPULATION))
        get_settings.cache_clear()
        cli.main([command])

    yield run
    get_settings.cache_clear()


@pytest.fixture
def seedings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The population sizes of every seeding that runs, whether from the first-start bootstrap or from reset."""
    calls: list[int] = []
    seed_population = sandbox.seed_population

    def counted(db: Session, seed: int, population: int, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        calls.append(population)
        return seed_population(db, seed, population, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sandbox, "seed_population", counted)
    return calls


def _citizens(url: str) -> tuple[int, str]:
    engine = create_db_engine(url)
    try:
        with Session(engine) as db:
            rows = db.execute(select(*Citizen.__table__.columns).order_by(Citizen.personal_id)).all()
    finally:
        engine.dispose()
    digest = hashlib.sha256(json.dumps([list(row) for row in rows], default=str, ensure_ascii=False).encode())
    return len(rows), digest.hexdigest()


def test_reset_seeds_once_on_a_new_database_and_again_once_on_a_seeded_one(
    tmp_path: Path, run_cli: Callable[[str, str], None], seedings: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    with fresh_database(tmp_path) as reset_url, fresh_database(tmp_path) as seed_url:
        run_cli("reset", reset_url)
        assert seedings == [POPULATION], "reset on a new database must seed once, not bootstrap and then reset"
        assert capsys.readouterr().out.count(f"seeded {POPULATION + PERSONAS} citizens") == 1

        run_cli("seed", seed_url)
        assert _citizens(reset_url) == _citizens(seed_url)
        assert _citizens(reset_url)[0] == POPULATION + PERSONAS

        seedings.clear()
        run_cli("reset", reset_url)
        assert seedings == [POPULATION], "reset on a seeded database must seed once"
        assert _citizens(reset_url) == _citizens(seed_url)
