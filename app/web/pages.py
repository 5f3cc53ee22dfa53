"""Rendering the server-side pages: templates with the visitor's language and texts."""

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context

from app.core.clock import VIETNAM
from app.web import csrf
from app.web.i18n import LANGUAGE_COOKIE, SCOPE_LABELS, TEXTS, language

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.globals["csrf_input"] = csrf.csrf_input


@pass_context
def _vnd(context: Context, amount: int) -> str:
    """An amount as Vietnamese pages write it (200.000 ₫), or with commas on the English pages (200,000 ₫)."""
    grouped = f"{amount:,}"
    return f"{grouped.replace(',', '.') if context.get('lang') == 'vi' else grouped} ₫"


def _when(moment: datetime, with_seconds: bool = False) -> str:
    """A time as pages show it: Việt Nam time, day first (03/12/2026 15:41)."""
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M:%S" if with_seconds else "%d/%m/%Y %H:%M")


templates.env.filters["vnd"] = _vnd
templates.env.filters["when"] = _when


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
