"""The lock after five wrong passwords (issue 10: M2 tokens outliving the lock, M3 a password oracle past it)."""

import re

from fastapi.testclient import TestClient

from tests.api.test_login_pages import authorize_url, go
from tests.conftest import basic

DUNG = "001175000004"
RIGHT, WRONG = "Sandbox@2026", "not-the-password"


def password_attempt(client: TestClient, password: str) -> str:
    """One password submitted on a fresh sign-in page; the error code shown, or '' when it was accepted."""
    txn = re.fullmatch(r"/login/([\w-]+)", go(client, authorize_url())).group(1)  # type: ignore[union-attr]
    location = go(client, f"/login/{txn}/password", personal_id=DUNG, password=password)
    return location.partition("?error=")[2]


def lock_by_wrong_passwords(client: TestClient) -> None:
    assert [password_attempt(client, WRONG) for _ in range(5)] == ["invalid_credentials"] * 5


def test_m3_a_locked_account_answers_the_same_to_the_right_and_a_wrong_password(client: TestClient) -> None:
    lock_by_wrong_passwords(client)
    assert password_attempt(client, RIGHT) == "account_locked"
    assert password_attempt(client, WRONG) == "account_locked"


def test_m2_the_lock_ends_the_accounts_tokens(client: TestClient, admin_headers: dict[str, str]) -> None:
    minted = client.post(
        "/sandbox/tokens",
        headers=admin_headers,
        json={"persona": "dung", "client_id": "demo-bank", "scope": "openid profile"},
    ).json()
    bearer = {"Authorization": f"Bearer {minted['access_token']}"}
    assert client.get("/oauth2/userinfo", headers=bearer).status_code == 200
    lock_by_wrong_passwords(client)
    assert client.get("/oauth2/userinfo", headers=bearer).status_code == 401
    refreshed = client.post(
        "/oauth2/token",
        data={"grant_type": "refresh_token", "refresh_token": minted["refresh_token"]},
        headers=basic("demo-bank", "demo-bank-secret"),
    )
    assert refreshed.json()["error"] == "invalid_grant"
