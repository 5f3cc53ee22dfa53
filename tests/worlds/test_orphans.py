"""A crash's leftovers: world files (SQLite) or schemas (PostgreSQL) that no registry row names are removed when a
server starts and by the idle-expiry sweep, with stale templates; registered worlds and units younger than the
grace (a world another process is creating) stay."""

import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from app.core.migrations import head_revision
from app.main import create_app
from app.services.world_storage import ORPHAN_GRACE_SECONDS, PostgresStorage, SqliteStorage, Storage, storage_for
from app.services.worlds import Worlds
from tests.conftest import ADMIN_TOKEN
from tests.worlds.conftest import WORLD_POPULATION

OLD = ORPHAN_GRACE_SECONDS + 60  # seconds: older than the grace
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def _storage(client: TestClient) -> Storage:
    storage = client.app.state.worlds.storage  # type: ignore[attr-defined]
    assert storage is not None
    return storage


def plant(storage: Storage, unit: str, age: float) -> None:
    """A unit as a crash leaves it, `age` seconds old; or, for an existing unit, make it that old."""
    born = time.time() - age
    if isinstance(storage, SqliteStorage):
        storage.directory.mkdir(parents=True, exist_ok=True)
        for name in (f"{unit}.db", f"{unit}.db-wal"):
            (storage.directory / name).touch()
            os.utime(storage.directory / name, (born, born))
        return
    assert isinstance(storage, PostgresStorage)
    with storage.engine.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "world_{unit}"')
        connection.exec_driver_sql(f"COMMENT ON SCHEMA \"world_{unit}\" IS '{born:.3f}'")


def age(storage: Storage, unit: str, seconds: float) -> None:
    if isinstance(storage, SqliteStorage):
        born = time.time() - seconds
        for path in storage.directory.glob(f"{unit}.db*"):
            os.utime(path, (born, born))
    else:
        plant(storage, unit, seconds)


def units(storage: Storage) -> set[str]:
    if isinstance(storage, SqliteStorage):
        return {path.name.split(".db")[0] for path in storage.directory.glob("*.db*")}
    assert isinstance(storage, PostgresStorage)
    with storage.engine.connect() as connection:
        names = connection.exec_driver_sql("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, 'world_')")
        return {name.removeprefix("world_") for (name,) in names}


@pytest.fixture
def leftovers(root_client: TestClient) -> Iterator[Callable[[str, float], str]]:
    """Plants units, and removes whatever of them a test leaves."""
    storage, planted = _storage(root_client), []

    def make(unit: str, age: float) -> str:
        plant(storage, unit, age)
        planted.append(unit)
        return unit

    yield make
    for unit in planted:
        if isinstance(storage, PostgresStorage):
            storage.drop(unit)
        else:
            for path in storage.directory.glob(f"{unit}.db*"):
                path.unlink()


def test_the_sweep_removes_what_no_registry_row_names_and_keeps_the_rest(
    root_client: TestClient, make_world: Callable[..., dict[str, str]], leftovers: Callable[[str, float], str]
) -> None:
    storage, worlds = _storage(root_client), root_client.app.state.worlds  # type: ignore[attr-defined]
    live = make_world()["id"]
    age(storage, live, OLD)  # an idle world's file is old too: it is registered, so it stays
    head_template = f"template_{root_client.app.state.settings.seed}_{WORLD_POPULATION}_{head_revision()}"  # type: ignore[attr-defined]
    if isinstance(storage, SqliteStorage):
        head_template = head_template.replace("_", "-", 1)
    age(storage, head_template, OLD)
    crashed = leftovers("c0ffee000001", OLD)  # created, never registered: the process died in between
    creating = leftovers("c0ffee000002", 5)  # another process is creating it right now
    stale = leftovers("template-1_10_0123abcd4567" if isinstance(storage, SqliteStorage) else "template_1_10_0ld", OLD)
    unfinished = leftovers(f"building-{head_template}-4242", OLD) if isinstance(storage, SqliteStorage) else None

    removed = worlds.sweep(root_client.app.state.database)  # type: ignore[attr-defined]

    assert set(removed) == {crashed, stale, *([unfinished] if unfinished else [])}
    left = units(storage)
    assert {live, head_template, creating} <= left
    assert not {crashed, stale, unfinished} & left
    assert root_client.get(f"/w/{live}/healthz").status_code == 200
    assert worlds.sweep(root_client.app.state.database) == []  # type: ignore[attr-defined]  # nothing twice


def test_two_processes_sweeping_at_once_remove_each_orphan_once_and_fail_nowhere(
    root_client: TestClient, leftovers: Callable[[str, float], str]
) -> None:
    orphans = {leftovers(f"c0ffee0000{n:02d}", OLD) for n in range(10, 30)}
    state = root_client.app.state  # type: ignore[attr-defined]
    processes = [Worlds(state.settings, storage_for(state.database, state.settings)) for _ in range(4)]
    with ThreadPoolExecutor(len(processes)) as pool:
        removed = list(pool.map(lambda worlds: worlds.sweep(state.database), processes))
    assert set().union(*removed) == orphans
    assert not orphans & units(_storage(root_client))


def test_a_server_starting_sweeps_the_leftovers(
    root_client: TestClient, leftovers: Callable[[str, float], str]
) -> None:
    crashed = leftovers("c0ffee000003", OLD)
    state = root_client.app.state  # type: ignore[attr-defined]
    with TestClient(create_app(state.settings, database=state.database)):  # its first idle-expiry round
        for _ in range(200):
            if crashed not in units(_storage(root_client)):
                break
            time.sleep(0.05)
    assert crashed not in units(_storage(root_client))
