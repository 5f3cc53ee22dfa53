"""The OAuth 2.0 token endpoint and the JWKS."""

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Header
from fastapi.responses import JSONResponse

from app.deps import ClockDep, KeysDep, SessionDep, SettingsDep
from app.schemas.common import Text
from app.schemas.oauth import JsonWebKeySet, OAuthErrorBody, TokenResponse
from app.services.oidc.tokens import issue_token

router = APIRouter(tags=["OAuth 2.0 / OpenID Connect"])

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@router.post(
    "/oauth2/token",
    response_model=TokenResponse,
    name="oauth.token",
    responses={400: {"model": OAuthErrorBody}, 401: {"model": OAuthErrorBody}},
)
def token(
    db: SessionDep,
    keys: KeysDep,
    settings: SettingsDep,
    grant_type: Annotated[Text, Form(min_length=1, description="`client_credentials`")],
    scope: Annotated[
        Text | None, Form(description="Space-separated scopes; all the client's API scopes when omitted.")
    ] = None,
    client_id: Annotated[Text | None, Form()] = None,
    client_secret: Annotated[Text | None, Form(description="Only with client_secret_post.")] = None,
    authorization: Annotated[str | None, Header(description="HTTP Basic for client_secret_basic.")] = None,
) -> JSONResponse:
    """Issue an access token (RFC 6749). Errors use the OAuth shape `{"error", "error_description"}`.

    System-to-system callers use `grant_type=client_credentials` with `client_secret_basic` (HTTP Basic) or
    `client_secret_post`. The access token is an RS256 JWT (RFC 9068) valid for a few minutes.
    """
    form: dict[str, Any] = {
        "grant_type": grant_type,
        "scope": scope,
        "client_id": client_id,
        "client_secret": client_secret,
    }
    return JSONResponse(issue_token(db, keys, settings, authorization, form), headers=NO_STORE)


@router.get("/.well-known/jwks.json", response_model=JsonWebKeySet, name="oauth.jwks")
def jwks(db: SessionDep, keys: KeysDep, settings: SettingsDep, clock: ClockDep) -> JsonWebKeySet:
    """The public keys that verify every token the sandbox signs, each with `kid`, `alg` and `use`."""
    retention = timedelta(seconds=settings.access_token_ttl_seconds)
    return JsonWebKeySet(keys=[k.public_jwk() for k in keys.published(db, clock.now(), retention)])
