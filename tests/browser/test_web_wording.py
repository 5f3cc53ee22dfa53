"""The citizen's pages speak as Vietnamese officials write (issue 11, item 7), without a browser: "Ví giấy tờ",
"Rút lại sự đồng ý", consents by what they share, amounts as 200.000 ₫, Việt Nam time day first."""

import re

from fastapi.testclient import TestClient

from tests.browser.test_web_routes import sign_in
from tests.conftest import ADMIN_TOKEN, form

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def test_home_names_the_wallet_and_lists_consents_by_what_they_share(client: TestClient) -> None:
    consent = {
        "personal_id": "001090000001",
        "client_id": "demo-bank",
        "purpose": "Mở tài khoản",
        "scopes": ["citizen.identity"],
    }
    assert client.post("/sandbox/consents", headers=ADMIN, json=consent).status_code == 201
    sign_in(client, "an")
    home = client.get("/app").text
    assert "Ví giấy tờ" in home
    assert "Kho giấy tờ" not in home
    assert "Rút lại sự đồng ý" in home
    assert "Thông tin nhân thân" in home  # citizen.identity, by what it shares
    assert "citizen.identity" not in home
    assert 'data-testid="consent-vneid-app"' not in home  # the app itself is no consent to withdraw
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", home)  # the consent's time, day first


def test_a_criminal_record_fee_is_a_phi_written_with_dots(client: TestClient) -> None:
    sign_in(client, "an")
    page = client.post(
        "/app/criminal-record",
        data=form(
            client,
            step="quote",
            form="1",
            purpose="job",
            copies="1",
            fee_category="standard",
            issuing_province_code="01",
        ),
    )
    assert page.status_code == 200, page.text
    total = re.search(r'data-testid="fee-total">([^<]+)<', page.text)
    assert total is not None
    assert re.fullmatch(r"\d{1,3}(\.\d{3})* ₫|0 ₫", total.group(1))
    assert "Tổng phí" in page.text
    assert "lệ phí" not in page.text.lower()
