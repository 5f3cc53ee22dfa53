"""Errors as types, rendered as RFC 9457 problem+json with a stable machine-readable `code`."""

from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.schemas.problem import Problem

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://vneid-sandbox.example/problems/"
OAUTH_PATH_PREFIX = "/oauth2/"


class AppError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra


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


RETRY_AFTER_SECONDS = 1


class ServiceUnavailable(AppError):
    """Overload, never a freeze: the client is told when to try again (RFC 9110 Retry-After)."""

    status, code, title = 503, "service_unavailable", "The sandbox is overloaded"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}, **extra)


class DatabaseBusy(ServiceUnavailable):
    code, title = "database_busy", "The database is busy"


class ServerBusy(ServiceUnavailable):
    code, title = "server_busy", "Too many requests in progress"


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


def _problem_response(
    request: Request,
    status: int,
    code: str,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = problem(status, code, title, detail, request.url.path, **extra)
    request_id = getattr(request.state, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


_HTTP_CODES = {
    400: ("bad_request", "Bad request"),
    401: ("unauthorized", "Unauthorized"),
    403: ("forbidden", "Forbidden"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    406: ("not_acceptable", "Not acceptable"),
    415: ("unsupported_media_type", "Unsupported media type"),
}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        return _problem_response(request, exc.status, exc.code, exc.title, exc.detail, exc.headers, **exc.extra)

    @app.exception_handler(PoolTimeout)
    async def _pool_timeout(request: Request, _exc: PoolTimeout) -> JSONResponse:
        return await _app_error(request, DatabaseBusy("no database connection became free in time; try again"))

    @app.exception_handler(OAuthError)
    async def _oauth_error(_request: Request, exc: OAuthError) -> JSONResponse:
        return JSONResponse(
            {"error": exc.error, "error_description": exc.description},
            status_code=exc.status,
            headers={"Cache-Control": "no-store", **exc.headers},
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        if request.url.path.startswith(OAUTH_PATH_PREFIX):  # OAuth clients parse only the RFC 6749 shape
            fields = ", ".join(".".join(str(p) for p in error["loc"][1:]) for error in exc.errors())
            return await _oauth_error(request, OAuthError("invalid_request", f"missing or invalid: {fields}"))
        errors = [
            {"location": [str(part) for part in error["loc"]], "message": error["msg"], "type": error["type"]}
            for error in exc.errors()
        ]
        return _problem_response(
            request,
            422,
            "validation_error",
            "The request is not valid",
            "One or more fields are invalid; see `errors`.",
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, title = _HTTP_CODES.get(exc.status_code, ("http_error", "HTTP error"))
        return _problem_response(request, exc.status_code, code, title, str(exc.detail), dict(exc.headers or {}))


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries documenting the problem+json errors a route can return."""
    return {
        status: {
            "model": Problem,
            "content": {PROBLEM_JSON: {}},
            "description": _HTTP_CODES.get(status, ("", "Error"))[1] if status != 422 else "Validation error",
        }
        for status in statuses
    }


class OAuthError(Exception):
    """An OAuth 2.0 error, rendered in the RFC 6749 shape that OAuth client libraries expect."""

    def __init__(
        self, error: str, description: str, *, status: int = 400, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
        self.headers = headers or {}
