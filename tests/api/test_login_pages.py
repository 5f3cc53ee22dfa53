"""The browser flow: authorization request, password, one-time code, consent, SSO session, prompt and errors."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import IdentityAccount, InboxMessage
from app.services.oidc.grants import pkce_challenge
from tests.conftest import ISSUER, basic, form

BANK_CALLBACK = f"{ISSUER}/demo/bank/callback"
VERIFIER = "v" * 50
AN, DUNG, BINH = "001090000001", "001175000004", "079195000002"


def authorize_url(**overrides: str) -> str:
    params = {
        "client_id": "demo-bank",
        "redirect_uri": BANK_CALLBACK,
        "response_type": "code",
        "scope": "openid profile",
        "state": "s-1",
        "nonce": "n-1",
        "code_challenge": pkce_challenge(VERIFIER),
        "code_challenge_method": "S256",
        **overrides,
    }
    return "/oauth2/authorize?" + "&".join(f"{k}={v}" for k, v in params.items())


def go(client: TestClient, url: str, **fields: str) -> str:
    """Follow one step and return where the browser is sent (the Location header)."""
    if fields:
        response = client.post(url, data=form(client, **fields), follow_redirects=False)
    else:
        response = client.get(url, follow_redirects=False)
    assert response.status_code in (302, 303), response.text
    return response.headers["location"]


def callback_params(location: str) -> dict[str, str]:
    assert location.startswith(BANK_CALLBACK), location
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def sign_in(client: TestClient, personal_id: str = DUNG, password: str = "Sandbox@2026", **params: str) -> str:
    """Password and code through the pages; returns the next location (consent page or callback)."""
    login_page = go(client, authorize_url(**params))
    txn = re.fullmatch(r"/login/([\w-]+)", login_page).group(1)  # type: ignore[union-attr]
    otp_page = go(client, f"/login/{txn}/password", personal_id=personal_id, password=password)
    assert otp_page == f"/login/{txn}"
    return go(client, f"/login/{txn}/otp", code="123456")


def test_interactive_login_with_consent_ends_in_a_code_that_redeems(client: TestClient) -> None:
    consent_page = sign_in(client)
    page = client.get(consent_page).text
    assert 'data-testid="consent-approve"' in page
    assert "Mở tài khoản thanh toán" in page  # the client's purpose is shown
    params = callback_params(go(client, f"{consent_page}/consent", decision="approve"))
    assert params["state"] == "s-1"
    token = client.post(
        "/oauth2/token",
        headers=basic("demo-bank", "demo-bank-secret"),
        data={
            "grant_type": "authorization_code",
            "code": params["code"],
            "redirect_uri": BANK_CALLBACK,
            "code_verifier": VERIFIER,
        },
    )
    assert token.status_code == 200, token.text
    assert {"access_token", "id_token", "refresh_token"} <= token.json().keys()
    userinfo = client.get("/oauth2/userinfo", headers={"Authorization": f"Bearer {token.json()['access_token']}"})
    assert userinfo.json()["personal_id"] == DUNG


def test_consent_is_remembered_and_the_sso_session_skips_the_login(client: TestClient) -> None:
    go(client, f"{sign_in(client)}/consent", decision="approve")
    assert "code" in callback_params(go(client, authorize_url(state="s-2")))


def test_prompt_none_without_session_is_login_required(client: TestClient) -> None:
    params = callback_params(go(client, authorize_url(prompt="none")))
    assert params["error"] == "login_required"
    assert params["state"] == "s-1"


def test_prompt_none_without_consent_is_consent_required(client: TestClient) -> None:
    sign_in(client)  # signed in, consent page left unanswered
    assert callback_params(go(client, authorize_url(prompt="none")))["error"] == "consent_required"


def test_prompt_login_and_max_age_zero_force_a_new_sign_in(client: TestClient) -> None:
    go(client, f"{sign_in(client)}/consent", decision="approve")
    assert go(client, authorize_url(prompt="login")).startswith("/login/")
    assert go(client, authorize_url(max_age="0")).startswith("/login/")
    assert go(client, authorize_url(prompt="consent")).startswith("/login/")


def test_declining_consent_returns_access_denied(client: TestClient) -> None:
    params = callback_params(go(client, f"{sign_in(client)}/consent", decision="decline"))
    assert params["error"] == "access_denied"


def test_wrong_password_is_shown_and_five_lock_the_browser_out_not_the_account(client: TestClient, db: Session) -> None:
    txn = go(client, authorize_url()).rsplit("/", 1)[1]
    for attempt in range(5):
        location = go(client, f"/login/{txn}/password", personal_id=DUNG, password=f"wrong-{attempt}")
        assert location == f"/login/{txn}?error=invalid_credentials"
    assert "Sai số định danh cá nhân hoặc mật khẩu" in client.get(location).text
    account = db.get_one(IdentityAccount, DUNG)
    db.refresh(account)
    assert (account.status, account.lock_reason) == ("active", None)
    locked_out = client.post(f"/login/{txn}/password", data=form(client, personal_id=DUNG, password="Sandbox@2026"))
    assert locked_out.status_code == 429
    assert 1790 <= int(locked_out.headers["retry-after"]) <= 1800
    assert "30 phút" in locked_out.text


def test_wrong_one_time_code_is_refused_and_sms_is_in_the_inbox(client: TestClient, db: Session) -> None:
    txn = go(client, authorize_url()).rsplit("/", 1)[1]
    go(client, f"/login/{txn}/password", personal_id=DUNG, password="Sandbox@2026")
    assert go(client, f"/login/{txn}/otp", code="000000") == f"/login/{txn}?error=invalid_otp"
    sms = db.scalars(select(InboxMessage).where(InboxMessage.personal_id == DUNG)).one()
    assert "123456" in sms.body
    assert sms.recipient == "0913000004"


def test_persona_panel_signs_in_with_one_click(client: TestClient) -> None:
    login_page = go(client, authorize_url())
    page = client.get(login_page).text
    assert 'data-testid="persona-an"' in page
    assert go(client, f"{login_page}/persona", persona="an").startswith("/login/")  # consent next


def test_level_2_requirement_refuses_a_level_1_account(client: TestClient) -> None:
    consent_or_error = sign_in(client, personal_id=BINH, acr_values="urn:vneid:loa:2")
    params = callback_params(consent_or_error)
    assert params["error"] == "unmet_authentication_requirements"
    assert params["vneid_error"] == "insufficient_account_level"
    assert "level 2" in params["error_description"]


@pytest.mark.parametrize(
    ("persona", "vneid_error"),
    [("092093000007", "account_locked"), ("036050000008", "citizen_deceased"), ("046098000010", "no_account")],
)
def test_headless_login_of_unusable_personas_says_why(client: TestClient, persona: str, vneid_error: str) -> None:
    params = callback_params(go(client, authorize_url(login_hint=persona)))
    assert (params["error"], params["vneid_error"]) == ("access_denied", vneid_error)


def test_headless_login_hint_signs_a_persona_in_at_once(client: TestClient) -> None:
    params = callback_params(go(client, authorize_url(login_hint="an")))
    assert "code" in params


@pytest.mark.parametrize("overrides", [{"client_id": "nobody"}, {"redirect_uri": "https://evil.example/cb"}])
def test_untrusted_client_or_redirect_is_never_redirected(client: TestClient, overrides: dict[str, str]) -> None:
    response = client.get(authorize_url(**overrides))
    assert response.status_code == 400
    assert "text/html" in response.headers["content-type"]


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "openid citizen.family"}, "invalid_scope"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"prompt": "none login"}, "invalid_request"),
        ({"response_type": ""}, "invalid_request"),
        ({"claims": "not-json"}, "invalid_request"),
        ({"max_age": "soon"}, "invalid_request"),
    ],
)
def test_bad_authorization_requests_come_back_as_errors(
    client: TestClient, overrides: dict[str, str], error: str
) -> None:
    assert callback_params(go(client, authorize_url(**overrides)))["error"] == error


def test_public_client_must_use_pkce_and_may_use_any_loopback_port(client: TestClient) -> None:
    base = {"client_id": "demo-spa", "response_type": "code", "scope": "openid", "state": "x"}
    no_pkce = client.get(
        "/oauth2/authorize", params={**base, "redirect_uri": "http://127.0.0.1:51234/callback"}, follow_redirects=False
    )
    assert "error=invalid_request" in no_pkce.headers["location"]
    with_pkce = client.get(
        "/oauth2/authorize",
        params={
            **base,
            "redirect_uri": "http://127.0.0.1:51234/callback",
            "login_hint": "an",
            "code_challenge": pkce_challenge(VERIFIER),
            "code_challenge_method": "S256",
        },
        follow_redirects=False,
    )
    assert with_pkce.headers["location"].startswith("http://127.0.0.1:51234/callback?code=")
    other_path = client.get("/oauth2/authorize", params={**base, "redirect_uri": "http://127.0.0.1:51234/other"})
    assert other_path.status_code == 400


def test_pages_switch_to_english(client: TestClient) -> None:
    login_page = go(client, authorize_url())
    assert "Đăng nhập" in client.get(login_page).text
    english = client.get(f"{login_page}?lang=en")
    assert "Sign in with your electronic identity account" in english.text
    assert english.cookies.get("vneid_lang") == "en"


def test_expired_or_unknown_login_transaction_is_a_clear_page(client: TestClient) -> None:
    response = client.get("/login/no-such-transaction")
    assert response.status_code == 404
    assert "SANDBOX" in response.text or "THỬ NGHIỆM" in response.text
