"""The sandbox panel (/app/sandbox) for QA and demos, and the built-in webhook test receiver.

The panel asks once for the admin token (checked by the same function as the /sandbox API, guesses throttled per
client address) and keeps a server-side session whose random key is the cookie (never the token itself); its
buttons call the same services as that API.
The receiver (POST /sandbox/receiver/{name}) takes any delivery without authentication and keeps it in the
sandbox inbox (channel `hook`), so a webhook subscription can point at the sandbox itself.
"""

import hmac
import json
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.core import journal
from app.deps import ClockDep, EnvDep, KeysDep, SessionDep, SettingsDep, writes
from app.schemas.forms import RECEIVER_NAME, ClockAdvanceForm, PanelSignIn, ReceiverForm
from app.services import admin_sessions, payments, sandbox, webhooks
from app.services.identity import otp
from app.services.journal import journal_clients, read_journal
from app.web.app_texts import APP_TEXTS
from app.web.errors import PageRoute
from app.web.i18n import language
from app.web.session import page, secure_cookies

router = APIRouter(include_in_schema=False, route_class=PageRoute)
receiver = APIRouter(include_in_schema=False)  # for machines: its errors stay problem+json

ADMIN_COOKIE = "vneid_sandbox_admin"
PANEL = "/app/sandbox"
MAX_BODY = 64 * 1024
JOURNAL_ROWS = 50
KEPT_HEADERS = ("content-type", "user-agent", "vneid-event-id", "vneid-event-type", "vneid-signature")
SIGNATURE = re.compile(r"^t=(\d{1,12}),v1=([0-9a-f]{64})$")


def _signed_in(request: Request, db: SessionDep, settings: SettingsDep) -> bool:
    """The browser holds a live panel session."""
    return admin_sessions.session_valid(db, settings, request.cookies.get(ADMIN_COOKIE), datetime.now(UTC))


@dataclass(frozen=True)
class Delivery:
    id: int
    at: datetime
    event_type: str | None
    event_id: str | None
    signature: str | None
    body: str
    verified: bool | None


def _verified(secret: str, signature: str | None, body: str) -> bool | None:
    if not secret:
        return None
    match = SIGNATURE.match(signature or "")
    if match is None:
        return False
    expected = webhooks.signature(secret, int(match.group(1)), body.encode())
    return hmac.compare_digest(expected, signature or "")


def _deliveries(db: SessionDep, name: str, secret: str) -> list[Delivery]:
    out = []
    for message in otp.inbox(db, recipient=name):
        if message.channel != sandbox.HOOK_CHANNEL:
            continue
        stored = json.loads(message.body)
        headers, body = stored.get("headers", {}), stored.get("body", "")
        signature = headers.get("vneid-signature")
        out.append(
            Delivery(
                message.id,
                message.at,
                headers.get("vneid-event-type"),
                headers.get("vneid-event-id"),
                signature,
                body,
                _verified(secret, signature, body),
            )
        )
    return out


def _panel(
    request: Request,
    db: SessionDep,
    keys: KeysDep,
    settings: SettingsDep,
    clock: ClockDep,
    *,
    name: str = "demo",
    secret: str = "",
    notice: str | None = None,
) -> HTMLResponse:
    return page(
        request,
        "app/sandbox_panel.html",
        now=clock.now(),
        offset=int(clock.offset.total_seconds()),
        keys=sandbox.published_keys(db, keys, settings),
        name=name,
        secret_given=bool(secret),
        deliveries=_deliveries(db, name, secret),
        issuer=settings.public_url,
        notice=notice,
        **_journal(request, db),
    )


def _journal(request: Request, db: SessionDep, client: str = "") -> dict[str, Any]:
    """The journal's newest entries (this worker's buffered ones written first), for one client or all."""
    journal.flush_into(db, request.scope)
    entries = read_journal(db, client_id=client or None, status=None, since=None, limit=JOURNAL_ROWS)
    return {"entries": entries, "journal_clients": journal_clients(db)}


def _sign_in_form(request: Request, error: bool = False) -> HTMLResponse:
    """The token form again, with the refusal as a sentence (like every form of the app, not an error page)."""
    return page(request, "app/sandbox_login.html", error=error)


def _back(anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"{PANEL}{anchor}", status_code=303)


@router.get(PANEL, response_class=HTMLResponse)
@writes  # writes the journal entries this worker holds, so the page shows them
def panel(
    request: Request, db: SessionDep, keys: KeysDep, settings: SettingsDep, clock: ClockDep, name: str = "demo"
) -> HTMLResponse:
    if not _signed_in(request, db, settings):
        return _sign_in_form(request)
    return _panel(request, db, keys, settings, clock, name=name if re.match(RECEIVER_NAME, name) else "demo")


