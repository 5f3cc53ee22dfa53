"""Ethnicity, religion and blood type are sensitive personal data (Nghị định 356/2025/NĐ-CP): released only under the
`citizen.sensitive` scope, with a consent of their own, in ID tokens, userinfo and the population API."""

import json
from typing import Any
from urllib.parse import quote

import jwt
from fastapi.testclient import TestClient

from tests.api.test_login_pages import authorize_url, callback_params, go, sign_in
from tests.conftest import client_token
from tests.security.test_strict_relying_parties import redeem

AN, DUNG = "001090000001", "001175000004"
SENSITIVE = ["ethnicity", "religion", "blood_type"]
# The ID token carries the claims the `claims` parameter names (userinfo those of the scopes): ask for them there.
ASK_ID_TOKEN = quote(json.dumps({"id_token": dict.fromkeys([*SENSITIVE, "personal_id"])}))


def _released(client: TestClient, tokens: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ID token's claims and userinfo's."""
    id_token = jwt.decode(tokens["id_token"], options={"verify_signature": False})
    userinfo = client.get("/oauth2/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert userinfo.status_code == 200, userinfo.text
    return id_token, userinfo.json()


def test_granted_sensitive_scope_releases_ethnicity_religion_and_blood_type(client: TestClient) -> None:
    tokens = redeem(
        client, go(client, authorize_url(login_hint="an", scope="openid%20citizen.sensitive", claims=ASK_ID_TOKEN))
    )
    for claims in _released(client, tokens):
        assert claims["ethnicity"] == {"code": "01", "name": "Kinh"}
        assert set(claims["religion"]) == {"code", "name"}
        assert "blood_type" in claims


def test_without_the_sensitive_scope_no_sensitive_claim_is_released(client: TestClient) -> None:
    tokens = redeem(
        client,
        go(client, authorize_url(login_hint="an", scope="openid%20profile%20citizen.identity", claims=ASK_ID_TOKEN)),
    )
    for claims in _released(client, tokens):
        assert not set(SENSITIVE) & set(claims)
        assert claims.get("personal_id") == AN


def test_abuse_the_claims_parameter_cannot_ask_for_ethnicity_without_the_scope(client: TestClient) -> None:
    wanted = {name: {"essential": True} for name in SENSITIVE}
    claims = quote(json.dumps({"id_token": wanted, "userinfo": wanted}))
    tokens = redeem(client, go(client, authorize_url(login_hint="an", scope="openid%20profile", claims=claims)))
    for released in _released(client, tokens):
        assert not set(SENSITIVE) & set(released)


def test_consent_screen_asks_for_sensitive_data_on_a_line_of_its_own(client: TestClient) -> None:
    consent_page = sign_in(client, scope="openid%20profile%20citizen.sensitive", claims=ASK_ID_TOKEN)
    page = client.get(consent_page).text
    requested, sensitive = page.split('data-testid="sensitive-consent"')
    assert 'data-testid="scope-citizen.sensitive"' not in requested  # not among the ordinary scopes
    assert 'data-testid="scope-citizen.sensitive"' in sensitive
    assert "Nghị định 356/2025/NĐ-CP" in sensitive
    assert 'name="sensitive"' in sensitive
    assert "checked" not in sensitive  # never ticked by default


def test_approving_without_ticking_the_sensitive_box_shares_everything_else(client: TestClient) -> None:
    consent_page = sign_in(client, scope="openid%20profile%20citizen.sensitive", claims=ASK_ID_TOKEN)
    tokens = redeem(client, go(client, f"{consent_page}/consent", decision="approve"))
    assert "citizen.sensitive" not in tokens["scope"].split()
    for claims in _released(client, tokens):
        assert claims["personal_id"] == DUNG
        assert not set(SENSITIVE) & set(claims)
    # Asking again shows the consent screen again: the sensitive data were never consented to.
    assert go(client, authorize_url(scope="openid%20profile%20citizen.sensitive", state="s-2")).startswith("/login/")


def test_ticking_the_sensitive_box_shares_them(client: TestClient) -> None:
    consent_page = sign_in(client, scope="openid%20profile%20citizen.sensitive", claims=ASK_ID_TOKEN)
    tokens = redeem(client, go(client, f"{consent_page}/consent", decision="approve", sensitive="granted"))
    assert "citizen.sensitive" in tokens["scope"].split()
    for claims in _released(client, tokens):
        assert set(SENSITIVE) <= set(claims)


def test_approving_only_sensitive_data_without_ticking_is_a_refusal(client: TestClient) -> None:
    consent_page = sign_in(client, scope="citizen.sensitive")
    params = callback_params(go(client, f"{consent_page}/consent", decision="approve"))
    assert params["error"] == "access_denied"


def _consent(client: TestClient, admin_headers: dict[str, str], scopes: list[str]) -> None:
    body = {"personal_id": AN, "client_id": "demo-bank", "purpose": "Mở tài khoản thanh toán", "scopes": scopes}
    assert client.post("/sandbox/consents", headers=admin_headers, json=body).status_code == 201


def test_population_api_withholds_sensitive_fields_without_the_citizens_consent(
    client: TestClient, bank_headers: dict[str, str], admin_headers: dict[str, str]
) -> None:
    _consent(client, admin_headers, ["citizen.identity"])
    record = client.get(f"/v1/citizens/{AN}", headers=bank_headers).json()
    assert record["full_name"] == "Nguyễn Văn An"
    assert not set(SENSITIVE) & set(record)
    assert record["access"]["fields_withheld"] == SENSITIVE
    assert "consent" in record["access"]["withheld_reason"]
    assert "Nghị định 356/2025/NĐ-CP" in record["access"]["withheld_reason"]
    assert not set(SENSITIVE) & set(record["access"]["fields_returned"])  # neither paid for nor logged
    asked = client.get(f"/v1/citizens/{AN}", params={"fields": "full_name,ethnicity"}, headers=bank_headers)
    assert (asked.status_code, asked.json()["code"]) == (403, "insufficient_scope")
    assert asked.json()["required_scopes"] == ["citizen.sensitive"]


def test_population_api_releases_sensitive_fields_with_the_citizens_consent(
    client: TestClient, bank_headers: dict[str, str], admin_headers: dict[str, str]
) -> None:
    _consent(client, admin_headers, ["citizen.identity", "citizen.sensitive"])
    record = client.get(f"/v1/citizens/{AN}", headers=bank_headers).json()
    assert record["ethnicity"] == {"code": "01", "name": "Kinh"}
    assert {"religion", "blood_type"} <= set(record)
    assert record["access"]["fields_withheld"] == []
    assert record["access"]["withheld_reason"] is None


def test_agency_reads_sensitive_fields_only_with_the_scope(client: TestClient, agency_headers: dict[str, str]) -> None:
    """State agencies read for their legal duties with a stated purpose (no consent, Luật 91/2025/QH15), but the
    token must still carry `citizen.sensitive`."""
    assert client.get(f"/v1/citizens/{AN}", headers=agency_headers).json()["ethnicity"]["code"] == "01"
    token = client_token(client, "demo-agency", "demo-agency-secret", scope="citizen.identity")
    narrow = {"Authorization": f"Bearer {token}", "X-Purpose": "identity check"}
    record = client.get(f"/v1/citizens/{AN}", headers=narrow).json()
    assert not set(SENSITIVE) & set(record)
    assert record["access"]["fields_withheld"] == SENSITIVE
    assert "lacks the citizen.sensitive scope" in record["access"]["withheld_reason"]


def test_discovery_advertises_the_sensitive_scope_and_its_claims(client: TestClient) -> None:
    metadata = client.get("/.well-known/openid-configuration").json()
    assert "citizen.sensitive" in metadata["scopes_supported"]
    assert set(SENSITIVE) <= set(metadata["claims_supported"])
