"""Running Alembic migrations from code (the CLI and the tests), on an engine's connection."""

from functools import lru_cache
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from alembic import command
from app.core.db import serialise_setup

APP = Path(__file__).resolve().parents[1]
# An installed wheel carries the migration scripts inside the package (see [tool.setuptools.package-dir] in
# pyproject.toml); a checkout keeps them in the top-level alembic/ folder, which alembic.ini also names. The
# packaged place comes first: beside an installed `app` sits the Alembic library itself, not our scripts.
SCRIPT_LOCATIONS = (APP / "migrations", APP.parent / "alembic")


def script_location() -> Path:
    for location in SCRIPT_LOCATIONS:
        if (location / "env.py").is_file():
            return location
    raise RuntimeError(f"no Alembic migration scripts in {' or '.join(map(str, SCRIPT_LOCATIONS))}")


def alembic_config() -> Config:
    """The configuration the CLI and tests migrate with, built in code so that it needs no alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(script_location()).replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config()
    with engine.begin() as connection:
        serialise_setup(connection)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


@lru_cache
def head_revision() -> str:
    """The schema revision this code runs on (the newest migration)."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("no Alembic migrations found")
    return head
