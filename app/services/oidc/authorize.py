"""The authorization request (OIDC Core §3.1.2): validation, and where it leads: a code, a login page, or an error."""

import json
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from app.core import journal
from app.core.config import Settings
from app.core.errors import AUTHORIZE_RULES, OAuthError, explanation
from app.core.keys import KeyStore
from app.models import Client
from app.services.identity.accounts import ACR_BY_LEVEL, LEVEL_BY_ACR
from app.services.oidc import dpop, par, parameters, profiles, request_objects
from app.services.oidc.claims import OIDC_SCOPES
from app.services.oidc.clients import find_client, redirect_uri_allowed
from app.services.oidc.tokens import API_SCOPES

PROMPTS = frozenset({"none", "login", "consent"})
JKT = re.compile(r"[A-Za-z0-9_-]{43}")
OFFLINE_ACCESS = "offline_access"
SCOPES = OIDC_SCOPES | API_SCOPES | {OFFLINE_ACCESS}
# JARM (FAPI JWT Secured Authorization Response Mode) §2.3.4: for response_type=code, `jwt` means `query.jwt`.
QUERY, QUERY_JWT = "query", "query.jwt"
RESPONSE_MODES = {QUERY: QUERY, "jwt": QUERY_JWT, QUERY_JWT: QUERY_JWT}
RESPONSE_JWT_TTL_SECONDS = 600  # real time, like every JOSE validity


class AuthorizeError(Exception):
    """An error of the authorization request: sent back to the client's redirect URI once that URI is trusted.
    `rule` and `passes` explain it in the request journal (as for AppError)."""

    def __init__(
        self,
        error: str,
        description: str,
        *,
        vneid_error: str | None = None,
        rule: str | None = None,
        passes: str | None = None,
    ) -> None:
        super().__init__(description)
        self.error, self.description, self.vneid_error = error, description, vneid_error
        self.explanation = explanation(description, rule or AUTHORIZE_RULES.get(error), passes)


class UntrustedRedirect(Exception):
    """The client or redirect URI is wrong: never redirect, show the error to the user instead (§3.1.2.6)."""

    code = "invalid_request"

    def __init__(self, description: str, *, rule: str | None = None, passes: str | None = None) -> None:
        super().__init__(description)
        self.explanation = explanation(description, rule or AUTHORIZE_RULES[self.code], passes)


@dataclass
class AuthorizationRequest:
    client_id: str
    redirect_uri: str
    scope: str
    state: str | None = None
    nonce: str | None = None
    code_challenge: str | None = None
    prompt: list[str] = field(default_factory=list)
    max_age: int | None = None
    login_hint: str | None = None
    acr_values: list[str] = field(default_factory=list)
    claims: dict[str, Any] | None = None
    ui_locales: str | None = None
    # RFC 9207: every response to the redirect URI names the issuer, so a client talking to several providers
    # can tell which one answered (mix-up defence).
    issuer: str = ""
    dpop_jkt: str | None = None  # RFC 9449 §10: the code is bound to this DPoP key
    response_mode: str = QUERY  # or QUERY_JWT (JARM): the answer is one signed `response` parameter

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "AuthorizationRequest":
        return cls(**data)

    def required_level(self) -> int | None:
        """The lowest account level the client accepts. `acr_values` is a list of acceptable values in order of
        preference (OIDC Core §3.1.2.1), as are the `values` of an essential `acr` claim (§5.5.1.1): the account
        must meet one of each, that is the weakest of each; the ID token's `acr` then says which level it has."""
        acr_claim = ((self.claims or {}).get("id_token") or {}).get("acr") or {}
        lists = [self.acr_values]
        if acr_claim.get("essential"):
            lists.append(acr_claim.get("values") or ([acr_claim["value"]] if acr_claim.get("value") else []))
        floors = []
        for acceptable in lists:
            levels = [LEVEL_BY_ACR[v] for v in acceptable if v in LEVEL_BY_ACR]
            if levels:
                floors.append(min(levels))
        return max(floors) if floors else None

    def redirect(self, **params: str | None) -> "AuthorizationResponse":
        answer = {k: v for k, v in {**params, "state": self.state}.items() if v is not None}
        return AuthorizationResponse(self, answer)

    def error_redirect(self, error: AuthorizeError) -> "AuthorizationResponse":
        journal.note_refusal(error.error, error.explanation)
        return self.redirect(error=error.error, error_description=error.description, vneid_error=error.vneid_error)


