"""The officer console shows the same dossier as the officer API: the applicant's record and the subject's."""

from datetime import timedelta

from fastapi.testclient import TestClient

from app.core.clock import Clock
from tests.api.procedure_helpers import persona_headers
from tests.browser.test_web_routes import sign_in

GUEST = "001090000001"  # an, a guest at dung's home


def test_officer_console_shows_the_subjects_record_like_the_api(client: TestClient) -> None:
    now = Clock().now()
    notice = client.post(
        "/v1/applications/accommodation-notices",
        headers=persona_headers(client, "dung"),
        json={
            "street": "Số 18 ngõ 68 phố Xuân Thủy",
            "commune_code": "00166",
            "guest_personal_id": GUEST,
            "arrival_at": now.isoformat(),
            "departure_on": (now + timedelta(days=2)).date().isoformat(),
            "reason": "Thăm người thân",
        },
    )
    assert notice.status_code == 201, notice.text
    code = notice.json()["code"]
    api = client.get(f"/v1/officer/applications/{code}", headers=persona_headers(client, "police")).json()
    guest_name = api["subject_record"]["full_name"]

    sign_in(client, "police")
    page = client.get(f"/app/officer/{code}")
    assert page.status_code == 200
    subject_card = page.text.split('data-testid="subject-record"')[1].split("</section>")[0]
    assert guest_name in subject_card
    assert GUEST in subject_card
    assert api["applicant_record"]["full_name"] in page.text.split('data-testid="applicant-record"')[1]
