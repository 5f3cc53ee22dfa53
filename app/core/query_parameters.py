"""Unknown query parameters are refused on the API's operations: an integrator's misspelt `limt=10`, or a parameter
another operation takes, is a visible `400 unknown_parameter` naming it, not silently ignored (which would hand back
the first page, every client's requests, …). The OpenAPI document lists each operation's parameters.

The OAuth 2.0 and OpenID Connect endpoints (`/oauth2/…`, `/.well-known/…`) ignore unknown parameters instead, as
RFC 6749 §3.1 and §3.2 require of them ("The authorization server MUST ignore unrecognized request parameters"),
and so do the web pages (links and browsers add their own, e.g. `utm_source`), which the document leaves out.
"""

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from app.core.errors import AppError

IGNORING_PREFIXES = ("/oauth2/", "/.well-known/")


class UnknownParameter(AppError):
    status, code, title = 400, "unknown_parameter", "Unknown query parameter"


def ignores_unknown_parameters(path: str) -> bool:
    """Whether the operation at `path` (a path of the OpenAPI document) ignores unknown query parameters."""
    return path.startswith(IGNORING_PREFIXES)


def _query_parameters(dependant: Dependant) -> frozenset[str]:
    """The query parameters of a route or dependency, its dependencies' included."""
    names = frozenset(parameter.alias for parameter in dependant.query_params)
    return names.union(*(_query_parameters(sub) for sub in dependant.dependencies))


def _declared(route: APIRoute) -> frozenset[str] | None:
    """The query parameters the route takes, or None where unknown ones are ignored; worked out once per route and
    kept on it (routes are not hashable, and a cache keyed by id() could outlive an app and its routes)."""
    try:
        return route.vneid_query_parameters  # type: ignore[attr-defined, no-any-return]
    except AttributeError:
        ignored = not route.include_in_schema or ignores_unknown_parameters(route.path)
        route.vneid_query_parameters = None if ignored else _query_parameters(route.dependant)  # type: ignore[attr-defined]
        return route.vneid_query_parameters  # type: ignore[attr-defined, no-any-return]


async def refuse_unknown_query_parameters(request: Request) -> None:
    """An application-wide dependency: runs on every route, before the route's own parameters are read."""
    route = request.scope.get("route")
    declared = _declared(route) if isinstance(route, APIRoute) else None
    if declared is None:
        return
    unknown = [name for name in dict.fromkeys(request.query_params) if name not in declared]
    if unknown:
        takes = ", ".join(f"`{name}`" for name in sorted(declared)) or "none"
        raise UnknownParameter(
            f"unknown query parameter{'s' if len(unknown) > 1 else ''}: {', '.join(f'`{n}`' for n in unknown)}",
            parameters=unknown,
            rule="the operation's parameters in /openapi.json; unknown ones are refused, not ignored",
            passes=f"only the parameters this operation takes: {takes}",
        )
