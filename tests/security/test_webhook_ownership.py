"""Webhook subscriptions belong to the integrator (issue 10: M9), and the operator can subscribe for any client."""

from fastapi.testclient import TestClient

from tests.api.procedure_helpers import persona_headers

HOOK = {"url": "https://receiver.example/hooks", "events": ["application.created"]}


def test_m9_a_citizens_token_cannot_manage_its_clients_subscriptions(
    client: TestClient, bank_headers: dict[str, str]
) -> None:
    created = client.post("/v1/webhooks", headers=bank_headers, json=HOOK)
    assert created.status_code == 201
    end_user = persona_headers(client, "cuong", "demo-spa")  # a public client's end user
    citizen_of_bank = persona_headers(client, "cuong", "demo-bank")
    for headers in (end_user, citizen_of_bank):
        assert client.get("/v1/webhooks", headers=headers).json()["code"] == "integrator_token_required"
        assert client.post("/v1/webhooks", headers=headers, json=HOOK).status_code == 403
        deleted = client.delete(f"/v1/webhooks/{created.json()['id']}", headers=headers)
        assert deleted.status_code == 403
    assert [s["id"] for s in client.get("/v1/webhooks", headers=bank_headers).json()] == [created.json()["id"]]


def test_the_operator_subscribes_the_vneid_app_and_public_clients(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    for client_id in ("vneid-app", "demo-spa"):
        created = client.post("/sandbox/webhooks", headers=admin_headers, json={"client_id": client_id, **HOOK})
        assert created.status_code == 201, created.text
        assert created.json()["secret"]
    unknown = client.post("/sandbox/webhooks", headers=admin_headers, json={"client_id": "nobody", **HOOK})
    assert unknown.status_code == 404
    assert client.post("/sandbox/webhooks", json={"client_id": "vneid-app", **HOOK}).status_code == 401


def test_the_operator_endpoint_refuses_malformed_bodies(client: TestClient, admin_headers: dict[str, str]) -> None:
    bodies = [
        {"client_id": "demo-bank", "url": "https://receiver.example/", "events": ["application.created"] * 10_000},
        {"client_id": "demo-bank", "url": "not a url", "events": ["application.created"]},
        {"client_id": "demo-bank", **HOOK, "secret": "chosen-by-me"},
        {"client_id": "demo-bank", "url": "https://receiver.example/", "events": ["nope"]},
    ]
    for body in bodies:
        response = client.post("/sandbox/webhooks", headers=admin_headers, json=body)
        assert response.status_code == 422, body
        assert response.headers["content-type"].startswith("application/problem+json")
