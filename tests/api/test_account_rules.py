"""Account rules of Vietnamese law (issue 11 §6): holder-requested unlock, direct level 2 registration at the police,
and children's accounts registered by a parent (NĐ 69/2024/NĐ-CP art. 7 and 11)."""

from datetime import date, timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.models import Citizen, InboxMessage
from tests.api.procedure_helpers import persona_headers, police_serving
from tests.api.test_accounts import (
    AN,
    DUNG,
    GIANG,
    HAI,
    KHOA,
    NEW_PASSWORD,
    POLICE,
    TokenOf,
    account_of,
    events,
    latest_code,
    password_step,
)
from tests.browser.test_web_routes import sign_in as sign_in_to_app
from tests.conftest import form

LINH = "001320000009"
PASSWORD = "Sandbox@2026"
CHILD_PASSWORD = "Linh#Con2020"


@pytest.fixture
def token_of(client: TestClient) -> TokenOf:
    return lambda persona: persona_headers(client, persona, "vneid-app")


def start_unlock(client: TestClient, personal_id: str, password: str = PASSWORD) -> httpx.Response:
    return client.post("/v1/accounts/unlock-requests", json={"personal_id": personal_id, "password": password})


def confirm_unlock(client: TestClient, personal_id: str, code: str) -> httpx.Response:
    return client.post("/v1/accounts/unlock-requests/confirm", json={"personal_id": personal_id, "otp": code})


def give_card(db: Session, personal_id: str, **changes: object) -> None:
    """An ID card issued last month (Luật Căn cước 2023 art. 19: children's cards on request), plus `changes`."""
    citizen = db.get_one(Citizen, personal_id)
    citizen.id_card_issued_on = date.today() - timedelta(days=30)
    citizen.id_card_expires_on = date(2034, 10, 8)
    for name, value in changes.items():
        setattr(citizen, name, value)
    db.commit()


# Holder-requested unlock


def test_a_holder_unlocks_their_own_lock_with_password_and_sms_code(
    client: TestClient, token_of: TokenOf, db: Session, admin_headers: dict[str, str]
) -> None:
    assert client.post("/v1/me/account/lock", headers=token_of("dung")).status_code == 200
    started = start_unlock(client, DUNG)
    assert started.status_code == 202, started.text
    assert (started.json()["otp_sent_to"], started.json()["confirm_url"]) == (
        "091****004",
        "/v1/accounts/unlock-requests/confirm",
    )
    sms = db.query(InboxMessage).filter(InboxMessage.personal_id == DUNG).order_by(InboxMessage.id.desc()).first()
    assert sms is not None
    assert (sms.recipient, "mo khoa tai khoan" in sms.body) == ("0913000004", True)
    unlocked = confirm_unlock(client, DUNG, latest_code(client, admin_headers, DUNG))
    assert (unlocked.status_code, unlocked.json()["status"], unlocked.json()["lock_reason"]) == (200, "active", None)
    assert events(db, DUNG)[-2:] == [
        ("lock", DUNG, "holder_request"),
        ("unlock", DUNG, "holder_request: otp_confirmed"),
    ]
    txn, location = password_step(client, DUNG, PASSWORD)
    assert location == f"/login/{txn}"


def test_a_holder_cannot_lift_a_police_or_death_lock(client: TestClient) -> None:
    refused = start_unlock(client, GIANG)  # locked at an authority's request
    assert (refused.status_code, refused.json()["code"], refused.json()["lock_reason"]) == (
        409,
        "lock_not_holders",
        "authority_request",
    )
    assert confirm_unlock(client, GIANG, "123456").json()["code"] == "otp_expired"  # no code was ever sent
    assert start_unlock(client, HAI).json()["code"] == "permanent_lock"
    assert start_unlock(client, DUNG).json()["code"] == "not_locked"


def test_holder_unlock_guesses_count_as_failed_sign_ins(client: TestClient, token_of: TokenOf) -> None:
    client.post("/v1/me/account/lock", headers=token_of("dung"))
    for _ in range(5):
        assert start_unlock(client, DUNG, "Wrong#Pass1").json()["code"] == "invalid_credentials"
    right, wrong = start_unlock(client, DUNG), start_unlock(client, DUNG, "Wrong#Pass1")
    assert right.status_code == wrong.status_code == 429  # no password oracle past the limit
    assert right.json()["code"] == "too_many_attempts"
    assert int(right.headers["retry-after"]) > 1700


