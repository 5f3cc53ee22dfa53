"""The committed contract (docs/openapi.json) is the served one, versioned as CHANGELOG.md's top entry says, and
documents every error each operation answers with its problem+json schema and an example."""

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient

from app import __version__
from app.core.openapi import render
from tests.conftest import basic

ROOT = Path(__file__).parents[2]
REGENERATE = "vneid-sandbox openapi docs/openapi.json"


def test_the_committed_openapi_document_is_the_served_one(client: TestClient) -> None:
    served = client.get("/openapi.json").json()
    committed = (ROOT / "docs" / "openapi.json").read_text(encoding="utf-8")
    assert render(served) == committed, f"the API changed: regenerate the committed contract with `{REGENERATE}`"


def test_one_version_in_the_changelog_openapi_and_healthz(client: TestClient) -> None:
    top = re.search(r"^## (\S+)", (ROOT / "CHANGELOG.md").read_text(encoding="utf-8"), re.M)
    assert top is not None
    assert top.group(1) == __version__
    assert client.get("/openapi.json").json()["info"]["version"] == __version__
    assert client.get("/healthz").json()["version"] == __version__


def _resolve(document: dict, response: dict) -> dict:
    ref = response.get("$ref")
    return document["components"]["responses"][ref.rsplit("/", 1)[1]] if ref else response


def test_every_operation_documents_its_errors_with_a_schema_and_an_example(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    missing = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            where = f"{method.upper()} {path}"
            oauth = "OAuthErrorBody" in json.dumps(responses)  # these answer a malformed request 400, never 422
            if "requestBody" in operation and not {"400", "413", *(() if oauth else ("422",))} <= set(responses):
                missing.append(f"{where}: 400, 413 or 422")  # unparsable, too large, invalid
            if operation.get("security") and "401" not in responses:
                missing.append(f"{where}: 401")
            for status, response in responses.items():
                if int(status) < 400 or not (content := _resolve(document, response).get("content")):
                    continue
                if not all("schema" in media and "example" in media for media in content.values()):
                    missing.append(f"{where} {status}: schema or example")
    assert missing == []


def test_a_body_that_cannot_be_parsed_is_the_documented_400(client: TestClient, admin_headers: dict) -> None:
    headers = {**admin_headers, "Content-Type": "application/json"}
    response = client.post("/sandbox/clock/advance", content=b'{"days": "\xff"}', headers=headers)  # not UTF-8
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "bad_request"
    oauth = client.post(
        "/oauth2/token",
        content=b"grant_type=client_credentials",
        headers={"Content-Type": "multipart/form-data", **basic("demo-agency", "demo-agency-secret")},  # no boundary
    )
    assert oauth.status_code == 400
    assert oauth.json()["error"] == "invalid_request"  # the OAuth endpoints keep the RFC 6749 shape


def test_the_purpose_rule_is_in_the_schema(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    parameters = document["paths"]["/v1/citizens/{personal_id}"]["get"]["parameters"]
    purpose = next(p for p in parameters if p["name"] == "purpose")
    assert json.dumps(purpose["schema"]).count('"minLength": 5') == 1


def test_a_purpose_shorter_than_the_schema_allows_is_refused_as_invalid(
    client: TestClient, agency_headers: dict[str, str]
) -> None:
    headers = {k: v for k, v in agency_headers.items() if k != "X-Purpose"}
    response = client.get("/v1/citizens/001090000001", params={"purpose": "abcd"}, headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == ["query", "purpose"]


def test_every_json_request_body_refuses_unknown_fields(client: TestClient) -> None:
    """A misspelt field is an error an integrator sees at once (`additionalProperties: false`), not a value the
    sandbox silently ignores; no standard asks for leniency on these JSON bodies (the OAuth forms are not JSON)."""
    document = client.get("/openapi.json").json()
    lenient = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            media = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if media is None:
                continue
            schema = media["schema"]
            for ref in [schema["$ref"]] if "$ref" in schema else [s["$ref"] for s in schema["anyOf"] if "$ref" in s]:
                name = ref.rsplit("/", 1)[1]
                if document["components"]["schemas"][name].get("additionalProperties") is not False:
                    lenient.append(f"{method.upper()} {path}: {name}")
    assert lenient == []


def test_an_unknown_field_is_refused_where_it_was_once_ignored(client: TestClient, admin_headers: dict) -> None:
    an = {"Authorization": f"Bearer {_app_token(client, admin_headers)}"}
    for path, headers, body in [
        ("/v1/documents/verification", {}, {"jws": "a.b.c", "jws_type": "compact"}),
        ("/sandbox/documents/GT-0000000000/revoke", admin_headers, {"reason": "Cấp nhầm", "notify": True}),
        ("/v1/applications/TT-2026-000000/withdraw", an, {"reason": "Không cần nữa", "force": True}),
    ]:
        response = client.post(path, headers=headers, json=body)
        assert (response.status_code, response.json()["code"]) == (422, "validation_error"), path


def _app_token(client: TestClient, admin_headers: dict) -> str:
    minted = client.post(
        "/sandbox/tokens", headers=admin_headers, json={"persona": "an", "client_id": "vneid-app", "scope": "openid"}
    )
    return str(minted.json()["access_token"])
