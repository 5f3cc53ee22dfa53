"""Sandbox worlds through HTTP: each world is a whole sandbox of its own at /w/{id}; nothing crosses between them."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from app.models import Citizen
from app.models.runtime import SandboxWorld
from app.services.worlds import POPULATION_LIMIT
from tests.conftest import ISSUER, basic
from tests.worlds.conftest import WORLD_POPULATION

MakeWorld = Callable[..., dict[str, str]]
AGENCY = basic("demo-agency", "demo-agency-secret")
PERSONA_ID = "001090000001"  # persona "an"


def path(world: dict[str, str], rest: str) -> str:
    return f"/w/{world['id']}{rest}"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def agency_token(client: TestClient, prefix: str = "") -> str:
    response = client.post(f"{prefix}/oauth2/token", data={"grant_type": "client_credentials"}, headers=AGENCY)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def look_up(client: TestClient, prefix: str, token: str) -> int:
    headers = {**bearer(token), "X-Purpose": "Xac minh ho so"}
    return client.get(f"{prefix}/v1/citizens/{PERSONA_ID}", headers=headers).status_code


def test_a_world_is_a_whole_sandbox_with_its_own_issuer_and_keys(
    root_client: TestClient, make_world: MakeWorld
) -> None:
    world = make_world(seed=7, ttl=600)
    assert world["base_url"] == world["issuer"] == f"{ISSUER}/w/{world['id']}"
    assert (world["seed"], world["population"], world["ttl_seconds"]) == (7, WORLD_POPULATION, 600)
    discovery = root_client.get(path(world, "/.well-known/openid-configuration")).json()
    assert discovery["issuer"] == world["base_url"]
    assert discovery["token_endpoint"] == f"{world['base_url']}/oauth2/token"
    world_kids = {k["kid"] for k in root_client.get(path(world, "/.well-known/jwks.json")).json()["keys"]}
    root_kids = {k["kid"] for k in root_client.get("/.well-known/jwks.json").json()["keys"]}
    assert world_kids
    assert not world_kids & root_kids
    personas = root_client.get(path(world, "/sandbox/personas"), headers=bearer(world["admin_token"]))
    assert personas.status_code == 200
    assert PERSONA_ID in {p["personal_id"] for p in personas.json()}


def test_same_seed_same_citizens_in_every_world(root_client: TestClient, make_world: MakeWorld) -> None:
    worlds = root_client.app.state.worlds  # type: ignore[attr-defined]

    def citizens(world: dict[str, str]) -> list[tuple[str, str]]:
        with worlds.resolve(root_client.app.state.database, world["id"]).database.read_sessions() as db:  # type: ignore[attr-defined]
            rows = db.execute(select(Citizen.personal_id, Citizen.full_name).order_by(Citizen.personal_id))
            return [(row.personal_id, row.full_name) for row in rows]

    first, second, other = make_world(seed=11), make_world(seed=11), make_world(seed=12)
    assert len(citizens(first)) > WORLD_POPULATION
    assert citizens(first) == citizens(second)
    assert citizens(first) != citizens(other)


def test_a_token_of_one_world_is_refused_in_every_other(root_client: TestClient, make_world: MakeWorld) -> None:
    first, second = make_world(), make_world()
    token = agency_token(root_client, path(first, ""))
    assert look_up(root_client, path(first, ""), token) == 200
    assert look_up(root_client, path(second, ""), token) == 401
    assert look_up(root_client, "", token) == 401
    assert look_up(root_client, path(first, ""), agency_token(root_client)) == 401


def test_clock_scenario_and_reset_stay_in_their_world(root_client: TestClient, make_world: MakeWorld) -> None:
    first, second = make_world(), make_world()
    admin_first = bearer(first["admin_token"])
    advanced = root_client.post(path(first, "/sandbox/clock/advance"), json={"days": 3}, headers=admin_first)
    assert advanced.json()["offset_seconds"] == 3 * 86_400
    assert (
        root_client.get(path(second, "/sandbox/clock"), headers=bearer(second["admin_token"])).json()["offset_seconds"]
        == 0
    )
    armed = root_client.post(
        path(first, "/sandbox/scenarios"), json={"name": "token_unavailable", "times": None}, headers=admin_first
    )
    assert armed.status_code == 201, armed.text
    token_request = {"data": {"grant_type": "client_credentials"}, "headers": AGENCY}
    assert root_client.post(path(first, "/oauth2/token"), **token_request).status_code == 503
    assert root_client.post(path(second, "/oauth2/token"), **token_request).status_code == 200
    assert root_client.post("/oauth2/token", **token_request).status_code == 200
    second_token = agency_token(root_client, path(second, ""))
    assert root_client.post(path(first, "/sandbox/reset"), headers=admin_first).status_code == 200
    assert root_client.get(path(first, "/sandbox/clock"), headers=admin_first).json()["offset_seconds"] == 0
    assert look_up(root_client, path(second, ""), second_token) == 200  # the other world's grants survive


def test_a_person_signing_in_through_the_pages_stays_in_the_world(
    root_client: TestClient, make_world: MakeWorld
) -> None:
    world = make_world()
    authorize = {
        "response_type": "code",
        "client_id": "demo-bank",
        "redirect_uri": f"{world['base_url']}/demo/bank/callback",
        "scope": "openid profile",
        "state": "s",
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "code_challenge_method": "S256",
    }
    started = root_client.get(path(world, "/oauth2/authorize"), params=authorize, follow_redirects=False)
    login_page = started.headers["location"]
    assert login_page.startswith(path(world, "/login/"))
    assert f"Path=/w/{world['id']}" in started.headers.get("set-cookie", f"Path=/w/{world['id']}")
    page = root_client.get(login_page)
    assert page.status_code == 200
    assert f'action="/w/{world["id"]}/login/' in page.text
    assert 'action="/login/' not in page.text
    assert 'href="/static/' not in page.text


def test_unknown_and_deleted_worlds_answer_404_problem_json(
    root_client: TestClient, make_world: MakeWorld, admin: dict[str, str]
) -> None:
    for unknown in ("/w/000000000000/healthz", "/w/not-a-world/.well-known/jwks.json", "/w/0000000000001/"):
        response = root_client.get(unknown)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "world_not_found"
    world = make_world()
    assert root_client.get(f"/sandbox/worlds/{world['id']}", headers=admin).status_code == 200
    assert root_client.delete(f"/sandbox/worlds/{world['id']}", headers=admin).status_code == 204
    assert root_client.get(path(world, "/.well-known/jwks.json")).json()["code"] == "world_not_found"
    assert root_client.get(f"/sandbox/worlds/{world['id']}", headers=admin).status_code == 404
    assert root_client.delete(f"/sandbox/worlds/{world['id']}", headers=admin).status_code == 404


def test_an_idle_world_expires(root_client: TestClient, make_world: MakeWorld, admin: dict[str, str]) -> None:
    world, other = make_world(ttl=60), make_world(ttl=60)
    worlds = root_client.app.state.worlds  # type: ignore[attr-defined]
    root = root_client.app.state.database  # type: ignore[attr-defined]
    with root.sessions.begin() as db:
        idle = datetime.now(UTC) - timedelta(seconds=61)
        db.execute(update(SandboxWorld).where(SandboxWorld.id == world["id"]).values(last_used_at=idle))
    assert root_client.get(path(world, "/healthz")).status_code == 404
    assert world["id"] in worlds.expire(root)
    assert world["id"] not in {w["id"] for w in root_client.get("/sandbox/worlds", headers=admin).json()}
    assert root_client.get(path(other, "/healthz")).status_code == 200


def test_world_admin_token_cannot_manage_worlds_nor_enter_another_world(
    root_client: TestClient, make_world: MakeWorld, admin: dict[str, str]
) -> None:
    first, second = make_world(), make_world()
    own = bearer(first["admin_token"])
    assert root_client.post("/sandbox/worlds", json={}, headers=own).status_code == 401
    inside = root_client.post(path(first, "/sandbox/worlds"), json={}, headers=own)
    assert (inside.status_code, inside.json()["code"]) == (403, "worlds_root_only")
    assert root_client.delete(path(first, f"/sandbox/worlds/{first['id']}"), headers=own).status_code == 403
    assert root_client.delete(f"/sandbox/worlds/{second['id']}", headers=own).status_code == 401
    assert root_client.post(path(second, "/sandbox/reset"), headers=own).status_code == 401
    assert root_client.post("/sandbox/clock/advance", json={"days": 1}, headers=own).status_code == 401
    # nor does the root's admin token act inside a world: each world has its own
    assert root_client.post(path(first, "/sandbox/reset"), headers=admin).status_code == 401


@pytest.mark.parametrize(
    "body",
    [{"population": POPULATION_LIMIT + 1}, {"ttl": 10}, {"seed": -1}, {"population": "many"}, {"colour": "red"}],
)
def test_world_creation_refuses_bad_input(root_client: TestClient, admin: dict[str, str], body: object) -> None:
    response = root_client.post("/sandbox/worlds", json=body, headers=admin)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_creating_worlds_needs_the_admin_token(root_client: TestClient) -> None:
    assert root_client.post("/sandbox/worlds", json={}).status_code == 401
    assert root_client.get("/sandbox/worlds", headers=bearer("guess")).status_code == 401
