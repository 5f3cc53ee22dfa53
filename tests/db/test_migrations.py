"""Alembic is the only way the schema is made: upgrade on empty matches the models, downgrade works."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

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
