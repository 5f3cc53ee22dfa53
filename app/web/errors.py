"""The web pages' route class: errors shown as a page in the visitor's language, unsafe requests CSRF-checked.

Routers of pages use `PageRoute` as their route class; app.core.error_handlers.handle_error hands the errors of those
routes to `error_page` instead of rendering problem+json. Routes raise AppErrors; they never render errors.
"""

from collections.abc import Callable
from math import ceil
from typing import Any

from fastapi import Depends, Request
from fastapi.routing import APIRoute
from starlette.responses import Response

from app.core.errors import AppError, ValidationFailed
from app.web import csrf
from app.web.app_texts import APP_TEXTS, error_text
from app.web.i18n import language
from app.web.pages import message, render

REQUEST_PARTS = ("body", "query", "path", "header", "cookie")


class PageRefusal(AppError):
    """A refusal only the pages make, shown as the page text `text_key` (so not part of the API's registry)."""

    in_api = False

    def __init__(self, status: int, text_key: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.code, self.text_key = status, text_key, text_key


def error_text_of(lang: str, error: AppError) -> str:
    """What the page says about an error: a readable sentence for known codes, else the service's detail."""
    if isinstance(error, PageRefusal):
        return APP_TEXTS[lang][error.text_key]
    if isinstance(error, ValidationFailed):
        fields = []
        for item in error.extra["errors"]:
            location = item["location"]
            if location and location[0] in REQUEST_PARTS:
                location = location[1:]
            fields.append(f"{'.'.join(location) or 'form'}: {item['message']}")
        return "; ".join(fields)
    return error_text(lang, error.code, error.detail, ceil(error.extra.get("retry_after", 0) / 60))


def error_page(request: Request, error: AppError) -> Response:
    if 300 <= error.status < 400:  # a dependency's redirect, such as "sign in first"
        return Response(status_code=error.status, headers=error.headers)
    lang = language(request)
    text = error_text_of(lang, error)
    path = request.url.path
    if path == "/app" or path.startswith("/app/"):  # inside the VNeID app: its layout, and the user's menu
        user = getattr(request.state, "web_user", None)
        context = {"a": APP_TEXTS[lang], "user": user, "message": text}
        response = render(request, "app/error.html", context, error.status)
    else:  # the sign-in pages and the demo bank: the plain page
        response = message(request, "error_title", text, status_code=error.status)
    response.headers.update(error.headers)
    return response


class PageRoute(APIRoute):
    """The route class of the web pages: their errors become `error_page`, not problem+json, and every unsafe
    request must carry the CSRF token of its browser (app/web/csrf.py), so no form can be left unprotected."""

    error_page = staticmethod(error_page)

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        kwargs["dependencies"] = [Depends(csrf.protect), *(kwargs.get("dependencies") or [])]
        super().__init__(path, endpoint, **kwargs)
