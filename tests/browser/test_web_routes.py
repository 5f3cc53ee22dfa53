"""The web app's routes without a browser (these run everywhere, Chromium or not): sign-in via OIDC, the
session cookie's integrity, and that no HTML route leaks into the OpenAPI schema."""

import time
from urllib.parse import parse_qs, urlparse

from fastapi.testclient import TestClient

from app.services import webhooks
from app.web.session import APP_COOKIE
from tests.conftest import ADMIN_TOKEN, form


def sign_in(client: TestClient, persona: str) -> None:
    start = client.get("/app", follow_redirects=False)
    assert start.status_code == 303
    assert start.headers["location"].startswith("/app/login")
    authorize = client.get(start.headers["location"], follow_redirects=False)
    query = parse_qs(urlparse(authorize.headers["location"]).query)
    assert query["client_id"] == ["vneid-app"]
    assert query["code_challenge_method"] == ["S256"]
    login = client.get(authorize.headers["location"], follow_redirects=False).headers["location"]
    transaction = login.split("/login/")[1].split("?")[0]
    page = client.post(f"/login/{transaction}/persona", data=form(client, persona=persona))
    if "consent-approve" in page.text:
        page = client.post(f"/login/{transaction}/consent", data=form(client, decision="approve"))
    assert page.status_code == 200
    assert 'data-testid="id-card"' in page.text


def test_html_routes_stay_out_of_the_openapi_schema(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith(("/app", "/demo"))]


def test_sign_in_then_home_then_logout(client: TestClient) -> None:
    sign_in(client, "an")
    home = client.get("/app")
    assert "001090000001" in home.text
    assert "<svg" in home.text  # the QR code, inline
    assert "SANDBOX" in client.get("/app?lang=en").text
    signed_out = client.post("/app/logout", data=form(client))
    assert 'data-testid="signed-out"' in signed_out.text
    assert client.get("/app", follow_redirects=False).status_code == 303


def test_a_tampered_session_cookie_is_refused(client: TestClient) -> None:
    sign_in(client, "an")
    value = client.cookies[APP_COOKIE]
    client.cookies.set(APP_COOKIE, value[:-1] + ("0" if value[-1] != "0" else "1"))
    assert client.get("/app", follow_redirects=False).status_code == 303


def test_a_callback_without_the_pkce_cookie_is_refused(client: TestClient) -> None:
    response = client.get("/app/callback", params={"code": "x", "state": "y"})
    assert response.status_code == 400
    assert 'data-testid="app-error"' in response.text


def test_level1_filing_shows_the_services_refusal(client: TestClient) -> None:
    sign_in(client, "binh")
    fields = {
        "street": "Số 18 ngõ 68 phố Xuân Thủy",
        "commune_code": "00166",
        "owner_personal_id": "001175000004",
        "proof_type": "lease_contract",
        "start_date": "2026-01-05",
        "end_date": "2026-06-01",
    }
    page = client.post("/app/residence", data=form(client, **fields))
    assert "mức 2" in page.text
    assert 'data-testid="form-error"' in page.text


def test_home_offers_one_click_sign_in_with_a_login_hint(client: TestClient) -> None:
    home = client.get("/")
    assert 'href="/app/login?login_hint=001090000001"' in home.text
    start = client.get("/app/login?login_hint=001090000001", follow_redirects=False)
    assert parse_qs(urlparse(start.headers["location"]).query)["login_hint"] == ["001090000001"]


def test_sandbox_panel_needs_the_admin_token(client: TestClient) -> None:
    assert 'data-testid="panel-login"' in client.get("/app/sandbox").text
    assert 'data-testid="panel-error"' in client.post("/app/sandbox/login", data=form(client, admin_token="wrong")).text
    assert 'data-testid="panel-login"' in client.post("/app/sandbox/clock/advance", data=form(client, days="1")).text
    panel = client.post("/app/sandbox/login", data=form(client, admin_token=ADMIN_TOKEN))
    assert 'data-testid="panel-clock"' in panel.text
    assert 'data-testid="clock-offset">0<' in panel.text
    moved = client.post("/app/sandbox/clock/advance", data=form(client, days="2", hours="3"))
    assert f'data-testid="clock-offset">{(2 * 24 + 3) * 3600}<' in moved.text
    assert 'data-testid="clock-offset">0<' in client.post("/app/sandbox/clock/reset", data=form(client)).text
    kids = client.get("/.well-known/jwks.json").json()["keys"]
    rotated = client.post("/app/sandbox/keys/rotate", data=form(client)).text
    assert rotated.count('data-testid="key-row"') > len(kids) - 1
    assert 'data-testid="key-status-retired"' in rotated


def test_the_receiver_keeps_deliveries_and_the_panel_verifies_them(client: TestClient) -> None:
    body = b'{"id":"e1","type":"consent.revoked","data":{},"sandbox":true}'
    signed = webhooks.signature("s3cret", int(time.time()), body)
    headers = {"VNeID-Signature": signed, "VNeID-Event-Type": "consent.revoked", "Content-Type": "application/json"}
    assert client.post("/sandbox/receiver/route-test", content=body, headers=headers).status_code == 204
    assert client.post("/sandbox/receiver/route-test", content=b"x" * (64 * 1024 + 1)).status_code == 413
    assert client.post("/sandbox/receiver/bad name!", content=body).status_code in (404, 422)
    client.get("/app/sandbox")
    client.post("/app/sandbox/login", data=form(client, admin_token=ADMIN_TOKEN))
    good = client.post("/app/sandbox/receiver", data=form(client, name="route-test", secret="s3cret")).text
    assert 'data-testid="signature-ok"' in good
    bad = client.post("/app/sandbox/receiver", data=form(client, name="route-test", secret="other")).text
    assert 'data-testid="signature-bad"' in bad
    assert "/sandbox/receiver/route-test" in bad
    paths = client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith("/sandbox/receiver")]


