"""What the sandbox discloses, and to whom it says so (issue 10, low findings)."""

import json
from urllib.parse import quote

from fastapi.testclient import TestClient

from tests.api.procedure_helpers import POLICE, owner_consents_and_tenant_pays, persona_headers
from tests.api.test_temporary_residence import file
from tests.browser.test_web_routes import sign_in
from tests.security.test_oidc_requests import id_token_claims

AN = "001090000001"


def test_low_control_characters_in_x_purpose_are_refused(client: TestClient, agency_headers: dict[str, str]) -> None:
    forged = {**agency_headers, "X-Purpose": quote("Xác minh hồ sơ\r\nX-Injected: 1\x1b[31m")}
    for method, path, body in [
        ("GET", f"/v1/citizens/{AN}", None),
        ("GET", f"/v1/citizens/{AN}/household", None),
        ("POST", "/v1/citizens/verify", {"personal_id": AN, "sex": "male"}),
    ]:
        response = client.request(method, path, headers=forged, json=body)
        assert (response.status_code, response.json()["code"]) == (422, "invalid_purpose"), path
    log = client.get("/v1/me/access-log", headers=persona_headers(client, "an")).json()["items"]
    assert log == []  # nothing was read, nothing stored
    assert client.get(f"/v1/citizens/{AN}", headers=agency_headers).status_code == 200


def test_low_applicants_see_the_officer_by_name_not_personal_id(client: TestClient) -> None:
    cuong, police = persona_headers(client, "cuong"), persona_headers(client, "police")
    code = file(client, cuong)["code"]
    owner_consents_and_tenant_pays(client, code, persona_headers(client, "dung"), cuong)
    client.post(f"/v1/officer/applications/{code}/decision", headers=police, json={"decision": "approve"})

    seen = client.get(f"/v1/applications/{code}", headers=cuong)
    decided = [e for e in seen.json()["history"] if e["actor_role"] == "officer"]
    assert [(e["actor_personal_id"], e["actor_name"]) for e in decided] == [(None, "Trịnh Quang Minh")]
    assert POLICE not in seen.text
    desk = client.get(f"/v1/officer/applications/{code}", headers=police).json()
    assert POLICE in [e["actor_personal_id"] for e in desk["application"]["history"]]
    sign_in(client, "cuong")  # the same in the VNeID web app
    page = client.get(f"/app/applications/{code}")
    assert page.status_code == 200
    assert POLICE not in page.text


def test_low_id_token_and_userinfo_releases_are_logged_for_the_citizen_and_metered(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    wanted = quote(json.dumps({"id_token": {"name": None, "birthdate": None}}))
    assert {"name", "birthdate"} <= set(id_token_claims(client, scope="openid%20profile", claims=wanted))
    minted = client.post(
        "/sandbox/tokens",
        headers=admin_headers,
        json={"persona": "an", "client_id": "demo-bank", "scope": "openid profile"},
    ).json()
    assert (
        client.get("/oauth2/userinfo", headers={"Authorization": f"Bearer {minted['access_token']}"}).status_code == 200
    )
    app = persona_headers(client, "an")
    assert client.get("/oauth2/userinfo", headers=app).status_code == 200  # the citizen's own app: not a release

    log = client.get("/v1/me/access-log", headers=app).json()["items"]
    assert sorted((e["action"], e["client_id"]) for e in log) == [("id_token", "demo-bank"), ("userinfo", "demo-bank")]
    by_action = {e["action"]: e for e in log}
    assert by_action["id_token"]["fields"] == ["name", "birthdate"]
    assert {"birthdate", "personal_id", "name"} <= set(by_action["userinfo"]["fields"])
    for entry in log:
        assert "sub" not in entry["fields"]
        assert entry["fee_vnd"] == 1_000 * len(entry["fields"])
