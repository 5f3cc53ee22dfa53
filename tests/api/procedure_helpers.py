"""Helpers shared by the procedure tests: persona tokens and headers."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.models import Citizen, IdentityAccount
from tests.conftest import ADMIN_TOKEN

POLICE = "001085000011"


def persona_headers(client: TestClient, persona: str, client_id: str | None = None) -> dict[str, str]:
    """Procedures and officer work are done in the VNeID app: its tokens by default."""
    client_id = client_id or "vneid-app"
    response = client.post(
        "/sandbox/tokens",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        json={"persona": persona, "client_id": client_id, "scope": "openid profile"},
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def police_serving(client: TestClient, db: Session, personal_id: str) -> dict[str, str]:
    """The `police` persona's token, posted first to the commune where `personal_id` lives: account powers are
    for the holder's commune police."""
    citizen = db.get(Citizen, personal_id)
    if citizen is not None:
        db.get_one(IdentityAccount, POLICE).jurisdiction_code = citizen.permanent_commune_code
        db.commit()
    return persona_headers(client, "police")


def pay_fee(client: TestClient, headers: dict[str, str], code: str) -> dict[str, Any]:
    """Pay an application's fee through the sandbox payment: its status after the payment."""
    payment = client.post(f"/v1/applications/{code}/payments", headers=headers)
    assert payment.status_code == 201, payment.text
    done = client.post(
        f"/v1/payments/{payment.json()['payment_id']}/complete", headers=headers, json={"outcome": "succeed"}
    )
    assert done.status_code == 200, done.text
    return dict(done.json())


def owner_consents_and_tenant_pays(
    client: TestClient, code: str, owner: dict[str, str], tenant: dict[str, str]
) -> dict[str, Any]:
    """The owner approves a temporary-residence registration and the tenant pays its fee (Thông tư 75/2022/TT-BTC,
    7,000 VND online): the payment, after which the application is in review."""
    consented = client.post(f"/v1/applications/{code}/owner-consent", headers=owner, json={"decision": "approve"})
    assert consented.json()["status"] == "awaiting_payment", consented.text
    paid = pay_fee(client, tenant, code)
    assert (paid["amount_vnd"], paid["application_status"]) == (7_000, "in_review")
    return paid
