"""The pytest plugin as integrators use it: suites run by pytester in their own pytest processes (four xdist workers
at once), against a live sandbox (SQLite, or PostgreSQL with VNEID_TEST_DATABASE_URL), and against one the plugin
starts itself."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.databases import fresh_database
from tests.e2e.live_server import LiveServer, free_port, live_server

pytest_plugins = ["pytester"]
ADMIN_TOKEN = "plugin-test-admin-token"
README = Path(__file__).parents[2] / "README.md"

WORKERS_SUITE = """
import time

import pytest


@pytest.mark.parametrize("round_", range(12))
def test_my_world_stays_mine(vneid_worker_world, worker_id, round_):
    world = vneid_worker_world
    days = int(worker_id.removeprefix("gw")) + 1
    world.reset()
    assert world.admin("GET", "/sandbox/clock")["offset_seconds"] == 0
    world.advance_clock(days=days)
    time.sleep(0.05)  # the other workers reset and advance their worlds meanwhile
    assert world.admin("GET", "/sandbox/clock")["offset_seconds"] == days * 86_400
    with open(f"{OUT}/{worker_id}", "a") as seen:
        seen.write(world.id + " " + world.base_url.rsplit("/w/", 1)[0] + "\\n")
"""

HELPERS_SUITE = """
from app.testing.world import DEMO_CALLBACKS


def test_a_scenario_ends_with_its_block(vneid_world):
    with vneid_world.scenario("token_unavailable"):
        pass
    assert vneid_world.client_token("demo-agency", "demo-agency-secret").access_token
    assert vneid_world.admin("GET", "/sandbox/scenarios")["armed"] == []


def test_a_public_client_signs_in_with_pkce_alone(vneid_world):
    tokens = vneid_world.sign_in("binh", client_id="demo-spa")
    assert DEMO_CALLBACKS["demo-spa"].startswith("http://127.0.0.1")
    assert tokens.refresh_token


def test_the_clock_moves_in_this_world_only(vneid_world, vneid_sandbox):
    other = vneid_sandbox.create_world(population=0)
    try:
        before = vneid_world.now()
        assert (vneid_world.advance_clock(days=2) - before).days == 2
        assert abs((other.now() - before).total_seconds()) < 60
    finally:
        vneid_sandbox.delete_world(other)


def test_a_forged_webhook_is_rejected(vneid_world):
    with vneid_world.webhooks("demo-bank") as hooks:
        assert not hooks.receive("t=1,v1=00", b"{}")
        assert hooks.rejected == [b"{}"]
"""


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    directory = tmp_path_factory.mktemp("plugin-sandbox")
    with fresh_database(directory) as url:
        extra = {"VNEID_ADMIN_TOKEN": ADMIN_TOKEN, "VNEID_WORKERS": "1"}  # several processes: tests/e2e/test_cluster
        with live_server(url, free_port(), directory / "server.log", extra) as server:
            yield server


def suite(pytester: pytest.Pytester, source: str) -> Path:
    out = pytester.mkdir("seen")
    # Collected first (xdist hands each worker a first chunk of consecutive tests), so every worker runs some.
    pytester.makepyfile(test_a_suite=f"OUT = {str(out)!r}\n" + source)
    return out


def seen_by_worker(out: Path) -> dict[str, set[str]]:
    return {path.name: set(path.read_text().splitlines()) for path in out.iterdir()}


def test_helpers_sign_in_arm_scenarios_move_the_clock_and_verify_webhooks(
    pytester: pytest.Pytester, sandbox: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VNEID_URL", sandbox.base)  # the environment names the server as well as the options
    monkeypatch.setenv("VNEID_ADMIN_TOKEN", ADMIN_TOKEN)
    suite(pytester, HELPERS_SUITE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--vneid-population=50")
    result.assert_outcomes(passed=4)


def readme_example() -> str:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### Testing with pytest") :]
    example = re.search(r"```python\n(.*?)```", section, re.S)
    assert example, "the section has no python example"
    return example.group(1)


def test_four_xdist_workers_run_the_readme_example_and_reset_and_advance_their_own_worlds(
    pytester: pytest.Pytester, sandbox: LiveServer
) -> None:
    # One `pytest -n 4` run for both (each run starts four interpreters): the README's example as written, and a
    # suite whose workers reset and advance their own worlds while the others do the same.
    out = suite(pytester, WORKERS_SUITE)
    pytester.makepyfile(test_bank_integration=readme_example())
    result = pytester.runpytest_subprocess(
        "-n", "4", "-p", "no:cacheprovider", f"--vneid-url={sandbox.base}", f"--vneid-admin-token={ADMIN_TOKEN}"
    )
    result.assert_outcomes(passed=12 + 4)
    worlds = seen_by_worker(out)
    assert len(worlds) == 4
    assert all(len(seen) == 1 for seen in worlds.values())  # one world per worker, all session long
    assert len(set.union(*worlds.values())) == 4  # and no two workers share one


def test_without_a_url_the_workers_share_one_server_the_plugin_starts(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VNEID_URL", raising=False)
    out = suite(pytester, WORKERS_SUITE)
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider", "--vneid-population=50")
    result.assert_outcomes(passed=12)
    servers = {line.split()[1] for seen in seen_by_worker(out).values() for line in seen}
    assert len(servers) == 1
    assert not list(Path(str(pytester.path)).glob("**/vneid-server.json"))  # the last worker out stopped it


def test_a_url_without_the_admin_token_is_a_usage_error(pytester: pytest.Pytester, sandbox: LiveServer) -> None:
    pytester.makepyfile(test_suite="def test_world(vneid_world):\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--vneid-url={sandbox.base}")
    assert "--vneid-url needs the sandbox's admin token" in result.stdout.str() + result.stderr.str()
    assert result.ret != pytest.ExitCode.OK
