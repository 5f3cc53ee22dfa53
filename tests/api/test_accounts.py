"""Identity accounts: level 1 self-registration, the police's level 2 upgrade, locks and unlocks, death."""

import re
import unicodedata
from collections.abc import Callable
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AccountEvent, Citizen, IdentityAccount, InboxMessage
from app.services.oidc.grants import pkce_challenge
from app.services.population.seeding import personas_document
from tests.api.procedure_helpers import persona_headers, police_serving
from tests.conftest import ISSUER, form

AN, BINH, GIANG, HAI, KHOA, DUNG = (
    "001090000001",
    "079195000002",
    "092093000007",
    "036050000008",
    "046098000010",
    "001175000004",
)
POLICE = "001085000011"
PERSONAS = [p["personal_id"] for p in personas_document()["personas"]]
UNKNOWN = "001090999999"
BANK_CALLBACK = f"{ISSUER}/demo/bank/callback"
APP_CALLBACK = f"{ISSUER}/app/callback"
VERIFIER = "v" * 50
NEW_PASSWORD = "Khoa#Hue1998"
KHOA_REGISTRATION = {
    "personal_id": KHOA,
    "full_name": "Ngô Văn Khoa",
    "date_of_birth": "1998-04-17",
    "phone": "0935000010",
    "password": NEW_PASSWORD,
}


TokenOf = Callable[[str], dict[str, str]]


@pytest.fixture
def token_of(client: TestClient) -> TokenOf:
    """Bearer headers for a persona signed in to the VNeID app, without the login pages."""
    return lambda persona: persona_headers(client, persona, "vneid-app")


def latest_code(client: TestClient, admin_headers: dict[str, str], personal_id: str) -> str:
    inbox = client.get("/sandbox/inbox", params={"personal_id": personal_id}, headers=admin_headers)
    assert inbox.status_code == 200, inbox.text
    return re.search(r": ([0-9]{6})\.", inbox.json()[0]["body"]).group(1)  # type: ignore[union-attr]


def register(client: TestClient, admin_headers: dict[str, str], **overrides: str) -> str:
    """Start a registration and return the code sent by SMS."""
    body = {**KHOA_REGISTRATION, **overrides}
    response = client.post("/v1/accounts/registrations", json=body)
    assert response.status_code == 202, response.text
    return latest_code(client, admin_headers, body["personal_id"])


def confirm(client: TestClient, personal_id: str, code: str) -> httpx.Response:
    return client.post("/v1/accounts/registrations/confirm", json={"personal_id": personal_id, "otp": code})


def events(db: Session, personal_id: str) -> list[tuple[str, str, str | None]]:
    rows = db.scalars(select(AccountEvent).where(AccountEvent.personal_id == personal_id).order_by(AccountEvent.id))
    return [(e.action, e.actor, e.reason) for e in rows]


def account_of(db: Session, personal_id: str) -> IdentityAccount | None:
    db.expire_all()
    return db.get(IdentityAccount, personal_id)


# The login pages, as a browser drives them.


def go(client: TestClient, url: str, **fields: str) -> str:
    if fields:
        response = client.post(url, data=form(client, **fields), follow_redirects=False)
    else:
        response = client.get(url, follow_redirects=False)
    assert response.status_code in (302, 303), response.text
    return response.headers["location"]


def authorize_url(**extra: str) -> str:
    params = {
        "client_id": "demo-bank",
        "redirect_uri": BANK_CALLBACK,
        "response_type": "code",
        "scope": "openid",
        "state": "s",
        "code_challenge": pkce_challenge(VERIFIER),
        "code_challenge_method": "S256",
        **extra,
    }
    return "/oauth2/authorize?" + "&".join(f"{k}={v}" for k, v in params.items())


def password_step(client: TestClient, personal_id: str, password: str, **extra: str) -> tuple[str, str]:
    """The login page's password form: (transaction, where the browser goes next)."""
    txn = go(client, authorize_url(**extra)).rsplit("/", 1)[1]
    return txn, go(client, f"/login/{txn}/password", personal_id=personal_id, password=password)


def callback_params(location: str, callback: str = BANK_CALLBACK) -> dict[str, str]:
    assert location.startswith(callback), location
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


# Level 1 self-registration


