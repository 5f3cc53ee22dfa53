"""Logout by GET without confirmation (issue 10 low): only the citizen, or a relying party holding an ID token of
the browser's own session, can end it; any other request only asks."""

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.api.test_login_pages import BANK_CALLBACK, VERIFIER, authorize_url, callback_params, go
from tests.conftest import ISSUER, basic, form

LOGOUT = "/oauth2/logout"


def signed_in_with_tokens(browser: TestClient, persona: str = "dung") -> dict[str, Any]:
    """A persona signed in through the pages (an SSO session in this browser) and the bank's tokens."""
    txn = go(browser, authorize_url()).rsplit("/", 1)[1]
    consent = go(browser, f"/login/{txn}/persona", persona=persona)
    code = callback_params(go(browser, f"{consent}/consent", decision="approve"))["code"]
    tokens = browser.post(
        "/oauth2/token",
        headers=basic("demo-bank", "demo-bank-secret"),
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": BANK_CALLBACK,
            "code_verifier": VERIFIER,
        },
    )
    assert tokens.status_code == 200, tokens.text
    return tokens.json()


def still_signed_in(browser: TestClient) -> bool:
    return "code" in callback_params(go(browser, authorize_url(prompt="none", state="check")))


def test_logout_by_get_without_a_hint_only_asks(client: TestClient) -> None:
    signed_in_with_tokens(client)
    page = client.get(LOGOUT, params={"post_logout_redirect_uri": BANK_CALLBACK, "client_id": "demo-bank"})
    assert page.status_code == 200
    assert 'data-testid="logout-form"' in page.text
    assert f'name="post_logout_redirect_uri" value="{BANK_CALLBACK}"' in page.text
    assert still_signed_in(client)
    confirmed = client.post(
        LOGOUT,
        data=form(client, post_logout_redirect_uri=BANK_CALLBACK, client_id="demo-bank", state="s"),
        follow_redirects=False,
    )
    assert confirmed.headers["location"] == f"{BANK_CALLBACK}?state=s"
    assert not still_signed_in(client)


def test_a_logout_post_without_the_token_does_not_sign_out(client: TestClient) -> None:
    signed_in_with_tokens(client)
    for headers in ({}, {"Origin": "https://evil.example"}):
        forged = client.post(LOGOUT, data={"client_id": "demo-bank", "state": "x"}, headers=headers)
        assert forged.status_code == 200
        assert 'data-testid="logout-form"' in forged.text
    assert still_signed_in(client)


def test_the_relying_party_with_the_sessions_id_token_logs_out_at_once(client: TestClient) -> None:
    tokens = signed_in_with_tokens(client)
    params = {"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": BANK_CALLBACK, "state": "x"}
    response = client.get(LOGOUT, params=params, follow_redirects=False)
    assert response.headers["location"] == f"{BANK_CALLBACK}?state=x"
    assert not still_signed_in(client)


def test_the_relying_party_may_post_its_logout_as_a_form(client: TestClient) -> None:
    tokens = signed_in_with_tokens(client)
    data = {"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": BANK_CALLBACK, "state": "y"}
    response = client.post(LOGOUT, data=data, headers={"Origin": "https://bank.example"}, follow_redirects=False)
    assert response.headers["location"] == f"{BANK_CALLBACK}?state=y"
    assert not still_signed_in(client)


def test_an_id_token_of_another_session_does_not_sign_this_browser_out(app: FastAPI, client: TestClient) -> None:
    with TestClient(app, base_url=ISSUER) as attacker:
        attackers_id_token = signed_in_with_tokens(attacker, "an")["id_token"]
    signed_in_with_tokens(client)
    response = client.get(LOGOUT, params={"id_token_hint": attackers_id_token})
    assert 'data-testid="logout-form"' in response.text
    assert still_signed_in(client)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_repeated_logout_parameter_is_refused_and_signs_nobody_out(client: TestClient, method: str) -> None:
    tokens = signed_in_with_tokens(client)
    sent = f"id_token_hint={tokens['id_token']}&post_logout_redirect_uri=https%3A%2F%2Fevil.example%2F"
    sent += f"&post_logout_redirect_uri={BANK_CALLBACK}"
    if method == "GET":
        response = client.get(f"{LOGOUT}?{sent}", follow_redirects=False)
    else:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        response = client.post(LOGOUT, content=sent, headers=headers, follow_redirects=False)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert "post_logout_redirect_uri" in response.json()["error_description"]
    assert still_signed_in(client)
