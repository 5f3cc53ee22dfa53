"""The browser side of OpenID Connect: the authorization endpoint, sign-in, one-time code, consent, logout."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Cookie, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from app.core import journal
from app.core.clock import Clock
from app.core.config import Settings
from app.core.keys import KeyStore
from app.deps import ClockDep, KeysDep, SessionDep, SettingsDep, writes
from app.models import Client
from app.schemas.common import Text
from app.schemas.oauth import OAuthErrorBody
from app.services.oidc import authorize, login, parameters, sessions
from app.services.oidc.clients import find_client, redirect_uri_allowed
from app.services.oidc.sensitive import leave_out_sensitive
from app.services.population.access import SENSITIVE_SCOPE
from app.services.population.seeding import personas_document
from app.web.csrf import BrowserBinding, DeviceCookie, has_valid_token, remember
from app.web.errors import PageRoute
from app.web.i18n import preferred_language
from app.web.pages import message, render

router = APIRouter(tags=["OAuth 2.0 / OpenID Connect"])
pages = APIRouter(include_in_schema=False, route_class=PageRoute)  # the sign-in pages: errors shown as pages

SESSION_COOKIE = login.SESSION_COOKIE
SessionCookie = Annotated[str | None, Cookie(alias=SESSION_COOKIE, include_in_schema=False)]
PAGES = {login.PASSWORD: "login_password.html", login.OTP: "login_otp.html", login.CONSENT: "login_consent.html"}


def _follow(
    outcome: login.Outcome, request: Request, db: Session, keys: KeyStore, settings_url: str, lang: str | None = None
) -> Response:
    if outcome.redirect is not None:
        response: Response = _answer(db, keys, outcome.redirect)
    else:
        query = "&".join(f"{k}={v}" for k, v in (("error", outcome.error), ("lang", lang)) if v)
        response = RedirectResponse(f"/login/{outcome.transaction_id}{'?' if query else ''}{query}", status_code=303)
    remember(request, response, outcome.device_cookie)  # the cookies the sign-in is bound to and counted by
    if outcome.session_ended:
        response.delete_cookie(SESSION_COOKIE, path="/")
    if outcome.new_session_token:
        response.set_cookie(
            SESSION_COOKIE,
            outcome.new_session_token,
            httponly=True,
            samesite="lax",
            path="/",
            secure=settings_url.startswith("https://"),
        )
    return response


def _answer(db: Session, keys: KeyStore, answer: authorize.AuthorizationResponse) -> Response:
    return RedirectResponse(authorize.response_location(db, keys, answer), status_code=303)


@router.get(
    "/oauth2/authorize",
    name="oauth.authorize",
    response_class=HTMLResponse,
    responses={
        302: {"description": "To the login page or back to the client's redirect_uri"},
        303: {"description": "To the login page or back to the client's redirect_uri"},
        400: {"description": "Unknown client or unregistered redirect_uri (never redirected)"},
    },
)
@writes
def authorize_endpoint(
    request: Request,
    db: SessionDep,
    clock: ClockDep,
    keys: KeysDep,
    settings: SettingsDep,
    browser: BrowserBinding,
    session_token: SessionCookie = None,
) -> Response:
    """OpenID Connect authorization endpoint (code flow, PKCE S256). Parameters as in OIDC Core §3.1.2.1:
    `client_id`, `redirect_uri` (exact match; any port for loopback), `response_type=code`, `scope`, `state`,
    `nonce`, `code_challenge`, `code_challenge_method=S256`, `prompt`, `max_age`, `login_hint`, `acr_values`,
    `claims`, `ui_locales`, `response_mode` (`query`, or `jwt` = `query.jwt`: the answer as one signed `response`
    JWT, JARM). Test clients with a `login_hint` naming a persona are signed in at once."""
    try:
        params = authorize.query_parameters(request.query_params.multi_items())
        client, auth_request = authorize.parse_request(db, settings, params)
    except authorize.UntrustedRedirect as exc:
        journal.note_refusal(exc.code, exc.explanation)
        return message(request, "error_title", str(exc), status_code=400)
    except authorize.RequestRejected as rejected:
        return _answer(db, keys, rejected.request.error_redirect(rejected.error))
    outcome = login.start(db, clock, settings, client, auth_request, session_token, browser)
    return _follow(outcome, request, db, keys, settings.public_url, preferred_language(auth_request.ui_locales))


@pages.get("/login/{transaction_id}", response_class=HTMLResponse)
def login_page(
    request: Request,
    transaction_id: str,
    db: SessionDep,
    browser: BrowserBinding,
    error: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    row = login.transaction(db, transaction_id, browser)
    client = find_client(db, row.client_id)
    scopes = authorize.AuthorizationRequest.from_json(row.request).scope.split()
    context = {
        "txn": row.id,
        "client": client,
        "error": error if error in _KNOWN_ERRORS else None,
        "personas": personas_document()["personas"],
        "scopes": scopes,
        "sensitive_scope": SENSITIVE_SCOPE,
        "signed_in": login.signed_in_as(db, row) if row.stage == login.CONSENT else None,
    }
    return render(request, PAGES[row.stage], context)


@dataclass(frozen=True)
class Step:
    """A sign-in page's post: the transaction it belongs to, bound to this browser, and where its outcome leads."""

    request: Request
    db: Session
    clock: Clock
    keys: KeyStore
    settings: Settings
    browser: str
    transaction_id: str

    def client(self) -> Client:
        client = find_client(self.db, login.transaction(self.db, self.transaction_id, self.browser).client_id)
        if client is None:  # deleted since the sign-in started
            raise login.TransactionGone("the application you were signing in to is no longer registered")
        return client

    def follow(self, outcome: login.Outcome) -> Response:
        return _follow(outcome, self.request, self.db, self.keys, self.settings.public_url)


