"""Documents: issuing (service), the citizen's wallet, PDF copies, public verification and revocation (HTTP)."""

import base64
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from joserfc import jws
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.clock import Clock
from app.core.config import Settings
from app.core.context import Env
from app.core.keys import KeyStore
from app.models import Application, Document, WebhookEvent
from app.services import sandbox
from app.services.documents import issue_document
from tests.conftest import ADMIN_TOKEN

AN, DUNG = "001090000001", "001175000004"
CERTIFICATE: dict[str, Any] = {
    "title": "Phiếu lý lịch tư pháp số 1",
    "title_en": "Criminal record certificate No. 1",
    "fields": [
        {"label": "Họ và tên / Full name", "value": "NGUYỄN VĂN AN"},
        {"label": "Số định danh cá nhân / Personal ID", "value": AN},
        {"label": "Tình trạng án tích / Criminal record", "value": "Không có án tích"},
    ],
    "sections": [
        {"heading": "Án tích / Convictions", "columns": ["Bản án / Judgment", "Tội danh / Offence"], "rows": []}
    ],
    "data": {"personal_id": AN, "form": 1, "has_convictions": False},
}

Issue = Callable[..., Document]


def citizen_headers(client: TestClient, persona: str, client_id: str = "vneid-app") -> dict[str, str]:
    response = client.post(
        "/sandbox/tokens",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        json={"persona": persona, "client_id": client_id, "scope": "openid profile"},
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def issue(db: Session, settings: Settings) -> Issue:
    """Issue a document as a procedure would, with a fresh KeyStore: the keys live in the database."""

    def issue(
        owner: str = AN,
        payload: dict[str, Any] = CERTIFICATE,
        *,
        kind: str = "criminal_record_certificate",
        application: Application | None = None,
        later: timedelta = timedelta(0),
    ) -> Document:
        clock = Clock(sandbox.clock_for(db).offset + later)
        document = issue_document(
            Env(db, clock, KeyStore(), settings),
            kind=kind,
            owner_personal_id=owner,
            application=application,
            payload=payload,
        )
        db.commit()
        return document

    return issue


@pytest.fixture
def an(client: TestClient) -> dict[str, str]:
    return citizen_headers(client, "an")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(part: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def verify(client: TestClient, token: str) -> dict[str, Any]:
    response = client.post("/v1/documents/verification", json={"jws": token})
    assert response.status_code == 200, response.text
    return response.json()


# Issuing


def test_issued_document_verifies_with_an_independent_jose_library_against_the_jwks(
    client: TestClient, issue: Issue, settings: Settings
) -> None:
    document = issue()
    jwks = client.get("/.well-known/jwks.json").json()

    verified = jws.deserialize_compact(document.jws, KeySet.import_key_set(jwks), algorithms=["RS256"])

    header = verified.headers()
    assert header["typ"] == "vneid-document+jwt"
    published = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    assert (published["alg"], published["use"]) == ("RS256", "sig")
    claims = json.loads(verified.payload)
    assert claims["iss"] == settings.public_url
    assert (claims["jti"], claims["code"], claims["sub"]) == (document.id, document.code, AN)
    assert (claims["kind"], claims["sandbox"]) == ("criminal_record_certificate", True)
    assert claims["document"] == document.payload
    assert claims["document"]["fields"][0] == {"label": "Họ và tên / Full name", "value": "NGUYỄN VĂN AN"}


def test_document_is_signed_with_a_document_key_not_a_token_key(client: TestClient, issue: Issue, an: dict) -> None:
    document = issue()
    access_token = an["Authorization"].removeprefix("Bearer ")

    assert unb64(document.jws.split(".")[0])["kid"] != unb64(access_token.split(".")[0])["kid"]


def test_codes_are_vn_and_ten_crockford_characters_and_unique(issue: Issue) -> None:
    codes = {issue().code for _ in range(5)}

    assert len(codes) == 5
    for code in codes:
        assert code.startswith("VN")
        assert len(code) == 12
        assert set(code[2:]) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")


def test_issuing_emits_document_issued_for_the_applications_client(db: Session, issue: Issue) -> None:
    now = sandbox.clock_for(db).now()
    application = Application(
        code="LLTP-2026-999001",
        procedure="criminal_record",
        status="approved",
        applicant_personal_id=AN,
        client_id="demo-bank",
        data={},
        fee_vnd=0,
        created_at=now,
        updated_at=now,
    )
    db.add(application)
    db.flush()

    document = issue(application=application)

    event = db.scalars(select(WebhookEvent).where(WebhookEvent.type == "document.issued")).one()
    assert event.client_id == "demo-bank"
    assert event.data == {
        "document_code": document.code,
        "kind": "criminal_record_certificate",
        "application_code": "LLTP-2026-999001",
    }
    assert document.application_id == application.id


def test_a_payload_of_another_shape_is_refused(issue: Issue) -> None:
    with pytest.raises(ValueError, match="title_en"):
        issue(payload={"title": "Giấy xác nhận", "fields": []})


# The wallet


def test_wallet_lists_my_documents_newest_first_in_pages(client: TestClient, issue: Issue, an: dict) -> None:
    oldest = issue(later=timedelta(minutes=1))
    middle = issue(kind="temporary_residence_confirmation", later=timedelta(minutes=2))
    newest = issue(later=timedelta(minutes=3))
    issue(DUNG)

    first = client.get("/v1/me/documents", params={"limit": 2}, headers=an)
    assert first.status_code == 200, first.text
    assert [d["code"] for d in first.json()["items"]] == [newest.code, middle.code]
    assert first.json()["next_offset"] == 2
    second = client.get("/v1/me/documents", params={"limit": 2, "offset": 2}, headers=an).json()
    assert [d["code"] for d in second["items"]] == [oldest.code]
    assert second["next_offset"] is None
    entry = first.json()["items"][1]
    assert entry["id"] == middle.id
    assert entry["kind"] == "temporary_residence_confirmation"
    assert entry["title"] == "Phiếu lý lịch tư pháp số 1"
    assert entry["revoked"] is False


def test_level1_account_cannot_open_the_wallet(client: TestClient) -> None:
    response = client.get("/v1/me/documents", headers=citizen_headers(client, "binh"))

    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_account_level"
    assert "acr_values" in response.headers["WWW-Authenticate"]


def test_a_relying_partys_citizen_token_cannot_open_the_wallet(client: TestClient, issue: Issue) -> None:
    document = issue()
    bank = citizen_headers(client, "an", client_id="demo-bank")

    for path in ("/v1/me/documents", f"/v1/me/documents/{document.id}", f"/v1/me/documents/{document.id}/pdf"):
        response = client.get(path, headers=bank)
        assert response.status_code == 403
        assert response.json()["code"] == "first_party_client_required"


def test_client_credentials_token_cannot_open_a_wallet(client: TestClient, bank_headers: dict[str, str]) -> None:
    response = client.get("/v1/me/documents", headers=bank_headers)

    assert response.status_code == 403
    assert response.json()["code"] == "citizen_token_required"


def test_wallet_needs_a_token(client: TestClient) -> None:
    assert client.get("/v1/me/documents").status_code == 401


def test_document_detail_has_content_jws_and_verification_url(client: TestClient, issue: Issue, an: dict) -> None:
    document = issue()

    response = client.get(f"/v1/me/documents/{document.id}", headers=an)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["content"] == CERTIFICATE
    assert body["jws"] == document.jws
    assert body["kid"] == unb64(document.jws.split(".")[0])["kid"]
    assert body["verification_url"] == f"http://testserver/v1/documents/{document.code}/verification"
    assert (body["owner_personal_id"], body["application_code"]) == (AN, None)


def test_another_citizens_document_is_not_found(client: TestClient, issue: Issue, an: dict) -> None:
    theirs = issue(DUNG)

    for path in (f"/v1/me/documents/{theirs.id}", f"/v1/me/documents/{theirs.id}/pdf"):
        response = client.get(path, headers=an)
        assert response.status_code == 404
        assert response.json()["code"] == "document_not_found"


def test_malformed_document_id_is_a_validation_error(client: TestClient, an: dict) -> None:
    assert client.get("/v1/me/documents/not-an-id", headers=an).status_code == 422


def test_pdf_copy_is_a_named_attachment(client: TestClient, issue: Issue, an: dict) -> None:
    document = issue()

    response = client.get(f"/v1/me/documents/{document.id}/pdf", headers=an)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="criminal_record_certificate-{document.code}.pdf"'
    )
    assert response.content.startswith(b"%PDF-")
    assert 10_000 < len(response.content) < 200_000


# Verification


def test_code_verification_is_public(client: TestClient, issue: Issue) -> None:
    document = issue()

    response = client.get(f"/v1/documents/{document.code}/verification")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "valid"
    assert (body["code"], body["kind"], body["title"]) == (
        document.code,
        "criminal_record_certificate",
        "Phiếu lý lịch tư pháp số 1",
    )
    assert body["issued_at"].endswith("+07:00")  # the contract's times carry Vietnam's offset
    assert body["revoked_at"] is None


def test_code_as_a_person_types_it_still_verifies(client: TestClient, issue: Issue) -> None:
    code = issue().code
    typed = f"{code[:6].lower()}-{code[6:]}".replace("1", "l").replace("0", "O")

    assert client.get(f"/v1/documents/{typed}/verification").json()["status"] == "valid"


@pytest.mark.parametrize("code", ["VN0000000000", "anything", "%00", "ÿ" * 40])
def test_unknown_code_is_unknown(client: TestClient, code: str) -> None:
    response = client.get(f"/v1/documents/{code}/verification")

    assert response.status_code in (200, 422)
    if response.status_code == 200:
        assert response.json() == {
            "status": "unknown",
            "code": None,
            "kind": None,
            "title": None,
            "issued_at": None,
            "revoked_at": None,
            "kid": None,
        }


def test_genuine_jws_is_valid(client: TestClient, issue: Issue) -> None:
    document = issue()

    body = verify(client, document.jws)

    assert body["status"] == "valid"
    assert body["code"] == document.code
    assert body["kid"] == unb64(document.jws.split(".")[0])["kid"]


def test_jws_with_an_altered_payload_is_tampered(client: TestClient, issue: Issue) -> None:
    document = issue()
    header, payload, signature = document.jws.split(".")
    claims = unb64(payload)
    claims["document"]["fields"][2]["value"] = "Có án tích"

    tampered = f"{header}.{b64(json.dumps(claims).encode())}.{signature}"

    body = verify(client, tampered)

    assert body["status"] == "tampered"
    assert body["code"] == document.code
    with pytest.raises(BadSignatureError):  # and an independent library agrees
        jws.deserialize_compact(tampered, KeySet.import_key_set(client.get("/.well-known/jwks.json").json()))


def test_jws_with_an_altered_signature_is_tampered(client: TestClient, issue: Issue) -> None:
    header, payload, signature = issue().jws.split(".")
    flipped = ("A" if signature[10] != "A" else "B").join((signature[:10], signature[11:]))

    assert verify(client, f"{header}.{payload}.{flipped}")["status"] == "tampered"


def test_jws_resigned_by_someone_else_under_our_kid_is_tampered(client: TestClient, issue: Issue) -> None:
    document = issue()
    header = unb64(document.jws.split(".")[0])
    claims = jwt.decode(document.jws, options={"verify_signature": False})
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    forged = jwt.encode(claims, forger, algorithm="RS256", headers={"kid": header["kid"], "typ": header["typ"]})

    assert verify(client, forged)["status"] == "tampered"


def test_genuine_signature_over_another_documents_claims_is_tampered(client: TestClient, issue: Issue) -> None:
    first, second = issue(), issue()
    header, _, signature = first.jws.split(".")
    _, payload, _ = second.jws.split(".")

    assert verify(client, f"{header}.{payload}.{signature}")["status"] == "tampered"


def test_jws_of_a_document_we_never_issued_is_unknown(client: TestClient, issue: Issue, db: Session) -> None:
    document = issue()
    token = document.jws
    db.delete(document)
    db.commit()

    assert verify(client, token)["status"] == "unknown"


def test_access_token_is_not_a_document(client: TestClient, an: dict) -> None:
    assert verify(client, an["Authorization"].removeprefix("Bearer "))["status"] == "unknown"


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "not a jws",
        "a.b.c",
        "...",
        b64(b"[1]") + "." + b64(b"{}") + ".",
        b64(json.dumps({"alg": "RS256", "kid": "x\u0000y"}).encode()) + "." + b64(b'{"jti": "\\u0000"}') + ".c2ln",
        b64(json.dumps({"alg": "none", "kid": 7}).encode()) + "." + b64(b'{"jti": "\\ud800"}') + ".",
        b64(json.dumps({"alg": "RS256", "kid": "k" * 5000}).encode()) + "." + b64(b"[]") + ".c2ln",
    ],
)
def test_garbage_is_unknown_never_an_error(client: TestClient, garbage: str) -> None:
    assert verify(client, garbage)["status"] == "unknown"


