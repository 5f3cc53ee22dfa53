"""The VNeID web app's own session: HMAC-signed HttpOnly cookies, the signed-in citizen, page rendering.

The pages are a first-party OIDC client (`vneid-app`) of this sandbox: the cookie only names the grant the
token endpoint issued, and every request checks that grant is still live (logout, account locks and token
revocation end the web session too).
"""

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.errors import AppError
from app.deps import SessionDep, SettingsDep
from app.models import Citizen, Grant, SandboxSetting
from app.services import sandbox
from app.services.identity.accounts import LEVEL_BY_ACR
from app.web.app_texts import APP_TEXTS, error_text
from app.web.i18n import language
from app.web.pages import render

APP_CLIENT_ID = "vneid-app"
APP_SCOPE = "openid profile address phone"
APP_COOKIE = "vneid_app"
PKCE_COOKIE = "vneid_app_pkce"
SESSION_MAX_AGE = 8 * 3600
PKCE_MAX_AGE = 600


def _secret(db: Session, settings: Settings) -> bytes:
    admin = settings.admin_token
    if not admin:
        row = db.get(SandboxSetting, sandbox.ADMIN_TOKEN)
        admin = row.value if row else ""
    return hashlib.sha256(f"vneid-web-app-cookie|{settings.public_url}|{admin}".encode()).digest()


def sign(db: Session, settings: Settings, payload: dict[str, Any]) -> str:
    body = base64.urlsafe_b64encode(json.dumps({**payload, "iat": int(time.time())}).encode()).decode().rstrip("=")
    mac = hmac.new(_secret(db, settings), body.encode(), hashlib.sha256).hexdigest()
    return f"{body}.{mac}"


def unsign(db: Session, settings: Settings, value: str | None, max_age: int) -> dict[str, Any] | None:
    if not value or "." not in value:
        return None
    body, mac = value.rsplit(".", 1)
    expected = hmac.new(_secret(db, settings), body.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(mac, expected):
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except ValueError:
        return None
    if not isinstance(payload, dict) or time.time() - payload.get("iat", 0) > max_age:
        return None
    return payload


def secure_cookies(settings: Settings) -> bool:
    return settings.public_url.startswith("https://")


@dataclass(frozen=True)
class WebUser:
    personal_id: str
    full_name: str
    acr: str
    grant_id: str

    @property
    def level(self) -> int:
        return LEVEL_BY_ACR.get(self.acr, 0)


def current_user(request: Request, db: SessionDep, settings: SettingsDep) -> WebUser:
    payload = unsign(db, settings, request.cookies.get(APP_COOKIE), SESSION_MAX_AGE)
    grant = db.get(Grant, payload.get("grant_id", "")) if payload else None
    if grant is None or grant.revoked_at is not None or grant.client_id != APP_CLIENT_ID:
        # Not signed in (or the grant was revoked): to the OIDC sign-in, and back here afterwards.
        target = request.url.path if request.method == "GET" else "/app"
        raise HTTPException(303, "sign in first", headers={"Location": f"/app/login?{urlencode({'next': target})}"})
    citizen = db.get_one(Citizen, grant.personal_id)
    user = WebUser(grant.personal_id, citizen.full_name, grant.acr, grant.id)
    request.state.web_user = user  # for the error page's menu (app/web/errors.py)
    return user


WebUserDep = Annotated[WebUser, Depends(current_user)]


def page(
    request: Request,
    template: str,
    user: WebUser | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    lang = language(request)
    return render(request, template, {"a": APP_TEXTS[lang], "user": user, **context}, status_code)


def problem(request: Request, db: Session, error: AppError) -> str:
    """A service's refusal as a sentence for the page; the transaction is rolled back first."""
    db.rollback()
    return error_text(language(request), error.code, error.detail)
