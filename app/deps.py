"""FastAPI dependencies as Annotated aliases: the session, the sandbox's services, the authenticated caller."""

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from app.core.clock import Clock
from app.core.config import Settings
from app.core.errors import CitizenTokenRequired, FirstPartyClientRequired, InsufficientAccountLevel, InvalidToken
from app.core.keys import KeyStore, TokenInvalid
from app.models import Client, Grant
from app.services import sandbox
from app.services.identity.accounts import ACR_BY_LEVEL, LEVEL_BY_ACR
from app.services.oidc.clients import FIRST_PARTY
from app.services.oidc.tokens import ACCESS_TOKEN_TYPE, access_token_live
from app.services.population.access import Caller


def get_db(request: Request) -> Iterator[Session]:
    yield from request.app.state.database.session()


SessionDep = Annotated[Session, Depends(get_db, scope="function")]


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_keys(request: Request) -> KeyStore:
    return request.app.state.keys


def get_clock(db: SessionDep) -> Clock:
    return sandbox.clock_for(db)


def get_request_id(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


SettingsDep = Annotated[Settings, Depends(get_settings)]
KeysDep = Annotated[KeyStore, Depends(get_keys)]
ClockDep = Annotated[Clock, Depends(get_clock)]
RequestId = Annotated[str | None, Depends(get_request_id)]

_bearer = HTTPBearer(auto_error=False, description="An access token from POST /oauth2/token.")
_admin_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="SandboxAdmin",
    description="The sandbox admin token printed at start-up (VNEID_ADMIN_TOKEN).",
)


def current_caller(
    db: SessionDep,
    settings: SettingsDep,
    keys: KeysDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    if credentials is None:
        raise InvalidToken("missing bearer access token", token_presented=False)
    try:
        claims = keys.verify(
            db,
            credentials.credentials,
            audience=settings.api_audience,
            issuer=settings.public_url,
            typ=ACCESS_TOKEN_TYPE,
        )
    except TokenInvalid as exc:
        raise InvalidToken(f"invalid access token: {exc}") from exc
    client = db.get(Client, claims.get("client_id", ""))
    if client is None:
        raise InvalidToken("the token's client is no longer registered")
    if not access_token_live(db, claims):
        raise InvalidToken("the access token was revoked")
    grant = db.get(Grant, claims["grant_id"]) if "grant_id" in claims else None
    return Caller(
        client=client,
        scopes=frozenset(str(claims.get("scope", "")).split()),
        subject=str(claims["sub"]),
        personal_id=grant.personal_id if grant else None,
        acr=claims.get("acr"),
    )


CurrentCaller = Annotated[Caller, Depends(current_caller)]


def require_admin(
    db: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_admin_bearer)],
) -> None:
    sandbox.check_admin_token(db, settings, credentials.credentials if credentials else None)


AdminDep = Depends(require_admin)


def current_citizen(caller: CurrentCaller) -> Caller:
    """A caller acting for a signed-in citizen (a token from the login flow, not client credentials)."""
    if caller.personal_id is None:
        raise CitizenTokenRequired("this endpoint needs a citizen's access token from the login flow")
    return caller


CurrentCitizen = Annotated[Caller, Depends(current_citizen)]


def first_party_citizen(caller: CurrentCitizen) -> Caller:
    """A citizen signed in to the VNeID app itself: self-service and officer work are not for third parties,
    who would otherwise read a citizen's whole record without consent or metering."""
    if caller.client.kind != FIRST_PARTY:
        raise FirstPartyClientRequired(
            f"this endpoint takes tokens of the VNeID app (client vneid-app), not of {caller.client_id}"
        )
    return caller


SelfCitizen = Annotated[Caller, Depends(first_party_citizen)]


def require_account_level(level: int) -> Callable[[Caller], Caller]:
    """A dependency refusing citizens whose account is below `level`, with the RFC 9470 challenge."""

    def dependency(caller: CurrentCitizen) -> Caller:
        if LEVEL_BY_ACR.get(caller.acr or "", 0) < level:
            raise InsufficientAccountLevel(ACR_BY_LEVEL[level])
        return caller

    return dependency


Level2Citizen = Annotated[Caller, Depends(require_account_level(2))]


def level2_self(caller: SelfCitizen, _level: Level2Citizen) -> Caller:
    return caller


Level2SelfCitizen = Annotated[Caller, Depends(level2_self)]