def test_payload_naming_our_document_under_a_token_key_is_unknown(client: TestClient, issue: Issue, an: dict) -> None:
    document = issue()
    token_kid = unb64(an["Authorization"].removeprefix("Bearer ").split(".")[0])["kid"]
    _, payload, signature = document.jws.split(".")
    header = b64(json.dumps({"alg": "RS256", "kid": token_kid, "typ": "vneid-document+jwt"}).encode())

    assert verify(client, f"{header}.{payload}.{signature}")["status"] == "unknown"


# Revocation


def test_revoked_document_verifies_as_revoked_everywhere(
    client: TestClient, issue: Issue, an: dict, admin_headers: dict[str, str]
) -> None:
    document = issue()

    response = client.post(
        f"/sandbox/documents/{document.code}/revoke", headers=admin_headers, json={"reason": "Cấp nhầm người"}
    )

    assert response.status_code == 200, response.text
    revoked = response.json()
    assert (revoked["code"], revoked["status"], revoked["reason"]) == (document.code, "revoked", "Cấp nhầm người")
    by_code = client.get(f"/v1/documents/{document.code}/verification").json()
    assert (by_code["status"], by_code["revoked_at"]) == ("revoked", revoked["revoked_at"])
    assert verify(client, document.jws)["status"] == "revoked"
    assert client.get("/v1/me/documents", headers=an).json()["items"][0]["revoked"] is True


def test_revoking_again_keeps_the_first_reason(client: TestClient, issue: Issue, admin_headers: dict[str, str]) -> None:
    code = issue().code
    first = client.post(f"/sandbox/documents/{code}/revoke", headers=admin_headers, json={"reason": "first"}).json()

    again = client.post(f"/sandbox/documents/{code}/revoke", headers=admin_headers, json={"reason": "second"})

    assert again.status_code == 200
    assert again.json() == first


def test_revoking_needs_the_admin_token(client: TestClient, issue: Issue, an: dict) -> None:
    response = client.post(f"/sandbox/documents/{issue().code}/revoke", headers=an, json={"reason": "x"})

    assert response.status_code == 401


def test_revoking_an_unknown_code_is_not_found(client: TestClient, admin_headers: dict[str, str]) -> None:
    response = client.post("/sandbox/documents/VN0000000000/revoke", headers=admin_headers, json={"reason": "x"})

    assert response.status_code == 404
    assert response.json()["code"] == "document_not_found"
