"""Wrong passwords lock a browser's bucket out, never the account (issue 10: "anyone who knows an ID can lock the
account", M2 tokens outliving a lock, M3 a password oracle past a lockout). Device cookies as OWASP describes them:
app/services/identity/devices.py."""

import re
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.models import IdentityAccount
from app.web import csrf
from tests.api.procedure_helpers import police_serving
from tests.api.test_login_pages import authorize_url, callback_params, go
from tests.conftest import ADMIN_TOKEN, ISSUER, basic, form

DUNG = "001175000004"
RIGHT, WRONG = "Sandbox@2026", "not-the-password"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@contextmanager
def browser(app: FastAPI) -> Iterator[TestClient]:
    """Another browser: its own cookie jar, no device cookie."""
    with TestClient(app, base_url=ISSUER) as other:
        yield other


def attempt(client: TestClient, password: str, personal_id: str = DUNG) -> tuple[int, str]:
    """One password on a fresh sign-in page: (status, the error shown or where the browser goes next)."""
    txn = re.fullmatch(r"/login/([\w-]+)", go(client, authorize_url(prompt="login"))).group(1)  # type: ignore[union-attr]
    response = client.post(
        f"/login/{txn}/password", data=form(client, personal_id=personal_id, password=password), follow_redirects=False
    )
    if response.status_code != 303:
        return response.status_code, response.text
    location = response.headers["location"]
    return 303, location.partition("?error=")[2] or "otp"


def sign_in(client: TestClient) -> None:
    """Dung completes a sign-in (password and code) in this browser, which trusts it from then on."""
    txn = re.fullmatch(r"/login/([\w-]+)", go(client, authorize_url())).group(1)  # type: ignore[union-attr]
    assert go(client, f"/login/{txn}/password", personal_id=DUNG, password=RIGHT) == f"/login/{txn}"
    assert go(client, f"/login/{txn}/otp", code="123456") == f"/login/{txn}"  # the consent screen
    assert csrf.DEVICE_COOKIE in client.cookies


def fail_five_times(*browsers: TestClient) -> None:
    """Five wrong passwords, spread over the browsers in turn."""
    for n in range(5):
        assert attempt(browsers[n % len(browsers)], WRONG) == (303, "invalid_credentials")


def test_m3_a_locked_out_browser_gets_the_same_answer_for_the_right_and_a_wrong_password(client: TestClient) -> None:
    fail_five_times(client)
    right, wrong = (
        client.post(
            f"/login/{go(client, authorize_url()).rsplit('/', 1)[1]}/password",
            data=form(client, personal_id=DUNG, password=password),
        )
        for password in (RIGHT, WRONG)
    )
    assert right.status_code == wrong.status_code == 429
    assert right.headers["retry-after"] == wrong.headers["retry-after"]
    assert 1790 <= int(right.headers["retry-after"]) <= 1800
    assert "Quá nhiều lần thử" in right.text


def test_a_strangers_wrong_passwords_leave_the_account_active_and_its_tokens_alive(
    app: FastAPI, client: TestClient, db: Session
) -> None:
    minted = client.post(
        "/sandbox/tokens", headers=ADMIN, json={"persona": "dung", "client_id": "demo-bank", "scope": "openid profile"}
    ).json()
    with browser(app) as first, browser(app) as second:
        fail_five_times(first, second)
    account = db.get_one(IdentityAccount, DUNG)
    db.refresh(account)
    assert (account.status, account.lock_reason) == ("active", None)
    bearer = {"Authorization": f"Bearer {minted['access_token']}"}
    assert client.get("/oauth2/userinfo", headers=bearer).status_code == 200
    refreshed = client.post(
        "/oauth2/token",
        data={"grant_type": "refresh_token", "refresh_token": minted["refresh_token"]},
        headers=basic("demo-bank", "demo-bank-secret"),
    )
    assert refreshed.status_code == 200, refreshed.text


def test_the_holders_trusted_browser_still_signs_in_after_a_strangers_failures(
    app: FastAPI, client: TestClient
) -> None:
    sign_in(client)
    with browser(app) as stranger:
        fail_five_times(stranger)
        assert attempt(stranger, RIGHT)[0] == 429
    assert attempt(client, RIGHT) == (303, "otp")


def test_untrusted_browsers_share_one_lockout_until_the_sandbox_clock_passes_it(
    app: FastAPI, client: TestClient
) -> None:
    with browser(app) as first, browser(app) as second, browser(app) as fresh:
        fail_five_times(first, second)  # guessing spread over browsers counts in one bucket
        assert attempt(fresh, RIGHT)[0] == 429
        assert fresh.post("/sandbox/clock/advance", headers=ADMIN, json={"minutes": 29}).status_code == 200
        assert attempt(fresh, RIGHT)[0] == 429
        fresh.post("/sandbox/clock/advance", headers=ADMIN, json={"minutes": 1})
        assert attempt(fresh, RIGHT) == (303, "otp")


def test_a_trusted_browsers_own_failures_lock_out_only_that_browser(app: FastAPI, client: TestClient) -> None:
    sign_in(client)
    fail_five_times(client)
    assert attempt(client, RIGHT)[0] == 429
    with browser(app) as other:
        assert attempt(other, RIGHT) == (303, "otp")


def test_a_forged_device_cookie_counts_with_the_untrusted_browsers(app: FastAPI, client: TestClient) -> None:
    sign_in(client)
    holder, nonce, signature = client.cookies[csrf.DEVICE_COOKIE].split(".")
    with browser(app) as forger:
        fail_five_times(forger)
        forger.cookies.set(csrf.DEVICE_COOKIE, f"{holder}.{nonce}x.{signature}")
        assert attempt(forger, RIGHT)[0] == 429


def test_an_unknown_id_is_locked_out_like_a_known_one(client: TestClient) -> None:
    unknown = "001099999999"
    for _ in range(5):
        assert attempt(client, WRONG, unknown) == (303, "invalid_credentials")
    assert attempt(client, WRONG, unknown)[0] == 429


def test_one_time_code_failures_lock_out_the_browser_and_end_the_sign_in(app: FastAPI, client: TestClient) -> None:
    txn = go(client, authorize_url()).rsplit("/", 1)[1]
    go(client, f"/login/{txn}/password", personal_id=DUNG, password=RIGHT)
    for _ in range(4):
        assert go(client, f"/login/{txn}/otp", code="000000") == f"/login/{txn}?error=invalid_otp"
    params = callback_params(go(client, f"/login/{txn}/otp", code="000000"))
    assert (params["error"], params["vneid_error"]) == ("access_denied", "too_many_attempts")
    assert attempt(client, RIGHT)[0] == 429


def test_m2_an_authority_lock_ends_the_accounts_tokens(client: TestClient, db: Session) -> None:
    minted = client.post(
        "/sandbox/tokens", headers=ADMIN, json={"persona": "dung", "client_id": "demo-bank", "scope": "openid profile"}
    ).json()
    bearer = {"Authorization": f"Bearer {minted['access_token']}"}
    assert client.get("/oauth2/userinfo", headers=bearer).status_code == 200
    police = police_serving(client, db, DUNG)
    locked = client.post(f"/v1/officer/accounts/{DUNG}/lock", headers=police, json={"reason": "authority_request"})
    assert locked.status_code == 200, locked.text
    assert client.get("/oauth2/userinfo", headers=bearer).status_code == 401
    refreshed = client.post(
        "/oauth2/token",
        data={"grant_type": "refresh_token", "refresh_token": minted["refresh_token"]},
        headers=basic("demo-bank", "demo-bank-secret"),
    )
    assert refreshed.json()["error"] == "invalid_grant"
