"""Health, the API docs served without any CDN, and the home page."""

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from sqlalchemy import text

from app.deps import SessionDep
from app.schemas.sandbox import Health
from app.services.population.seeding import personas_document
from app.web.pages import render

router = APIRouter(tags=["System"])


@router.get("/healthz", response_model=Health, name="system.health")
def health(db: SessionDep) -> Health:
    """Liveness and database reachability."""
    db.execute(text("SELECT 1"))
    return Health(status="ok", database="ok", sandbox=True)


@router.get("/docs", include_in_schema=False)
def docs() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="VNeID Sandbox API (SANDBOX)",
        swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url="/static/swagger-ui/swagger-ui.css",
        swagger_favicon_url="/static/swagger-ui/favicon-32x32.png",
    )


@router.get("/", include_in_schema=False, response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    context = {"personas": personas_document()["personas"], "base_url": request.app.state.settings.public_url}
    return render(request, "home.html", context)
