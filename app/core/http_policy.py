"""What every response says about itself: security headers, caching, and which endpoints browsers may call.

- No page may be framed (clickjacking), no response sniffed into another type, no referrer leaked to another
  site (`same-origin`, not `no-referrer`: with that, browsers send `Origin: null` on the pages' own form posts,
  and the CSRF check of app/web/csrf.py could not tell them from a forged one).
- `Cache-Control: no-store` on everything that can carry tokens or personal data; only static files, the
  discovery documents, the JWKS, the OpenAPI document and health may be cached.
- Request bodies of at most 1 MiB (413 beyond).
- CORS only where an OpenID provider's browser clients need it (single-page apps with PKCE): discovery, JWKS, the
  token, userinfo and revocation endpoints, to any origin and without cookies, since they take no cookies.
"""

import json

from starlette._utils import get_route_path  # the path within a world (/w/{id} is its root_path)
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.asgi import HttpMiddleware
from app.core.errors import PROBLEM_JSON, HttpError, problem

SECURITY_HEADERS = (
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)
NO_STORE = (b"cache-control", b"no-store")
CACHEABLE_PREFIXES = ("/static/", "/.well-known/", "/docs", "/openapi.json", "/healthz", "/favicon.ico")
CORS_PATHS = frozenset(
    {
        "/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server",
        "/.well-known/jwks.json",
        "/oauth2/token",
        "/oauth2/userinfo",
        "/oauth2/revoke",
    }
)


class SecurityHeadersMiddleware(HttpMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        cacheable = get_route_path(scope).startswith(CACHEABLE_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [header for header in SECURITY_HEADERS if header[0] not in present]
                if not cacheable:
                    headers = [h for h in headers if h[0].lower() != b"cache-control"] + [NO_STORE]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RequestSizeLimit(HttpMiddleware):
    """413 as problem+json for a body over the limit: at once when its declared length says so, else (a chunked
    body) once the limit is passed while reading it, before the app sees any of it."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        super().__init__(app)
        self.max_bytes = max_bytes

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            if length.isdigit() and int(length) <= self.max_bytes:
                await self.app(scope, receive, send)
            else:
                await self._refuse(scope, send)
            return
        messages: list[Message] = []
        received = 0
        while True:
            message = await receive()
            messages.append(message)
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                await self._refuse(scope, send)
                return
            if message["type"] != "http.request" or not message.get("more_body"):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        error = HttpError(413, f"the request body may be at most {self.max_bytes:,} bytes")
        body = json.dumps(problem(error.status, error.code, error.title, error.detail, scope["path"]))
        await send(
            {"type": "http.response.start", "status": 413, "headers": [(b"content-type", PROBLEM_JSON.encode())]}
        )
        await send({"type": "http.response.body", "body": body.encode()})


class BrowserClientsCORS:
    """CORS for the endpoints in CORS_PATHS only; every other path is same-origin."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=["*"],
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "DPoP"],
            # DPoP-Nonce: a browser client must read the server's nonce to retry with it (RFC 9449 §8.1).
            expose_headers=["WWW-Authenticate", "Retry-After", "X-Request-ID", "DPoP-Nonce"],
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and get_route_path(scope) in CORS_PATHS:
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
