"""Alembic environment: runs on the connection the CLI hands over, or on VNEID_DATABASE_URL."""

from alembic import context
from app.core.config import get_settings
from app.core.db import create_db_engine
from app.models import Base

config = context.config


def run_migrations(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    engine = create_db_engine(config.get_main_option("sqlalchemy.url") or get_settings().database_url)
    with engine.connect() as conn:
        run_migrations(conn)
    engine.dispose()
