"""Withdrawing consent ends the relying party's access at once (issue 10: M7)."""

from fastapi.testclient import TestClient

from tests.conftest import basic


def tokens(client: TestClient, admin_headers: dict[str, str], client_id: str, scope: str) -> dict[str, str]:
    minted = client.post(
        "/sandbox/tokens", headers=admin_headers, json={"persona": "an", "client_id": client_id, "scope": scope}
    )
    assert minted.status_code == 200, minted.text
    return minted.json()


def test_m7_revoking_consent_ends_refresh_userinfo_and_access_tokens(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    bank = tokens(client, admin_headers, "demo-bank", "openid profile")
    bank_bearer = {"Authorization": f"Bearer {bank['access_token']}"}
    assert client.get("/oauth2/userinfo", headers=bank_bearer).status_code == 200
    app = {"Authorization": f"Bearer {tokens(client, admin_headers, 'vneid-app', 'openid')['access_token']}"}
    consents = client.get("/v1/me/consents", headers=app).json()["items"]
    (consent,) = [c for c in consents if c["client_id"] == "demo-bank" and c["status"] == "active"]

    assert client.delete(f"/v1/me/consents/{consent['id']}", headers=app).status_code == 204

    assert client.get("/oauth2/userinfo", headers=bank_bearer).status_code == 401
    refreshed = client.post(
        "/oauth2/token",
        data={"grant_type": "refresh_token", "refresh_token": bank["refresh_token"]},
        headers=basic("demo-bank", "demo-bank-secret"),
    )
    assert refreshed.json()["error"] == "invalid_grant"
    assert client.get("/oauth2/userinfo", headers=app).status_code == 200  # the VNeID app itself is not affected