@dataclass(frozen=True)
class AuthorizationResponse:
    """The answer to the client's redirect URI, success or error: made a URL by `response_location`, which holds the
    signing keys that a JWT response (JARM) needs."""

    request: AuthorizationRequest
    params: dict[str, str]


def response_location(db: Session, keys: KeyStore, response: AuthorizationResponse) -> str:
    """The redirect URI with the answer: its parameters and `iss` (RFC 9207), or, in a JWT response mode, one
    `response` JWT holding them with `iss`, `aud` and `exp` (JARM §2.1), signed like the client's ID tokens."""
    request = response.request
    if request.response_mode == QUERY:
        query = {**response.params, **({"iss": request.issuer} if request.issuer else {})}
    else:
        client = find_client(db, request.client_id)
        now = int(time.time())
        claims = {
            **response.params,
            "iss": request.issuer,
            "aud": request.client_id,
            "iat": now,
            "exp": now + RESPONSE_JWT_TTL_SECONDS,
        }
        query = {"response": keys.sign(db, claims, alg=client.id_token_alg if client else "RS256")}
    separator = "&" if "?" in request.redirect_uri else "?"
    return f"{request.redirect_uri}{separator}{urlencode(query)}"


def query_parameters(items: list[tuple[str, str]]) -> dict[str, str]:
    """The request's parameters, each sent once (RFC 6749 §3.1). A repeated one is refused to the user, not by
    redirect: it may be the redirect URI itself that is in doubt."""
    twice = parameters.repeated(items)
    if twice:
        raise UntrustedRedirect(f"parameters sent more than once (RFC 6749 §3.1): {', '.join(twice)}")
    return {k: v for k, v in items if "\x00" not in v}


def parse_request(db: Session, settings: Settings, params: dict[str, str]) -> tuple[Client, AuthorizationRequest]:
    """Validate an authorization request: plain parameters, a signed `request` object, or the `request_uri` of a
    pushed request. Raises UntrustedRedirect before the redirect URI is known good, RequestRejected (with the
    request, to redirect) after."""
    client = find_client(db, params.get("client_id") or "")
    if client is None:
        raise UntrustedRedirect(
            "unknown client_id",
            passes="the client_id of a registered client: a demo client (README) or one made by POST /sandbox/clients",
        )
    if "request_uri" not in params:
        return client, _checked(settings, client, params, pushed=False)
    if not params["request_uri"].startswith(par.REQUEST_URI_PREFIX):
        # OIDC Core §6.2: a request object by reference would be fetched from the client; the sandbox does not.
        unsupported = AuthorizeError(
            "request_uri_not_supported",
            "only the request_uri of a pushed request (PAR) is accepted; send the request object by value (request)",
        )
        raise _refusal(settings, client, params, unsupported)
    try:
        return client, AuthorizationRequest.from_json(par.take(db, client, params["request_uri"]))
    except par.InvalidRequestUri as exc:
        raise UntrustedRedirect(f"invalid_request_uri: {exc}") from None


def push_request(
    db: Session, keys: KeyStore, settings: Settings, client: Client, params: dict[str, str], dpop_proofs: list[str]
) -> dict[str, Any]:
    """A pushed authorization request (RFC 9126 §2), checked now as the authorization endpoint would check it,
    refused in the token endpoint's error shape; kept for its one use. A DPoP proof binds the code to its key
    (RFC 9449 §10.1), like `dpop_jkt`, which must then name the same key."""
    try:
        return _push(db, keys, settings, client, params, dpop_proofs)
    except OAuthError:
        db.commit()  # as at the token endpoint: the client assertion and DPoP proof stay spent after a refusal
        raise


def _push(
    db: Session, keys: KeyStore, settings: Settings, client: Client, params: dict[str, str], dpop_proofs: list[str]
) -> dict[str, Any]:
    if "request_uri" in params:
        raise OAuthError("invalid_request", "request_uri cannot be pushed (RFC 9126 §2.1)")
    proof = dpop.token_request_proof(
        db, keys, settings, client, dpop_proofs, f"{settings.public_url}/oauth2/par", required=False
    )
    try:
        request = _checked(settings, client, {**params, "client_id": client.client_id}, pushed=True)
    except UntrustedRedirect as exc:
        raise OAuthError("invalid_request", str(exc)) from None
    except RequestRejected as rejected:
        refusal = PAR_ERRORS.get(rejected.error.error, PAR_ERRORS["invalid_request"])
        raise refusal(rejected.error.description) from None
    if proof is not None:
        if request.dpop_jkt not in (None, proof.jkt):
            raise OAuthError("invalid_dpop_proof", "dpop_jkt is not the thumbprint of the DPoP proof's key")
        request.dpop_jkt = proof.jkt
    return par.store(db, client, request.to_json())


