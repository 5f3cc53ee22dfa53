"""The published contract: the OpenAPI document FastAPI derives from the routes, completed with every error each
operation can answer, and the committed copy of it (docs/openapi.json, checked by tests/contract).

FastAPI documents what a route declares; the errors that the framework and the middleware produce on any route
are added here, once: 400 for a body that cannot be parsed or an unknown query parameter (app/core/query_parameters),
413 for a body too large, 422 for parameters or a body that fail the schema, 401 for a route that takes a bearer
token, 503 when the worker is busy. Every problem response gets the problem+json schema and an example; the OAuth
endpoints keep their RFC 6749 error shape.

Regenerate the committed copy with `vneid-sandbox openapi docs/openapi.json` (app/cli.py).
"""

import json
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from app.core.errors import HTTP_ERRORS, OAUTH_PATH_PREFIX, PROBLEM_BASE, PROBLEM_JSON
from app.core.query_parameters import ignores_unknown_parameters

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
OAUTH_ERROR_REF = {"$ref": "#/components/schemas/OAuthErrorBody"}
NO_ADMISSION_CONTROL = frozenset({"/healthz"})  # app.core.admission exempts it: never 503 server_busy
# The response of each status when a route documents none of its own: (code, title, detail) of the example.
EXAMPLES: dict[int, tuple[str, str, str]] = {
    400: ("bad_request", "Bad request", "There was an error parsing the body"),
    401: ("invalid_token", "Missing or invalid access token", "missing bearer access token"),
    403: ("forbidden", "Forbidden", "this client may not use this API"),
    404: ("not_found", "Not found", "no such resource (or not yours)"),
    409: ("conflict", "Conflict", "the resource changed or exists already"),
    413: ("payload_too_large", "Request body too large", "the request body exceeds 1048576 bytes"),
    422: ("validation_error", "The request is not valid", "One or more fields are invalid; see `errors`."),
    429: ("too_many_requests", "Too many requests", "try again after the time in Retry-After"),
    503: ("server_busy", "Too many requests in progress", "the sandbox is busy; try again (Retry-After: 1)"),
}
DESCRIPTIONS = {  # of a status whose title alone would not say every code it stands for
    400: "Bad request: a body that cannot be parsed (`bad_request`), an unknown query parameter "
    "(`unknown_parameter`, naming it in `parameters`), or a refusal of the operation's own (see its description)",
}
OAUTH_EXAMPLES: dict[int, tuple[str, str]] = {
    400: ("invalid_request", "missing or invalid: grant_type"),
    401: ("invalid_client", "wrong client secret"),
    503: ("temporarily_unavailable", "sandbox scenario: the token service is down"),
}
FRAMEWORK_VALIDATION_REF = "#/components/schemas/HTTPValidationError"


def problem_example(status: int) -> dict[str, Any]:
    code, title, detail = EXAMPLES.get(status, (*HTTP_ERRORS.get(status, ("http_error", "HTTP error")), "…"))
    example: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": "/v1/…",
        "code": code,
        "request_id": "5f0c6a0f3b8e4f4c9a7d2e1b0c9d8e7f",
    }
    if status == 422:
        example["errors"] = [
            {"location": ["query", "purpose"], "message": "String too short", "type": "string_too_short"}
        ]
    return example


def _problem(status: int, admin: bool = False) -> dict[str, Any]:
    title = DESCRIPTIONS.get(status) or EXAMPLES.get(status, ("", HTTP_ERRORS.get(status, ("", "Error"))[1], ""))[1]
    example = problem_example(status)
    if admin:  # the sandbox controls' token
        example |= {"type": PROBLEM_BASE + "invalid_admin_token", "code": "invalid_admin_token"}
        example |= {"title": "Missing or wrong sandbox admin token", "detail": "missing or wrong admin token"}
    return {"description": title, "content": {PROBLEM_JSON: {"schema": PROBLEM_REF, "example": example}}}


