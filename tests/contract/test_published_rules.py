"""The rules the OpenAPI schema states are the rules the edge enforces: for each cross-field rule and value format
(KNOWN_GAPS until now), bodies on either side of it are judged alike by the published schema (a JSON Schema
2020-12 validator, as an integrator's tooling reads it) and by the server (a 422 `validation_error` or not)."""

from typing import Any

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient

from tests.contract.test_openapi_contract import credentials

AN, KHOA = "001090000001", "046098000010"
REGISTRATION = {"personal_id": KHOA, "full_name": "Ngô Văn Khoa", "date_of_birth": "1998-04-17", "phone": "0935000010"}
STAY = {"street": "Số 18 ngõ 68 phố Xuân Thủy", "commune_code": "00166", "reason": "Thăm người thân"}
STAY |= {"arrival_at": "2026-11-23T21:30:00+07:00", "departure_on": "2026-11-25"}
PASSPORT = {"number": "X1234567", "nationality": "KR", "full_name": "KIM MIN JUN", "date_of_birth": "1990-01-01"}
CLIENT = {"name": "Rules (test)", "kind": "business", "auth_methods": ["client_secret_basic"], "purpose": "Kiểm thử"}
CLIENT |= {"grant_types": ["authorization_code"], "scopes": ["openid"]}
RESIDENCE = {"owner_personal_id": AN, "proof_type": "lease_contract", "street": "Số 18 ngõ 68 phố Xuân Thủy"}
RESIDENCE |= {"start_date": "2026-12-01", "end_date": "2027-06-01"}
CERTIFICATE = {"form": 1}
DECISION = "/v1/officer/applications/{code}/decision"

# (operation path, the path called, body, whether both sides admit it)
CASES: list[tuple[str, str, dict[str, Any], bool]] = [
    ("/v1/citizens/verify", "/v1/citizens/verify", {"items": [{"personal_id": AN, "sex": "male"}]}, True),
    ("/v1/citizens/verify", "/v1/citizens/verify", {"items": [{"personal_id": AN}]}, False),
    ("/v1/citizens/verify", "/v1/citizens/verify", {"items": [{"personal_id": AN, "full_name": None}]}, False),
    *(
        ("/v1/accounts/registrations", "/v1/accounts/registrations", {**REGISTRATION, "password": password}, ok)
        for password, ok in [
            ("Khoa@2026!", True),
            ("Đuc2026aB", True),  # a letter with a diacritic counts as a symbol
            ("Khoa 2026", False),  # white space does not
            ("ĐỨC@2026", False),  # nor as an upper-case letter: no A-Z
            ("khoa@2026!", False),
            ("KHOA@2026!", False),
            ("Khoa@Khoa!", False),
        ]
    ),
    *(
        (DECISION, DECISION.format(code="TT-2026-000000"), body, ok)
        for body, ok in [
            ({"decision": "approve"}, True),
            ({"decision": "reject", "reason": "Thiếu giấy tờ"}, True),
            ({"decision": "reject"}, False),
            ({"decision": "request_supplement", "reason": " \u3000\n"}, False),
            ({"decision": "reject", "reason": None}, False),
        ]
    ),
    *(
        ("/v1/applications/accommodation-notices", "/v1/applications/accommodation-notices", body, ok)
        for body, ok in [
            ({**STAY, "guest_personal_id": AN}, True),
            ({**STAY, "passport": PASSPORT, "guest_personal_id": None}, True),
            ({**STAY}, False),
            ({**STAY, "guest_personal_id": AN, "passport": PASSPORT}, False),
            ({**STAY, "passport": {**PASSPORT, "nationality": "VN"}}, False),
        ]
    ),
    *(
        ("/v1/applications/criminal-record-certificates", "/v1/applications/criminal-record-certificates", body, ok)
        for body, ok in [
            ({**CERTIFICATE, "purpose": "other", "purpose_detail": "Bổ sung hồ sơ"}, True),
            ({**CERTIFICATE, "purpose": "job", "email": "an@example.vn"}, True),
            ({**CERTIFICATE, "purpose": "other"}, False),
            ({**CERTIFICATE, "purpose": "other", "purpose_detail": "  "}, False),
            ({**CERTIFICATE, "purpose": "job", "email": "an@example.vn\n"}, False),
            ({**CERTIFICATE, "purpose": "job", "email": "an\u00a0b@example.vn"}, False),
            ({**CERTIFICATE, "purpose": "job", "fee_category": "standard"}, True),
            ({**CERTIFICATE, "purpose": "job", "fee_category": "student", "fee_evidence": "Thẻ sinh viên số 42"}, True),
            ({**CERTIFICATE, "purpose": "job", "fee_category": "student"}, False),
            ({**CERTIFICATE, "purpose": "job", "fee_category": "poor_household", "fee_evidence": None}, False),
            ({**CERTIFICATE, "purpose": "job", "fee_category": "disabled", "fee_evidence": " \u3000"}, False),
            ({**CERTIFICATE, "purpose": "other", "fee_category": "student", "fee_evidence": "Thẻ số 42"}, False),
        ]
    ),
    *(
        ("/v1/applications/temporary-residence", "/v1/applications/temporary-residence", body, ok)
        for body, ok in [
            ({**RESIDENCE, "commune_code": "00166"}, True),
            ({**RESIDENCE, "commune_code": "00166\n"}, False),
            ({**RESIDENCE, "commune_code": "0016٦"}, False),
        ]
    ),
    *(
        ("/sandbox/clients", "/sandbox/clients", {**CLIENT, "client_id": f"rules-{n}", "redirect_uris": [uri]}, ok)
        for n, (uri, ok) in enumerate(
            [
                ("https://rp.example", True),
                ("HTTP://RP.example:8443/cb/../cb?tenant=a%2Fb&x=1", True),
                ("http://[::1]:3000/cb", True),
                ("https://rp.example/cb#frag", False),
                ("https://rp.example/cb\n", False),
                ("ftp://rp.example/cb", False),
                ("https:///cb", False),
                ("https://rp .example", False),
                ("https://rp.example/ví-dụ", False),  # RFC 3986 characters only: percent-encode the rest
            ]
        )
    ),
]


@pytest.mark.parametrize(
    ("operation", "path", "body", "admitted"), CASES, ids=[f"{c[1]} {n}" for n, c in enumerate(CASES)]
)
def test_the_published_schema_and_the_edge_judge_a_body_alike(
    client: TestClient, operation: str, path: str, body: dict[str, Any], admitted: bool
) -> None:
    document = client.get("/openapi.json").json()
    schema = document["paths"][operation]["post"]["requestBody"]["content"]["application/json"]["schema"]
    published = jsonschema_rs.validator_for({**schema, "components": document["components"]}).is_valid(body)
    response = client.post(path, json=body, headers=credentials(client)(path))
    refused = response.status_code == 422 and response.json().get("code") == "validation_error"
    assert (published, not refused) == (admitted, admitted), response.text
