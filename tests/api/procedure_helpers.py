"""Helpers shared by the procedure tests: persona tokens and headers."""

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
