"""A client of one sandbox world for integrators' tests: sign personas in, arm scenarios, move the clock, and
capture webhook deliveries with their signatures checked. It speaks HTTP only, so it works against any server."""

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

# Where the seeded demo clients expect the code (seed_data/clients.json); other clients name their redirect_uri.
DEMO_CALLBACKS = {
    "vneid-app": "/app/callback",
    "demo-bank": "/demo/bank/callback",
    "demo-agency": "/demo/agency/callback",
    "demo-spa": "http://127.0.0.1/callback",
    "demo-fapi": "http://127.0.0.1/callback",
}
WEBHOOK_EVENTS = ("application.created", "application.status_changed", "document.issued", "consent.revoked")
SIGNATURE_HEADER = "VNeID-Signature"
SIGNATURE_TOLERANCE_SECONDS = 300


class SandboxError(AssertionError):
    """The sandbox refused a helper's request: the message has its status and problem document."""


@dataclass(frozen=True)
class Tokens:
    access_token: str
    id_token: str | None
    refresh_token: str | None
    scope: str
    response: dict[str, Any]

    @property
    def headers(self) -> dict[str, str]:
        """`Authorization: Bearer …` with the access token."""
        return {"Authorization": f"Bearer {self.access_token}"}


@dataclass
class WebhookReceiver:
    """Webhook deliveries to a local HTTP server, kept when their `VNeID-Signature` verifies with the
    subscription's secret; a delivery that does not verify is answered 401 and kept in `rejected`."""

    secret: str = ""
    events: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[bytes] = field(default_factory=list)
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    def verify(self, header: str | None, body: bytes, now: float | None = None) -> bool:
        parts = dict(part.split("=", 1) for part in (header or "").split(",") if "=" in part)
        if "t" not in parts or "v1" not in parts or not parts["t"].isdigit():
            return False
        if abs((now or time.time()) - int(parts["t"])) > SIGNATURE_TOLERANCE_SECONDS:
            return False
        expected = hmac.new(self.secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, parts["v1"])

    def receive(self, header: str | None, body: bytes) -> bool:
        verified = self.verify(header, body)
        with self._arrived:
            if verified:
                self.events.append(json.loads(body))
            else:
                self.rejected.append(body)
            self._arrived.notify_all()
        return verified

    def wait_for(self, event_type: str | None = None, count: int = 1, timeout: float = 30) -> list[dict[str, Any]]:
        """The verified events (of `event_type`, if given) once `count` have arrived; fails after `timeout` s."""

        def matching() -> list[dict[str, Any]]:
            return [e for e in self.events if event_type is None or e.get("type") == event_type]

        with self._arrived:
            if not self._arrived.wait_for(lambda: len(matching()) >= count, timeout):
                raise SandboxError(f"{len(matching())} of {count} {event_type or 'webhook'} events in {timeout} s")
            return matching()


@contextmanager
def _serving(receiver: WebhookReceiver) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(204 if receiver.receive(self.headers.get(SIGNATURE_HEADER), body) else 401)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="vneid-webhooks", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/webhooks"
    finally:
        server.shutdown()
        server.server_close()


