"""The README's examples (the quick start's curl, "Log in with VNeID in 5 minutes", the FAPI 2.0 flow) run as printed
against a real server."""

import contextlib
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.databases import fresh_database
from tests.e2e import authlib_quiet  # noqa: F401  (the example imports Authlib: import it quietly first)
from tests.e2e.live_server import free_port, serve

README = Path(__file__).parents[2] / "README.md"


def readme_example(heading: str = "## Log in with VNeID in 5 minutes") -> str:
    text = README.read_text(encoding="utf-8")
    section = text[text.index(heading) :]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "the section has no python example"
    return match.group(1)


def test_login_example_of_the_readme_works(tmp_path: Path) -> None:
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    code = readme_example().replace('ISSUER = "http://127.0.0.1:8000"', f'ISSUER = "{issuer}"')
    with fresh_database(tmp_path) as url, serve(url, port, tmp_path / "server.log", {"VNEID_ISSUER": issuer}):
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            exec(compile(code, "README.md", "exec"), {})  # noqa: S102  (the point is to run the README's code)
    printed = output.getvalue().splitlines()
    assert printed[0] == "urn:vneid:loa:2"
    assert "'personal_id': '001090000001'" in printed[1]


def test_fapi_example_of_the_readme_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    code = readme_example("### FAPI 2.0:").replace('ISSUER = "http://127.0.0.1:8000"', f'ISSUER = "{issuer}"')
    monkeypatch.chdir(README.parent)  # the example reads demo-fapi's keys from seed_data/
    with fresh_database(tmp_path) as url, serve(url, port, tmp_path / "server.log", {"VNEID_ISSUER": issuer}):
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            exec(compile(code, "README.md", "exec"), {})  # noqa: S102  (the point is to run the README's code)
    assert output.getvalue().splitlines() == ["DPoP", "n-1", "001090000001"]


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not on PATH")
def test_quick_start_example_of_the_readme_works(tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Quick start") : text.index("## Configuration")]
    script = re.findall(r"```sh\n(.*?)```", section, re.S)[1]  # the first block is `make run` / `make test`
    port = free_port()
    with fresh_database(tmp_path) as url, serve(url, port, tmp_path / "server.log"):
        ran = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script.replace("127.0.0.1:8000", f"127.0.0.1:{port}")],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["personal_id"] == "001090000001", ran.stdout
