"""Cross-site request forgery on the web forms (issue 10, M11): every form of every page needs its browser's token
and a request from a page of this site; SameSite is no longer the only defence."""

import re
from collections.abc import Iterable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute

from app.web import csrf
from app.web.errors import PageRoute
from tests.conftest import ADMIN_TOKEN, ISSUER, form

PANEL_LOGIN = "/app/sandbox/login"


def routes(candidates: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route, those of included routers too (FastAPI keeps an included router as one nested entry)."""
    for route in candidates:
        nested = getattr(route, "original_router", None)
        yield from routes(nested.routes) if nested is not None else (route,)


def page_post_routes(app: FastAPI) -> list[str]:
    """Every path a web page's form can post to, with its path parameters filled in."""
    return sorted(
        re.sub(r"\{[^}]+\}", "x", route.path)
        for route in routes(app.routes)
        if isinstance(route, PageRoute) and "POST" in route.methods
    )


def panel_signed_in(client: TestClient) -> bool:
    return 'data-testid="panel-clock"' in client.get("/app/sandbox").text


def test_m11_every_form_of_every_page_refuses_a_post_without_the_token(app: FastAPI, client: TestClient) -> None:
    client.get("/")  # the browser has its cookie: only the token is missing
    paths = page_post_routes(app)
    assert {"/app/logout", "/app/sandbox/reset", "/login/x/consent", "/demo/bank/start"} <= set(paths)
    for path in paths:
        response = client.post(path, data={"decision": "approve"}, follow_redirects=False)
        assert response.status_code == 403, path
        assert "text/html" in response.headers["content-type"], path


def test_m11_a_forged_panel_sign_in_is_refused_and_sets_no_session(client: TestClient) -> None:
    client.get("/app/sandbox")
    forged = client.post(PANEL_LOGIN, data={"admin_token": ADMIN_TOKEN})
    assert forged.status_code == 403
    assert "Biểu mẫu không được gửi từ trang của VNeID Sandbox" in forged.text
    assert not panel_signed_in(client)
    assert client.post(PANEL_LOGIN, data=form(client, admin_token=ADMIN_TOKEN)).status_code == 200
    assert panel_signed_in(client)


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},  # a sandboxed frame or a data: page
        {"Referer": "https://evil.example/page"},
        {"Origin": "http://testserver.evil.example"},
    ],
)
def test_m11_a_post_from_another_site_is_refused_even_with_the_token(
    client: TestClient, headers: dict[str, str]
) -> None:
    client.get("/app/sandbox")
    response = client.post(PANEL_LOGIN, data=form(client, admin_token=ADMIN_TOKEN), headers=headers)
    assert response.status_code == 403
    assert not panel_signed_in(client)


def test_m11_same_origin_posts_pass_with_origin_or_referer(client: TestClient) -> None:
    client.get("/app/sandbox")
    by_origin = client.post(PANEL_LOGIN, data=form(client, admin_token=ADMIN_TOKEN), headers={"Origin": ISSUER})
    assert by_origin.status_code == 200
    by_referer = client.post(
        "/app/sandbox/clock/reset", data=form(client), headers={"Referer": f"{ISSUER}/app/sandbox"}
    )
    assert by_referer.status_code == 200


def test_m11_the_token_of_another_browser_is_refused(app: FastAPI, client: TestClient) -> None:
    with TestClient(app, base_url=ISSUER) as attacker:
        attacker.get("/app/sandbox")
        attackers_token = form(attacker)[csrf.FIELD]
    client.get("/app/sandbox")
    response = client.post(PANEL_LOGIN, data={"admin_token": ADMIN_TOKEN, csrf.FIELD: attackers_token})
    assert response.status_code == 403
    assert not panel_signed_in(client)


def test_m11_htmx_requests_send_the_token_as_a_header(client: TestClient) -> None:
    page = client.get("/app/sandbox").text
    header = re.search(r"hx-headers='\{\"X-CSRF-Token\": \"(\w+)\"\}'", page)
    assert header is not None
    response = client.post(PANEL_LOGIN, data={"admin_token": ADMIN_TOKEN}, headers={csrf.HEADER: header.group(1)})
    assert response.status_code == 200
    assert panel_signed_in(client)


def test_m11_every_rendered_form_carries_the_token(client: TestClient) -> None:
    page = client.get("/app/sandbox").text
    forms = re.findall(r"<form method=\"post\"[^>]*>(.*?)</form>", page, re.S)
    assert forms
    token = form(client)[csrf.FIELD]
    assert all(f'name="csrf_token" value="{token}"' in body for body in forms)