class World:
    """One sandbox world: `http` is an httpx client on its base URL, which is also its OIDC issuer."""

    def __init__(self, created: dict[str, Any], timeout: float = 30) -> None:
        self.id: str = created["id"]
        self.base_url: str = created["base_url"]
        self.issuer: str = created["issuer"]
        self.admin_token: str = created["admin_token"]
        self.seed: int = created["seed"]
        self.population: int = created["population"]
        self.http = httpx.Client(base_url=self.base_url, timeout=timeout)

    def close(self) -> None:
        self.http.close()

    def admin(self, method: str, path: str, **kwargs: Any) -> Any:
        """A call to the world's /sandbox controls with its admin token; its JSON (None for 204)."""
        headers = {"Authorization": f"Bearer {self.admin_token}", **kwargs.pop("headers", {})}
        return _json(self.http.request(method, path, headers=headers, **kwargs))

    def reset(self) -> dict[str, Any]:
        """Back to the seed state (same citizens); signing keys and webhook subscriptions stay."""
        result: dict[str, Any] = self.admin("POST", "/sandbox/reset")
        return result

    def now(self) -> datetime:
        return datetime.fromisoformat(self.admin("GET", "/sandbox/clock")["now"])

    def advance_clock(self, *, days: int = 0, hours: int = 0, minutes: int = 0) -> datetime:
        """Move this world's clock forward (only this world's); returns its new time."""
        moved = self.admin("POST", "/sandbox/clock/advance", json={"days": days, "hours": hours, "minutes": minutes})
        return datetime.fromisoformat(moved["now"])

    def reset_clock(self) -> datetime:
        return datetime.fromisoformat(self.admin("POST", "/sandbox/clock/reset")["now"])

    @contextmanager
    def scenario(self, name: str, *, client_id: str | None = None, times: int | None = None) -> Iterator[None]:
        """A fault armed for the block (`with world.scenario("token_slow"): …`): until the block ends, or `times`
        times; every armed scenario is cleared when it ends."""
        self.admin("POST", "/sandbox/scenarios", json={"name": name, "client_id": client_id, "times": times})
        try:
            yield
        finally:
            self.admin("DELETE", "/sandbox/scenarios")

    def client_token(self, client_id: str, secret: str, scope: str | None = None) -> Tokens:
        """A client_credentials token of an integrator's back end (client_secret_basic)."""
        data = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
        return _tokens(_json(self.http.post("/oauth2/token", data=data, auth=(client_id, secret))))

    def sign_in(
        self,
        persona: str,
        *,
        client_id: str,
        client_secret: str | None = None,
        scope: str = "openid profile",
        redirect_uri: str | None = None,
    ) -> Tokens:
        """Sign a persona (key or personal ID, see GET /sandbox/personas) in to a test client through the real
        authorization code flow with PKCE, headless (`login_hint`, consent given), and redeem the code."""
        redirect_uri = redirect_uri or _demo_callback(self.base_url, client_id)
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        state = secrets.token_urlsafe(16)
        authorize = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": scope,
            "state": state,
            "nonce": secrets.token_urlsafe(16),
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "login_hint": persona,
        }
        answer = self.http.get("/oauth2/authorize", params=authorize)
        location = answer.headers.get("location", "")
        query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        if answer.status_code not in (302, 303) or "code" not in query or query.get("state") != state:
            raise SandboxError(
                f"sign-in of {persona} to {client_id} gave {answer.status_code} {location or answer.text}"
            )
        token_request = {
            "grant_type": "authorization_code",
            "code": query["code"],
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        }
        if client_secret is None:  # a public client names itself
            token_request["client_id"] = client_id
            return _tokens(_json(self.http.post("/oauth2/token", data=token_request)))
        return _tokens(_json(self.http.post("/oauth2/token", data=token_request, auth=(client_id, client_secret))))

    @contextmanager
    def webhooks(self, client_id: str, events: tuple[str, ...] = WEBHOOK_EVENTS) -> Iterator[WebhookReceiver]:
        """Subscribe `client_id` to `events` with a local receiver for the block; deliveries are verified."""
        receiver = WebhookReceiver()
        with _serving(receiver) as url:
            created = self.admin(
                "POST", "/sandbox/webhooks", json={"client_id": client_id, "url": url, "events": events}
            )
            receiver.secret = created["secret"]
            yield receiver


def _demo_callback(base_url: str, client_id: str) -> str:
    if client_id not in DEMO_CALLBACKS:
        raise ValueError(f"name the redirect_uri registered for {client_id}")
    callback = DEMO_CALLBACKS[client_id]
    return callback if callback.startswith("http") else base_url + callback


def _json(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        raise SandboxError(
            f"{response.request.method} {response.request.url} → {response.status_code}: {response.text}"
        )
    return None if response.status_code == 204 else response.json()


def _tokens(body: dict[str, Any]) -> Tokens:
    return Tokens(body["access_token"], body.get("id_token"), body.get("refresh_token"), body.get("scope", ""), body)