# The authorization endpoint's errors a pushed request can meet, in the token endpoint's shape (RFC 9126 §2.3).
PAR_ERRORS: dict[str, Callable[[str], OAuthError]] = {
    "invalid_request": lambda description: OAuthError("invalid_request", description),
    "invalid_scope": lambda description: OAuthError("invalid_scope", description),
    "unauthorized_client": lambda description: OAuthError("unauthorized_client", description),
    "unsupported_response_type": lambda description: OAuthError("unsupported_response_type", description),
    "invalid_request_object": lambda description: OAuthError("invalid_request_object", description),
}


def _checked(settings: Settings, client: Client, params: dict[str, str], *, pushed: bool) -> AuthorizationRequest:
    if params.get("request"):
        try:
            params = request_objects.unpack(settings, client, params)
        except request_objects.RequestObjectInvalid as exc:
            raise _refusal(settings, client, params, AuthorizeError("invalid_request_object", str(exc))) from None
    redirect_uri = params.get("redirect_uri") or ""
    if not redirect_uri_allowed(client, redirect_uri):
        raise UntrustedRedirect(
            f"redirect_uri `{redirect_uri}` is not registered for {client.client_id} (exact match required)",
            passes="a registered redirect_uri: " + ", ".join(f"`{uri}`" for uri in client.redirect_uris),
            rule="OIDC Core §3.1.2.1 requires an exact match (RFC 8252 §7.3: any port for a loopback redirect)",
        )
    request = _answerable(settings, client, params, redirect_uri)
    try:
        _fill(client, request, params, pushed=pushed)
    except AuthorizeError as error:
        raise RequestRejected(request, error) from None
    return request


def _refusal(settings: Settings, client: Client, params: dict[str, str], error: AuthorizeError) -> Exception:
    """A request object that fails is answered at the outer redirect URI when that one is registered."""
    redirect_uri = params.get("redirect_uri") or ""
    if not redirect_uri_allowed(client, redirect_uri):
        return UntrustedRedirect(error.description)
    return RequestRejected(_answerable(settings, client, params, redirect_uri), error)


def _answerable(settings: Settings, client: Client, params: dict[str, str], redirect_uri: str) -> AuthorizationRequest:
    """The request as far as any answer needs it: where it goes, its state, and how (a JWT if asked, even for an
    error about another parameter: the client expects nothing else)."""
    mode = RESPONSE_MODES.get(params.get("response_mode", QUERY), QUERY)
    return AuthorizationRequest(
        client.client_id, redirect_uri, "", state=params.get("state"), issuer=settings.public_url, response_mode=mode
    )


class RequestRejected(Exception):
    def __init__(self, request: AuthorizationRequest, error: AuthorizeError) -> None:
        super().__init__(error.description)
        self.request, self.error = request, error


def _fill(client: Client, request: AuthorizationRequest, params: dict[str, str], *, pushed: bool) -> None:
    if profiles.requires_par(client) and not pushed:
        raise AuthorizeError("invalid_request", "this client must push its authorization requests first (PAR)")
    if not params.get("response_type"):
        raise AuthorizeError("invalid_request", "response_type is required (response_type=code)")
    if params["response_type"] != "code":
        raise AuthorizeError("unsupported_response_type", "only response_type=code is supported")
    if "authorization_code" not in client.grant_types:
        raise AuthorizeError("unauthorized_client", "this client may not use the authorization code flow")
    if params.get("response_mode", QUERY) not in RESPONSE_MODES:
        raise AuthorizeError("invalid_request", "only response_mode=query, jwt or query.jwt is supported")
    request.scope = " ".join(_scopes(client, params))
    _fill_pkce(client, request, params)
    request.nonce = params.get("nonce") or None
    request.prompt = (params.get("prompt") or "").split()
    if not set(request.prompt) <= PROMPTS or ("none" in request.prompt and len(request.prompt) > 1):
        raise AuthorizeError("invalid_request", "prompt must be none, or any of login and consent")
    if params.get("max_age"):
        if not re.fullmatch(r"[0-9]{1,9}", params["max_age"]):  # ASCII digits only: "²".isdigit() is true
            raise AuthorizeError("invalid_request", "max_age must be a number of seconds")
        request.max_age = int(params["max_age"])
    request.login_hint = params.get("login_hint") or None
    # A preference list: values the sandbox does not know are ignored, like unknown scopes.
    request.acr_values = [a for a in (params.get("acr_values") or "").split() if a in ACR_BY_LEVEL.values()]
    if params.get("claims"):
        request.claims = _claims_request(params["claims"])
    request.ui_locales = params.get("ui_locales")
    if params.get("dpop_jkt"):
        if not JKT.fullmatch(params["dpop_jkt"]):
            raise AuthorizeError("invalid_request", "dpop_jkt must be a base64url SHA-256 JWK thumbprint (RFC 7638)")
        request.dpop_jkt = params["dpop_jkt"]