def test_a_wrong_unlock_code_is_refused_and_counted(client: TestClient, token_of: TokenOf) -> None:
    client.post("/v1/me/account/lock", headers=token_of("dung"))
    start_unlock(client, DUNG)
    answers = [confirm_unlock(client, DUNG, "000000").json()["code"] for _ in range(5)]
    assert answers == ["invalid_otp"] * 4 + ["too_many_attempts"]
    assert confirm_unlock(client, DUNG, "123456").status_code == 429


# Direct level 2 registration at the police


def test_the_police_register_a_level_2_account_directly(client: TestClient, db: Session) -> None:
    police = police_serving(client, db, KHOA)
    body = {"personal_id": KHOA, "phone": "0935000010", "password": NEW_PASSWORD}
    registered = client.post("/v1/officer/accounts", headers=police, json=body)
    assert registered.status_code == 201, registered.text
    assert {k: registered.json()[k] for k in ("level", "acr", "status")} == {
        "level": 2,
        "acr": "urn:vneid:loa:2",
        "status": "active",
    }
    assert events(db, KHOA) == [("register", POLICE, "in_person_biometrics")]
    txn, location = password_step(client, KHOA, NEW_PASSWORD)
    assert location == f"/login/{txn}"
    again = client.post("/v1/officer/accounts", headers=police, json=body)
    assert (again.status_code, again.json()["code"]) == (409, "account_exists")


def test_direct_registration_is_for_the_commune_police_and_for_card_holders_of_14(
    client: TestClient, token_of: TokenOf, db: Session
) -> None:
    body = {"personal_id": KHOA, "phone": "0935000010", "password": NEW_PASSWORD}
    outside = client.post("/v1/officer/accounts", headers=token_of("police"), json=body)  # Khoa lives in Huế
    assert (outside.status_code, outside.json()["code"]) == (403, "outside_jurisdiction")
    citizen = client.post("/v1/officer/accounts", headers=token_of("an"), json=body)
    assert (citizen.status_code, citizen.json()["code"]) == (403, "officer_role_required")
    police = police_serving(client, db, KHOA)
    give_card(db, KHOA, id_card_expires_on=date(2025, 1, 1))
    expired = client.post("/v1/officer/accounts", headers=police, json=body)
    assert (expired.status_code, expired.json()["code"]) == (403, "id_card_required")
    give_card(db, LINH)
    child = client.post(
        "/v1/officer/accounts", headers=police_serving(client, db, LINH), json={**body, "personal_id": LINH}
    )
    assert (child.status_code, child.json()["code"]) == (403, "below_minimum_age")
    assert (account_of(db, KHOA), account_of(db, LINH)) == (None, None)


# Children's accounts


def test_a_parent_registers_a_childs_account_and_the_police_upgrade_it_from_6(
    client: TestClient, token_of: TokenOf, db: Session
) -> None:
    give_card(db, LINH)
    registered = client.post(
        "/v1/me/children/accounts", headers=token_of("an"), json={"personal_id": LINH, "password": CHILD_PASSWORD}
    )
    assert registered.status_code == 201, registered.text
    assert {k: registered.json()[k] for k in ("level", "status", "guardian_personal_id")} == {
        "level": 1,
        "status": "active",
        "guardian_personal_id": AN,
    }
    assert events(db, LINH) == [("register", AN, "guardian_registration")]
    txn, location = password_step(client, LINH, CHILD_PASSWORD)
    assert location == f"/login/{txn}"
    sms = db.query(InboxMessage).filter(InboxMessage.personal_id == LINH).one()
    assert sms.recipient == "0912000001"  # the parent's phone
    upgraded = client.post(f"/v1/officer/accounts/{LINH}/upgrade", headers=police_serving(client, db, LINH))
    assert (upgraded.status_code, upgraded.json()["level"]) == (200, 2)


def test_level_2_is_refused_under_6(client: TestClient, token_of: TokenOf, db: Session) -> None:
    give_card(db, LINH, date_of_birth=date.today() - timedelta(days=365 * 4))
    client.post(
        "/v1/me/children/accounts", headers=token_of("an"), json={"personal_id": LINH, "password": CHILD_PASSWORD}
    )
    refused = client.post(f"/v1/officer/accounts/{LINH}/upgrade", headers=police_serving(client, db, LINH))
    assert (refused.status_code, refused.json()["code"]) == (403, "below_level_2_age")


