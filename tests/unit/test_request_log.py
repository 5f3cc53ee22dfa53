"""Structured request logs: one JSON line per request, request id, personal IDs masked."""

import json

import pytest
from fastapi.testclient import TestClient

from app.core.request_log import configure_logging, mask_personal_ids


def test_mask_personal_ids_keeps_only_the_ends() -> None:
    assert mask_personal_ids("/v1/citizens/001090000001/household") == "/v1/citizens/001******001/household"
    assert mask_personal_ids("order 1234567890123 and 12345") == "order 1234567890123 and 12345"


def test_each_request_logs_one_masked_json_line(
    client: TestClient, agency_headers: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO")
    try:
        response = client.get("/v1/citizens/001090000001", headers=agency_headers)
    finally:
        configure_logging("WARNING")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if '"vneid.request"' in line]
    entry = next(e for e in lines if e["path"].startswith("/v1/citizens/"))
    assert entry["path"] == "/v1/citizens/001******001"
    assert entry["status"] == 200
    assert entry["request_id"] == response.headers["x-request-id"]
    assert "001090000001" not in json.dumps(lines)
