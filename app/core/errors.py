"""Errors as types: `AppError` and its subclasses, each with a stable `code` and status, and the problem+json shape.

Every refusal is an `AppError` (an `OAuthError` on the OAuth endpoints). The one handler that renders them is in
app/core/error_handlers.py; the registry of every code, behind the README's error table, is in
app/core/error_registry.py (`python -m app.core.errors --readme README.md` regenerates the table).
"""

import sys
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.problem import Problem

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://vneid-sandbox.example/problems/"
OAUTH_PATH_PREFIX = "/oauth2/"
RETRY_AFTER_SECONDS = 1


def explanation(detail: str, rule: str | None, passes: str | None) -> str:
    """A refusal explained for the request journal: what failed, what would pass, and the rule that says so."""
    parts = [detail]
    if passes:
        parts.append(f"would pass: {passes}")
    if rule:
        parts.append(f"rule: {rule}")
    return "; ".join(parts)


class AppError(Exception):
    """A refusal with a stable `code`. Subclasses fix `status`, `code` and `title` (the registry's meaning).

    `rule` (the law, RFC or sandbox rule refused on) and `passes` (what a request that passes would send) explain
    the refusal in the request journal, where integrators read them; the response keeps to `detail`."""

    status: int = 400
    code: str = "bad_request"
    title: str = "Bad request"
    in_api: ClassVar[bool] = True  # False for refusals only the web pages make: not part of the API's registry

    def __init__(
        self,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        rule: str | None = None,
        passes: str | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}
        self.rule, self.passes = rule, passes
        self.extra = extra

    @property
    def explanation(self) -> str:
        return explanation(self.detail, self.rule, self.passes)