def _step(
    request: Request,
    transaction_id: str,
    db: SessionDep,
    clock: ClockDep,
    keys: KeysDep,
    settings: SettingsDep,
    browser: BrowserBinding,
) -> Step:
    return Step(request, db, clock, keys, settings, browser, transaction_id)


StepDep = Annotated[Step, Depends(_step)]


@pages.post("/login/{transaction_id}/password")
def post_password(
    step: StepDep,
    device: DeviceCookie,
    personal_id: Annotated[Text, Form(max_length=20)],
    password: Annotated[Text, Form(max_length=200)],
) -> Response:
    """The password step: five failures lock this browser's bucket out for 30 minutes of the sandbox clock (429)."""
    return step.follow(
        login.submit_password(step.db, step.clock, step.transaction_id, step.browser, device, personal_id, password)
    )


@pages.post("/login/{transaction_id}/otp")
def post_otp(step: StepDep, device: DeviceCookie, code: Annotated[Text, Form(max_length=10)]) -> Response:
    outcome = login.submit_otp(step.db, step.clock, step.client(), step.transaction_id, step.browser, device, code)
    return step.follow(outcome)


@pages.post("/login/{transaction_id}/persona")
def post_persona(step: StepDep, persona: Annotated[Text, Form(max_length=12)]) -> Response:
    outcome = login.submit_persona(step.db, step.clock, step.client(), step.transaction_id, step.browser, persona)
    return step.follow(outcome)


@pages.post("/login/{transaction_id}/consent")
def post_consent(
    step: StepDep,
    decision: Annotated[Text, Form(pattern="^(approve|decline)$")],
    sensitive: Annotated[Text | None, Form(pattern="^granted$")] = None,
) -> Response:
    client = step.client()
    approve = decision == "approve" and (
        sensitive is not None or leave_out_sensitive(step.db, step.transaction_id, step.browser)
    )
    return step.follow(login.submit_consent(step.db, step.clock, client, step.transaction_id, step.browser, approve))


@pages.post("/login/{transaction_id}/switch")
def post_switch(step: StepDep) -> Response:
    """The consent screen's "not you? sign out": the SSO session ends and the sign-in starts over."""
    return step.follow(login.switch_account(step.db, step.transaction_id, step.browser))


