"""Everyone an application is about consents to it, and no officer decides one they are party to (issue 10: M4, M5)."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.models import Citizen
from tests.api.procedure_helpers import POLICE, owner_consents_and_tenant_pays, persona_headers
from tests.api.test_temporary_residence import file

AN, CUONG, LINH = "001090000001", "040203000003", "001320000009"
POLICE_HOME = {"street": "Số 2 phố Trần Thái Tông", "commune_code": "00166", "owner_personal_id": POLICE}


def consent(client: TestClient, persona: str, code: str, step: str, decision: str = "approve") -> dict:
    response = client.post(
        f"/v1/applications/{code}/{step}", headers=persona_headers(client, persona), json={"decision": decision}
    )
    return {"status_code": response.status_code, **response.json()}


def owner_approves(client: TestClient, code: str, owner: str = "dung", tenant: str = "cuong") -> None:
    """The owner consents and the tenant pays the fee: the application is in review."""
    owner_consents_and_tenant_pays(client, code, persona_headers(client, owner), persona_headers(client, tenant))


def decide(client: TestClient, code: str, decision: str = "approve") -> dict:
    body = {"decision": decision, **({"reason": "Thiếu hợp đồng thuê nhà"} if decision != "approve" else {})}
    response = client.post(
        f"/v1/officer/applications/{code}/decision", headers=persona_headers(client, "police"), json=body
    )
    return {"status_code": response.status_code, **response.json()}


def test_m4_an_adult_member_confirms_before_the_owner_consents(client: TestClient) -> None:
    code = file(client, persona_headers(client, "cuong"), member_personal_ids=[AN])["code"]

    early = consent(client, "dung", code, "owner-consent")
    assert (early["status_code"], early["code"], early["pending_members"]) == (409, "member_consent_pending", [AN])
    assert consent(client, "binh", code, "member-consent")["status_code"] == 404  # not listed
    assert consent(client, "cuong", code, "member-consent")["code"] == "not_your_turn"
    seen = client.get(f"/v1/applications/{code}", headers=persona_headers(client, "an")).json()
    assert seen["allowed_actions"] == ["member_confirm", "member_decline"]

    assert consent(client, "an", code, "member-consent")["status"] == "awaiting_owner"
    assert consent(client, "an", code, "member-consent")["status_code"] == 200  # confirming again changes nothing
    owner_approves(client, code)
    assert decide(client, code)["status"] == "approved"
    record = client.get("/v1/me", headers=persona_headers(client, "an")).json()
    assert record["temporary_address"]["commune_code"] == "00166"


def test_m4_a_member_who_declines_ends_the_application_and_keeps_their_address(client: TestClient) -> None:
    code = file(client, persona_headers(client, "cuong"), member_personal_ids=[AN])["code"]
    assert consent(client, "an", code, "member-consent", "decline")["status"] == "member_declined"
    assert consent(client, "dung", code, "owner-consent")["code"] == "invalid_transition"
    assert client.get("/v1/me", headers=persona_headers(client, "an")).json()["temporary_address"] is None


def test_m4_members_cannot_be_added_after_the_owner_consented(client: TestClient) -> None:
    cuong = persona_headers(client, "cuong")
    code = file(client, cuong)["code"]
    owner_approves(client, code)
    assert decide(client, code, "request_supplement")["status"] == "supplement_requested"
    added = client.post(f"/v1/applications/{code}/resubmit", headers=cuong, json={"member_personal_ids": [AN]})
    assert (added.status_code, added.json()["code"]) == (422, "members_added_after_consent")


def test_m4_children_follow_their_parent(client: TestClient) -> None:
    code = file(client, persona_headers(client, "an"), member_personal_ids=[LINH])["code"]
    owner_approves(client, code, tenant="an")


def test_m5_the_officer_does_not_decide_his_own_tenancy(client: TestClient) -> None:
    code = file(client, persona_headers(client, "cuong"), **POLICE_HOME)["code"]
    owner_approves(client, code, owner="police")
    refused = decide(client, code)
    assert (refused["status_code"], refused["code"]) == (403, "conflict_of_interest")


def test_m5_the_officer_does_not_decide_when_he_moves_in(client: TestClient) -> None:
    code = file(client, persona_headers(client, "cuong"), member_personal_ids=[POLICE])["code"]
    consent(client, "police", code, "member-consent")
    owner_approves(client, code)
    assert decide(client, code)["code"] == "conflict_of_interest"


def test_m5_the_officer_does_not_decide_for_his_spouse(client: TestClient, db: Session) -> None:
    db.get_one(Citizen, POLICE).spouse_personal_id = CUONG
    db.commit()
    code = file(client, persona_headers(client, "cuong"))["code"]
    owner_approves(client, code)
    assert decide(client, code)["code"] == "conflict_of_interest"


def test_m4_the_owner_may_decline_before_the_members_confirm(client: TestClient) -> None:
    code = file(client, persona_headers(client, "cuong"), member_personal_ids=[AN])["code"]
    assert consent(client, "dung", code, "owner-consent", "decline")["status"] == "owner_declined"
