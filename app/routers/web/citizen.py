"""The citizen's VNeID web app: OIDC sign-in as the first-party client, the ID card, data, wallet, consents."""

import base64
import hashlib
import secrets
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

import segno
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from app.core.errors import AppError
from app.core.keys import TokenInvalid
from app.deps import ClockDep, EnvDep, KeysDep, SessionDep, SettingsDep, writes
from app.schemas.forms import ChildRegistrationForm
from app.schemas.me import Me
from app.services import documents, selfservice
from app.services.identity import children
from app.services.oidc import sessions
from app.services.oidc.sessions import SESSION_COOKIE
from app.services.oidc.tokens import issue_token
from app.services.procedures import desk
from app.services.procedures.notifications import latest_status_changes
from app.services.procedures.temporary_residence import PROOF_TYPES
from app.web.errors import PageRefusal, PageRoute
from app.web.session import (
    APP_CLIENT_ID,
    APP_COOKIE,
    APP_SCOPE,
    PKCE_COOKIE,
    PKCE_MAX_AGE,
    WebUserDep,
    page,
    secure_cookies,
    sign,
    unsign,
)

router = APIRouter(include_in_schema=False, route_class=PageRoute)
FAVICON = Path(__file__).parents[2] / "web" / "static" / "favicon.svg"


@router.get("/favicon.ico")
def favicon() -> Response:
    """The sandbox's icon (browsers ask for it on every page)."""
    return Response(FAVICON.read_bytes(), media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})


def callback_url(public_url: str) -> str:
    return f"{public_url}/app/callback"


