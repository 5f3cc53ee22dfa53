"""A reduced or exempt criminal-record fee is not taken on the applicant's word (issue 10, low finding)."""

from fastapi.testclient import TestClient

from tests.api.procedure_helpers import persona_headers

BASE = "/v1/applications/criminal-record-certificates"
STUDENT = {"form": 1, "purpose": "job", "fee_category": "student"}


def test_low_a_declared_fee_category_needs_its_proof(client: TestClient) -> None:
    an = persona_headers(client, "an")
    for evidence in (None, "   "):
        refused = client.post(BASE, headers=an, json={**STUDENT, "fee_evidence": evidence})
        assert (refused.status_code, refused.json()["code"]) == (422, "validation_error")
        assert "fee_evidence" in refused.text
    assert client.get("/v1/applications", headers=an).json()["total"] == 0

    filed = client.post(BASE, headers=an, json={**STUDENT, "fee_evidence": "Thẻ sinh viên số 2023-0042"})
    assert filed.status_code == 201, filed.text
    standard = client.post(f"{BASE}/quote", headers=an, json={}).json()["total_vnd"]
    assert filed.json()["fee_vnd"] < standard
    records = persona_headers(client, "records")
    dossier = client.get(f"/v1/officer/applications/{filed.json()['code']}", headers=records).json()
    assert dossier["application"]["data"]["fee_evidence"] == "Thẻ sinh viên số 2023-0042"


def test_low_the_standard_fee_needs_no_proof(client: TestClient) -> None:
    filed = client.post(BASE, headers=persona_headers(client, "an"), json={"form": 1, "purpose": "job"})
    assert (filed.status_code, filed.json()["data"]["fee_evidence"]) == (201, None)
