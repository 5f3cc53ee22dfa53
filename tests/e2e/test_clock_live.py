"""The webhook dispatcher runs on the sandbox clock: after the clock is moved ten days ahead, a new application's
event is delivered by the server's own background loop at once, not when real time catches up."""

import json
from datetime import date, timedelta
from pathlib import Path

import httpx

from tests.databases import fresh_database
from tests.e2e.live_server import free_port, serve
from tests.e2e.receiver import running_receiver

ADMIN = {"Authorization": "Bearer live-clock-admin"}


def test_an_event_filed_after_a_clock_advance_is_delivered_by_the_dispatcher(tmp_path: Path) -> None:
    port = free_port()
    env = {"VNEID_ADMIN_TOKEN": ADMIN["Authorization"].split()[1], "VNEID_ISSUER": f"http://127.0.0.1:{port}"}
    with (
        fresh_database(tmp_path) as url,
        serve(url, port, tmp_path / "server.log", env) as base,
        running_receiver() as receiver,
    ):
        hook = {"client_id": "vneid-app", "url": receiver.url, "events": ["application.created"]}
        assert httpx.post(f"{base}/sandbox/webhooks", headers=ADMIN, json=hook).status_code == 201
        moved = httpx.post(f"{base}/sandbox/clock/advance", headers=ADMIN, json={"days": 10}).json()["now"]
        today = date.fromisoformat(moved[:10])
        minted = httpx.post(
            f"{base}/sandbox/tokens", headers=ADMIN, json={"persona": "cuong", "client_id": "vneid-app"}
        )
        filed = httpx.post(
            f"{base}/v1/applications/temporary-residence",
            headers={"Authorization": f"Bearer {minted.json()['access_token']}"},
            json={
                "street": "Số 18 ngõ 68 phố Xuân Thủy",
                "commune_code": "00166",
                "owner_personal_id": "001175000004",
                "proof_type": "lease_contract",
                "start_date": today.isoformat(),
                "end_date": (today + timedelta(days=300)).isoformat(),
                "reason": "study",
            },
        )
        assert filed.status_code == 201, filed.text

        [(_, body)] = receiver.wait_for(1, timeout=10)
        event = json.loads(body)
        assert (event["type"], event["data"]["application_code"]) == ("application.created", filed.json()["code"])
        assert event["occurred_at"].startswith(moved[:10])
        assert event["occurred_at"].endswith("+07:00")
