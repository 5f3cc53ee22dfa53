"""Rendering the server-side pages: templates with the visitor's language and texts."""

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app.web import csrf
from app.web.i18n import LANGUAGE_COOKIE, SCOPE_LABELS, TEXTS, language

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.globals["csrf_input"] = csrf.csrf_input


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    lang = language(request)
    response = templates.TemplateResponse(
        request,
        template,
        {
            "lang": lang,
            "t": TEXTS[lang],
            "scope_labels": SCOPE_LABELS[lang],
            csrf.FIELD: csrf.token(request),
            **(context or {}),
        },
        status_code=status_code,
    )
    csrf.remember(request, response)
    if request.query_params.get("lang") == lang:  # the switch was used: remember the choice
        response.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response


def message(
    request: Request, heading_key: str, text: str = "", *, text_key: str | None = None, status_code: int = 200
) -> HTMLResponse:
    """A page with one heading and one message; texts given by key are translated."""
    texts = TEXTS[language(request)]
    return render(
        request,
        "message.html",
        {"heading": texts[heading_key], "message": texts[text_key] if text_key else text},
        status_code,
    )
