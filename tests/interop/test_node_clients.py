"""The Node relying-party libraries (tests/interop/node: openid-client 6, oauth4webapi 3, pinned by its
package-lock.json) against the live sandbox. Each `*.test.mjs` file is one test here; any failure of the library
or of an assertion fails it, with node's report as the message. Skipped, saying so, where node is not installed."""

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.interop.conftest import Sandbox

NODE_PACKAGE = Path(__file__).with_name("node")
NODE_TESTS = sorted(NODE_PACKAGE.glob("*.test.mjs"))
NODE, NPM = shutil.which("node"), shutil.which("npm")
TIMEOUT_SECONDS = 120


@pytest.fixture(scope="session")
def node_packages() -> None:
    """`npm ci` from the committed lock file, once per version of it (a stamp in node_modules remembers which)."""
    if NODE is None or NPM is None:
        pytest.skip("node and npm are not on PATH: openid-client and oauth4webapi were not run")
    digest = hashlib.sha256((NODE_PACKAGE / "package-lock.json").read_bytes()).hexdigest()[:16]
    stamp = NODE_PACKAGE / "node_modules" / f".installed-{digest}"
    if stamp.exists():
        return
    installed = subprocess.run(
        [NPM, "ci", "--no-audit", "--no-fund"], cwd=NODE_PACKAGE, capture_output=True, text=True, timeout=300
    )
    if installed.returncode != 0:
        pytest.fail(f"npm ci failed in {NODE_PACKAGE}:\n{installed.stdout}\n{installed.stderr}")
    stamp.touch()


@pytest.mark.usefixtures("node_packages")
@pytest.mark.parametrize("script", NODE_TESTS, ids=[path.name.removesuffix(".test.mjs") for path in NODE_TESTS])
def test_node_relying_party(script: Path, sandbox: Sandbox) -> None:
    environment = os.environ | {"VNEID_BASE": sandbox.base, "VNEID_ADMIN_TOKEN": sandbox.admin_token}
    run = subprocess.run(
        [str(NODE), "--test", "--test-reporter=spec", script.name],
        cwd=NODE_PACKAGE,
        env=environment,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
    )
    assert run.returncode == 0, f"{script.name} failed:\n{run.stdout}\n{run.stderr}"
