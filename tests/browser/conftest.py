"""Browser tests: a live sandbox and headless Chromium (Debian's /usr/bin/chromium; never `playwright install`)."""

from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright import sync_api as playwright_sync

from tests.databases import fresh_database
from tests.e2e.live_server import free_port, serve

CHROMIUM = Path("/usr/bin/chromium")
ADMIN_TOKEN = "browser-admin-token"
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

NO_CHROMIUM = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="browser tests need /usr/bin/chromium (apt-get install chromium; .ci/run does it)"
)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser-live")
    port = free_port()
    with (
        fresh_database(folder) as url,
        serve(
            url,
            port,
            folder / "server.log",
            {"VNEID_ISSUER": f"http://127.0.0.1:{port}", "VNEID_ADMIN_TOKEN": ADMIN_TOKEN},
        ) as base,
    ):
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator["playwright_sync.Browser"]:
    with playwright_sync.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page with its console errors and any request leaving 127.0.0.1 recorded."""

    def __init__(self, page: "playwright_sync.Page") -> None:
        self.page = page
        self.console_errors: list[str] = []
        self.foreign_requests: list[str] = []
        page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        page.on(
            "request",
            lambda r: None if urlparse(r.url).hostname in ("127.0.0.1", None) else self.foreign_requests.append(r.url),
        )


@pytest.fixture
def open_page(browser: "playwright_sync.Browser", request: pytest.FixtureRequest) -> Iterator[Callable[..., Watched]]:
    """A factory of pages, each in its own browser context (its own cookies: one persona each)."""
    opened: list[tuple[object, Watched]] = []

    def factory(viewport: dict[str, int] | None = None) -> Watched:
        context = browser.new_context(viewport=viewport or {"width": 1100, "height": 900}, locale="vi-VN")
        watched = Watched(context.new_page())
        opened.append((context, watched))
        return watched

    yield factory
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for index, (context, watched) in enumerate(opened):
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            watched.page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{index}.png"), full_page=True)
        context.close()  # type: ignore[attr-defined]
    if not failed:
        for _, watched in opened:
            assert watched.console_errors == [], watched.console_errors
            assert watched.foreign_requests == [], watched.foreign_requests
