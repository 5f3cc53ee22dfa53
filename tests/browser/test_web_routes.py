"""The web app's routes without a browser (these run everywhere, Chromium or not): sign-in via OIDC, the
session cookie's integrity, and that no HTML route leaks into the OpenAPI schema."""

from urllib.parse import parse_qs, urlparse

from fastapi.testclient import TestClient

from app.routers.web.session import APP_COOKIE


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
    page = client.post(f"/login/{transaction}/persona", data={"persona": persona})
    if "consent-approve" in page.text:
        page = client.post(f"/login/{transaction}/consent", data={"decision": "approve"})
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
    signed_out = client.post("/app/logout")
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
    form = {
        "street": "Số 18 ngõ 68 phố Xuân Thủy",
        "commune_code": "00166",
        "owner_personal_id": "001175000004",
        "proof_type": "lease_contract",
        "start_date": "2026-01-05",
        "end_date": "2026-06-01",
    }
    page = client.post("/app/residence", data=form)
    assert "mức 2" in page.text
    assert 'data-testid="form-error"' in page.text
