"""FastAPI dependencies as Annotated aliases: the session, the sandbox's services, the authenticated caller."""

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, fields
from datetime import timedelta
from functools import partial
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from app.core import journal
from app.core.clock import Clock
from app.core.config import Settings
from app.core.context import Env
from app.core.db import Database, Mode, run_in_session
from app.core.errors import InvalidBearerRequest, InvalidToken
from app.core.keys import KeyStore, TokenInvalid
from app.core.world import world_of
from app.services import sandbox, webhooks
from app.services.callers import CitizenCaller, ClientCaller, Family, OfficerCaller, admit
from app.services.identity import lifecycle
from app.services.oidc import dpop
from app.services.oidc.clients import find_client
from app.services.oidc.tokens import ACCESS_TOKEN_TYPE, live_token
from app.services.procedures import desk
from app.services.procedures.desk import Officer
from app.services.worlds import Worlds, WorldsRootOnly

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])
_MODE = "__vneid_transaction_mode__"


def writes(endpoint: Endpoint) -> Endpoint:
    """Declare a GET (or HEAD) route that changes state: its request gets a write session."""
    setattr(endpoint, _MODE, Mode.WRITE)
    return endpoint


def only_reads(endpoint: Endpoint) -> Endpoint:
    """Declare a POST route that only reads (and audits): it runs beside writers instead of queueing for the lock."""
    setattr(endpoint, _MODE, Mode.READ)
    return endpoint


def transaction_mode(request: Request) -> Mode:
    """Reads by default for GET and HEAD, writes for every other method, unless the endpoint declares otherwise."""
    declared = getattr(request.scope.get("endpoint"), _MODE, None)
    if isinstance(declared, Mode):
        return declared
    return Mode.READ if request.method in ("GET", "HEAD") else Mode.WRITE


# Dependencies that do no I/O are `async def`: they run on the event loop instead of costing a trip to a thread.


# app.state is untyped: the annotated locals below say what create_app() put there. A request to `/w/{id}` runs
# on that world's database, settings and keys instead (app/core/world.py).


def request_database(request: Request) -> Database:
    world = world_of(request.scope)
    database: Database = world.database if world else request.app.state.database
    return database


async def get_db(request: Request) -> AsyncIterator[Session]:
    async with request_database(request).request_session(transaction_mode(request)) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_db, scope="function")]


async def get_settings(request: Request) -> Settings:
    world = world_of(request.scope)
    settings: Settings = world.settings if world else request.app.state.settings
    return settings


async def get_keys(request: Request) -> KeyStore:
    world = world_of(request.scope)
    keys: KeyStore = world.keys if world else request.app.state.keys
    return keys


class RequestClock(Clock):
    """The sandbox clock of a request, read from the cache (or the database) when first asked for the time."""

    def __init__(self, db: Session) -> None:
        self._db = db
        self._clock: Clock | None = None

    @property
    def offset(self) -> timedelta:
        if self._clock is None:
            self._clock = sandbox.clock_for(self._db)
        return self._clock.offset


async def get_clock(db: SessionDep) -> Clock:
    return RequestClock(db)


async def get_request_id(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


SettingsDep = Annotated[Settings, Depends(get_settings)]
KeysDep = Annotated[KeyStore, Depends(get_keys)]
ClockDep = Annotated[Clock, Depends(get_clock)]
RequestId = Annotated[str | None, Depends(get_request_id)]


async def get_env(db: SessionDep, clock: ClockDep, keys: KeysDep, settings: SettingsDep) -> Env:
    return Env(db, clock, keys, settings)


EnvDep = Annotated[Env, Depends(get_env)]

FORM = "application/x-www-form-urlencoded"
_bearer = HTTPBearer(auto_error=False, description="An access token from POST /oauth2/token.")
_admin_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="SandboxAdmin",
    description="The sandbox admin token printed at start-up (VNEID_ADMIN_TOKEN).",
)


async def form_access_token(request: Request) -> str | None:
    """An access token in a form-encoded POST body (RFC 6750 §2.2), as userinfo must take it (OIDC Core §5.3.1)."""
    if request.method != "POST" or request.headers.get("content-type", "").split(";")[0].strip().lower() != FORM:
        return None
    token = (await request.form()).get("access_token")
    return token if isinstance(token, str) else None


async def current_caller(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    keys: KeysDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    body_token: Annotated[str | None, Depends(form_access_token)],
) -> ClientCaller:
    """The caller behind a valid access token: a `CitizenCaller` if a citizen signed in, else a `ClientCaller`.
    A DPoP-bound token comes as `Authorization: DPoP` with a proof of its key (RFC 9449), checked here only.

    Keys, clients and revocations come from per-process caches: on a read this usually runs without a query, so it
    runs on the event loop where the session allows it (`run_in_session`)."""
    dpop_token = dpop.dpop_access_token(request.headers.get("authorization"))
    header_token = dpop_token or (credentials.credentials if credentials else None)
    if header_token and body_token:
        raise InvalidBearerRequest("send the access token once: in the Authorization header or in the body")
    token = header_token or body_token
    if token is None:
        raise InvalidToken("missing bearer access token", token_presented=False)
    presented = _Presented(
        token,
        dpop_scheme=dpop_token is not None,
        proofs=request.headers.getlist("dpop"),
        method=request.method,
        url=f"{settings.public_url}{request.url.path}",
    )
    return await run_in_session(db, partial(_caller_of, db, settings, keys, presented))


