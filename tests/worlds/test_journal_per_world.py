"""Each world keeps its own request journal: a request answered in one world shows in that world's journal only."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.conftest import basic

MakeWorld = Callable[..., dict[str, str]]


def _journal(client: TestClient, prefix: str, admin_token: str) -> list[dict]:
    response = client.get(f"{prefix}/sandbox/journal", headers={"Authorization": f"Bearer {admin_token}"})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_refusal_is_journaled_in_its_own_world_only(
    root_client: TestClient, make_world: MakeWorld, admin: dict[str, str]
) -> None:
    first, second = make_world(), make_world()
    refused = root_client.post(
        f"/w/{first['id']}/oauth2/token",
        data={"grant_type": "client_credentials"},
        headers=basic("demo-bank", "wrong"),
    )
    assert refused.status_code == 401
    request_id = refused.headers["x-request-id"]
    [entry] = [
        e for e in _journal(root_client, f"/w/{first['id']}", first["admin_token"]) if e["request_id"] == request_id
    ]
    assert entry["path"] == "/oauth2/token"  # the path within the world
    assert entry["error_code"] == "invalid_client"
    assert "wrong client secret" in entry["explanation"]
    root_token = admin["Authorization"].removeprefix("Bearer ")
    for prefix, token in ((f"/w/{second['id']}", second["admin_token"]), ("", root_token)):
        assert request_id not in {e["request_id"] for e in _journal(root_client, prefix, token)}
