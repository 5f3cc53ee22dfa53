"""Writing the seed state: the fixed personas, then the synthetic population, in bulk batches."""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import Column, Connection, Dialect, Table, delete, insert, update
from sqlalchemy.orm import Session

from app.core.passwords import hash_password
from app.models import AuditEvent, Citizen, Consent, Conviction, Household, IdentityAccount
from app.services.population.dates import id_card_expiry
from app.services.population.deaths import DEATH
from app.services.population.generator import REFERENCE_DATE, GeneratedHousehold, PopulationGenerator
from app.services.reference import catalog, load_json

BATCH_CITIZENS = 20_000
SQLITE_SEED_CACHE_KIB = 64 * 1024
# Accounts of the seed carry a fixed creation time so that a reset gives the same state every time.
SEEDED_AT = datetime(REFERENCE_DATE.year, 1, 1, tzinfo=UTC)
SEEDED_TABLES = (AuditEvent, Consent, Conviction, IdentityAccount, Citizen, Household)

Progress = Callable[[int, int], None]
InsertRows = Callable[[Table, list[dict[str, Any]]], object]  # what it returns is not used


@dataclass(frozen=True)
class SeedSummary:
    citizens: int
    households: int
    accounts: int
    convictions: int
    seconds: float


def personas_document() -> dict[str, Any]:
    document: dict[str, Any] = load_json("personas.json")
    return document


def clear_population(db: Session) -> None:
    for model in SEEDED_TABLES:
        db.execute(delete(model))


def seed_population(db: Session, seed: int, population: int, progress: Progress | None = None) -> SeedSummary:
    """Insert personas and `population` generated citizens; deterministic in `seed`."""
    started = time.perf_counter()
    document = personas_document()
    password_hash = hash_password(document["password"])
    personas = _persona_batch(document, password_hash)
    totals = SeedBatch()
    with _bulk_inserts(db.connection()) as insert_rows:
        _write(insert_rows, personas, totals)
        generator = PopulationGenerator(seed, catalog(), {c["personal_id"] for c in personas.citizens}, password_hash)
        pending = SeedBatch()
        for household in generator.households(population):
            pending.add(household)
            if len(pending.citizens) >= BATCH_CITIZENS:
                _write(insert_rows, pending, totals)
                pending = SeedBatch()
                if progress:
                    progress(totals.citizen_count - len(personas.citizens), population)
        _write(insert_rows, pending, totals)
    # The dead of the seed have no residence any more, as a death recorded later (population.deaths) leaves them.
    db.execute(
        update(Citizen)
        .where(Citizen.date_of_death.is_not(None))
        .values(residence_deregistered_on=Citizen.date_of_death, residence_deregistration_reason=DEATH)
        .execution_options(synchronize_session=False)
    )
    if progress:
        progress(population, population)
    return SeedSummary(
        totals.citizen_count,
        totals.household_count,
        totals.account_count,
        totals.conviction_count,
        round(time.perf_counter() - started, 2),
    )


@dataclass
class SeedBatch:
    """Rows waiting to be inserted together, or (as running totals) the counts of rows written."""

    households: list[dict[str, Any]] = field(default_factory=list)
    citizens: list[dict[str, Any]] = field(default_factory=list)
    accounts: list[dict[str, Any]] = field(default_factory=list)
    convictions: list[dict[str, Any]] = field(default_factory=list)
    household_count: int = 0
    citizen_count: int = 0
    account_count: int = 0
    conviction_count: int = 0

    def add(self, household: GeneratedHousehold) -> None:
        self.households.append(household.household)
        self.citizens.extend(household.citizens)
        self.accounts.extend(household.accounts)
        self.convictions.extend(household.convictions)


def _write(insert_rows: InsertRows, batch: SeedBatch, totals: SeedBatch) -> None:
    for account in batch.accounts:
        account.setdefault("created_at", SEEDED_AT)
    # Parents before children: households, then citizens, then what hangs off a citizen.
    for model, rows in (
        (Household, batch.households),
        (Citizen, batch.citizens),
        (IdentityAccount, batch.accounts),
        (Conviction, batch.convictions),
    ):
        if rows:
            insert_rows(model.__table__, rows)  # type: ignore[arg-type]
    totals.household_count += len(batch.households)
    totals.citizen_count += len(batch.citizens)
    totals.account_count += len(batch.accounts)
    totals.conviction_count += len(batch.convictions)


@contextmanager
def _bulk_inserts(connection: Connection) -> Iterator[InsertRows]:
    """How the seed inserts rows: SQLAlchemy Core, or on SQLite a leaner path and a larger page cache."""
    if connection.dialect.name != "sqlite":
        yield lambda table, rows: connection.execute(insert(table), rows)
        return
    previous = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    # SQLite's default 2 MB cannot hold the indexes of a million citizens: pages would be written out to the
    # WAL and read back within the transaction. The connection is pooled, so the old size comes back after.
    connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_SEED_CACHE_KIB}")
    try:
        yield _SqliteInserts(connection)
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {previous}")


class _SqliteInserts:
    """Rows straight to sqlite3's executemany, bound as SQLAlchemy would bind them (the stored values are the same).

    Building each row's parameters costs SQLAlchemy more than the insert costs SQLite; here a row becomes one
    tuple, and only the values of columns with a bind processor (dates) are converted.
    """

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.statements: dict[tuple[str, tuple[str, ...]], _SqliteInsert] = {}

    def __call__(self, table: Table, rows: list[dict[str, Any]]) -> None:
        key = (table.name, tuple(rows[0]))
        statement = self.statements.get(key)
        if statement is None:
            statement = self.statements[key] = _SqliteInsert(table, key[1], self.connection.dialect)
        self.connection.exec_driver_sql(statement.sql, statement.parameters(rows))