def _scopes(client: Client, params: dict[str, str]) -> list[str]:
    """The scopes to ask consent for. Values the sandbox does not understand (`email`, a partner's own) are ignored
    (OIDC Core §3.1.2.1); known ones the client is not registered for are refused. `offline_access` (§11) is kept
    for clients registered for the refresh_token grant, whose registration is the condition that permits offline
    access (they get refresh tokens either way), and ignored for the others."""
    understood = [s for s in dict.fromkeys((params.get("scope") or "").split()) if s in SCOPES]
    refused = [s for s in understood if s not in client.scopes and s != OFFLINE_ACCESS]
    if refused:
        raise AuthorizeError(
            "invalid_scope",
            f"scopes not allowed for this client: {' '.join(refused)}",
            passes=f"scopes registered for {client.client_id}: {' '.join(sorted(client.scopes))}",
        )
    scopes = [s for s in understood if s != OFFLINE_ACCESS or "refresh_token" in client.grant_types]
    if not [s for s in scopes if s != OFFLINE_ACCESS]:
        raise AuthorizeError("invalid_scope", f"no scope of this provider was asked for: {', '.join(sorted(SCOPES))}")
    return scopes


CLAIMS_MEMBERS = frozenset({"id_token", "userinfo"})
CLAIM_REQUEST_KEYS = frozenset({"essential", "value", "values"})


def _claims_request(text: str) -> dict[str, Any]:
    """The `claims` parameter (OIDC Core §5.5) in its documented shape only: members `id_token` and `userinfo`,
    each naming claims with null or {essential, value, values}. Anything else, deeper or larger, is refused."""
    try:
        claims = json.loads(text)
    except (ValueError, RecursionError):
        raise AuthorizeError("invalid_request", "claims must be a JSON object") from None
    if not isinstance(claims, dict) or not set(claims) <= CLAIMS_MEMBERS:
        raise AuthorizeError("invalid_request", "claims must be a JSON object with id_token and/or userinfo members")
    for member in claims.values():
        if not isinstance(member, dict) or not all(_claim_request_ok(spec) for spec in member.values()):
            raise AuthorizeError(
                "invalid_request", "each requested claim must be null or an object of essential, value, values"
            )
    return claims


def _claim_request_ok(spec: Any) -> bool:
    if spec is None:
        return True
    if not isinstance(spec, dict) or not set(spec) <= CLAIM_REQUEST_KEYS:
        return False
    values = spec.get("values", [])
    return (
        isinstance(spec.get("essential", False), bool)
        and isinstance(spec.get("value", ""), str | int | bool)
        and isinstance(values, list)
        and all(isinstance(v, str | int | bool) for v in values)
    )


def _fill_pkce(client: Client, request: AuthorizationRequest, params: dict[str, str]) -> None:
    challenge, method = params.get("code_challenge"), params.get("code_challenge_method")
    if challenge is None:
        if profiles.requires_pkce(client):
            raise AuthorizeError("invalid_request", "this client must use PKCE (code_challenge with S256)")
        return
    if method != "S256":
        raise AuthorizeError("invalid_request", "code_challenge_method must be S256 (plain is not accepted)")
    if not 43 <= len(challenge) <= 128:
        raise AuthorizeError("invalid_request", "code_challenge must be a base64url SHA-256 (43 characters)")
    request.code_challenge = challenge