LOGOUT_RESPONSES: dict[int | str, dict[str, Any]] = {
    303: {"description": "To post_logout_redirect_uri"},
    400: {"model": OAuthErrorBody, "content": {"application/json": {}}, "description": "Malformed parameters"},
}


async def single_logout_parameters(request: Request) -> None:
    """Each logout parameter once, in the query of a GET or the form of a POST, as at the other OAuth endpoints:
    which `post_logout_redirect_uri` or `id_token_hint` counts must not be left to guessing."""
    sent = await request.form() if request.method == "POST" else request.query_params
    parameters.refuse_repeated(sent.multi_items())


SINGLE_PARAMETERS = [Depends(single_logout_parameters)]


@router.get(
    "/oauth2/logout",
    name="oauth.end_session",
    response_class=HTMLResponse,
    responses=LOGOUT_RESPONSES,
    dependencies=SINGLE_PARAMETERS,
)
@writes
def end_session(
    request: Request,
    db: SessionDep,
    keys: KeysDep,
    settings: SettingsDep,
    session_token: SessionCookie = None,
    id_token_hint: Annotated[Text | None, Query()] = None,
    post_logout_redirect_uri: Annotated[Text | None, Query()] = None,
    state: Annotated[Text | None, Query()] = None,
    client_id: Annotated[Text | None, Query()] = None,
) -> Response:
    """RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): ends the sandbox sign-in session and revokes
    the tokens issued under it; redirects to `post_logout_redirect_uri` when it is a redirect URI of the client
    named by `client_id` or by the `id_token_hint`. Without a valid `id_token_hint` of the browser's own session,
    the citizen is asked to confirm first (a page), so no other site can sign them out."""
    logout = sessions.LogoutRequest(id_token_hint, post_logout_redirect_uri, state, client_id)
    return _end_session(request, db, keys, settings, session_token, logout, confirmed=False)


@router.post(
    "/oauth2/logout",
    name="oauth.end_session_post",
    response_class=HTMLResponse,
    responses=LOGOUT_RESPONSES,
    dependencies=SINGLE_PARAMETERS,
)
def end_session_post(
    request: Request,
    db: SessionDep,
    keys: KeysDep,
    settings: SettingsDep,
    confirmed: Annotated[bool, Depends(has_valid_token)],  # posted from the confirmation page
    session_token: SessionCookie = None,
    id_token_hint: Annotated[Text | None, Form()] = None,
    post_logout_redirect_uri: Annotated[Text | None, Form()] = None,
    state: Annotated[Text | None, Form()] = None,
    client_id: Annotated[Text | None, Form()] = None,
) -> Response:
    """The same as GET, with the parameters in a form body (RP-Initiated Logout §2); the sandbox's confirmation
    page posts here too."""
    logout = sessions.LogoutRequest(id_token_hint, post_logout_redirect_uri, state, client_id)
    return _end_session(request, db, keys, settings, session_token, logout, confirmed=confirmed)


def _end_session(
    request: Request,
    db: Session,
    keys: KeyStore,
    settings: Settings,
    session_token: str | None,
    logout: sessions.LogoutRequest,
    *,
    confirmed: bool,
) -> Response:
    hint = sessions.logout_hint(db, keys, settings, logout)
    if not confirmed and sessions.logout_needs_confirmation(db, session_token, hint):
        return render(request, "logout_confirm.html", {"logout": logout})
    sessions.end_session(db, datetime.now(UTC), session_token=session_token, sid=hint.get("sid"))
    client = find_client(db, logout.client_id or hint.get("aud") or "")
    target = logout.post_logout_redirect_uri
    if target and client and redirect_uri_allowed(client, target):
        separator = "&" if "?" in target else "?"
        query = f"{separator}{urlencode({'state': logout.state})}" if logout.state else ""
        response: Response = RedirectResponse(target + query, status_code=303)
    else:
        response = message(request, "signed_out_title", text_key="signed_out")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


_KNOWN_ERRORS = {
    "invalid_credentials",
    "account_locked",
    "citizen_deceased",
    "no_account",
    "account_pending",
    "invalid_otp",
    "unknown_persona",
}


router.include_router(pages)
