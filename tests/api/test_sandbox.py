"""Sandbox controls: admin token, personas, reset, consents; health and docs."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import __version__
from app.models import AuditEvent, Citizen, Consent
from tests.conftest import TEST_POPULATION

AN = "001090000001"


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token"])
def test_sandbox_needs_the_admin_token(client: TestClient, authorization: str | None) -> None:
    response = client.get("/sandbox/personas", headers={"Authorization": authorization} if authorization else {})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_admin_token"


def test_personas_are_listed_with_their_accounts(client: TestClient, admin_headers: dict[str, str]) -> None:
    personas = {p["key"]: p for p in client.get("/sandbox/personas", headers=admin_headers).json()}
    assert len(personas) == 12
    assert (personas["an"]["personal_id"], personas["an"]["account_level"]) == (AN, 2)
    assert personas["binh"]["account_level"] == 1
    assert (personas["giang"]["account_status"], personas["giang"]["lock_reason"]) == ("locked", "authority_request")
    assert (personas["hai"]["account_status"], personas["hai"]["lock_reason"]) == ("locked", "death")
    assert personas["linh"]["account_level"] is None
    assert personas["khoa"]["account_level"] is None
    assert personas["police"]["role"] == "police_officer"
    assert personas["records"]["role"] == "records_officer"


def test_reset_restores_the_seed_and_clears_the_trail(
    client: TestClient, admin_headers: dict[str, str], agency_headers: dict[str, str], db: Session
) -> None:
    client.post(
        "/sandbox/consents",
        headers=admin_headers,
        json={"personal_id": AN, "client_id": "demo-bank", "purpose": "Mở tài khoản", "scopes": ["citizen.identity"]},
    )
    client.get(f"/v1/citizens/{AN}", headers=agency_headers)
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == 1
    before = db.scalars(select(Citizen.full_name).order_by(Citizen.personal_id)).all()

    response = client.post("/sandbox/reset", headers=admin_headers)

    assert response.status_code == 200, response.text
    assert response.json()["citizens"] == TEST_POPULATION + 16  # 12 personas and 4 relatives
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == 0
    assert db.scalar(select(func.count()).select_from(Consent)) == 0
    assert db.scalars(select(Citizen.full_name).order_by(Citizen.personal_id)).all() == before


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"client_id": "no-such-client"}, 404, "not_found"),
        ({"personal_id": "001090999999"}, 404, "citizen_not_found"),
        ({"scopes": ["citizen.salary"]}, 400, "bad_request"),
        ({"personal_id": "12"}, 422, "validation_error"),
        ({"purpose": ""}, 422, "validation_error"),
    ],
)
def test_consent_grant_rejects_bad_input(
    client: TestClient, admin_headers: dict[str, str], body: dict, status: int, code: str
) -> None:
    grant = {"personal_id": AN, "client_id": "demo-bank", "purpose": "Mở tài khoản", "scopes": ["citizen.identity"]}
    response = client.post("/sandbox/consents", headers=admin_headers, json={**grant, **body})
    assert response.status_code == status
    assert response.json()["code"] == code


def test_health(client: TestClient) -> None:
    assert client.get("/healthz").json() == {
        "status": "ok",
        "database": "ok",
        "sandbox": True,
        "workers": 1,
        "workers_serving": 1,
        "version": __version__,
    }


def test_docs_are_served_without_any_cdn(client: TestClient) -> None:
    page = client.get("/docs").text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page) + re.findall(r"url: '([^']+)'", page)
    assert assets
    assert all(a.startswith("/") for a in assets), assets
    assert client.get("/static/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_openapi_documents_every_public_operation(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/oauth2/token",
        "/.well-known/jwks.json",
        "/v1/citizens/{personal_id}",
        "/v1/citizens/{personal_id}/household",
        "/v1/citizens/verify",
        "/sandbox/reset",
        "/sandbox/personas",
        "/sandbox/consents",
        "/healthz",
    ):
        assert path in paths


def test_home_page_says_it_is_a_sandbox(client: TestClient) -> None:
    page = client.get("/").text
    assert "SANDBOX" in page
    assert "001090000001" in page


def test_unknown_route_is_problem_json(client: TestClient) -> None:
    response = client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


def test_reset_keeps_clients_webhook_subscriptions(
    client: TestClient, admin_headers: dict[str, str], bank_headers: dict[str, str]
) -> None:
    created = client.post(
        "/v1/webhooks",
        headers=bank_headers,
        json={"url": "https://receiver.example/", "events": ["application.created"]},
    )
    assert created.status_code == 201
    assert client.post("/sandbox/reset", headers=admin_headers).status_code == 200
    assert [s["id"] for s in client.get("/v1/webhooks", headers=bank_headers).json()] == [created.json()["id"]]