def test_khoa_registers_confirms_with_the_inbox_code_and_signs_in_with_his_password(
    client: TestClient, admin_headers: dict[str, str], db: Session
) -> None:
    started = client.post("/v1/accounts/registrations", json=KHOA_REGISTRATION)
    assert started.status_code == 202, started.text
    body = started.json()
    assert (body["personal_id"], body["status"], body["level"]) == (KHOA, "pending", 1)
    assert (body["otp_sent_to"], body["attempts_left"]) == ("093****010", 5)
    assert body["confirm_url"] == "/v1/accounts/registrations/confirm"
    sms = client.get("/sandbox/inbox", params={"personal_id": KHOA}, headers=admin_headers).json()[0]
    assert sms["recipient"] == "0935000010"

    confirmed = confirm(client, KHOA, latest_code(client, admin_headers, KHOA))

    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json() == {
        "personal_id": KHOA,
        "level": 1,
        "acr": "urn:vneid:loa:1",
        "status": "active",
        "lock_reason": None,
        "guardian_personal_id": None,
    }
    assert events(db, KHOA) == [("apply", KHOA, "self_registration"), ("register", KHOA, "otp_confirmed")]
    account = account_of(db, KHOA)
    assert account is not None
    assert (account.role, account.phone) == ("citizen", "0935000010")

    # Self-service takes tokens of the VNeID app itself: a public client, so PKCE and no secret.
    txn, otp_page = password_step(client, KHOA, NEW_PASSWORD, client_id="vneid-app", redirect_uri=APP_CALLBACK)
    assert otp_page == f"/login/{txn}"
    consent_page = go(client, f"/login/{txn}/otp", code=latest_code(client, admin_headers, KHOA))
    assert consent_page == f"/login/{txn}"
    code = callback_params(go(client, f"/login/{txn}/consent", decision="approve"), APP_CALLBACK)["code"]
    tokens = client.post(
        "/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "client_id": "vneid-app",
            "code": code,
            "redirect_uri": APP_CALLBACK,
            "code_verifier": VERIFIER,
        },
    )
    assert tokens.status_code == 200, tokens.text
    me = client.get("/v1/me", headers={"Authorization": f"Bearer {tokens.json()['access_token']}"})
    assert me.json()["account"]["acr"] == "urn:vneid:loa:1"
    assert me.json()["full_name"] == "Ngô Văn Khoa"


def test_a_pending_registration_cannot_sign_in(client: TestClient, admin_headers: dict[str, str]) -> None:
    register(client, admin_headers)
    txn, location = password_step(client, KHOA, NEW_PASSWORD)
    assert location == f"/login/{txn}?error=account_pending"


