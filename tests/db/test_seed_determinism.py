"""The same seed gives byte-identical citizens in two fresh databases; a second bootstrap changes nothing."""

import hashlib
import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.clock import clock
from app.core.db import create_db_engine
from app.core.keys import KeyStore
from app.core.migrations import upgrade
from app.models import Citizen, Conviction, Household, IdentityAccount
from app.services import sandbox
from tests.conftest import make_settings
from tests.databases import fresh_database

POPULATION = 800


def _dump(url: str, seed: int) -> tuple[str, int]:
    """Seed a fresh database, bootstrap it twice, and fingerprint its population tables."""
    engine = create_db_engine(url)
    try:
        upgrade(engine)
        settings = make_settings(url, population=POPULATION, seed=seed)
        with Session(engine) as db, db.begin():
            first = sandbox.bootstrap(db, settings, KeyStore(), clock)
        with Session(engine) as db, db.begin():
            second = sandbox.bootstrap(db, settings, KeyStore(), clock)
        assert first.seeded is not None
        assert second.seeded is None, "a second start must not re-seed"
        digest = hashlib.sha256()
        with Session(engine) as db:
            for model, key in (
                (Citizen, Citizen.personal_id),
                (Household, Household.code),
                (IdentityAccount, IdentityAccount.personal_id),
                (Conviction, Conviction.id),
            ):
                columns = [c for c in model.__table__.columns if c.name not in ("password_hash",)]
                for row in db.execute(select(*columns).order_by(key)):
                    digest.update(json.dumps(list(row), default=str, ensure_ascii=False).encode())
            count = len(db.scalars(select(Citizen.personal_id)).all())
        return digest.hexdigest(), count
    finally:
        engine.dispose()


def test_same_seed_gives_identical_databases(tmp_path: Path) -> None:
    with fresh_database(tmp_path) as first, fresh_database(tmp_path) as second, fresh_database(tmp_path) as other:
        digest_a, count = _dump(first, seed=6)
        digest_b, _ = _dump(second, seed=6)
        digest_c, _ = _dump(other, seed=7)
    assert count == POPULATION + 16  # 12 personas and 4 relatives
    assert digest_a == digest_b
    assert digest_a != digest_c