class _SqliteInsert:
    """One INSERT for rows with the same keys: its SQL and how a row becomes its parameters."""

    def __init__(self, table: Table, given: tuple[str, ...], dialect: Dialect) -> None:
        defaults = _scalar_defaults(table, given, dialect)
        preparer = dialect.identifier_preparer
        names = ", ".join(preparer.quote(name) for name in [*given, *defaults])
        marks = ", ".join("?" * (len(given) + len(defaults)))
        self.sql = f"INSERT INTO {preparer.format_table(table)} ({names}) VALUES ({marks})"
        self.values_of = itemgetter(*given)
        self.defaults = tuple(defaults.values())
        self.converters = [
            (position, _BoundValues(processor))
            for position, name in enumerate(given)
            if (processor := _bind_processor(table.c[name], dialect))
        ]

    def parameters(self, rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        values_of, defaults, converters = self.values_of, self.defaults, self.converters
        parameters = []
        for row in rows:
            values = [*values_of(row), *defaults]
            for position, bound in converters:
                values[position] = bound[values[position]]
            parameters.append(tuple(values))
        return parameters


class _BoundValues(dict[Any, Any]):
    """Values as a bind processor turns them out, remembered: a million citizens share a few thousand dates.

    Only for columns of hashable values (dates, flags), which are all the seed's converted columns.
    """

    def __init__(self, processor: Callable[[Any], Any]) -> None:
        super().__init__()
        self.processor = processor

    def __missing__(self, value: Any) -> Any:
        bound = self[value] = self.processor(value)
        return bound


def _bind_processor(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    return column.type.dialect_impl(dialect).bind_processor(dialect)


def _scalar_defaults(table: Table, given: tuple[str, ...], dialect: Dialect) -> dict[str, Any]:
    """Columns the rows leave out but SQLAlchemy would fill in from a Python-side default, with that default bound."""
    defaults = {}
    for column in table.columns:
        if column.name in given or column.default is None:
            continue
        if not column.default.is_scalar:
            raise ValueError(f"seeded {table.name} rows must give {column.name}: its default is not a constant")
        value = column.default.arg  # type: ignore[attr-defined]
        processor = _bind_processor(column, dialect)
        defaults[column.name] = processor(value) if processor else value
    return defaults


def _persona_batch(document: dict[str, Any], password_hash: str) -> SeedBatch:
    households = {h["code"]: h for h in document["households"]}
    people = [*document["personas"], *document["relatives"]]
    by_key = {p["key"]: p for p in people}
    citizens, accounts, convictions = [], [], []
    for persona in people:
        citizens.append(_persona_citizen(persona, households[persona["household"]], by_key))
        if persona["account"]:
            account = persona["account"]
            accounts.append(
                {
                    "personal_id": persona["personal_id"],
                    "level": account["level"],
                    "status": account["status"],
                    "lock_reason": account.get("lock_reason"),
                    "role": account["role"],
                    "jurisdiction_code": account.get("jurisdiction_code"),
                    "phone": persona["phone"],
                    "password_hash": password_hash,
                }
            )
        for conviction in persona.get("convictions", []):
            convictions.append(
                {
                    **conviction,
                    "personal_id": persona["personal_id"],
                    **{k: _date(conviction[k]) for k in ("judgment_date", "sentence_completed_on", "expunged_on")},
                }
            )
    household_rows = [
        {
            "code": h["code"],
            "head_personal_id": by_key[h["head"]]["personal_id"],
            "street": h["street"],
            "commune_code": h["commune_code"],
        }
        for h in document["households"]
    ]
    return SeedBatch(household_rows, citizens, accounts, convictions)


def _persona_citizen(persona: dict[str, Any], household: dict[str, Any], by_key: dict[str, Any]) -> dict[str, Any]:
    born = date.fromisoformat(persona["date_of_birth"])
    legacy = catalog().legacy_provinces[persona["personal_id"][:3]]
    issued = _date(persona.get("id_card_issued_on"))
    current = persona.get("current_address") or {}
    temporary = persona.get("temporary_address") or {}

    def relative(key: str) -> str | None:
        return by_key[persona[key]]["personal_id"] if persona.get(key) else None

    return {
        "personal_id": persona["personal_id"],
        "full_name": persona["full_name"],
        "other_names": None,
        "sex": persona["sex"],
        "date_of_birth": born,
        "place_of_birth": legacy.name,
        "birth_registration_province_code": legacy.code,
        "hometown": persona["hometown"],
        "ethnicity_code": "01",
        "religion_code": "none",
        "nationality": "VN",
        "blood_type": "O",
        "old_id_number": None,
        "id_card_issued_on": issued,
        "id_card_expires_on": id_card_expiry(born, issued) if issued else None,
        "permanent_street": household["street"],
        "permanent_commune_code": household["commune_code"],
        "temporary_street": temporary.get("street"),
        "temporary_commune_code": temporary.get("commune_code"),
        "temporary_until": _date(temporary.get("until")),
        "current_street": current.get("street"),
        "current_commune_code": current.get("commune_code"),
        "residence_file_number": household["code"],
        "marital_status": persona["marital_status"],
        "household_code": household["code"],
        "relation_to_head": persona["relation_to_head"],
        "father_personal_id": relative("father"),
        "mother_personal_id": relative("mother"),
        "spouse_personal_id": relative("spouse"),
        "date_of_death": _date(persona.get("date_of_death")),
        "phone": persona["phone"],
        "email": persona["email"],
    }


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