@router.get("/app/login")
def start_login(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    next: Annotated[str, Query()] = "/app",
    login_hint: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """Authorization code flow with PKCE S256; verifier, state and nonce wait in a signed HttpOnly cookie.
    `login_hint` (a persona's personal ID, from the home page's one-click buttons) is passed on to authorize."""
    verifier, state, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    params = {
        "client_id": APP_CLIENT_ID,
        "redirect_uri": callback_url(settings.public_url),
        "response_type": "code",
        "scope": APP_SCOPE,
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    if login_hint:
        params["login_hint"] = login_hint
    lang = request.cookies.get("vneid_lang") or request.query_params.get("lang")
    if lang in ("vi", "en"):
        params["ui_locales"] = lang
    response = RedirectResponse(f"/oauth2/authorize?{urlencode(params)}", status_code=303)
    target = next if next.startswith("/app") and "//" not in next else "/app"
    cookie = sign(db, settings, {"verifier": verifier, "state": state, "next": target})
    response.set_cookie(
        PKCE_COOKIE,
        cookie,
        max_age=PKCE_MAX_AGE,
        httponly=True,
        samesite="lax",
        path="/app",
        secure=secure_cookies(settings),
    )
    return response


@router.get("/app/callback", response_class=HTMLResponse)
@writes
def callback(
    request: Request,
    db: SessionDep,
    keys: KeysDep,
    settings: SettingsDep,
    code: Annotated[str | None, Query(max_length=200)] = None,
    state: Annotated[str | None, Query(max_length=200)] = None,
    error: Annotated[str | None, Query(max_length=100)] = None,
    error_description: Annotated[str | None, Query(max_length=1000)] = None,
) -> Response:
    pending = unsign(db, settings, request.cookies.get(PKCE_COOKIE), PKCE_MAX_AGE)
    if error:
        raise AppError(error_description or error)
    if pending is None or not code or not state or not secrets.compare_digest(state, pending["state"]):
        raise PageRefusal(400, "login_state_mismatch", "the sign-in state is missing, wrong or expired")
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": callback_url(settings.public_url),
        "code_verifier": pending["verifier"],
        "client_id": APP_CLIENT_ID,
    }
    try:
        tokens = issue_token(db, keys, settings, None, form).body
        claims = keys.verify(
            db, tokens["access_token"], audience=settings.api_audience, issuer=settings.public_url, typ="at+jwt"
        )
    except TokenInvalid as exc:  # cannot happen with our own fresh token; shown rather than crashing the page
        raise AppError(str(exc)) from exc
    response = RedirectResponse(pending.get("next") or "/app", status_code=303)
    response.set_cookie(
        APP_COOKIE,
        sign(db, settings, {"grant_id": claims["grant_id"]}),
        httponly=True,
        samesite="lax",
        path="/",
        secure=secure_cookies(settings),
    )
    response.delete_cookie(PKCE_COOKIE, path="/app")
    return response


@router.post("/app/logout")
def logout(request: Request, db: SessionDep, clock: ClockDep, user: WebUserDep) -> Response:
    """End the web session: the grant is revoked and the VNeID sign-in session ended, as /oauth2/logout does."""
    sessions.end_grant_session(db, clock.now(), user.grant_id, session_token=request.cookies.get(SESSION_COOKIE))
    response = page(request, "app/signed_out.html")
    response.delete_cookie(APP_COOKIE, path="/")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def qr_svg(text: str) -> Markup:
    svg = segno.make(text, error="m").svg_inline(scale=4, border=2, dark="#1c1b1f", light="#ffffff")
    return Markup(svg)  # noqa: S704  (segno's own markup of a 12-digit number)


@router.get("/app", response_class=HTMLResponse)
def home(request: Request, env: EnvDep, user: WebUserDep) -> HTMLResponse:
    db, clock = env.db, env.clock
    record = Me.of(selfservice.my_record(db, clock, user.personal_id))
    wallet = documents.my_documents(db, user.personal_id, limit=50, offset=0).items if user.level >= 2 else []
    access = selfservice.access_log(db, user.personal_id, limit=20, offset=0).items
    # The app the citizen is using is not a third party: it is not offered as a consent to withdraw.
    consents = [c for c in selfservice.my_consents(db, user.personal_id) if c.client_id != APP_CLIENT_ID]
    applications, _ = desk.citizen_applications(env, user.personal_id, None, None, 50, 0)
    return page(
        request,
        "app/home.html",
        user,
        record=record,
        qr=qr_svg(user.personal_id),
        wallet=wallet,
        access=access,
        consents=consents,
        applications=applications,
        notifications=latest_status_changes(db, user.personal_id),
        officer=_is_officer(db, user.personal_id),
        children=children.guardian_accounts(db, user.personal_id) if user.level >= 2 else [],
    )


def _is_officer(db: SessionDep, personal_id: str) -> bool:
    try:
        desk.officer(db, personal_id)
    except AppError:
        return False
    return True


@router.get("/app/documents/{document_id}/pdf")
def document_pdf(
    request: Request, document_id: str, db: SessionDep, settings: SettingsDep, user: WebUserDep
) -> Response:
    if user.level < 2:
        raise PageRefusal(403, "level2_wallet", "the document wallet needs a level 2 account")
    pdf = documents.my_document_pdf(db, settings.public_url, user.personal_id, document_id)
    return Response(
        pdf.content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{pdf.filename}"'},
    )


@router.post("/app/consents/{consent_id}/revoke")
def revoke_consent(request: Request, consent_id: int, db: SessionDep, clock: ClockDep, user: WebUserDep) -> Response:
    selfservice.revoke_consent(db, clock, user.personal_id, consent_id)
    return RedirectResponse("/app#consents", status_code=303)


@router.post("/app/children/accounts")
def register_child_account(
    db: SessionDep,
    clock: ClockDep,
    user: WebUserDep,
    form: Annotated[ChildRegistrationForm, Form()],
) -> Response:
    """A parent registers their child's account: the same service as POST /v1/me/children/accounts."""
    children.register_child(db, clock, user.personal_id, form.personal_id, form.password)
    return RedirectResponse("/app#children", status_code=303)


@router.get("/app/applications/{code}", response_class=HTMLResponse)
def application_detail(request: Request, code: str, env: EnvDep, user: WebUserDep) -> HTMLResponse:
    view, role = desk.my_application(env, code, user.personal_id)
    return page(request, "app/application.html", user, application=view, role=role, proof_types=PROOF_TYPES)
