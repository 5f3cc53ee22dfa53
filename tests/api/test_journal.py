"""The request journal: every request answered for a client, each OAuth/OIDC refusal explained (rule, what passes)."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from app.core import journal
from app.core.error_registry import registry
from app.core.errors import AUTHORIZE_ERRORS, AUTHORIZE_RULES, OAUTH_ERRORS, OAUTH_RULES
from app.services.oidc.grants import pkce_challenge
from tests.conftest import ADMIN_TOKEN, ISSUER, basic, client_token
from tests.fapi import kit as fapi

BANK_CALLBACK = f"{ISSUER}/demo/bank/callback"
VERIFIER = "v" * 50
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
AN = "001090000001"


def _journal(http: TestClient, **filters: str) -> list[dict]:
    response = http.get("/sandbox/journal", params=filters, headers=ADMIN)
    assert response.status_code == 200, response.text
    return response.json()


def _entry_of(client: TestClient, response: httpx.Response) -> dict:
    request_id = response.headers["x-request-id"]
    [entry] = [e for e in _journal(client) if e["request_id"] == request_id]
    return entry


def _authorize(client: TestClient, **overrides: str) -> httpx.Response:
    params = {
        "client_id": "demo-bank",
        "redirect_uri": BANK_CALLBACK,
        "response_type": "code",
        "scope": "openid profile",
        "state": "s",
        "code_challenge": pkce_challenge(VERIFIER),
        "code_challenge_method": "S256",
        "login_hint": "an",
        **overrides,
    }
    return client.get("/oauth2/authorize", params=params, follow_redirects=False)


def _code(client: TestClient) -> str:
    location = _authorize(client).headers["location"]
    return parse_qs(urlsplit(location).query)["code"][0]


def _token(
    client: TestClient,
    auth: tuple[str, str] | None = ("demo-bank", "demo-bank-secret"),
    headers: dict[str, str] | None = None,
    **data: str,
) -> httpx.Response:
    return client.post("/oauth2/token", data=data, headers={**(basic(*auth) if auth else {}), **(headers or {})})


UNSIGNED = "eyJhbGciOiJub25lIn0.eyJjbGllbnRfaWQiOiJkZW1vLWJhbmsifQ."  # {"alg": "none"}: a request object unsigned


def _registered(client: TestClient, **overrides: object) -> TestClient:
    """Registers client `journal-cc` (redirect URI the bank's) with `overrides`; returns the HTTP client."""
    registration = {
        "client_id": "journal-cc",
        "name": "Journal walk (test)",
        "kind": "business",
        "auth_methods": ["client_secret_basic"],
        "grant_types": ["authorization_code"],
        "redirect_uris": [BANK_CALLBACK],
        "scopes": ["openid", "profile"],
        "purpose": "Kiểm thử",
        **overrides,
    }
    assert client.post("/sandbox/clients", json=registration, headers=ADMIN).status_code == 201
    return client


def _armed(client: TestClient, scenario: str, client_id: str) -> TestClient:
    armed = client.post("/sandbox/scenarios", json={"name": scenario, "client_id": client_id}, headers=ADMIN)
    assert armed.status_code == 201, armed.text
    return client


def _bearer(client: TestClient, scope: str = "openid profile") -> dict[str, str]:
    minted = client.post(
        "/sandbox/tokens", json={"persona": "an", "client_id": "demo-bank", "scope": scope}, headers=ADMIN
    )
    assert minted.status_code == 200, minted.text
    return {"Authorization": f"Bearer {minted.json()['access_token']}"}


def _push(client: TestClient, **params: str) -> httpx.Response:
    fields = {
        "client_id": "demo-bank",
        "response_type": "code",
        "redirect_uri": BANK_CALLBACK,
        "scope": "openid",
        "code_challenge": pkce_challenge(VERIFIER),
        "code_challenge_method": "S256",
        **params,
    }
    return client.post("/oauth2/par", data=fields, headers=basic("demo-bank", "demo-bank-secret"))


def _redeem(client: TestClient, code: str, **data: str) -> httpx.Response:
    fields = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": BANK_CALLBACK,
        "code_verifier": VERIFIER,
    }
    return _token(client, **{**fields, **data})


Refusal = Callable[[TestClient], httpx.Response]

