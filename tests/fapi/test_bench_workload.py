"""The FAPI 2.0 row of bench.login: what bench/workloads.py signs before a run is accepted by the server when sent
as bench/lua/codeflow.lua sends it (one flow, through HTTP), and a value sent twice is refused, which is why the
bench signs one per request."""

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient

from bench.workloads import sandbox_fapi_flow
from tests.conftest import ISSUER


def one_flow(client: TestClient, data: dict[str, Any], flow: int) -> Any:
    """Flow number `flow` (0-based) with the requests codeflow.lua makes: its PAR body, assertions 2·flow and
    2·flow + 1, DPoP proof `flow`."""
    assertion = iter(data["assertions"][2 * flow : 2 * flow + 2])
    pushed = client.post(
        data["par_path"],
        content=f"{data['par_bodies'][flow]}&client_assertion={next(assertion)}",
        headers=data["par_headers"],
    )
    assert pushed.status_code == 201, pushed.text
    request_uri = re.search(r'"request_uri"\s*:\s*"([^"]+)"', pushed.text)
    assert request_uri is not None
    redirect = client.get(data["authorize_with_request_uri"] + request_uri.group(1), follow_redirects=False)
    assert redirect.status_code == 303, redirect.text
    answer = {name: values[0] for name, values in parse_qs(urlsplit(redirect.headers["location"]).query).items()}
    body = (
        f"{data['token_body']}&code={answer['code']}&code_verifier={data['verifiers'][int(answer['state'])]}"
        f"&client_assertion={next(assertion)}"
    )
    return client.post(
        data["token_path"], content=body, headers={**data["token_headers"], "DPoP": data["dpop_proofs"][flow]}
    )


def test_the_presigned_fapi_flow_is_accepted(client: TestClient) -> None:
    data = sandbox_fapi_flow(ISSUER, flows=2)
    assert len(data["assertions"]) == 4
    assert len(data["dpop_proofs"]) == 2
    for flow in range(2):
        response = one_flow(client, data, flow)
        assert response.status_code == 200, response.text
        assert response.json()["token_type"] == "DPoP"
        assert response.json()["id_token"].count(".") == 4  # encrypted to demo-fapi


def test_a_presigned_dpop_proof_works_once(client: TestClient) -> None:
    data = sandbox_fapi_flow(ISSUER, flows=2)
    assert one_flow(client, data, 0).status_code == 200
    data["dpop_proofs"][1] = data["dpop_proofs"][0]
    replayed = one_flow(client, data, 1)
    assert replayed.status_code == 400
    assert replayed.json()["error"] == "invalid_dpop_proof"
