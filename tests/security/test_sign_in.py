"""The sign-in pages (issue 10): login CSRF (M1), one-time code guesses across restarts, the SSO session's lifetime,
and the time an answer takes for an unknown ID."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import passwords
from app.models import AttemptCounter, LoginSession
from app.services.identity import accounts
from tests.api.test_login_pages import authorize_url, callback_params, go
from tests.conftest import ISSUER, form

DUNG = "001175000004"
PASSWORD = "Sandbox@2026"


def start(browser: TestClient, **params: str) -> str:
    """An authorization request in this browser; the sign-in transaction it opened."""
    match = re.fullmatch(r"/login/([\w-]+)", go(browser, authorize_url(**params)))
    assert match is not None
    return match.group(1)


def to_consent(browser: TestClient) -> str:
    """Dung signs in with password and code; the transaction, now at the consent screen."""
    txn = start(browser)
    assert go(browser, f"/login/{txn}/password", personal_id=DUNG, password=PASSWORD) == f"/login/{txn}"
    assert go(browser, f"/login/{txn}/otp", code="123456") == f"/login/{txn}"
    return txn


def failed_sign_ins(db: Session) -> int:
    """Failures counted in the untrusted browsers' bucket of Dung's account (app/services/identity/devices.py)."""
    db.expire_all()
    counter = db.get(AttemptCounter, f"sign-in:{DUNG}:untrusted")
    return counter.attempts if counter is not None else 0


def test_m1_a_sign_in_started_in_another_browser_cannot_be_continued(app: FastAPI, client: TestClient) -> None:
    with TestClient(app, base_url=ISSUER) as attacker:
        planted = to_consent(attacker)  # the attacker signed in as himself, up to the consent screen
    client.get("/")
    victim_token = form(client)
    for response in (
        client.get(f"/login/{planted}"),
        client.post(f"/login/{planted}/consent", data={**victim_token, "decision": "approve"}),
        client.post(f"/login/{planted}/switch", data=victim_token),
    ):
        assert response.status_code == 403
        assert "trình duyệt khác" in response.text
        assert "location" not in response.headers
    assert "vneid_session" not in client.cookies


def test_m1_a_password_step_of_another_browser_is_refused(app: FastAPI, client: TestClient) -> None:
    with TestClient(app, base_url=ISSUER) as attacker:
        txn = start(attacker)
    client.get("/")
    response = client.post(f"/login/{txn}/password", data=form(client, personal_id=DUNG, password=PASSWORD))
    assert response.status_code == 403
    persona = client.post(f"/login/{txn}/persona", data=form(client, persona="an"))
    assert persona.status_code == 403


def test_m1_the_sign_in_forms_need_the_token(client: TestClient) -> None:
    txn = start(client)
    page = client.get(f"/login/{txn}").text
    assert page.count('name="csrf_token"') >= 2  # the password form and every persona button
    forged = client.post(f"/login/{txn}/persona", data={"persona": "an"}, follow_redirects=False)
    assert forged.status_code == 403
    assert "vneid_session" not in client.cookies


def test_m1_the_consent_screen_says_who_is_signed_in(client: TestClient) -> None:
    page = client.get(f"/login/{to_consent(client)}").text
    assert 'data-testid="signed-in-name">Phạm Thị Dung<' in page
    assert 'data-testid="signed-in-id">001******004<' in page
    assert DUNG not in page
    assert 'data-testid="not-you"' in page


def test_m1_not_you_signs_out_and_asks_for_the_credentials_again(client: TestClient) -> None:
    txn = to_consent(client)
    response = client.post(f"/login/{txn}/switch", data=form(client), follow_redirects=False)
    assert response.headers["location"] == f"/login/{txn}"
    assert "vneid_session" not in client.cookies
    assert 'data-testid="password-form"' in client.get(f"/login/{txn}").text
    assert callback_params(go(client, authorize_url(prompt="none")))["error"] == "login_required"


def test_one_time_code_guesses_are_counted_per_browser_bucket_across_restarts(client: TestClient, db: Session) -> None:
    for wrong_codes in (3, 2):  # the attacker knows the password and restarts the sign-in after 3 guesses
        txn = start(client)
        go(client, f"/login/{txn}/password", personal_id=DUNG, password=PASSWORD)
        for _ in range(wrong_codes - 1):
            assert go(client, f"/login/{txn}/otp", code="000000") == f"/login/{txn}?error=invalid_otp"
        last = go(client, f"/login/{txn}/otp", code="000000")
    params = callback_params(last)
    assert (params["error"], params["vneid_error"]) == ("access_denied", "too_many_attempts")
    assert failed_sign_ins(db) == 5
    txn = start(client)
    locked_out = client.post(f"/login/{txn}/password", data=form(client, personal_id=DUNG, password=PASSWORD))
    assert locked_out.status_code == 429


def test_only_a_whole_sign_in_restarts_the_count_of_failures(client: TestClient, db: Session) -> None:
    txn = start(client)
    for _ in range(4):
        go(client, f"/login/{txn}/password", personal_id=DUNG, password="wrong-password")
    go(client, f"/login/{txn}/password", personal_id=DUNG, password=PASSWORD)
    assert failed_sign_ins(db) == 4, "the right password alone does not restart the count"
    go(client, f"/login/{txn}/otp", code="123456")
    assert failed_sign_ins(db) == 0


@pytest.mark.parametrize(
    ("idle", "age"),
    [(timedelta(minutes=31), timedelta(minutes=31)), (timedelta(minutes=1), timedelta(hours=12, minutes=1))],
    ids=["idle", "absolute"],
)
def test_the_sso_session_ends_when_idle_or_too_old(
    client: TestClient, db: Session, idle: timedelta, age: timedelta
) -> None:
    go(client, f"/login/{to_consent(client)}/consent", decision="approve")
    assert "code" in callback_params(go(client, authorize_url(prompt="none", state="s-2")))
    session = db.scalars(select(LoginSession).where(LoginSession.personal_id == DUNG)).one()
    now = datetime.now(UTC)
    session.last_used_at, session.auth_time = now - idle, now - age
    db.commit()
    assert callback_params(go(client, authorize_url(prompt="none")))["error"] == "login_required"
    db.refresh(session)
    assert session.ended_at is not None


def test_the_sso_session_stays_while_used(client: TestClient, db: Session) -> None:
    go(client, f"/login/{to_consent(client)}/consent", decision="approve")
    session = db.scalars(select(LoginSession).where(LoginSession.personal_id == DUNG)).one()
    session.last_used_at = datetime.now(UTC) - timedelta(minutes=29)
    db.commit()
    assert "code" in callback_params(go(client, authorize_url(prompt="none")))
    db.refresh(session)
    assert datetime.now(UTC) - session.last_used_at < timedelta(minutes=1)


def test_an_unknown_id_costs_the_same_hashing_as_a_known_one(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def counted(password: str, stored: str) -> bool:
        calls.append(password)
        return passwords.verify_password(password, stored)

    monkeypatch.setattr(accounts, "verify_password", counted)
    txn = start(client)
    for personal_id in (DUNG, "001099999999"):
        location = go(client, f"/login/{txn}/password", personal_id=personal_id, password="wrong-password")
        assert location.endswith("error=invalid_credentials")
    assert len(calls) == 2