@dataclass(frozen=True)
class _Presented:
    """What a request presents to prove its caller: the access token and, for a DPoP-bound one, its proofs."""

    token: str
    dpop_scheme: bool
    proofs: list[str]
    method: str
    url: str


def _caller_of(db: Session, settings: Settings, keys: KeyStore, presented: _Presented) -> ClientCaller:
    try:
        claims = keys.verify(
            db,
            presented.token,
            audience=settings.api_audience,
            issuer=settings.public_url,
            typ=ACCESS_TOKEN_TYPE,
        )
    except TokenInvalid as exc:
        raise InvalidToken(f"invalid access token: {exc}") from exc
    dpop.check_resource_request(
        db,
        keys,
        settings,
        claims,
        presented.token,
        dpop_scheme=presented.dpop_scheme,
        values=presented.proofs,
        method=presented.method,
        url=presented.url,
    )
    client = find_client(db, claims.get("client_id", ""))
    if client is None:
        raise InvalidToken("the token's client is no longer registered")
    live = live_token(db, claims)
    journal.note_client(client.client_id, live.personal_id if live else None)
    if live is None:
        raise InvalidToken("the access token was revoked")
    scopes = frozenset(str(claims.get("scope", "")).split())
    subject = str(claims["sub"])
    if live.personal_id is None:
        return ClientCaller(client=client, scopes=scopes, subject=subject)
    acr = claims.get("acr")
    return CitizenCaller(
        client=client,
        scopes=scopes,
        subject=subject,
        personal_id=live.personal_id,
        acr=str(acr) if acr else None,
        grant_id=claims.get("grant_id"),
    )


CurrentCaller = Annotated[ClientCaller, Depends(current_caller)]


async def integrator(caller: CurrentCaller) -> ClientCaller:
    """The integrator itself: a client-credentials token, not a citizen signed in through the client."""
    if isinstance(caller, CitizenCaller):
        raise webhooks.IntegratorTokenRequired(
            "use a client_credentials token of your client; a citizen's token does not act for the client"
        )
    return caller


IntegratorCaller = Annotated[ClientCaller, Depends(integrator)]


def require_admin(
    db: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_admin_bearer)],
) -> None:
    sandbox.check_admin_token(db, settings, credentials.credentials if credentials else None)


AdminDep = Depends(require_admin)


async def get_worlds(request: Request) -> Worlds:
    worlds: Worlds = request.app.state.worlds
    return worlds


WorldsDep = Annotated[Worlds, Depends(get_worlds)]


async def get_root_database(request: Request) -> Database:
    """The default world's database, which holds the registry of worlds."""
    database: Database = request.app.state.database
    return database


RootDatabaseDep = Annotated[Database, Depends(get_root_database)]


async def require_root_admin(request: Request, _admin: Annotated[None, AdminDep]) -> None:
    """The admin of the default world: a world's own admin token never manages worlds, even its own."""
    if world_of(request.scope) is not None:
        raise WorldsRootOnly("manage worlds at the root URL (/sandbox/worlds) with the sandbox's admin token")


RootAdminDep = Depends(require_root_admin)


def citizen_for(family: Family, level: int = 1) -> Callable[[ClientCaller], Awaitable[CitizenCaller]]:
    """The dependency of every route of `family`: the family's rule (`callers.CITIZEN_FAMILIES`), at `level`."""

    async def dependency(caller: CurrentCaller) -> CitizenCaller:
        return admit(caller, family, level)

    return dependency


CurrentCitizen = Annotated[CitizenCaller, Depends(citizen_for(Family.USERINFO))]
SelfCitizen = Annotated[CitizenCaller, Depends(citizen_for(Family.SELF_SERVICE))]
Level2SelfCitizen = Annotated[CitizenCaller, Depends(citizen_for(Family.SELF_SERVICE, level=2))]
ProcedureCitizen = Annotated[CitizenCaller, Depends(citizen_for(Family.PROCEDURES))]
Level2ProcedureCitizen = Annotated[CitizenCaller, Depends(citizen_for(Family.PROCEDURES, level=2))]
OfficerCitizen = Annotated[CitizenCaller, Depends(citizen_for(Family.OFFICER))]


def _as_officer(caller: CitizenCaller, officer: Officer) -> OfficerCaller:
    return OfficerCaller(**{field.name: getattr(caller, field.name) for field in fields(caller)}, officer=officer)


def desk_officer(caller: OfficerCitizen, db: SessionDep) -> OfficerCaller:
    """A police or records officer signed in to the VNeID app, with the desk they work at; 403 for anyone else."""
    return _as_officer(caller, desk.officer(db, caller.personal_id))


DeskOfficer = Annotated[OfficerCaller, Depends(desk_officer)]


def police_officer(caller: OfficerCitizen, db: SessionDep) -> OfficerCaller:
    """A police officer (usable account) signed in to the VNeID app, for account upgrades, locks and deaths."""
    lifecycle.require_officer(db, caller.personal_id)
    return _as_officer(caller, desk.officer(db, caller.personal_id))


PoliceOfficer = Annotated[OfficerCaller, Depends(police_officer)]