# Each refusal: how to provoke it, how it is sent (an error `page`, a `redirect` to the client, `oauth` JSON or
# `problem` JSON), its code, and words its explanation must hold (besides "rule:").
REFUSALS: list[tuple[str, Refusal, str, str, list[str]]] = [
    (
        "unregistered redirect_uri",
        lambda c: _authorize(c, redirect_uri="http://localhost:3000/cb"),
        "page",
        "invalid_request",
        ["`http://localhost:3000/cb` is not registered for demo-bank", BANK_CALLBACK, "OIDC Core §3.1.2.1"],
    ),
    (
        "unknown client_id",
        lambda c: _authorize(c, client_id="nobody"),
        "page",
        "invalid_request",
        ["registered client"],
    ),
    (
        "response type",
        lambda c: _authorize(c, response_type="token"),
        "redirect",
        "unsupported_response_type",
        ["response_type=code", "RFC 6749 §3.1.1"],
    ),
    (
        "scope beyond the client",
        lambda c: _authorize(c, scope="openid citizen.family"),
        "redirect",
        "invalid_scope",
        ["would pass: scopes registered for demo-bank: ", "citizen.identity"],
    ),
    (
        "plain PKCE",
        lambda c: _authorize(c, code_challenge_method="plain"),
        "redirect",
        "invalid_request",
        ["S256", "OIDC Core §3.1.2.2"],
    ),
    (
        "prompt=none without a session",
        lambda c: _authorize(c, prompt="none", login_hint="someone-else"),
        "redirect",
        "login_required",
        ["OIDC Core §3.1.2.1"],
    ),
    (
        "no client authentication",
        lambda c: _token(c, None, grant_type="client_credentials"),
        "oauth",
        "invalid_client",
        [],
    ),
    (
        "wrong secret",
        lambda c: _token(c, ("demo-bank", "wrong"), grant_type="client_credentials"),
        "oauth",
        "invalid_client",
        ["RFC 6749 §2.3"],
    ),
    ("missing grant_type", lambda c: _token(c), "oauth", "invalid_request", ["grant_type"]),
    (
        "unsupported grant type",
        lambda c: _token(c, grant_type="password"),
        "oauth",
        "unsupported_grant_type",
        ["would pass: one of client_credentials, authorization_code, refresh_token"],
    ),
    (
        "grant type not registered",
        lambda c: _token(c, ("demo-agency", "demo-agency-secret"), grant_type="refresh_token", refresh_token="x"),
        "oauth",
        "unauthorized_client",
        ["would pass: grant types registered for demo-agency: client_credentials, authorization_code"],
    ),
    (
        "scope beyond the client's API scopes",
        lambda c: _token(c, grant_type="client_credentials", scope="citizen.family"),
        "oauth",
        "invalid_scope",
        ["would pass: scopes among citizen.contact citizen.identity"],
    ),
    (
        "code missing",
        lambda c: _token(c, grant_type="authorization_code"),
        "oauth",
        "invalid_request",
        ["would pass: code"],
    ),
    (
        "unknown code",
        lambda c: _redeem(c, "no-such-code"),
        "oauth",
        "invalid_grant",
        ["redirect_uri by the authorization"],
    ),
    (
        "redirect_uri differs",
        lambda c: _redeem(c, _code(c), redirect_uri="http://localhost:3000/cb"),
        "oauth",
        "invalid_grant",
        [f"would pass: redirect_uri `{BANK_CALLBACK}`", "RFC 6749 §4.1.3"],
    ),
    ("verifier missing", lambda c: _redeem(c, _code(c), code_verifier=""), "oauth", "invalid_grant", ["RFC 7636 §4.5"]),
    (
        "verifier of the wrong form",
        lambda c: _redeem(c, _code(c), code_verifier="short"),
        "oauth",
        "invalid_request",
        ["RFC 7636 §4.1"],
    ),
    (
        "verifier does not match",
        lambda c: _redeem(c, _code(c), code_verifier="w" * 50),
        "oauth",
        "invalid_grant",
        [f"S256 hash is `{pkce_challenge(VERIFIER)}`", "RFC 7636 §4.6"],
    ),
    (
        "code replayed",
        lambda c: (lambda code: (_redeem(c, code), _redeem(c, code))[1])(_code(c)),
        "oauth",
        "invalid_grant",
        ["RFC 6749 §4.1.2", "would pass: a new authorization request"],
    ),
    (
        "unknown refresh token",
        lambda c: _token(c, grant_type="refresh_token", refresh_token="nope"),
        "oauth",
        "invalid_grant",
        ["latest refresh token issued to demo-bank"],
    ),
    (
        "refresh widening the scope",
        lambda c: _token(
            c,
            grant_type="refresh_token",
            refresh_token=_redeem(c, _code(c)).json()["refresh_token"],
            scope="openid phone",
        ),
        "oauth",
        "invalid_scope",
        ["RFC 6749 §6", "would pass: scopes among the grant's: openid profile"],
    ),
    (
        "no access token",
        lambda c: c.get("/oauth2/userinfo"),
        "problem",
        "invalid_token",
        ["missing bearer access token"],
    ),
    # The authorization endpoint's other errors, sent back to the client (OIDC Core §3.1.2.6).
    (
        "locked account",
        lambda c: _authorize(c, login_hint="giang"),
        "redirect",
        "access_denied",
        ["locked", "OIDC Core §3.1.2.6"],
    ),
    (
        "prompt=none before consent",
        lambda c: _authorize(c, login_hint="cuong", prompt="none"),
        "redirect",
        "consent_required",
        ["has not consented", "OIDC Core §3.1.2.1"],
    ),
    (
        "level 2 asked of a level 1 account",
        lambda c: _authorize(c, login_hint="binh", acr_values="urn:vneid:loa:2"),
        "redirect",
        "unmet_authentication_requirements",
        ["level 2", "acr_values"],
    ),
    (
        "code flow not registered",
        lambda c: _authorize(_registered(c, grant_types=["client_credentials"]), client_id="journal-cc"),
        "redirect",
        "unauthorized_client",
        ["authorization code flow", "RFC 6749 §4.1.2.1"],
    ),
    (
        "request object not signed",
        lambda c: _authorize(c, request=UNSIGNED),
        "redirect",
        "invalid_request_object",
        ["RFC 9101 §6"],
    ),
    (
        "request object by reference",
        lambda c: _authorize(c, request_uri="https://rp.example/request.jwt"),
        "redirect",
        "request_uri_not_supported",
        ["pushed request (PAR)", "OIDC Core §6.2"],
    ),
    # Pushed authorization requests (RFC 9126), DPoP (RFC 9449) and the token scenario, in RFC 6749 JSON.
    (
        "pushed response type",
        lambda c: _push(c, response_type="token"),
        "oauth",
        "unsupported_response_type",
        ["response_type=code", "RFC 6749 §3.1.1"],
    ),
    (
        "pushed request object not signed",
        lambda c: _push(c, request=UNSIGNED),
        "oauth",
        "invalid_request_object",
        ["RFC 9101 §6"],
    ),
    (
        "DPoP proof malformed",
        lambda c: _token(c, grant_type="client_credentials", headers={"DPoP": "not-a-jwt"}),
        "oauth",
        "invalid_dpop_proof",
        ["RFC 9449"],
    ),
    (
        "DPoP nonce asked for",
        lambda c: fapi.redeem(_armed(c, "dpop_nonce", "demo-fapi"), fapi.code(c), fapi.DpopKey()),
        "oauth",
        "use_dpop_nonce",
        ["DPoP-Nonce", "RFC 9449 §8"],
    ),
    (
        "token service down",
        lambda c: _token(_armed(c, "token_unavailable", "demo-bank"), grant_type="client_credentials"),
        "oauth",
        "temporarily_unavailable",
        ["token_unavailable"],
    ),
    # Userinfo, a resource (RFC 6750): problem+json.
    (
        "userinfo without openid",
        lambda c: c.get("/oauth2/userinfo", headers=_bearer(c, scope="profile")),
        "problem",
        "insufficient_scope",
        ["openid"],
    ),
    (
        "userinfo token sent twice",
        lambda c: (lambda h: c.post("/oauth2/userinfo", headers=h, data={"access_token": h["Authorization"][7:]}))(
            _bearer(c)
        ),
        "problem",
        "invalid_request",
        ["once"],
    ),
    (
        "userinfo DPoP scheme for a bearer token",
        lambda c: c.get("/oauth2/userinfo", headers={"Authorization": "DPoP " + _bearer(c)["Authorization"][7:]}),
        "problem",
        "invalid_dpop_proof",
        ["not DPoP-bound"],
    ),
]