def test_accommodation_notice_filed_then_listed_and_notified(client: TestClient) -> None:
    sign_in(client, "dung")
    assert 'data-testid="notice-form"' in client.get("/app/accommodation/new").text
    fields = {
        "guest_personal_id": "040203000003",
        "street": "Số 5 phố Huế",
        "commune_code": "00166",
        "arrival_at": "2026-03-01T20:00",
        "departure_on": "2026-03-04",
        "reason": "thăm người thân",
    }
    page = client.post("/app/accommodation", data=form(client, **fields))
    assert 'data-testid="application-status"' in page.text
    code = page.text.split('data-testid="application-code">')[1].split("<")[0]
    assert f'data-testid="notice-{code}"' in client.get("/app/owner-requests").text
    assert f'data-testid="notification-{code}"' in client.get("/app").text
    refused = client.post("/app/accommodation", data=form(client, **{**fields, "commune_code": "99999"}))
    assert 'data-testid="form-error"' in refused.text


def test_sandbox_panel_reset_restores_the_seed(client: TestClient) -> None:
    client.get("/app/sandbox")
    client.post("/app/sandbox/login", data=form(client, admin_token=ADMIN_TOKEN))
    client.post("/app/sandbox/clock/advance", data=form(client, days="5"))
    page = client.post("/app/sandbox/reset", data=form(client))
    assert 'data-testid="panel-notice"' in page.text
    assert 'data-testid="clock-offset">0<' in page.text
    assert 'data-testid="panel-clock"' in client.get("/app/sandbox").text  # the admin session survives a reset


def test_page_errors_are_pages_in_the_visitors_language(client: TestClient) -> None:
    sign_in(client, "an")
    missing = client.get("/app/applications/DKTT-2026-999999?lang=en")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert 'data-testid="app-error"' in missing.text
    assert "Cannot continue" in missing.text  # ?lang=en, kept in a cookie for the next page too
    assert 'data-testid="logout-button"' in missing.text
    invalid = client.post("/app/owner-requests/DKTT-2026-999999", data=form(client, decision="maybe"))
    assert invalid.status_code == 422
    assert "decision:" in invalid.text
    assert "Cannot continue" in invalid.text


def test_sign_in_page_errors_are_pages_and_api_errors_stay_problems(client: TestClient) -> None:
    client.get("/")
    gone = client.post("/login/no-such-transaction/password", data=form(client, personal_id="1", password="x"))
    assert gone.status_code == 404
    assert 'data-testid="message"' in gone.text
    api = client.get("/v1/applications/DKTT-2026-999999")
    assert api.headers["content-type"] == "application/problem+json"
    receiver = client.post("/sandbox/receiver/bad name!", content=b"{}")
    assert receiver.status_code == 422
    assert receiver.json()["code"] == "validation_error"


def test_panel_forms_that_do_not_fit_their_model_are_error_pages_naming_the_field(client: TestClient) -> None:
    client.get("/app/sandbox?lang=en")
    client.post("/app/sandbox/login", data=form(client, admin_token=ADMIN_TOKEN))
    backwards = client.post("/app/sandbox/clock/advance", data=form(client, days="-1"))
    assert backwards.status_code == 422
    assert backwards.headers["content-type"].startswith("text/html")
    assert "days:" in backwards.text
    assert "Cannot continue" in backwards.text
    assert 'data-testid="clock-offset">0<' in client.get("/app/sandbox").text  # nothing moved
    bad_name = client.post("/app/sandbox/receiver", data=form(client, name="bad name!", secret="s"))
    assert bad_name.status_code == 422
    assert "name:" in bad_name.text
    long_token = client.post("/app/sandbox/login", data=form(client, admin_token="x" * 201))
    assert long_token.status_code == 422
    assert "admin_token:" in long_token.text


def test_citizen_forms_that_do_not_fit_their_model_are_error_pages(client: TestClient) -> None:
    sign_in(client, "an")
    payment = client.post("/app/payments/no-such-payment", data=form(client, outcome="steal"))
    assert payment.status_code == 422
    assert "outcome:" in payment.text
    withdrawal = client.post("/app/applications/DKTT-2026-999999/withdraw", data=form(client, reason="x" * 1001))
    assert withdrawal.status_code == 422
    assert "reason:" in withdrawal.text
    unknown = client.post("/app/applications/DKTT-2026-999999/withdraw", data=form(client, reason="moved"))
    assert unknown.status_code == 404  # a form that fits reaches the service, which refuses an unknown code


def test_a_refused_form_says_what_is_wrong_in_the_visitors_language(client: TestClient) -> None:
    sign_in(client, "an")
    fields = {"form": "1", "purpose": "job", "copies": "1", "fee_category": "student", "issuing_province_code": "01"}

    def refusal(response_text: str) -> str:
        start = response_text.index('data-testid="form-error">') + len('data-testid="form-error">')
        return response_text[start : response_text.index("</p>", start)]

    rule = client.post("/app/criminal-record", data=form(client, step="quote", **fields))
    assert refusal(rule.text) == "Đối tượng miễn, giảm phí cần ghi giấy tờ chứng minh (số, ngày cấp)."
    field = client.post("/app/criminal-record?lang=en", data=form(client, step="quote", **{**fields, "copies": "x"}))
    assert refusal(field.text) == "Copies: is not valid"
