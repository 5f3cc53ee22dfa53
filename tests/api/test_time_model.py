"""One time model: what procedures, the population and consents read follows the sandbox clock; JOSE (token
validity, signing keys and their retention in the JWKS) follows real time, which clients check against. Every
timestamp the API returns carries Việt Nam's offset (+07:00), whether just made or read back from the database."""

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.api.procedure_helpers import persona_headers
from tests.conftest import ADMIN_TOKEN

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def timestamps(value: Any, path: str = "") -> dict[str, str]:
    """Every date-time string in a JSON document, by its path."""
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in timestamps(item, f"{path}.{key}").items()}
    if isinstance(value, list):
        return {k: v for i, item in enumerate(value) for k, v in timestamps(item, f"{path}[{i}]").items()}
    return {path: value} if isinstance(value, str) and TIMESTAMP.match(value) else {}


def test_every_timestamp_the_api_returns_is_in_vietnam_time(client: TestClient, bank_headers: dict[str, str]) -> None:
    an = persona_headers(client, "an", "vneid-app")
    filed = client.post(
        "/v1/applications/criminal-record-certificates", headers=an, json={"form": 1, "purpose": "job"}
    ).json()
    payment = client.post(f"/v1/applications/{filed['code']}/payments", headers=an).json()
    paid = client.post(f"/v1/payments/{payment['payment_id']}/complete", headers=an, json={"outcome": "succeed"})
    consent = {"personal_id": "001090000001", "client_id": "demo-bank", "purpose": "Mở tài khoản", "scopes": ["openid"]}
    hook = {"client_id": "demo-bank", "url": "https://receiver.example/hooks", "events": ["application.created"]}
    responses = {
        "filed": filed,
        "payment": payment,
        "paid": paid.json(),
        "application": client.get(f"/v1/applications/{filed['code']}", headers=an).json(),
        "granted consent": client.post("/sandbox/consents", headers=ADMIN, json=consent).json(),
        "consents": client.get("/v1/me/consents", headers=an).json(),
        "access log": client.get("/v1/me/access-log", headers=an).json(),
        "account history": client.get("/v1/me/account/history", headers=an).json(),
        "subscription": client.post("/sandbox/webhooks", headers=ADMIN, json=hook).json(),
        "subscriptions": client.get("/v1/webhooks", headers=bank_headers).json(),
        "clock": client.get("/sandbox/clock", headers=ADMIN).json(),
    }
    found = {f"{name}{path}": value for name, body in responses.items() for path, value in timestamps(body).items()}
    for must in ("filed.created_at", "filed.updated_at", "filed.history[0].at", "application.history[2].at"):
        assert must in found, sorted(found)
    assert {path: value for path, value in found.items() if not value.endswith("+07:00")} == {}


def test_a_retired_key_stays_published_while_the_sandbox_clock_runs_ahead(
    client: TestClient, agency_headers: dict[str, str]
) -> None:
    """Retention is counted in real time: tokens the old key signed stay verifiable for their (real) lifetime."""
    before = {k["kid"] for k in client.get("/.well-known/jwks.json").json()["keys"]}
    assert client.post("/sandbox/keys/rotate", headers=ADMIN).status_code == 200
    assert client.post("/sandbox/clock/advance", headers=ADMIN, json={"days": 1}).status_code == 200
    after = {k["kid"] for k in client.get("/.well-known/jwks.json").json()["keys"]}
    assert before <= after
    assert client.get("/v1/citizens/001090000001", headers=agency_headers).status_code == 200


def test_a_minted_sign_in_records_its_consent_on_the_sandbox_clock(client: TestClient) -> None:
    moved = client.post("/sandbox/clock/advance", headers=ADMIN, json={"days": 30}).json()["now"]
    an = persona_headers(client, "an", "vneid-app")
    persona_headers(client, "an", "demo-bank")
    [consent] = [c for c in client.get("/v1/me/consents", headers=an).json()["items"] if c["client_id"] == "demo-bank"]
    assert consent["granted_at"][:10] == moved[:10]
