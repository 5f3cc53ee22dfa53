"""Alembic is the only way the schema is made: upgrade on empty matches the models, downgrade works."""

from datetime import date
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from app.core.db import create_db_engine
from app.core.migrations import downgrade, upgrade
from app.models import Base
from tests.databases import fresh_database


def test_upgrade_matches_models_and_downgrade_removes_everything(tmp_path: Path) -> None:
    with fresh_database(tmp_path) as url:
        engine = create_db_engine(url)
        try:
            upgrade(engine)
            with engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"compare_type": True})
                assert compare_metadata(context, Base.metadata) == []
            downgrade(engine)
            assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
            upgrade(engine)
            assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
        finally:
            engine.dispose()


def test_residence_deregistration_migration_deregisters_the_dead_already_on_record(tmp_path: Path) -> None:
    """Luật Cư trú 2020 art. 24(1)(a): a database upgraded past `residence deregistration` has its dead deregistered
    as of their death, the living untouched."""
    columns = (
        "personal_id, full_name, sex, date_of_birth, place_of_birth, birth_registration_province_code, hometown, "
        "ethnicity_code, religion_code, nationality, permanent_street, permanent_commune_code, "
        "residence_file_number, marital_status, household_code, relation_to_head, date_of_death"
    )
    row = (
        "(:id, 'Người Thử', 'male', '1950-01-01', 'Hà Nội', '01', 'Hà Nội', '01', 'none', 'VN', 'Số 1', '00004', "
        "'HG1', 'married', 'HG1', :relation, :died)"
    )
    with fresh_database(tmp_path) as url:
        engine = create_db_engine(url)
        try:
            upgrade(engine, "c5a9e2d7b4f1")  # the revision before it
            with engine.begin() as connection:
                connection.execute(
                    text(
                        "INSERT INTO household (code, head_personal_id, street, commune_code) VALUES "
                        "('HG1', '001050000001', 'Số 1', '00004')"
                    )
                )
                for personal_id, relation, died in (
                    ("001050000001", "head", None),
                    ("001050000002", "spouse", date(2024, 6, 18)),
                ):
                    connection.execute(
                        text(f"INSERT INTO citizen ({columns}) VALUES {row}"),
                        {"id": personal_id, "relation": relation, "died": died},
                    )
            upgrade(engine)
            with engine.connect() as connection:
                rows = connection.execute(
                    text(
                        "SELECT personal_id, residence_deregistered_on, residence_deregistration_reason FROM citizen "
                        "ORDER BY personal_id"
                    )
                ).all()
            # Raw SQL: SQLite answers the date as text, PostgreSQL as a date.
            assert [(r[0], r[1] and str(r[1]), r[2]) for r in rows] == [
                ("001050000001", None, None),
                ("001050000002", "2024-06-18", "death"),
            ]
        finally:
            engine.dispose()
