"""Sandbox worlds: isolated sandboxes served at /w/{id}, managed at the root URL with the admin token."""

from fastapi import APIRouter, Response

from app.core.errors import NotFound, problem_responses
from app.deps import RootAdminDep, RootDatabaseDep, WorldsDep, only_reads
from app.schemas.world import WorldCreate, WorldCreated, WorldPublic
from app.services.worlds import WorldInfo

router = APIRouter(prefix="/sandbox/worlds", tags=["Sandbox worlds"], dependencies=[RootAdminDep])


def _public(info: WorldInfo) -> WorldPublic:
    return WorldPublic.model_validate(info, from_attributes=True)


@router.post(
    "",
    response_model=WorldCreated,
    status_code=201,
    name="worlds.create",
    responses=problem_responses(401, 403, 409, 422, 429),
)
@only_reads  # the request's own session only checks the token; the world is made in transactions of its own
def create_world(worlds: WorldsDep, root: RootDatabaseDep, body: WorldCreate | None = None) -> WorldCreated:
    """Create an isolated world: its own population (same seed, same citizens), accounts, consents, tokens,
    applications, documents, payments, webhooks, scenarios, clock and keys, served under `base_url`, which is
    also its OIDC issuer (`{base_url}/.well-known/openid-configuration`). Its `admin_token` drives its
    `/sandbox` controls. It expires after `ttl` seconds without a request."""
    body = body or WorldCreate()
    info = worlds.create(root, seed=body.seed, population=body.population, ttl_seconds=body.ttl)
    return WorldCreated(**_public(info).model_dump(), admin_token=info.admin_token or "")


@router.get("", response_model=list[WorldPublic], name="worlds.list", responses=problem_responses(401, 403))
def list_worlds(worlds: WorldsDep, root: RootDatabaseDep) -> list[WorldPublic]:
    """The live worlds, oldest first."""
    return [_public(info) for info in worlds.listing(root)]


@router.get("/{world_id}", response_model=WorldPublic, name="worlds.get", responses=problem_responses(401, 403, 404))
def get_world(world_id: str, worlds: WorldsDep, root: RootDatabaseDep) -> WorldPublic:
    """One live world."""
    info = worlds.read(root, world_id)
    if info is None:
        raise NotFound(f"no live world {world_id!r}")
    return _public(info)


@router.delete("/{world_id}", status_code=204, name="worlds.delete", responses=problem_responses(401, 403, 404))
@only_reads
def delete_world(world_id: str, worlds: WorldsDep, root: RootDatabaseDep) -> Response:
    """Delete a world and everything in it; its URLs answer 404 `world_not_found` at once, in every process."""
    if not worlds.delete(root, world_id):
        raise NotFound(f"no live world {world_id!r}")
    return Response(status_code=204)