def _sent_as(response: httpx.Response) -> tuple[str, str | None]:
    """How a refusal reached the client, and the code it carried there (None on an error page)."""
    if response.status_code in (302, 303):
        return "redirect", parse_qs(urlsplit(response.headers["location"]).query)["error"][0]
    media = response.headers["content-type"]
    if media.startswith("application/problem+json"):
        return "problem", response.json()["code"]
    if media.startswith("application/json"):
        return "oauth", response.json()["error"]
    return "page", None


@pytest.mark.parametrize(("name", "provoke", "shape", "code", "words"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_each_oauth_refusal_is_explained_in_the_journal(
    client: TestClient, name: str, provoke: Refusal, shape: str, code: str, words: list[str]
) -> None:
    response = provoke(client)
    assert response.status_code in (302, 303, 400, 401, 403, 503), response.text
    assert _sent_as(response) == (shape, None if shape == "page" else code)
    entry = _entry_of(client, response)
    assert entry["error_code"] == code, entry
    assert entry["status"] == response.status_code
    for expected in words:
        assert expected in entry["explanation"], entry["explanation"]
    if shape != "problem":  # OAuth and authorization errors always name their rule
        assert "rule: " in entry["explanation"], entry["explanation"]


# The refusals of /oauth2/userinfo, a resource (RFC 6750): problem+json, not in the registry's OAuth shapes.
USERINFO_REFUSALS = {"invalid_token", "insufficient_scope", "invalid_request", "invalid_dpop_proof"}


def test_the_walk_covers_every_oauth_and_oidc_refusal_the_registry_lists() -> None:
    listed = {(e.shape, e.code) for e in registry() if e.shape in ("oauth", "redirect")}
    walked = {(shape, code) for _, _, shape, code, _ in REFUSALS}
    assert listed | {("problem", code) for code in USERINFO_REFUSALS} <= walked


def test_every_oauth_and_authorization_error_has_a_rule() -> None:
    assert set(OAUTH_RULES) >= set(OAUTH_ERRORS)
    assert set(AUTHORIZE_RULES) >= set(AUTHORIZE_ERRORS)


def test_an_answered_request_is_journaled_with_client_persona_latency_and_no_secret(client: TestClient) -> None:
    code = _code(client)
    redeemed = _redeem(client, code)
    assert redeemed.status_code == 200
    token = redeemed.json()["access_token"]
    userinfo = client.get("/oauth2/userinfo", headers={"Authorization": f"Bearer {token}"})
    entry = _entry_of(client, userinfo)
    assert entry["client_id"] == "demo-bank"
    assert entry["personal_id"] == AN
    assert (entry["method"], entry["path"], entry["status"], entry["error_code"]) == (
        "GET",
        "/oauth2/userinfo",
        200,
        None,
    )
    assert entry["latency_ms"] >= 0
    authorize = [e for e in _journal(client) if e["path"].startswith("/oauth2/authorize")][0]
    assert "code_challenge=" in authorize["path"]
    assert "login_hint=an" in authorize["path"]
    token_entry = _entry_of(client, redeemed)
    assert token_entry["personal_id"] == AN
    assert token_entry["client_id"] == "demo-bank"
    assert code not in str(_journal(client))
    assert token not in str(_journal(client))


def test_query_secrets_are_redacted() -> None:
    path = journal.redacted_path("/oauth2/logout", "id_token_hint=eyJ.secret&client_secret=s&state=keep")
    assert path == "/oauth2/logout?id_token_hint=[redacted]&client_secret=[redacted]&state=keep"


def test_filters_by_client_status_and_since(client: TestClient) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    client_token(client, "demo-agency", "demo-agency-secret")
    _token(client, ("demo-bank", "wrong"), grant_type="client_credentials")
    agency = _journal(client, client="demo-agency")
    assert agency
    assert {e["client_id"] for e in agency} == {"demo-agency"}
    refused = _journal(client, status="4xx", since=before.isoformat())
    assert refused
    assert all(400 <= e["status"] < 500 for e in refused)
    assert {e["client_id"] for e in refused} == {"demo-bank"}
    assert _journal(client, status="401", client="demo-bank")[0]["error_code"] == "invalid_client"
    assert _journal(client, since=(datetime.now(UTC) + timedelta(hours=1)).isoformat()) == []


def test_the_journal_keeps_the_last_entries_only(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(journal, "JOURNAL_SIZE", 5)
    for _ in range(8):
        client.get("/.well-known/openid-configuration")
    entries = _journal(client, limit="5")
    assert len(entries) == 5
    assert len(_journal(client)) == 5  # the older ones were deleted, not just hidden


@pytest.mark.parametrize(
    ("headers", "params", "status"),
    [
        ({}, {}, 401),
        ({"Authorization": "Bearer wrong"}, {}, 401),
        (ADMIN, {"status": "4x"}, 422),
        (ADMIN, {"since": "2026-01-01T00:00:00"}, 422),  # a time without its offset is ambiguous
        (ADMIN, {"limit": "100000"}, 422),
    ],
)
def test_the_journal_is_for_the_admin_and_refuses_bad_filters(
    client: TestClient, headers: dict[str, str], params: dict[str, str], status: int
) -> None:
    response = client.get("/sandbox/journal", params=params, headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"


def test_a_client_token_cannot_read_the_journal(client: TestClient) -> None:
    token = client_token(client, "demo-bank", "demo-bank-secret")
    assert client.get("/sandbox/journal", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_the_panel_journal_needs_the_panel_sign_in(client: TestClient) -> None:
    assert client.get("/app/sandbox/journal", headers=ADMIN).status_code == 401  # the bearer token is the API's
    assert client.get("/app/sandbox/journal", params={"client": "x" * 81}).status_code == 422
