"""Procedures against a real server: the tenant story with a real webhook receiver, and racing decisions."""

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import httpx
import pytest

from tests.databases import fresh_database
from tests.e2e.live_server import client_credentials, free_port, serve
from tests.e2e.receiver import Receiver, running_receiver

ADMIN = "live-admin-token"
CUONG, DUNG = "040203000003", "001175000004"
DUNG_HOME = {"street": "Số 18 ngõ 68 phố Xuân Thủy", "commune_code": "00166"}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("procedures-live")
    port = free_port()
    with (
        fresh_database(folder) as url,
        serve(
            url, port, folder / "server.log", {"VNEID_ADMIN_TOKEN": ADMIN, "VNEID_ISSUER": f"http://127.0.0.1:{port}"}
        ) as base,
    ):
        yield base


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as server:
        yield server


def token(base: str, persona: str, client_id: str = "vneid-app") -> dict[str, str]:
    # Procedures, officer work and the wallet are all done in the first-party VNeID app.
    response = httpx.post(
        f"{base}/sandbox/tokens",
        headers={"Authorization": f"Bearer {ADMIN}"},
        json={"persona": persona, "client_id": client_id, "scope": "openid"},
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def subscribe_app(base: str, url: str, events: list[str]) -> dict[str, str]:
    """The operator subscribes the VNeID app, where citizens file, to its procedures' events."""
    response = httpx.post(
        f"{base}/sandbox/webhooks",
        headers={"Authorization": f"Bearer {ADMIN}"},
        json={"client_id": "vneid-app", "url": url, "events": events},
    )
    response.raise_for_status()
    result: dict[str, str] = response.json()
    return result


def file_registration(base: str, tenant: dict[str, str]) -> str:
    today = date.fromisoformat(
        httpx.get(f"{base}/sandbox/clock", headers={"Authorization": f"Bearer {ADMIN}"}).json()["now"][:10]
    )
    response = httpx.post(
        f"{base}/v1/applications/temporary-residence",
        headers=tenant,
        json={
            **DUNG_HOME,
            "owner_personal_id": DUNG,
            "proof_type": "lease_contract",
            "start_date": today.isoformat(),
            "end_date": (today + timedelta(days=300)).isoformat(),
            "reason": "study",
        },
    )
    assert response.status_code == 201, response.text
    return response.json()["code"]


def consent_and_pay(base: str, code: str, owner: dict[str, str], tenant: dict[str, str]) -> None:
    """The owner consents, the tenant pays the 7,000 VND fee (Thông tư 75/2022/TT-BTC): the police may decide."""
    consented = httpx.post(f"{base}/v1/applications/{code}/owner-consent", headers=owner, json={"decision": "approve"})
    assert consented.json()["status"] == "awaiting_payment", consented.text
    payment = httpx.post(f"{base}/v1/applications/{code}/payments", headers=tenant).json()
    done = httpx.post(
        f"{base}/v1/payments/{payment['payment_id']}/complete", headers=tenant, json={"outcome": "succeed"}
    )
    assert done.json()["application_status"] == "in_review", done.text


def test_tenant_story_with_signed_webhooks(live: str, receiver: Receiver) -> None:
    httpx.post(f"{live}/sandbox/reset", headers={"Authorization": f"Bearer {ADMIN}"}).raise_for_status()
    cuong, dung, police = token(live, "cuong"), token(live, "dung"), token(live, "police")
    subscription = subscribe_app(
        live,
        f"http://127.0.0.1:{receiver.server_port}/hooks",
        ["application.created", "application.status_changed", "document.issued"],
    )

    code = file_registration(live, cuong)
    consent_and_pay(live, code, dung, cuong)
    approved = httpx.post(
        f"{live}/v1/officer/applications/{code}/decision", headers=police, json={"decision": "approve"}
    )
    assert approved.json()["status"] == "approved", approved.text

    agency = client_credentials(live, "demo-agency", "demo-agency-secret").json()["access_token"]
    record = httpx.get(
        f"{live}/v1/citizens/{CUONG}",
        params={"purpose": "kiem tra cu tru"},
        headers={"Authorization": f"Bearer {agency}"},
    ).json()
    assert record["temporary_address"]["street"] == DUNG_HOME["street"]

    received = receiver.wait_for(5)
    kinds = [(json.loads(body)["type"], json.loads(body)["data"].get("status")) for _, body in received]
    assert kinds == [
        ("application.created", "awaiting_owner"),
        ("application.status_changed", "awaiting_payment"),
        ("application.status_changed", "in_review"),
        ("application.status_changed", "approved"),
        ("document.issued", None),
    ]
    for headers, body in received:
        timestamp, mac = (part.split("=", 1)[1] for part in headers["vneid-signature"].split(","))
        expected = hmac.new(subscription["secret"].encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
        assert hmac.compare_digest(mac, expected.hexdigest())
        assert headers["vneid-event-type"] == json.loads(body)["type"]


def test_parallel_decisions_leave_exactly_one_transition(live: str) -> None:
    httpx.post(f"{live}/sandbox/reset", headers={"Authorization": f"Bearer {ADMIN}"}).raise_for_status()
    cuong, dung, police = token(live, "cuong"), token(live, "dung"), token(live, "police")
    code = file_registration(live, cuong)
    consent_and_pay(live, code, dung, cuong)
    decisions = [{"decision": "approve"}, {"decision": "reject", "reason": "Hồ sơ không hợp lệ"}] * 8

    def decide(body: dict[str, str]) -> int:
        return httpx.post(
            f"{live}/v1/officer/applications/{code}/decision", headers=police, json=body, timeout=30
        ).status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(decide, decisions))
    assert statuses.count(200) == 1, statuses
    assert set(statuses) == {200, 409}
    history = httpx.get(f"{live}/v1/applications/{code}", headers=cuong).json()["history"]
    assert [e["action"] for e in history][:3] == ["submit", "owner_approve", "pay"]
    assert len([e for e in history if e["action"] in ("approve", "reject")]) == 1


def test_criminal_record_certificate_paid_issued_and_verifiable(live: str, receiver: Receiver) -> None:
    from joserfc import jws
    from joserfc.jwk import KeySet

    httpx.post(f"{live}/sandbox/reset", headers={"Authorization": f"Bearer {ADMIN}"}).raise_for_status()
    an, records = token(live, "an"), token(live, "records")
    subscription = subscribe_app(live, f"http://127.0.0.1:{receiver.server_port}/hooks", ["document.issued"])
    request = {"form": 2, "purpose": "job"}
    quote = httpx.post(f"{live}/v1/applications/criminal-record-certificates/quote", headers=an, json={}).json()
    filed = httpx.post(f"{live}/v1/applications/criminal-record-certificates", headers=an, json=request).json()
    assert filed["fee_vnd"] == quote["total_vnd"]
    if filed["status"] == "awaiting_payment":  # no Hà Nội subsidy at this sandbox date: pay the standard fee
        assert quote["total_vnd"] == 200_000
        payment = httpx.post(f"{live}/v1/applications/{filed['code']}/payments", headers=an).json()
        paid = httpx.post(
            f"{live}/v1/payments/{payment['payment_id']}/complete", headers=an, json={"outcome": "succeed"}
        )
        assert paid.json()["status"] == "succeeded", paid.text
    issued = httpx.post(
        f"{live}/v1/officer/applications/{filed['code']}/decision", headers=records, json={"decision": "approve"}
    )
    assert issued.json()["status"] == "issued", issued.text

    ((headers, body),) = receiver.wait_for(1)
    assert json.loads(body)["data"]["application_code"] == filed["code"]
    timestamp, mac = (part.split("=", 1)[1] for part in headers["vneid-signature"].split(","))
    expected = hmac.new(subscription["secret"].encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    assert hmac.compare_digest(mac, expected.hexdigest())

    summary = httpx.get(f"{live}/v1/me/documents", headers=an).json()["items"][0]
    document = httpx.get(f"{live}/v1/me/documents/{summary['id']}", headers=an).json()
    keys = KeySet.import_key_set(httpx.get(f"{live}/.well-known/jwks.json").json())
    verified = jws.deserialize_compact(document["jws"], keys.get_by_kid(document["kid"]), algorithms=["RS256"])
    assert json.loads(verified.payload)["code"] == document["code"]

    head, payload, signature = document["jws"].split(".")
    claims = json.loads(verified.payload)
    claims["document"]["fields"][0]["value"] = "NGUYỄN VĂN GIẢ"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    for jws_text, status in ((document["jws"], "valid"), (f"{head}.{forged}.{signature}", "tampered")):
        answer = httpx.post(f"{live}/v1/documents/verification", json={"jws": jws_text}).json()
        assert answer["status"] == status
    assert httpx.get(document["verification_url"]).json()["status"] == "valid"


def test_level_1_account_is_refused_a_certificate(live: str) -> None:
    response = httpx.post(
        f"{live}/v1/applications/criminal-record-certificates",
        headers=token(live, "binh"),
        json={"form": 1, "purpose": "job"},
    )
    assert (response.status_code, response.json()["code"]) == (403, "insufficient_account_level")
