"""Health, the API docs served without any CDN, and the home page."""

from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from sqlalchemy import text

from app import __version__
from app.deps import SessionDep, SettingsDep
from app.schemas.sandbox import Health
from app.services import workers
from app.services.population.seeding import personas_document
from app.web.pages import render

router = APIRouter(tags=["System"])
STARTING = {"status": "starting", "database": "ok", "sandbox": True, "workers": 2, "workers_serving": 1, "version": "…"}


@router.get(
    "/healthz",
    response_model=Health,
    name="system.health",
    responses={
        503: {
            "model": Health,
            "description": "Not every worker serves yet (starting, or one died).",
            "content": {"application/json": {"example": STARTING}},
        }
    },
)
def health(db: SessionDep, settings: SettingsDep, response: Response) -> Health:
    """Readiness: the database answers and, under `vneid-sandbox serve`, every worker process of this instance
    serves (each proves it with a heartbeat every 2 s). 503 until then, so a load balancer waits for all of them."""
    db.execute(text("SELECT 1"))
    if settings.instance_id is None:  # embedded (tests, a custom ASGI server): this process is the whole server
        return Health(status="ok", database="ok", sandbox=True, workers=1, workers_serving=1, version=__version__)
    readiness = workers.readiness(db, datetime.now(UTC), settings.instance_id, settings.worker_count)
    if not readiness.ready:
        response.status_code = 503
        response.headers["Retry-After"] = "1"
    return Health(
        status="ok" if readiness.ready else "starting",
        database="ok",
        sandbox=True,
        workers=readiness.expected,
        workers_serving=readiness.serving,
        version=__version__,
    )


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