@pytest.mark.parametrize(
    ("parent", "child", "changes", "expected"),
    [
        ("binh", LINH, {}, (403, "insufficient_account_level")),  # a level 1 parent
        ("dung", LINH, {}, (403, "not_your_child")),
        ("an", "001320999999", {}, (403, "not_your_child")),  # unknown: the same answer
        ("an", LINH, {"id_card_issued_on": None}, (403, "id_card_required")),
        ("an", LINH, {"date_of_birth": date(2010, 1, 1)}, (403, "not_under_14")),
        ("an", AN, {}, (403, "not_your_child")),
    ],
    ids=["level-1-parent", "not-a-parent", "unknown-id", "no-card", "14-or-older", "self"],
)
def test_only_a_level_2_parent_registers_a_card_holding_child_under_14(
    client: TestClient,
    token_of: TokenOf,
    db: Session,
    parent: str,
    child: str,
    changes: dict[str, object],
    expected: tuple[int, str],
) -> None:
    give_card(db, LINH, **changes)
    refused = client.post(
        "/v1/me/children/accounts", headers=token_of(parent), json={"personal_id": child, "password": CHILD_PASSWORD}
    )
    assert (refused.status_code, refused.json()["code"]) == expected
    assert account_of(db, LINH) is None


def test_a_child_with_an_account_gets_no_second_one(client: TestClient, token_of: TokenOf, db: Session) -> None:
    give_card(db, LINH)
    body = {"personal_id": LINH, "password": CHILD_PASSWORD}
    assert client.post("/v1/me/children/accounts", headers=token_of("an"), json=body).status_code == 201
    again = client.post("/v1/me/children/accounts", headers=token_of("an"), json=body)
    assert (again.status_code, again.json()["code"]) == (409, "account_exists")


# The web app's page for it (the same service)


def test_a_parent_registers_a_childs_account_in_the_web_app(client: TestClient, db: Session) -> None:
    give_card(db, LINH)
    sign_in_to_app(client, "an")
    assert 'data-testid="children-empty"' in client.get("/app").text
    registered = client.post(
        "/app/children/accounts", data=form(client, personal_id=LINH, password=CHILD_PASSWORD), follow_redirects=False
    )
    assert (registered.status_code, registered.headers["location"]) == (303, "/app#children")
    assert f'data-testid="child-{LINH}"' in client.get("/app").text
    again = client.post("/app/children/accounts", data=form(client, personal_id=LINH, password=CHILD_PASSWORD))
    assert again.status_code == 409
    assert "đã có tài khoản" in again.text


def test_the_web_app_offers_children_accounts_to_level_2_parents_only(client: TestClient, db: Session) -> None:
    sign_in_to_app(client, "binh")
    assert 'data-testid="children"' not in client.get("/app").text
    refused = client.post("/app/children/accounts", data=form(client, personal_id=LINH, password=CHILD_PASSWORD))
    assert refused.status_code == 403
    assert account_of(db, LINH) is None


def test_a_holder_unlocks_their_account_through_the_pages(client: TestClient, token_of: TokenOf) -> None:
    client.post("/v1/me/account/lock", headers=token_of("dung"))
    _, location = password_step(client, DUNG, PASSWORD)
    assert 'data-testid="unlock-link"' in client.get(location).text
    assert 'data-testid="unlock-form"' in client.get("/account/unlock").text
    otp_page = client.post("/account/unlock", data=form(client, personal_id=DUNG, password=PASSWORD))
    assert 'data-testid="unlock-otp-form"' in otp_page.text
    done = client.post("/account/unlock/confirm", data=form(client, personal_id=DUNG, code="123456"))
    assert (done.status_code, "đã được mở khóa" in done.text) == (200, True)
    txn, location = password_step(client, DUNG, PASSWORD)
    assert location == f"/login/{txn}"  # signed in again up to the code step


def test_the_unlock_pages_refuse_a_police_lock_and_need_the_form_token(client: TestClient) -> None:
    client.get("/account/unlock")
    refused = client.post("/account/unlock", data=form(client, personal_id=GIANG, password=PASSWORD))
    assert (refused.status_code, "Công an cấp xã" in refused.text) == (409, True)
    forged = client.post("/account/unlock", data={"personal_id": GIANG, "password": PASSWORD})
    assert forged.status_code == 403
