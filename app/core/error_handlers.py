"""The one place that turns errors into responses: every AppError, and the framework's own errors as AppErrors.

One handler renders them: as RFC 9457 problem+json, as the RFC 6749 error shape on the OAuth endpoints, or, when
the matched route's class has an `error_page` (the web pages: see app/web/errors.py), as that page.
"""

from typing import Protocol

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette._utils import get_route_path  # the path within a world (/w/{id} is its root_path)
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

from app.core import journal
from app.core.errors import (
    OAUTH_PATH_PREFIX,
    PROBLEM_JSON,
    AppError,
    HttpError,
    OAuthError,
    ValidationFailed,
    as_app_error,
    problem,
)


class ErrorPage(Protocol):
    """How a route class renders errors as a page instead of problem+json (app/web/errors.py)."""

    def __call__(self, request: Request, error: AppError) -> Response: ...


def problem_response(request: Request, error: AppError) -> JSONResponse:
    """The API's rendering of every error: RFC 9457 problem+json, or RFC 6749 JSON for an OAuthError."""
    if isinstance(error, OAuthError):
        return JSONResponse(
            {"error": error.code, "error_description": error.detail},
            status_code=error.status,
            headers={"Cache-Control": "no-store", **error.headers},
        )
    body = problem(error.status, error.code, error.title, error.detail, request.url.path, **error.extra)
    request_id = getattr(request.state, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    return JSONResponse(body, status_code=error.status, media_type=PROBLEM_JSON, headers=error.headers)


def _allowed_methods(request: Request) -> str:
    """Every method some route serves at this path: Starlette's 405 names only the first route that matched the
    path, and a path served by two routes (GET and POST of /oauth2/userinfo) would look as if it had one."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        if getattr(route, "methods", None) and route.matches(request.scope)[0] is not Match.NONE:
            methods |= route.methods
    return ", ".join(sorted(methods))


async def handle_error(request: Request, exc: Exception) -> Response:
    error = as_app_error(exc)
    if error.status == 405:
        error.headers["Allow"] = _allowed_methods(request)
    page: ErrorPage | None = getattr(request.scope.get("route"), "error_page", None)
    in_oauth = get_route_path(request.scope).startswith(OAUTH_PATH_PREFIX)
    if page is None and in_oauth:
        # OAuth clients parse only the RFC 6749 shape.
        if isinstance(error, ValidationFailed):
            fields = ", ".join(".".join(p for p in e["location"][1:]) for e in error.extra["errors"])
            error = OAuthError("invalid_request", f"missing or invalid: {fields}")
        elif isinstance(error, HttpError) and error.status == 400:  # a body that cannot be parsed
            error = OAuthError("invalid_request", error.detail)
    journal.note_refusal(error.code, error.explanation)
    if page is not None:
        return page(request, error)
    return problem_response(request, error)


def install_error_handlers(app: FastAPI) -> None:
    for exc_class in (AppError, PoolTimeout, RequestValidationError, StarletteHTTPException):
        app.add_exception_handler(exc_class, handle_error)