class CodedError(AppError):
    """An AppError whose `code` is chosen per raise from a fixed set: `codes` maps each to its meaning."""

    codes: ClassVar[Mapping[str, str]] = {}

    def __init__(self, code: str, detail: str, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.code = code


class OAuthError(AppError):
    """An OAuth 2.0 error, rendered in the RFC 6749 shape that OAuth client libraries expect; `error` is one of
    OAUTH_ERRORS."""

    def __init__(
        self,
        error: str,
        description: str,
        *,
        status: int = 400,
        headers: dict[str, str] | None = None,
        rule: str | None = None,
        passes: str | None = None,
    ) -> None:
        super().__init__(description, headers=headers, rule=rule or OAUTH_RULES.get(error), passes=passes)
        self.code, self.status = error, status

    @property
    def error(self) -> str:
        return self.code

    @property
    def description(self) -> str:
        return self.detail


# The `error` values of OAuthError (token, revocation, introspection, client registration), with their status.
OAUTH_ERRORS: dict[str, tuple[int, str]] = {
    "invalid_request": (400, "a parameter is missing, repeated or malformed"),
    "invalid_client": (401, "client authentication failed: unknown client, wrong secret or bad client assertion"),
    "invalid_grant": (400, "the code or refresh token is unknown, used, expired, revoked, or fails PKCE"),
    "unauthorized_client": (400, "the client may not use this grant type"),
    "unsupported_grant_type": (400, "the grant type is not supported"),
    "invalid_scope": (400, "a scope the client may not have, or a refresh that widens the scope"),
    "unsupported_response_type": (400, "pushed authorization request: only `response_type=code` is supported"),
    "invalid_request_object": (400, "pushed authorization request: the signed `request` object fails verification"),
    "invalid_dpop_proof": (400, "the `DPoP` proof is missing, malformed, replayed, stale, or for another key"),
    "use_dpop_nonce": (400, "sandbox scenario `dpop_nonce`: retry with the `DPoP-Nonce` the answer carries"),
    "temporarily_unavailable": (503, "sandbox scenario `token_unavailable`: nothing issued (`Retry-After`)"),
}

# The rule each OAuth error stands for, when its raise names none more precise.
OAUTH_RULES: dict[str, str] = {
    "invalid_request": "RFC 6749 §5.2: every required parameter once, well formed",
    "invalid_client": "RFC 6749 §2.3 and §5.2: authenticate with the method registered for the client",
    "invalid_grant": "RFC 6749 §5.2: a code or refresh token is used once, by the client it was issued to, unexpired",
    "unauthorized_client": "RFC 6749 §5.2: a client uses only the grant types registered for it",
    "unsupported_grant_type": "RFC 6749 §5.2: grant types this provider supports",
    "invalid_scope": "RFC 6749 §3.3: scopes registered for the client",
    "temporarily_unavailable": "sandbox scenario `token_unavailable`, armed through /sandbox/scenarios",
    "unsupported_response_type": "RFC 6749 §3.1.1: response types this provider supports",
    "invalid_request_object": "RFC 9101 §6: a request object signed with a registered key and algorithm",
    "invalid_dpop_proof": "RFC 9449 §4.3: one fresh proof, signed by the key the tokens are bound to, used once",
    "use_dpop_nonce": "RFC 9449 §8: the server's nonce in the proof (sandbox scenario `dpop_nonce`)",
}

# The `error` values the authorization endpoint sends back to the client's redirect URI (OIDC Core §3.1.2.6).
AUTHORIZE_ERRORS: dict[str, str] = {
    "access_denied": "the citizen cancelled, declined or cannot sign in (`vneid_error` says why: `account_locked`…)",
    "login_required": "`prompt=none` but the citizen is not signed in",
    "consent_required": "`prompt=none` but the citizen has not consented yet",
    "unmet_authentication_requirements": "the requested `acr_values` needs a level 2 account",
    "invalid_request": "a malformed parameter (PKCE, `prompt`, `max_age`, `acr_values`, `claims`, `response_mode`, "
    "`dpop_jkt`), or a request not pushed by a client that must push (PAR)",
    "invalid_scope": "scopes the client may not ask for",
    "unauthorized_client": "the client may not use the authorization code flow",
    "unsupported_response_type": "only `response_type=code` is supported",
    "invalid_request_object": "the signed `request` object fails verification (signature, `alg`, `aud`, `exp`)",
    "request_uri_not_supported": "a `request_uri` that is not of a pushed request: request objects by reference",
}

# The rule each authorization error stands for, when its raise names none more precise.
AUTHORIZE_RULES: dict[str, str] = {
    "access_denied": "OIDC Core §3.1.2.6: the citizen, or the account's state, refused the sign-in",
    "login_required": "OIDC Core §3.1.2.1: prompt=none needs a signed-in citizen",
    "consent_required": "OIDC Core §3.1.2.1: prompt=none needs the citizen's earlier consent to these scopes",
    "unmet_authentication_requirements": "OpenID Connect Core errata (acr_values): the account level asked for",
    "invalid_request": "OIDC Core §3.1.2.2: every parameter well formed",
    "invalid_scope": "RFC 6749 §3.3: scopes registered for the client",
    "unauthorized_client": "RFC 6749 §4.1.2.1: a client uses only the grant types registered for it",
    "unsupported_response_type": "RFC 6749 §3.1.1: response types this provider supports",
    "invalid_request_object": "RFC 9101 §6: a request object signed with a registered key and algorithm",
    "request_uri_not_supported": "OIDC Core §6.2: request objects by reference are not fetched; push them (PAR)",
}


class InvalidToken(AppError):
    status, code, title = 401, "invalid_token", "Missing or invalid access token"

    def __init__(self, detail: str, *, token_presented: bool = True, **extra: Any) -> None:
        # RFC 6750 §3.1: a request with no credentials gets the bare challenge, without an error code.
        challenge = 'Bearer realm="vneid-sandbox"' + (', error="invalid_token"' if token_presented else "")
        super().__init__(detail, headers={"WWW-Authenticate": challenge}, **extra)


class InsufficientScope(AppError):
    status, code, title = 403, "insufficient_scope", "The token lacks a required scope"

    def __init__(self, detail: str, *, required: list[str]) -> None:
        challenge = f'Bearer realm="vneid-sandbox", error="insufficient_scope", scope="{" ".join(required)}"'
        super().__init__(detail, headers={"WWW-Authenticate": challenge}, required_scopes=required)


class InvalidBearerRequest(AppError):
    status, code, title = 400, "invalid_request", "The access token was sent in more than one way"

    def __init__(self, detail: str) -> None:
        # RFC 6750 §3.1: a request using more than one method to send the token is malformed.
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="vneid-sandbox", error="invalid_request"'})


class CitizenTokenRequired(AppError):
    status, code, title = 403, "citizen_token_required", "A citizen's token is required"


class OfficerRoleRequired(AppError):
    status, code, title = 403, "officer_role_required", "Only officers may do this"


class FirstPartyClientRequired(AppError):
    status, code, title = 403, "first_party_client_required", "Only the VNeID app may do this"


class InsufficientAccountLevel(AppError):
    status, code, title = 403, "insufficient_account_level", "A higher VNeID account level is required"

    def __init__(self, acr: str) -> None:
        # RFC 9470 step-up challenge: the client can send the citizen back to log in with this acr.
        challenge = (
            'Bearer realm="vneid-sandbox", error="insufficient_user_authentication", '
            f'error_description="a level 2 VNeID account is required", acr_values="{acr}"'
        )
        super().__init__(
            "this service needs a level 2 VNeID account (registered at the police); the citizen's is level 1",
            headers={"WWW-Authenticate": challenge},
            required_acr=acr,
        )


class ConsentRequired(AppError):
    status, code, title = 403, "consent_required", "The citizen has not consented to this client"


class PurposeRequired(AppError):
    status, code, title = 400, "purpose_required", "A legal purpose must be stated"


class UnknownFields(AppError):
    status, code, title = 422, "unknown_fields", "Unknown field names"


class Forbidden(AppError):
    status, code, title = 403, "forbidden", "Not allowed"


class NotFound(AppError):
    status, code, title = 404, "not_found", "Not found"


class CitizenNotFound(NotFound):
    code, title = "citizen_not_found", "No citizen has this personal identification number"


class Conflict(AppError):
    status, code, title = 409, "conflict", "Conflict"


class ValidationFailed(AppError):
    """Malformed input: `errors` lists each failing field's location, message and pydantic type."""

    status, code, title = 422, "validation_error", "The request is not valid"

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("One or more fields are invalid; see `errors`.", errors=errors)

    @property
    def explanation(self) -> str:
        fields = "; ".join(f"{'.'.join(e['location'])}: {e['message']}" for e in self.extra["errors"])
        return explanation(f"invalid {fields}", "the operation's schema in /openapi.json", None)

    @classmethod
    def from_pydantic(cls, errors: Sequence[Any]) -> "ValidationFailed":
        return cls(
            [
                {"location": [str(part) for part in error["loc"]], "message": error["msg"], "type": error["type"]}
                for error in errors
            ]
        )


class ServiceUnavailable(AppError):
    """Overload, never a freeze: the client is told when to try again (RFC 9110 Retry-After)."""

    status, code, title = 503, "service_unavailable", "The sandbox is overloaded"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}, **extra)