def test_name_is_compared_regardless_of_case_and_unicode_form(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    code = register(client, admin_headers, full_name=unicodedata.normalize("NFD", "NGÔ  VĂN KHOA"))
    assert confirm(client, KHOA, code).status_code == 200


@pytest.mark.parametrize(
    "claim",
    [
        {"full_name": "Ngô Văn Khoá"},
        {"full_name": "Ngo Van Khoa"},
        {"date_of_birth": "1998-04-18"},
        {"personal_id": UNKNOWN},
    ],
)
def test_identity_must_match_the_population_record_without_saying_what_differs(
    client: TestClient, claim: dict[str, str]
) -> None:
    response = client.post("/v1/accounts/registrations", json={**KHOA_REGISTRATION, **claim})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "identity_mismatch"
    assert "1998-04-17" not in response.text


def test_a_deceased_citizen_cannot_register(client: TestClient) -> None:
    claim = {"personal_id": HAI, "full_name": "Bùi Văn Hải", "date_of_birth": "1950-02-11"}
    response = client.post("/v1/accounts/registrations", json={**KHOA_REGISTRATION, **claim})
    assert (response.status_code, response.json()["code"]) == (403, "citizen_deceased")


def test_a_child_under_14_cannot_self_register(client: TestClient, db: Session) -> None:
    today = date.today()
    child = db.scalars(
        select(Citizen)
        .where(Citizen.date_of_birth > date(today.year - 13, 1, 1), Citizen.date_of_death.is_(None))
        .order_by(Citizen.personal_id)
    ).first()
    assert child is not None
    claim = {"personal_id": child.personal_id, "full_name": child.full_name, "date_of_birth": str(child.date_of_birth)}
    response = client.post("/v1/accounts/registrations", json={**KHOA_REGISTRATION, **claim})
    assert (response.status_code, response.json()["code"]) == (403, "below_minimum_age")


def test_a_citizen_with_an_account_cannot_register_again(client: TestClient) -> None:
    claim = {"personal_id": AN, "full_name": "Nguyễn Văn An", "date_of_birth": "1990-03-15"}
    response = client.post("/v1/accounts/registrations", json={**KHOA_REGISTRATION, **claim})
    assert (response.status_code, response.json()["code"]) == (409, "account_exists")


@pytest.mark.parametrize(
    ("password", "missing"),
    [
        ("Sh0rt!", "at least 8 characters"),
        ("alllower1!", "an upper-case letter"),
        ("ALLUPPER1!", "a lower-case letter"),
        ("NoDigits!!", "a digit"),
        ("NoSymbol12", "a symbol"),
    ],
)
def test_password_policy_says_what_is_missing(client: TestClient, password: str, missing: str) -> None:
    response = client.post("/v1/accounts/registrations", json={**KHOA_REGISTRATION, "password": password})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["location"] == ["body", "password"]
    assert missing in error["message"]


@pytest.mark.parametrize("phone", ["093500001", "09350000100", "0235000010", "+84935000010", "1935000010"])
def test_phone_must_be_a_vietnamese_mobile_number(client: TestClient, phone: str) -> None:
    response = client.post("/v1/accounts/registrations", json={**KHOA_REGISTRATION, "phone": phone})
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == ["body", "phone"]


def test_wrong_codes_are_counted_and_the_fifth_cancels_the_registration(
    client: TestClient, admin_headers: dict[str, str], db: Session
) -> None:
    register(client, admin_headers)
    for attempts_left in (4, 3, 2, 1):
        wrong = confirm(client, KHOA, "000000")
        assert (wrong.status_code, wrong.json()["code"]) == (422, "invalid_otp")
        assert wrong.json()["attempts_left"] == attempts_left

    cancelled = confirm(client, KHOA, "000000")

    assert (cancelled.status_code, cancelled.json()["code"]) == (422, "registration_cancelled")
    assert account_of(db, KHOA) is None
    assert events(db, KHOA)[-1] == ("cancel", "system", "too_many_wrong_otps")
    assert confirm(client, KHOA, "123456").json()["code"] == "registration_not_found"
    assert confirm(client, KHOA, register(client, admin_headers)).status_code == 200  # a fresh start works


def test_an_expired_code_is_refused_and_registering_again_sends_a_new_one(
    client: TestClient, admin_headers: dict[str, str], db: Session
) -> None:
    code = register(client, admin_headers)
    for sms in db.scalars(select(InboxMessage).where(InboxMessage.personal_id == KHOA)):
        sms.at -= timedelta(minutes=5, seconds=1)  # the code lives 5 minutes
    db.commit()
    expired = confirm(client, KHOA, code)
    assert (expired.status_code, expired.json()["code"]) == (422, "otp_expired")
    assert confirm(client, KHOA, register(client, admin_headers)).status_code == 200


def test_restarting_sends_a_new_random_code_for_a_non_persona_and_the_old_one_stops_working(
    client: TestClient, admin_headers: dict[str, str], db: Session
) -> None:
    adult = db.scalars(
        select(Citizen)
        .outerjoin(IdentityAccount, IdentityAccount.personal_id == Citizen.personal_id)
        .where(IdentityAccount.personal_id.is_(None), Citizen.date_of_death.is_(None))
        .where(Citizen.date_of_birth < date(1990, 1, 1), Citizen.personal_id.not_in(PERSONAS))
        .order_by(Citizen.personal_id)
    ).first()
    assert adult is not None, "the seeded population should hold an adult without an account"
    claim = {"personal_id": adult.personal_id, "full_name": adult.full_name, "date_of_birth": str(adult.date_of_birth)}
    first = register(client, admin_headers, **claim)
    second = register(client, admin_headers, **claim)
    if first != second:  # random codes: one chance in a million that both are the same
        assert confirm(client, adult.personal_id, first).json()["code"] == "invalid_otp"
    assert confirm(client, adult.personal_id, second).json()["status"] == "active"


def test_confirming_without_a_registration_is_404(client: TestClient) -> None:
    for personal_id in (KHOA, AN):  # nothing pending: no account, or an active one
        response = confirm(client, personal_id, "123456")
        assert (response.status_code, response.json()["code"]) == (404, "registration_not_found")


@pytest.mark.parametrize("otp", ["12345", "1234567", "abcdef"])
def test_malformed_code_is_422(client: TestClient, otp: str) -> None:
    assert confirm(client, KHOA, otp).json()["code"] == "validation_error"


# Level 2 upgrade at the police


def test_police_upgrades_binh_to_level_2(client: TestClient, db: Session) -> None:
    police = police_serving(client, db, BINH)
    response = client.post(f"/v1/officer/accounts/{BINH}/upgrade", headers=police, json={})
    assert response.status_code == 200, response.text
    assert (response.json()["level"], response.json()["acr"]) == (2, "urn:vneid:loa:2")
    assert events(db, BINH) == [("upgrade", POLICE, "in_person_biometrics")]
    again = client.post(f"/v1/officer/accounts/{BINH}/upgrade", headers=police)
    assert (again.status_code, again.json()["code"]) == (409, "already_level_2")


def test_an_upgraded_citizen_signs_in_at_level_2(client: TestClient, token_of: TokenOf, db: Session) -> None:
    client.post(
        f"/v1/officer/accounts/{BINH}/upgrade", headers=police_serving(client, db, BINH), json={"reason": "quầy 3"}
    )
    assert client.get("/v1/me", headers=token_of("binh")).json()["account"]["acr"] == "urn:vneid:loa:2"


@pytest.mark.parametrize("persona", ["binh", "an", "records"])
def test_only_a_police_officer_may_upgrade(client: TestClient, token_of: TokenOf, persona: str) -> None:
    response = client.post(f"/v1/officer/accounts/{BINH}/upgrade", headers=token_of(persona))
    assert (response.status_code, response.json()["code"]) == (403, "officer_role_required")


def test_officer_endpoints_need_a_citizen_token(client: TestClient, agency_headers: dict[str, str]) -> None:
    machine = client.post(f"/v1/officer/accounts/{BINH}/upgrade", headers=agency_headers)
    assert (machine.status_code, machine.json()["code"]) == (403, "citizen_token_required")
    assert client.post(f"/v1/officer/accounts/{BINH}/upgrade").status_code == 401


@pytest.mark.parametrize(
    ("personal_id", "status", "code"),
    [(KHOA, 404, "account_not_found"), (UNKNOWN, 404, "citizen_not_found"), (GIANG, 409, "already_level_2")],
)
def test_upgrade_needs_an_existing_level_1_account(
    client: TestClient,
    db: Session,
    personal_id: str,
    status: int,
    code: str,
) -> None:
    response = client.post(
        f"/v1/officer/accounts/{personal_id}/upgrade", headers=police_serving(client, db, personal_id)
    )
    assert (response.status_code, response.json()["code"]) == (status, code)


def test_a_locked_level_1_account_cannot_be_upgraded(client: TestClient, db: Session) -> None:
    police = police_serving(client, db, BINH)
    client.post(f"/v1/officer/accounts/{BINH}/lock", headers=police, json={"reason": "breach_of_terms"})
    response = client.post(f"/v1/officer/accounts/{BINH}/upgrade", headers=police)
    assert (response.status_code, response.json()["code"]) == (409, "account_not_active")


# Locks and unlocks


def test_authority_lock_signs_the_holder_out_and_unlock_lets_them_back_in(
    client: TestClient,
    token_of: TokenOf,
    admin_headers: dict[str, str],
    db: Session,
) -> None:
    police, an = police_serving(client, db, AN), token_of("an")
    locked = client.post(f"/v1/officer/accounts/{AN}/lock", headers=police, json={"reason": "id_card_revoked"})
    assert locked.status_code == 200, locked.text
    assert (locked.json()["status"], locked.json()["lock_reason"]) == ("locked", "id_card_revoked")
    assert client.get("/v1/me", headers=an).json()["code"] == "invalid_token"  # the live token is revoked
    minted = client.post("/sandbox/tokens", headers=admin_headers, json={"persona": "an", "client_id": "demo-bank"})
    assert (minted.status_code, minted.json()["code"]) == (403, "account_locked")
    again = client.post(f"/v1/officer/accounts/{AN}/lock", headers=police, json={"reason": "authority_request"})
    assert (again.status_code, again.json()["code"], again.json()["lock_reason"]) == (
        409,
        "already_locked",
        "id_card_revoked",
    )

    unlocked = client.post(f"/v1/officer/accounts/{AN}/unlock", headers=police)

    assert (unlocked.status_code, unlocked.json()["status"], unlocked.json()["lock_reason"]) == (200, "active", None)
    assert events(db, AN) == [("lock", POLICE, "id_card_revoked"), ("unlock", POLICE, "id_card_revoked")]
    assert client.get("/v1/me", headers=token_of("an")).status_code == 200
    not_locked = client.post(f"/v1/officer/accounts/{AN}/unlock", headers=police)
    assert (not_locked.status_code, not_locked.json()["code"]) == (409, "not_locked")


@pytest.mark.parametrize("body", [{}, {"reason": "holder_request"}, {"reason": "death"}, {"reason": "failed_logins"}])
def test_authority_lock_needs_an_authority_reason(client: TestClient, token_of: TokenOf, body: dict) -> None:
    response = client.post(f"/v1/officer/accounts/{AN}/lock", headers=token_of("police"), json=body)
    assert (response.status_code, response.json()["code"]) == (422, "validation_error")


def test_the_locked_persona_is_refused_by_login_until_the_police_unlocks_it(client: TestClient, db: Session) -> None:
    txn, location = password_step(client, GIANG, "Sandbox@2026")
    assert location == f"/login/{txn}?error=account_locked"
    police = police_serving(client, db, GIANG)
    unlocked = client.post(f"/v1/officer/accounts/{GIANG}/unlock", headers=police, json={"reason": "ok"})
    assert unlocked.json()["status"] == "active"
    txn, location = password_step(client, GIANG, "Sandbox@2026")
    assert location == f"/login/{txn}"


def test_the_deceased_persona_cannot_be_unlocked(client: TestClient, db: Session) -> None:
    response = client.post(f"/v1/officer/accounts/{HAI}/unlock", headers=police_serving(client, db, HAI))
    assert (response.status_code, response.json()["code"]) == (409, "permanent_lock")


# Death


def test_recording_a_death_locks_the_account_for_good(
    client: TestClient,
    admin_headers: dict[str, str],
    agency_headers: dict[str, str],
    token_of: TokenOf,
    db: Session,
) -> None:
    binh = token_of("binh")
    response = client.post(
        f"/sandbox/citizens/{BINH}/death", headers=admin_headers, json={"date_of_death": "2026-01-05"}
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "personal_id": BINH,
        "life_status": "deceased",
        "date_of_death": "2026-01-05",
        "account": {
            "personal_id": BINH,
            "level": 1,
            "acr": "urn:vneid:loa:1",
            "status": "locked",
            "lock_reason": "death",
            "guardian_personal_id": None,
        },
    }
    record = client.get(f"/v1/citizens/{BINH}", params={"fields": "life_status,date_of_death"}, headers=agency_headers)
    assert (record.json()["life_status"], record.json()["date_of_death"]) == ("deceased", "2026-01-05")
    assert events(db, BINH) == [("lock", "population_database", "death")]
    assert client.get("/v1/me", headers=binh).status_code == 401
    unlock = client.post(f"/v1/officer/accounts/{BINH}/unlock", headers=police_serving(client, db, BINH))
    assert (unlock.status_code, unlock.json()["code"]) == (409, "permanent_lock")
    again = client.post(f"/sandbox/citizens/{BINH}/death", headers=admin_headers, json={"date_of_death": "2026-01-06"})
    assert (again.status_code, again.json()["code"]) == (409, "already_deceased")


def test_death_of_a_citizen_without_account(client: TestClient, admin_headers: dict[str, str]) -> None:
    response = client.post(
        f"/sandbox/citizens/{KHOA}/death", headers=admin_headers, json={"date_of_death": "2025-12-31"}
    )
    assert (response.status_code, response.json()["account"]) == (200, None)
    claim = client.post("/v1/accounts/registrations", json=KHOA_REGISTRATION)
    assert (claim.status_code, claim.json()["code"]) == (403, "citizen_deceased")


@pytest.mark.parametrize("when", [(date.today() + timedelta(days=2)).isoformat(), "1998-04-16"])
def test_date_of_death_may_be_neither_future_nor_before_birth(
    client: TestClient, admin_headers: dict[str, str], when: str
) -> None:
    response = client.post(f"/sandbox/citizens/{KHOA}/death", headers=admin_headers, json={"date_of_death": when})
    assert (response.status_code, response.json()["code"]) == (422, "invalid_date_of_death")


def test_recording_a_death_needs_the_admin_token_and_a_known_citizen(
    client: TestClient,
    admin_headers: dict[str, str],
    token_of: TokenOf,
) -> None:
    body = {"date_of_death": "2025-01-01"}
    officer = client.post(f"/sandbox/citizens/{KHOA}/death", headers=token_of("police"), json=body)
    assert (officer.status_code, officer.json()["code"]) == (401, "invalid_admin_token")
    unknown = client.post(f"/sandbox/citizens/{UNKNOWN}/death", headers=admin_headers, json=body)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "citizen_not_found")
