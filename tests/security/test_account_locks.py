"""What an authority's lock ends at once (issue 10: M2 — the VNeID app's web session, an officer's powers; M3 — no
password oracle on a locked account). The tokens of relying parties: test_sign_in_lockout.py."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.api.procedure_helpers import POLICE, owner_consents_and_tenant_pays, persona_headers, police_serving
from tests.api.test_temporary_residence import file
from tests.browser.test_web_routes import sign_in
from tests.conftest import ISSUER
from tests.security.test_sign_in_lockout import DUNG, RIGHT, WRONG, attempt


def lock(client: TestClient, db: Session, personal_id: str) -> None:
    """The commune police of the holder lock the account, from another browser."""
    with TestClient(client.app, base_url=ISSUER) as police_app:
        police = police_serving(police_app, db, personal_id)
        locked = police_app.post(
            f"/v1/officer/accounts/{personal_id}/lock", headers=police, json={"reason": "authority_request"}
        )
        assert locked.json()["status"] == "locked", locked.text


def test_m2_a_lock_ends_the_holders_session_in_the_vneid_web_app(client: TestClient, db: Session) -> None:
    sign_in(client, "dung")
    assert DUNG in client.get("/app").text
    lock(client, db, DUNG)
    page = client.get("/app", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/app/login")
    assert client.get("/app/login", follow_redirects=False).status_code in (303, 200)  # asks for a new sign-in


def test_m2_a_locked_police_officers_token_decides_nothing(client: TestClient, db: Session) -> None:
    cuong, police = persona_headers(client, "cuong"), persona_headers(client, "police")
    code = file(client, cuong)["code"]
    owner_consents_and_tenant_pays(client, code, persona_headers(client, "dung"), cuong)
    lock(client, db, POLICE)
    decided = client.post(f"/v1/officer/applications/{code}/decision", headers=police, json={"decision": "approve"})
    assert decided.status_code == 401
    assert client.get(f"/v1/applications/{code}", headers=cuong).json()["status"] == "in_review"
    upgrade = client.post("/v1/officer/accounts/040203000003/upgrade", headers=police, json={})
    assert upgrade.status_code == 401


def test_m3_a_locked_account_answers_the_right_and_a_wrong_password_alike(client: TestClient, db: Session) -> None:
    lock(client, db, DUNG)
    assert attempt(client, RIGHT) == attempt(client, WRONG) == (303, "account_locked")