@router.get(f"{PANEL}/journal", response_class=HTMLResponse)
@writes
def panel_journal(
    request: Request, db: SessionDep, settings: SettingsDep, client: Annotated[str, Query(max_length=80)] = ""
) -> Response:
    """The journal's table alone, which the panel polls every 2 s (htmx), filtered by client."""
    if not _signed_in(request, db, settings):
        return Response(status_code=401)  # htmx leaves the table as it was; a reload shows the sign-in form
    return page(request, "app/_journal.html", **_journal(request, db, client))


@router.post(f"{PANEL}/login")
def panel_login(
    request: Request, db: SessionDep, settings: SettingsDep, form: Annotated[PanelSignIn, Form()]
) -> Response:
    client_address = request.client.host if request.client else "unknown"
    key = admin_sessions.open_session(db, settings, form.admin_token.strip(), client_address, datetime.now(UTC))
    if key is None:
        return _sign_in_form(request, error=True)
    response = _back()
    response.set_cookie(
        ADMIN_COOKIE,
        key,
        max_age=int(admin_sessions.SESSION_TTL.total_seconds()),
        httponly=True,
        samesite="strict",
        path=PANEL,
        secure=secure_cookies(settings),
    )
    return response


@router.post(f"{PANEL}/logout")
def panel_logout(request: Request, db: SessionDep) -> Response:
    admin_sessions.close_session(db, request.cookies.get(ADMIN_COOKIE))
    response = _back()
    response.delete_cookie(ADMIN_COOKIE, path=PANEL)
    return response


@router.post(f"{PANEL}/reset", response_class=HTMLResponse)
def panel_reset(request: Request, db: SessionDep, keys: KeysDep, settings: SettingsDep) -> Response:
    """POST /sandbox/reset's service."""
    if not _signed_in(request, db, settings):
        return _sign_in_form(request, error=True)
    summary = sandbox.reset(db, settings)
    done = APP_TEXTS[language(request)]["reset_done"].format(citizens=summary.citizens, accounts=summary.accounts)
    return _panel(request, db, keys, settings, sandbox.clock_for(db), notice=done)


@router.post(f"{PANEL}/clock/advance")
def panel_advance_clock(request: Request, env: EnvDep, form: Annotated[ClockAdvanceForm, Form()]) -> Response:
    """What POST /sandbox/clock/advance does: move the clock, then expire the payments that fell due."""
    if not _signed_in(request, env.db, env.settings):
        return _sign_in_form(request, error=True)
    clock = sandbox.advance_clock(env.db, timedelta(days=form.days, hours=form.hours))
    payments.expire_due(replace(env, clock=clock))  # at the new time
    return _back("#clock")


@router.post(f"{PANEL}/clock/reset")
def panel_reset_clock(request: Request, db: SessionDep, settings: SettingsDep) -> Response:
    if not _signed_in(request, db, settings):
        return _sign_in_form(request, error=True)
    sandbox.reset_clock(db)
    return _back("#clock")


@router.post(f"{PANEL}/keys/rotate")
def panel_rotate_keys(request: Request, db: SessionDep, keys: KeysDep, settings: SettingsDep) -> Response:
    if not _signed_in(request, db, settings):
        return _sign_in_form(request, error=True)
    keys.rotate(db, datetime.now(UTC))  # JOSE: real time
    return _back("#keys")


@router.post(f"{PANEL}/receiver", response_class=HTMLResponse)
def panel_receiver(
    request: Request,
    db: SessionDep,
    keys: KeysDep,
    settings: SettingsDep,
    clock: ClockDep,
    form: Annotated[ReceiverForm, Form()],
) -> HTMLResponse:
    """The deliveries a receiver got, each signature checked against the pasted secret (which is not kept)."""
    if not _signed_in(request, db, settings):
        return _sign_in_form(request, error=True)
    return _panel(request, db, keys, settings, clock, name=form.name, secret=form.secret.strip())


@receiver.post("/sandbox/receiver/{name}", status_code=204)
async def receive(request: Request, db: SessionDep, name: Annotated[str, Path(pattern=RECEIVER_NAME)]) -> Response:
    """Keep one delivery (headers of interest and the raw body, up to 64 KiB) in the sandbox inbox."""
    declared = request.headers.get("content-length", "0")
    if not declared.isdigit() or int(declared) > MAX_BODY:
        return Response(status_code=413)
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY:
            return Response(status_code=413)
    headers = {h: request.headers[h] for h in KEPT_HEADERS if h in request.headers}
    sandbox.keep_delivery(db, name, headers, raw.decode("utf-8", "replace"))
    return Response(status_code=204)


router.include_router(receiver)