class DatabaseBusy(ServiceUnavailable):
    code, title = "database_busy", "The database is busy"


class ServerBusy(ServiceUnavailable):
    code, title = "server_busy", "Too many requests in progress"


# What Starlette's own HTTP errors (no route, wrong method, …) are called; other statuses are `http_error`.
HTTP_ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "Bad request"),
    401: ("unauthorized", "Unauthorized"),
    403: ("forbidden", "Forbidden"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    406: ("not_acceptable", "Not acceptable"),
    413: ("payload_too_large", "Request body too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
}


class HttpError(AppError):
    """A framework HTTP error (an unknown path, a wrong method) or a redirect a dependency raised."""

    code, title = "http_error", "HTTP error"

    def __init__(self, status: int, detail: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(detail, headers=dict(headers or {}))
        self.status = status
        self.code, self.title = HTTP_ERRORS.get(status, ("http_error", "HTTP error"))


def as_app_error(exc: Exception) -> AppError:
    """Any exception the handlers take, as the AppError it stands for."""
    if isinstance(exc, AppError):
        return exc
    if isinstance(exc, PoolTimeout):
        return DatabaseBusy("no database connection became free in time; try again")
    if isinstance(exc, RequestValidationError):
        return ValidationFailed.from_pydantic(exc.errors())
    if isinstance(exc, StarletteHTTPException):
        return HttpError(exc.status_code, str(exc.detail), exc.headers)
    raise TypeError(f"no error handler for {type(exc).__name__}")  # pragma: no cover


def problem(status: int, code: str, title: str, detail: str, instance: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": PROBLEM_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        "code": code,
        **extra,
    }


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries documenting the problem+json errors a route can return."""
    return {
        status: {
            "model": Problem,
            "content": {PROBLEM_JSON: {}},
            "description": HTTP_ERRORS.get(status, ("", "Error"))[1] if status != 422 else "Validation error",
        }
        for status in statuses
    }


if __name__ == "__main__":
    # The documented command; the registry loads the whole app, so it lives in its own module.
    from app.core.error_registry import main

    raise SystemExit(main(sys.argv[1:]))
