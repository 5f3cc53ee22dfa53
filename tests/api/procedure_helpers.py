"""Helpers shared by the procedure tests: persona tokens and headers."""

from fastapi.testclient import TestClient

from tests.conftest import ADMIN_TOKEN


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
