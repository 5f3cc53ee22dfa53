"""The built wheel works away from the checkout: `vneid-sandbox migrate` and `seed` from an empty folder.

The wheel is installed without its dependencies into a fresh virtual environment that borrows this
environment's site-packages through a .pth file, so the test needs no download besides the build backend.
"""

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text

from app.core.db import create_db_engine
from app.core.migrations import alembic_config
from app.models import Citizen
from tests.databases import fresh_database

ROOT = Path(__file__).resolve().parents[2]
# What the build reads; copied so that building leaves no build/ or *.egg-info behind in the checkout.
SOURCES = ("pyproject.toml", "README.md", "app", "alembic", "seed_data")
POPULATION = 50
FIXED_CITIZENS = 16  # the 12 personas and the 4 relatives who make their families whole


def _run(*command: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(list(map(str, command)), cwd=cwd, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _build_wheel(tmp_path: Path) -> Path:
    source = tmp_path / "source"
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", tmp_path / "dist", source)
    (wheel,) = (tmp_path / "dist").glob("vneid_sandbox-*.whl")
    return wheel


def _install(wheel: Path, venv: Path) -> None:
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", "--no-index", wheel)
    # Only now the dependencies: pip would otherwise see this checkout's editable install as already there.
    (site_packages,) = (venv / "lib").glob("python*/site-packages")
    ours = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    (site_packages / "borrowed-dependencies.pth").write_text("".join(f"{path}\n" for path in ours))


def test_installed_wheel_migrates_and_seeds_outside_the_checkout(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    _install(_build_wheel(tmp_path), venv)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = _run(
        venv / "bin" / "python",
        "-c",
        "import app.core.migrations as m, app.services.reference as r; print(m.script_location()); print(r.SEED_DATA)",
        cwd=elsewhere,
    ).split()
    assert all(Path(path).is_relative_to(venv) for path in where), f"not the installed wheel: {where}"

    with fresh_database(tmp_path) as url:
        environment = {k: v for k, v in os.environ.items() if not k.startswith(("VNEID_", "PYTHON"))}
        environment |= {"VNEID_DATABASE_URL": url, "VNEID_POPULATION": str(POPULATION)}
        cli = venv / "bin" / "vneid-sandbox"
        assert "latest schema" in _run(cli, "migrate", cwd=elsewhere, env=environment)
        assert f"seeded {POPULATION + FIXED_CITIZENS} citizens" in _run(cli, "seed", cwd=elsewhere, env=environment)
        assert list(elsewhere.iterdir()) == [], "nothing is written where the command runs"

        engine = create_db_engine(url)
        try:
            with engine.connect() as connection:
                assert connection.scalar(select(func.count()).select_from(Citizen)) == POPULATION + FIXED_CITIZENS
                head = ScriptDirectory.from_config(alembic_config()).get_current_head()
                assert connection.scalar(text("SELECT version_num FROM alembic_version")) == head
        finally:
            engine.dispose()
