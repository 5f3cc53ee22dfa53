"""One rule per family of routes decides which clients' citizen tokens reach it (issue 10: H2)."""

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.api.procedure_helpers import persona_headers
from tests.api.test_temporary_residence import file

# The procedure and payment family: every route under these paths takes a citizen token of the VNeID app only.
PROCEDURE_PATHS = re.compile(r"^/v1/(applications|payments|me/owner-requests)")
PATH_VALUES = {"code": "DKTT-2026-000001", "payment_id": "0" * 32}


def procedure_routes(app: FastAPI) -> list[tuple[str, str]]:
    return sorted(
        (method.upper(), path.format(**PATH_VALUES))
        for path, operations in app.openapi()["paths"].items()
        if PROCEDURE_PATHS.match(path)
        for method in operations
    )


@pytest.mark.parametrize("client_id", ["demo-bank", "demo-spa", "demo-agency", "demo-pkjwt"])
def test_h2_third_party_citizen_token_cannot_reach_procedures(app: FastAPI, client: TestClient, client_id: str) -> None:
    """A relying party's login token identifies the citizen; it does not file, pay or consent in their name."""
    headers = persona_headers(client, "an", client_id)
    routes = procedure_routes(app)
    assert len(routes) >= 12
    for method, path in routes:
        response = client.request(method, path, headers=headers, json={})
        assert (response.status_code, response.json()["code"]) == (403, "first_party_client_required"), path
        assert response.json()["family"] == "procedures"


def test_h2_bank_token_cannot_approve_a_tenant_as_landlord(client: TestClient) -> None:
    code = file(client, persona_headers(client, "cuong"))["code"]
    bank_landlord = persona_headers(client, "dung", "demo-bank")
    refused = client.post(f"/v1/applications/{code}/owner-consent", headers=bank_landlord, json={"decision": "approve"})
    assert refused.status_code == 403
    landlord = persona_headers(client, "dung")
    assert client.get(f"/v1/applications/{code}", headers=landlord).json()["status"] == "awaiting_owner"
    approved = client.post(f"/v1/applications/{code}/owner-consent", headers=landlord, json={"decision": "approve"})
    assert approved.json()["status"] == "awaiting_payment"


def test_h2_client_credentials_token_is_not_a_citizen(app: FastAPI, client: TestClient, bank_headers: dict) -> None:
    for method, path in procedure_routes(app):
        response = client.request(method, path, headers=bank_headers, json={})
        assert (response.status_code, response.json()["code"]) == (403, "citizen_token_required"), path


def test_h2_userinfo_answers_every_client_of_the_login(client: TestClient) -> None:
    for client_id in ("demo-bank", "vneid-app"):
        assert client.get("/oauth2/userinfo", headers=persona_headers(client, "an", client_id)).status_code == 200


def test_m10_police_powers_stop_at_the_officers_commune(client: TestClient) -> None:
    police = persona_headers(client, "police")  # commune police of Phường Cầu Giấy (00166)
    an, binh, giang = "001090000001", "079195000002", "092093000007"
    for action, personal_id, body in [
        ("lock", an, {"reason": "authority_request"}),
        ("upgrade", binh, {}),
        ("unlock", giang, {}),
    ]:
        response = client.post(f"/v1/officer/accounts/{personal_id}/{action}", headers=police, json=body)
        assert (response.status_code, response.json()["code"]) == (403, "outside_jurisdiction"), action
    assert client.get("/v1/me", headers=persona_headers(client, "an")).status_code == 200  # not locked

    for resident in ("001175000004", "040203000003"):  # dung lives in Cầu Giấy; cuong, from Nghệ An, lives there now
        locked = client.post(
            f"/v1/officer/accounts/{resident}/lock", headers=police, json={"reason": "breach_of_terms"}
        )
        assert locked.json()["status"] == "locked"