def _oauth(status: int, description: str) -> dict[str, Any]:
    error, text = OAUTH_EXAMPLES.get(status, ("invalid_request", "…"))
    example = {"error": error, "error_description": text}
    return {
        "description": description,
        "content": {"application/json": {"schema": OAUTH_ERROR_REF, "example": example}},
    }


def _error_kind(declared: dict[str, Any] | None, oauth_shaped: bool) -> str | None:
    """How an error response is sent: "oauth" (RFC 6749 JSON), "problem" (problem+json), or None for a response
    of its own that the route documents fully (e.g. /healthz's 503)."""
    content = (declared or {}).get("content", {})
    schemas = [media.get("schema", {}).get("$ref") for media in content.values()]
    if OAUTH_ERROR_REF["$ref"] in schemas:
        return "oauth"
    if declared is None or PROBLEM_JSON in content or {PROBLEM_REF["$ref"], FRAMEWORK_VALIDATION_REF} & set(schemas):
        return "oauth" if oauth_shaped else "problem"  # the OAuth endpoints turn a malformed request into JSON 400
    return None


def _is_oauth(responses: dict[str, Any]) -> bool:
    return any(
        media.get("schema") == OAUTH_ERROR_REF
        for response in responses.values()
        for media in response.get("content", {}).values()
    )


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A parameter's schema without FastAPI's `anyOf [X, null]` for an optional one: a parameter is absent or a
    string on the wire, never null (a client that sends the text `null` sends a value)."""
    members = [m for m in schema.get("anyOf", []) if m != {"type": "null"}]
    if len(members) != 1 or len(schema["anyOf"]) != 2:
        return schema
    return {**{k: v for k, v in schema.items() if k != "anyOf"}, **members[0]}


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """Every operation's errors, documented as they are sent (in place; returns the document). Problem responses
    are shared components (`#/components/responses/Problem422`, …), one per status."""
    shared: dict[str, Any] = document.setdefault("components", {}).setdefault("responses", {})
    for path, operations in document["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                parameter["schema"] = _not_null(parameter["schema"])
            responses: dict[str, Any] = operation.setdefault("responses", {})
            oauth = path.startswith(OAUTH_PATH_PREFIX) and _is_oauth(responses)
            statuses = {int(s) for s in responses if s.isdigit() and int(s) >= 400}
            if "requestBody" in operation:
                statuses |= {400, 413, 422}
            if not ignores_unknown_parameters(path):
                statuses.add(400)  # an unknown query parameter
            if operation.get("parameters"):
                statuses.add(422)
            if operation.get("security"):
                statuses.add(401)
            if path not in NO_ADMISSION_CONTROL:
                statuses.add(503)
            if oauth:  # the OAuth endpoints answer malformed requests 400 invalid_request, never 422
                statuses.discard(422)
                statuses.add(400)
            for status in sorted(statuses):
                key = str(status)
                declared = responses.get(key)
                kind = _error_kind(declared, oauth and status == 400)
                if kind == "oauth":
                    responses[key] = _oauth(status, (declared or {}).get("description") or "OAuth error")
                elif kind == "problem":
                    admin = status == 401 and {"SandboxAdmin": []} in operation.get("security", [])
                    name = f"{'Admin' if admin else ''}Problem{status}"
                    shared.setdefault(name, _problem(status, admin=admin))
                    responses[key] = {"$ref": f"#/components/responses/{name}"}
            if oauth:
                responses.pop("422", None)
    if FRAMEWORK_VALIDATION_REF not in json.dumps(document["paths"]):  # replaced everywhere by the problem shape
        for unused in ("HTTPValidationError", "ValidationError"):
            document.get("components", {}).get("schemas", {}).pop(unused, None)
    return document


def install(app: FastAPI) -> None:
    """Serve the completed document at /openapi.json (and to /docs)."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def render(document: dict[str, Any]) -> str:
    """The committed form: stable key order and indentation, so every API change is a readable diff."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
