"""A relying-party demo: "Open a bank account with VNeID" as client `demo-bank`, using the sandbox over HTTP
exactly like a real integrator would (authorize with PKCE and account level 2, token, ID-token validation against
the JWKS with PyJWT, userinfo, then `POST /v1/citizens/verify` with a client-credentials token).

The routes are `async def` and never touch the database: their HTTP calls go back to this same server, whose
token and API endpoints then run in the worker's thread pool while the event loop waits.
"""

import base64
import hashlib
import hmac
import json
import secrets
import time
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.core.config import Settings
from app.web.app_texts import APP_TEXTS
from app.web.errors import PageRoute
from app.web.i18n import language
from app.web.pages import render

router = APIRouter(include_in_schema=False, route_class=PageRoute)

CLIENT_ID, CLIENT_SECRET = "demo-bank", "demo-bank-secret"
SCOPE = "openid profile address phone"
LOA2 = "urn:vneid:loa:2"
COOKIE = "demo_bank_login"
COOKIE_MAX_AGE = 600
PURPOSE = "Ngan hang Demo: xac minh danh tinh khach hang mo tai khoan (eKYC)"


def _key() -> bytes:
    # The bank keeps its own secret; here derived from its (public, sandbox) client secret.
    return hashlib.sha256(f"demo-bank-cookie|{CLIENT_SECRET}".encode()).digest()


def _seal(payload: dict[str, Any]) -> str:
    body = base64.urlsafe_b64encode(json.dumps({**payload, "iat": int(time.time())}).encode()).decode()
    return f"{body}.{hmac.new(_key(), body.encode(), hashlib.sha256).hexdigest()}"


def _open(value: str | None) -> dict[str, Any] | None:
    if not value or "." not in value:
        return None
    body, mac = value.rsplit(".", 1)
    if not hmac.compare_digest(mac, hmac.new(_key(), body.encode(), hashlib.sha256).hexdigest()):
        return None
    payload = json.loads(base64.urlsafe_b64decode(body))
    return payload if time.time() - payload.get("iat", 0) <= COOKIE_MAX_AGE else None


def _issuer(request: Request) -> str:
    settings: Settings = request.app.state.settings  # app.state is untyped
    return settings.public_url


def _page(request: Request, template: str, **context: Any) -> HTMLResponse:
    status = context.pop("status_code", 200)
    return render(request, template, {"a": APP_TEXTS[language(request)], "user": None, **context}, status)


@router.get("/demo/bank", response_class=HTMLResponse)
async def bank_home(request: Request) -> HTMLResponse:
    return _page(request, "app/bank.html")


@router.post("/demo/bank/start")
async def bank_start(request: Request) -> Response:
    issuer = _issuer(request)
    verifier, state, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    params = {
        "client_id": CLIENT_ID,
        "redirect_uri": f"{issuer}/demo/bank/callback",
        "response_type": "code",
        "scope": SCOPE,
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "acr_values": LOA2,
        "ui_locales": language(request),
    }
    response = RedirectResponse(f"{issuer}/oauth2/authorize?{urlencode(params)}", status_code=303)
    response.set_cookie(
        COOKIE,
        _seal({"verifier": verifier, "state": state, "nonce": nonce}),
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="lax",
        path="/demo/bank",
    )
    return response


class LoginFailed(Exception):
    pass


async def _complete(issuer: str, code: str, pending: dict[str, Any]) -> dict[str, Any]:
    """What the bank's back end does after the redirect: every step over HTTP, every answer checked."""
    async with httpx.AsyncClient(base_url=issuer, timeout=10) as http:
        token = await http.post(
            "/oauth2/token",
            auth=(CLIENT_ID, CLIENT_SECRET),
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": f"{issuer}/demo/bank/callback",
                "code_verifier": pending["verifier"],
            },
        )
        if token.status_code != 200:
            raise LoginFailed(f"token endpoint: {token.status_code} {token.text}")
        tokens = token.json()
        jwks = jwt.PyJWKSet.from_dict((await http.get("/.well-known/jwks.json")).json())
        kid = jwt.get_unverified_header(tokens["id_token"]).get("kid")
        key = next((k for k in jwks.keys if k.key_id == kid), None)
        if key is None:
            raise LoginFailed(f"no key {kid} in the JWKS")
        id_token = jwt.decode(
            tokens["id_token"],
            key=key.key,
            algorithms=["RS256", "ES256"],
            audience=CLIENT_ID,
            issuer=issuer,
            options={"require": ["exp", "iat", "iss", "aud", "sub", "nonce"]},
        )
        if not hmac.compare_digest(id_token["nonce"], pending["nonce"]):
            raise LoginFailed("the ID token's nonce is not ours")
        if id_token.get("acr") != LOA2:
            raise LoginFailed(f"account level {id_token.get('acr')} is below {LOA2}")
        userinfo = (
            await http.get("/oauth2/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"})
        ).json()
        machine = (
            await http.post(
                "/oauth2/token",
                auth=(CLIENT_ID, CLIENT_SECRET),
                data={"grant_type": "client_credentials", "scope": "citizen.verify"},
            )
        ).json()
        verification = await http.post(
            "/v1/citizens/verify",
            headers={"Authorization": f"Bearer {machine['access_token']}", "X-Purpose": PURPOSE},
            json={
                "personal_id": userinfo["personal_id"],
                "full_name": userinfo["name"],
                "date_of_birth": userinfo["birthdate"],
            },
        )
    return {
        "id_token": {k: id_token[k] for k in ("iss", "sub", "aud", "acr", "amr", "auth_time") if k in id_token},
        "userinfo": userinfo,
        "verification": verification.json(),
        "verification_status": verification.status_code,
    }


@router.get("/demo/bank/callback", response_class=HTMLResponse)
async def bank_callback(request: Request) -> HTMLResponse:
    query = request.query_params
    pending = _open(request.cookies.get(COOKIE))
    if query.get("error"):
        detail = query.get("error_description") or query["error"]
        return _page(request, "app/bank.html", error=f"{query['error']}: {detail}", status_code=200)
    if pending is None or not hmac.compare_digest(query.get("state", ""), pending["state"]) or not query.get("code"):
        return _page(request, "app/bank.html", error="invalid or expired login state", status_code=400)
    try:
        result = await _complete(_issuer(request), query["code"], pending)
    except (LoginFailed, jwt.PyJWTError, httpx.HTTPError, KeyError) as failure:
        return _page(request, "app/bank.html", error=str(failure), status_code=502)
    response = _page(request, "app/bank.html", result=result)
    response.delete_cookie(COOKIE, path="/demo/bank")
    return response
