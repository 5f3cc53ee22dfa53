"""The request journal in the sandbox panel: refusals appear live (htmx polling), explained, filtered by client."""

from collections.abc import Callable

import httpx
from playwright.sync_api import expect

from tests.browser.conftest import ADMIN_TOKEN, NO_CHROMIUM, Watched

pytestmark = NO_CHROMIUM


def test_panel_shows_refusals_live_with_their_explanation_and_filters_by_client(
    live: str, open_page: Callable[..., Watched]
) -> None:
    admin = open_page().page
    admin.goto(f"{live}/app/sandbox")
    admin.get_by_test_id("admin-token-input").fill(ADMIN_TOKEN)
    admin.get_by_test_id("panel-sign-in").click()
    expect(admin.get_by_test_id("panel-journal")).to_be_visible()

    with httpx.Client(base_url=live, timeout=10) as http:
        refused = http.post("/oauth2/token", auth=("demo-bank", "wrong"), data={"grant_type": "client_credentials"})
        assert refused.status_code == 401
        answered = http.post(
            "/oauth2/token", auth=("demo-agency", "demo-agency-secret"), data={"grant_type": "client_credentials"}
        )
        assert answered.status_code == 200

    # No reload: the table polls every 2 s, and the background loop writes the entries within half a second.
    bank_row = admin.get_by_test_id("journal-entry").filter(has_text="invalid_client")
    expect(bank_row.first).to_be_visible(timeout=10_000)
    expect(bank_row.first.get_by_test_id("journal-explanation")).to_contain_text("wrong client secret")
    expect(bank_row.first.get_by_test_id("journal-explanation")).to_contain_text("RFC 6749 §2.3")
    expect(admin.get_by_test_id("journal-client").filter(has_text="demo-agency").first).to_be_visible()

    admin.reload()  # the filter lists the clients seen so far
    admin.get_by_test_id("journal-filter").select_option("demo-agency")
    expect(admin.get_by_test_id("journal-client").filter(has_text="demo-bank")).to_have_count(0)
    expect(admin.get_by_test_id("journal-client").first).to_have_text("demo-agency")
