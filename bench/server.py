"""Start, wait for and stop the servers a benchmark measures; the one place that does it for every script.

The sandbox is a black box run by its own CLI: `vneid-sandbox seed` into a database (a SQLite file in a temporary
directory unless a URL is given), then `vneid-sandbox serve --workers N` on a free loopback port per instance, all
instances sharing that database and one public URL (as behind a load balancer). Each server runs in a process
group of its own, so stopping it stops its workers too. `running()` does the same for any other server (mockpass).
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.common import ROOT, free_port

HOOK = Path(__file__).resolve().parent / "hook"  # sitecustomize adding the bare routes (bench/bare_app.py)
SEED = 6
ADMIN_TOKEN = "bench-admin-token"
SEED_TIMEOUT = 1800  # seconds; a million citizens take about a minute into SQLite on an idle 2-core machine
START_TIMEOUT = 120
STOP_TIMEOUT = 15


@dataclass(frozen=True)
class Server:
    url: str  # http://127.0.0.1:PORT
    pid: int  # also the id of its process group
    log: Path


@dataclass(frozen=True)
class Deployment:
    """One seeded database and the sandbox instances serving it."""

    database_url: str
    issuer: str  # the public URL every instance is configured with
    population: int
    workers: int | None  # per instance, as the CLI reported it (None: it did not say)
    seeded: str  # what `vneid-sandbox seed` said
    servers: list[Server]

    @property
    def process_groups(self) -> list[int]:
        return [server.pid for server in self.servers]


def cli() -> str:
    """The `vneid-sandbox` command of this virtual environment."""
    beside = Path(sys.executable).parent / "vneid-sandbox"
    found = str(beside) if beside.exists() else shutil.which("vneid-sandbox")
    if not found:
        raise RuntimeError("vneid-sandbox is not installed: run `make bench` (or `make test`) to create .venv")
    return found


def environment(database_url: str, population: int, *, port: int | None = None, issuer: str | None = None) -> dict:
    """The process environment of the sandbox's CLI: VNEID_* settings of ours, nothing inherited but the log level."""
    inherited = {name: value for name, value in os.environ.items() if not name.startswith("VNEID_")}
    settings = {
        "VNEID_DATABASE_URL": database_url,
        "VNEID_POPULATION": str(population),
        "VNEID_SEED": str(SEED),
        "VNEID_ADMIN_TOKEN": ADMIN_TOKEN,
        "VNEID_HOST": "127.0.0.1",
        "VNEID_ACCESS_TOKEN_TTL_SECONDS": "3600",  # a look-up token outlives the whole run
        "VNEID_LOG_LEVEL": os.environ.get("VNEID_LOG_LEVEL", "INFO"),  # the shipped default unless told otherwise
    }
    if port is not None:
        settings["VNEID_PORT"] = str(port)
    if issuer is not None:
        settings["VNEID_ISSUER"] = issuer
    return {**inherited, **settings}


def seed(database_url: str, population: int) -> str:
    """`vneid-sandbox seed`: migrate and seed a new database (a seeded one is left as it is). Progress on stderr."""
    done = subprocess.run(
        [cli(), "seed"],
        env=environment(database_url, population),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        timeout=SEED_TIMEOUT,
    )
    if done.returncode:
        raise RuntimeError(f"vneid-sandbox seed exited with {done.returncode}: {done.stdout}")
    return done.stdout.strip()


def wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {process.returncode}:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer 200 within {timeout} s:\n{_tail(log)}")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process group (server and workers), SIGKILL after STOP_TIMEOUT seconds."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=STOP_TIMEOUT)
            break
        except subprocess.TimeoutExpired:
            continue
    try:  # workers that outlived their parent
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@contextmanager
def running(command: list[str], *, env: dict, health_url: str, log: Path, cwd: Path = ROOT) -> Iterator[Server]:
    """Start `command` in a process group of its own, wait until `health_url` answers 200, stop it afterwards."""
    with log.open("ab") as output:
        process = subprocess.Popen(
            command, env=env, cwd=cwd, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        wait_until_up(health_url, process, log)
        base = health_url.split("/", 3)
        yield Server(url=f"{base[0]}//{base[2]}", pid=process.pid, log=log)
    finally:
        stop(process)


@contextmanager
def sandbox(
    population: int, *, workers: int | None = None, instances: int = 1, database_url: str | None = None
) -> Iterator[Deployment]:
    """A seeded database and `instances` × `vneid-sandbox serve [--workers N]` on it, with the bare routes.

    Without `workers`, the CLI's own default (one worker per core since the concurrency rewrite).

    Without `database_url`, a SQLite file in a temporary directory; a given database is seeded if new and left as
    it is afterwards (its owner drops it). Server logs go to the temporary directory and are shown on failure.
    """
    with tempfile.TemporaryDirectory(prefix="vneid-bench-") as directory, ExitStack() as stack:
        url = database_url or f"sqlite:///{Path(directory) / 'sandbox.db'}"
        seeded = seed(url, population)
        ports = [free_port() for _ in range(instances)]
        issuer = f"http://127.0.0.1:{ports[0]}"
        servers = []
        for index, port in enumerate(ports):  # one after the other: the first start migrates, the next find it done
            env = environment(url, population, port=port, issuer=issuer)
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HOOK), str(ROOT), env.get("PYTHONPATH")]))
            command = [cli(), "serve", "--host", "127.0.0.1", "--port", str(port)]
            command += [] if workers is None else ["--workers", str(workers)]
            log = Path(directory) / f"server-{index}.log"
            servers.append(stack.enter_context(running(command, env=env, health_url=f"{_url(port)}/healthz", log=log)))
        yield Deployment(url, issuer, population, _workers_reported(servers[0].log) or workers, seeded, servers)


def _workers_reported(log: Path) -> int | None:
    """The worker count in `serve`'s start-up banner ("Workers: N"), if it prints one."""
    found = re.search(r"^\s*Workers:\s*(\d+)\s*$", log.read_text(errors="replace"), re.MULTILINE)
    return int(found.group(1)) if found else None


def _url(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def _tail(log: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
