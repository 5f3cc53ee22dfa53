"""The web pages' defence against cross-site requests: one browser cookie, a token derived from it in every form,
and an Origin/Referer check, enforced on every unsafe request of a page route (`PageRoute` adds `protect`).

- The browser cookie (`vneid_browser`, `__Host-vneid_browser` over https) is a random secret the sandbox gives a
  browser on its first page. It is the browser's session at the sandbox: sign-in transactions are bound to it
  too (app/services/oidc/login.py), so a sign-in started in one browser cannot be finished in another.
- The token is a one-way digest of that cookie: a page that leaks cannot reveal the cookie, and a page of
  another site cannot read either. Forms carry it as `csrf_token`; htmx sends it as the `X-CSRF-Token` header
  (`hx-headers` on the page body).
- The device cookie (`vneid_device`, `__Host-vneid_device` over https) says which accounts completed a sign-in
  in this browser; it decides the browser's lockout bucket for wrong passwords (app/services/identity/devices.py).
- Origin (or, without it, Referer) must be the sandbox's own: `null` or another site is refused. A request with
  neither comes from a program, not a browser (browsers send Origin with every POST), and the token decides.
"""

import hashlib
import hmac
import secrets
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, Request
from jinja2 import pass_context
from markupsafe import Markup, escape
from starlette.responses import Response

from app.core.config import Settings
from app.core.errors import AppError
from app.services.identity.devices import COOKIE_MAX_AGE as DEVICE_COOKIE_MAX_AGE

COOKIE = "vneid_browser"
DEVICE_COOKIE = "vneid_device"
FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_ID_LENGTH = 43  # secrets.token_urlsafe(32)


class CrossSiteRequestRefused(AppError):
    in_api = False  # only the web pages make it
    status, code, title = 403, "csrf_refused", "The form was not sent from a page of this sandbox"


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings  # app.state is untyped
    return settings


def cookie_name(settings: Settings, name: str = COOKIE) -> str:
    # The __Host- prefix makes browsers refuse the cookie from a sibling domain or over http (no cookie tossing).
    return f"__Host-{name}" if settings.public_url.startswith("https://") else name


def browser_id(request: Request) -> str:
    """The browser's secret: its cookie, or a new one that `remember` sets on the response."""
    known: str | None = getattr(request.state, "browser_id", None)
    if known is None:
        presented = request.cookies.get(cookie_name(_settings(request)), "")
        fresh = len(presented) != _ID_LENGTH
        known = secrets.token_urlsafe(32) if fresh else presented
        request.state.browser_id, request.state.browser_id_fresh = known, fresh
    return known


def binding(request: Request) -> str:
    """What a server-side record keeps to recognise this browser (a digest, never the cookie itself)."""
    return hashlib.sha256(f"binding|{browser_id(request)}".encode()).hexdigest()


def token(request: Request) -> str:
    return token_for(browser_id(request))


def token_for(browser: str) -> str:
    """The forms' token of the browser whose cookie is `browser`."""
    return hashlib.sha256(f"csrf|{browser}".encode()).hexdigest()


def remember(request: Request, response: Response, device: str | None = None) -> None:
    """Set the browser cookie on a response when this request made a new one, and the device cookie when a sign-in
    completed (`device`, its new value)."""
    settings = _settings(request)
    secure = settings.public_url.startswith("https://")
    if getattr(request.state, "browser_id_fresh", False):
        response.set_cookie(
            cookie_name(settings), browser_id(request), httponly=True, samesite="lax", path="/", secure=secure
        )
    if device is not None:
        response.set_cookie(
            cookie_name(settings, DEVICE_COOKIE),
            device,
            max_age=int(DEVICE_COOKIE_MAX_AGE.total_seconds()),
            httponly=True,
            samesite="lax",
            path="/",
            secure=secure,
        )


def device_cookie(request: Request) -> str | None:
    return request.cookies.get(cookie_name(_settings(request), DEVICE_COOKIE))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def same_origin(request: Request) -> bool:
    """Origin, else Referer, names the sandbox (its public URL, or the host the request was sent to)."""
    sender = request.headers.get("origin")
    if sender is None:
        referer = request.headers.get("referer")
        if referer is None:
            return True  # not a browser: the token decides
        sender = _origin(referer)
    own = {_origin(_settings(request).public_url), _origin(str(request.base_url))}
    return sender.lower() in own


async def has_valid_token(request: Request) -> bool:
    """A same-origin request carrying the token of its browser's cookie (form field or header)."""
    if request.cookies.get(cookie_name(_settings(request))) is None or not same_origin(request):
        return False
    presented = request.headers.get(HEADER)
    if presented is None:
        value = (await request.form()).get(FIELD)
        presented = value if isinstance(value, str) else ""
    return hmac.compare_digest(presented.encode(), token(request).encode())


async def protect(request: Request) -> None:
    """The dependency of every page route: unsafe methods need a valid token from a page of this site."""
    if request.method not in SAFE_METHODS and not await has_valid_token(request):
        raise CrossSiteRequestRefused(
            "the form did not come from a page of this sandbox, or the page is too old: reload it and try again"
        )


@pass_context
def csrf_input(context: Any) -> Markup:
    """`{{ csrf_input() }}` in a form: the hidden token field."""
    return Markup(f'<input type="hidden" name="{FIELD}" value="{escape(context[FIELD])}">')  # noqa: S704


async def _browser_binding(request: Request) -> str:
    return binding(request)


async def _device_cookie(request: Request) -> str | None:
    return device_cookie(request)


BrowserBinding = Annotated[str, Depends(_browser_binding)]
DeviceCookie = Annotated[str | None, Depends(_device_cookie)]
