"""Where worlds keep their data: a SQLite file per world beside the default database, or a PostgreSQL schema per
world on the default database's engine and pool, each filled from a template made once per (seed, population,
schema revision).

A crash can leave a world's unit behind with no registry row naming it (between a unit's creation and its
registration, or between a deletion's commit and its drop). `sweep` removes such orphans, the templates of other
schema revisions and unfinished templates. It runs in every process at once, with no lock: a unit is only an
orphan once it is older than ORPHAN_GRACE_SECONDS, far longer than a world takes to be created and registered
(under a second), so a world another process is creating is never taken for one; dropping is idempotent, so two
sweepers, or a sweeper and a deletion, can race harmlessly.
"""

import os
import re
import shutil
import time
from pathlib import Path

from sqlalchemy import Connection, Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateIndex, CreateTable

from app.core.config import Settings
from app.core.db import SETUP_LOCK_KEY, Database, create_db_engine, in_schema
from app.core.file_lock import file_lock
from app.core.migrations import upgrade
from app.models import Base
from app.services import sandbox

ORPHAN_GRACE_SECONDS = 600
# What a world's unit is called: its id (12 hexadecimal digits), `template-{seed}_{population}_{revision}`, or a
# template still being built (`building-…`).
WORLD_UNIT = re.compile(r"[0-9a-f]{12}")
TEMPLATE_UNIT = re.compile(r"template[-_][0-9]+_[0-9]+_(?P<revision>[0-9A-Za-z]+)")
SQLITE_FILE = re.compile(r"(?P<unit>.+)\.db(?:-wal|-shm|\.write-lock)?")


def _is_orphan(unit: str, named: frozenset[str], head: str) -> bool:
    """Whether a unit (a world's id, a template's or a build's name) is one no live world can need."""
    if WORLD_UNIT.fullmatch(unit):
        return unit not in named
    if template := TEMPLATE_UNIT.fullmatch(unit):
        return template["revision"] != head
    return unit.startswith("building-")


class Storage:
    """Where worlds keep their data: one unit per world, filled from a template per (seed, population, revision)."""

    def database(self, world_id: str) -> Database:
        raise NotImplementedError

    def ensure_template(self, template: str, seed: int, population: int) -> None:
        raise NotImplementedError

    def create(self, world_id: str, template: str) -> None:
        raise NotImplementedError

    def drop(self, world_id: str) -> None:
        raise NotImplementedError

    def close(self, world_id: str, database: Database) -> None:
        """Let go of a world's database in this process (it may still exist for others)."""

    def sweep(self, named: frozenset[str], head: str) -> list[str]:
        """Remove the units older than ORPHAN_GRACE_SECONDS that no registry row names (`named`: every world id
        the registry holds), and templates of revisions other than `head`; returns what was removed."""
        raise NotImplementedError


class SqliteStorage(Storage):
    """A file per world in `{database}-worlds/` beside the default database, copied from a template file."""

    def __init__(self, directory: Path, pool_size: int) -> None:
        self.directory = directory
        self.pool_size = pool_size

    def _file(self, name: str) -> Path:
        return self.directory / f"{name}.db"

    def database(self, world_id: str) -> Database:
        return Database(create_db_engine(f"sqlite:///{self._file(world_id)}", self.pool_size), world=world_id)

    def ensure_template(self, template: str, seed: int, population: int) -> None:
        target = self._file(f"template-{template}")
        if target.exists():
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        with file_lock(self.directory / "template.lock"):
            if target.exists():  # another process made it while this one waited
                return
            building = self._file(f"building-{template}-{os.getpid()}")
            engine = create_db_engine(f"sqlite:///{building}", pool_size=1)
            try:
                upgrade(engine)
                with Session(engine) as db, db.begin():
                    sandbox.seed_once(db, seed, population)
            finally:
                engine.dispose()  # the last connection closed: the WAL is checkpointed into the file and removed
            os.replace(building, target)

    def create(self, world_id: str, template: str) -> None:
        shutil.copyfile(self._file(f"template-{template}"), self._file(world_id))

    def drop(self, world_id: str) -> None:
        main = self._file(world_id)
        for path in (main, *(Path(f"{main}{suffix}") for suffix in ("-wal", "-shm", ".write-lock"))):
            path.unlink(missing_ok=True)

    def close(self, world_id: str, database: Database) -> None:
        database.dispose()

    def sweep(self, named: frozenset[str], head: str) -> list[str]:
        if not self.directory.is_dir():
            return []
        files: dict[str, list[Path]] = {}
        for path in self.directory.iterdir():
            if found := SQLITE_FILE.fullmatch(path.name):
                files.setdefault(found["unit"], []).append(path)
        cutoff = time.time() - ORPHAN_GRACE_SECONDS
        removed = []
        for unit, paths in sorted(files.items()):
            if not _is_orphan(unit, named, head) or max(_mtime(path) for path in paths) > cutoff:
                continue
            for path in paths:
                path.unlink(missing_ok=True)
            removed.append(unit)
        return removed


class PostgresStorage(Storage):
    """A schema per world on the default database's engine (one pool for all), filled by INSERT … SELECT from a
    template schema; every transaction of a world runs with `search_path` set to its schema (core.db)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def database(self, world_id: str) -> Database:
        return Database(in_schema(self.engine, _schema(world_id)), world=world_id)

    def ensure_template(self, template: str, seed: int, population: int) -> None:
        schema = f"world_template_{template}"
        with self.engine.begin() as connection:
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SETUP_LOCK_KEY + 1})")
            if _schema_exists(connection, schema):
                return
            _create_tables(connection, schema)  # and sets search_path to it
            with Session(connection) as db:
                sandbox.seed_once(db, seed, population)
                db.flush()

    def create(self, world_id: str, template: str) -> None:
        schema, source = _schema(world_id), f"world_template_{template}"
        copies = []
        for table in Base.metadata.sorted_tables:
            copies.append(f'INSERT INTO "{schema}".{table.name} SELECT * FROM "{source}".{table.name}')
            serial = table.autoincrement_column
            if serial is not None:  # copied ids do not move the world's sequence
                copies.append(
                    f"SELECT setval(pg_get_serial_sequence('\"{schema}\".{table.name}', '{serial.name}'), "
                    f'COALESCE(MAX({serial.name}), 0) + 1, false) FROM "{schema}".{table.name}'
                )
        with self.engine.begin() as connection:
            _create_tables(connection, schema)
            connection.exec_driver_sql(";\n".join(copies))

    def drop(self, world_id: str) -> None:
        self._drop_schema(_schema(world_id))

    def _drop_schema(self, schema: str) -> None:
        with self.engine.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    def sweep(self, named: frozenset[str], head: str) -> list[str]:
        # A schema's age is the database clock's time its creation wrote in its comment (_create_tables): one clock
        # for every instance. A schema without one is older than this rule.
        with self.engine.connect() as connection:
            now = connection.exec_driver_sql("SELECT extract(epoch FROM now())").scalar_one()
            schemas = connection.exec_driver_sql(
                "SELECT nspname, obj_description(oid, 'pg_namespace') FROM pg_namespace "
                "WHERE starts_with(nspname, 'world_')"
            ).all()
        removed = []
        for schema, comment in sorted(schemas):
            unit = schema.removeprefix("world_")
            created = float(comment) if comment and comment.replace(".", "", 1).isdigit() else 0.0
            if _is_orphan(unit, named, head) and created <= float(now) - ORPHAN_GRACE_SECONDS:
                self._drop_schema(schema)
                removed.append(unit)
        return removed


def _schema(world_id: str) -> str:
    return f"world_{world_id}"


def _schema_exists(connection: Connection, schema: str) -> bool:
    found = connection.exec_driver_sql("SELECT 1 FROM pg_namespace WHERE nspname = %(name)s", {"name": schema})
    return found.first() is not None


def _create_tables(connection: Connection, schema: str) -> None:
    """The schema, stamped with its creation time (for `sweep`), and its tables: the DDL names no schema and runs
    with `search_path` set to it."""
    created = float(connection.exec_driver_sql("SELECT extract(epoch FROM now())").scalar_one())
    connection.exec_driver_sql(
        f'CREATE SCHEMA "{schema}"; COMMENT ON SCHEMA "{schema}" IS \'{created:.3f}\'; '
        f'SET LOCAL search_path TO "{schema}"; {_ddl(connection)}'
    )


def _ddl(connection: Connection) -> str:
    global _DDL
    if _DDL is None:
        dialect = connection.dialect
        statements = [
            *(CreateTable(table).compile(dialect=dialect) for table in Base.metadata.sorted_tables),
            *(
                CreateIndex(index).compile(dialect=dialect)
                for table in Base.metadata.sorted_tables
                for index in table.indexes
            ),
        ]
        _DDL = ";\n".join(str(statement).strip() for statement in statements)
    return _DDL


_DDL: str | None = None


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # removed meanwhile (a deletion, another sweeper): no reason to keep the rest
        return 0.0


def storage_for(root: Database, settings: Settings) -> Storage | None:
    """The storage worlds get beside the default world's database; None for an in-memory SQLite database."""
    bind = root.bind if isinstance(root.bind, Engine) else root.bind.engine
    if bind.dialect.name != "sqlite":
        return PostgresStorage(bind)
    database = make_url(settings.database_url).database
    if not database or database == ":memory:":
        return None
    # A directory per database file, not per folder: another sandbox's database beside this one has worlds this
    # one's registry does not name, and its sweep would take them for leftovers.
    path = Path(database)
    return SqliteStorage(path.with_name(f"{path.stem}-worlds"), settings.max_concurrency)
