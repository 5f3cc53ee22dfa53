"""The OAuth 2.0 / OpenID Connect endpoints for machines: token, discovery, JWKS, userinfo, revocation,
introspection. (The browser-facing authorize and login pages live in routers/login.py.)"""

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Header, Request
from fastapi.responses import JSONResponse, Response

from app.core.admission import respond_after
from app.core.errors import problem_responses
from app.deps import CurrentCitizen, KeysDep, SessionDep, SettingsDep
from app.models import Client
from app.schemas.common import Text
from app.schemas.oauth import (
    IntrospectionResponse,
    JsonWebKey,
    JsonWebKeySet,
    OAuthErrorBody,
    PushedAuthorizationResponse,
    TokenResponse,
)
from app.services.oidc import authorize, claims, discovery, encryption, parameters, tokens
from app.services.oidc.clients import authenticate_client, read_client_credentials
from app.services.population.audit import USERINFO


async def single_parameters(request: Request) -> None:
    """Each form parameter once (RFC 6749 §3.2), at every endpoint of this router that takes a form."""
    if request.method == "POST":
        parameters.refuse_repeated((await request.form()).multi_items())


router = APIRouter(tags=["OAuth 2.0 / OpenID Connect"], dependencies=[Depends(single_parameters)])

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
OAUTH_ERRORS: dict[int | str, dict[str, Any]] = {400: {"model": OAuthErrorBody}, 401: {"model": OAuthErrorBody}}
FormText = Annotated[Text | None, Form()]
BasicAuth = Annotated[str | None, Header(description="HTTP Basic for client_secret_basic.")]
DpopProof = Annotated[
    str | None,
    Header(description="A DPoP proof (RFC 9449): the tokens are bound to its key (`token_type: DPoP`)."),
]


def _form(**fields: str | None) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if value is not None}


@router.post("/oauth2/token", response_model=TokenResponse, name="oauth.token", responses=OAUTH_ERRORS)
def token(
    request: Request,
    db: SessionDep,
    keys: KeysDep,
    settings: SettingsDep,
    grant_type: Annotated[
        Text, Form(min_length=1, description="`authorization_code`, `refresh_token` or `client_credentials`")
    ],
    scope: Annotated[
        Text | None,
        Form(
            description="Space-separated; client_credentials: all the client's API "
            "scopes when omitted; refresh: the same or fewer."
        ),
    ] = None,
    code: FormText = None,
    redirect_uri: FormText = None,
    code_verifier: FormText = None,
    refresh_token: FormText = None,
    client_id: FormText = None,
    client_secret: Annotated[Text | None, Form(description="Only with client_secret_post.")] = None,
    client_assertion_type: FormText = None,
    client_assertion: Annotated[Text | None, Form(description="Only with private_key_jwt (RFC 7523).")] = None,
    authorization: BasicAuth = None,
    dpop: DpopProof = None,
) -> JSONResponse:
    """Issue tokens (RFC 6749). Errors use the OAuth shape `{"error", "error_description"}`.

    Client authentication: `client_secret_basic`, `client_secret_post`, `private_key_jwt`, or none (public
    clients, with PKCE). Access tokens are RS256 JWTs (RFC 9068); ID tokens are signed with the client's
    algorithm (RS256 by default, ES256 for `demo-pkjwt`); refresh tokens rotate on every use, and a reused
    one revokes the whole grant.
    """
    form = _form(
        grant_type=grant_type,
        scope=scope,
        code=code,
        redirect_uri=redirect_uri,
        code_verifier=code_verifier,
        refresh_token=refresh_token,
        client_id=client_id,
        client_secret=client_secret,
        client_assertion_type=client_assertion_type,
        client_assertion=client_assertion,
    )
    issued = tokens.issue_token(db, keys, settings, authorization, form, request.headers.getlist("dpop"))
    respond_after(request.state, issued.delay_seconds)
    return JSONResponse(issued.body, headers=NO_STORE)


def authenticated_client(
    db: SessionDep,
    settings: SettingsDep,
    client_id: FormText = None,
    client_secret: FormText = None,
    client_assertion_type: FormText = None,
    client_assertion: Annotated[Text | None, Form(description="Only with private_key_jwt (RFC 7523).")] = None,
    authorization: BasicAuth = None,
) -> Client:
    """The client calling revocation or introspection, authenticated like at the token endpoint."""
    form = _form(
        client_id=client_id,
        client_secret=client_secret,
        client_assertion_type=client_assertion_type,
        client_assertion=client_assertion,
    )
    return authenticate_client(db, read_client_credentials(authorization, form), settings)


AuthenticatedClient = Annotated[Client, Depends(authenticated_client)]


@router.post(
    "/oauth2/par",
    response_model=PushedAuthorizationResponse,
    status_code=201,
    name="oauth.par",
    responses=OAUTH_ERRORS,
)
def pushed_authorization_request(
    http_request: Request,
    db: SessionDep,
    keys: KeysDep,
    settings: SettingsDep,
    client: AuthenticatedClient,
    response_type: FormText = None,
    redirect_uri: FormText = None,
    scope: FormText = None,
    state: FormText = None,
    nonce: FormText = None,
    code_challenge: FormText = None,
    code_challenge_method: FormText = None,
    prompt: FormText = None,
    max_age: FormText = None,
    login_hint: FormText = None,
    acr_values: FormText = None,
    claims: FormText = None,
    ui_locales: FormText = None,
    response_mode: FormText = None,
    dpop_jkt: Annotated[Text | None, Form(description="Bind the code to this DPoP key (RFC 9449 §10).")] = None,
    request: Annotated[Text | None, Form(description="A signed request object (RFC 9101) instead.")] = None,
    request_uri: Annotated[Text | None, Form(description="Refused: a pushed request cannot point elsewhere.")] = None,
    dpop: DpopProof = None,
) -> JSONResponse:
    """Push an authorization request (RFC 9126) with the token endpoint's client authentication; the answer's
    `request_uri` works once, for this client, within `expires_in` (60 s): send the browser to
    `/oauth2/authorize?client_id=…&request_uri=…`. A `DPoP` proof binds the code to its key, as `dpop_jkt`
    does. The request is checked now, and refused in the token endpoint's
    error shape (`invalid_request`, `invalid_scope`, `invalid_request_object` …)."""
    params = _form(
        response_type=response_type,
        redirect_uri=redirect_uri,
        scope=scope,
        state=state,
        nonce=nonce,
        code_challenge=code_challenge,
        code_challenge_method=code_challenge_method,
        prompt=prompt,
        max_age=max_age,
        login_hint=login_hint,
        acr_values=acr_values,
        claims=claims,
        ui_locales=ui_locales,
        response_mode=response_mode,
        dpop_jkt=dpop_jkt,
        request=request,
        request_uri=request_uri,
    )
    proofs = http_request.headers.getlist("dpop")
    pushed = authorize.push_request(db, keys, settings, client, params, proofs)
    return JSONResponse(pushed, status_code=201, headers=NO_STORE)


class TokenAsked:
    """The form of revocation (RFC 7009) and introspection (RFC 7662): an authenticated client names one token;
    the `token_type_hint` is accepted and not needed (both kinds are looked up)."""

    def __init__(
        self,
        db: SessionDep,
        keys: KeysDep,
        settings: SettingsDep,
        client: AuthenticatedClient,
        token: Annotated[Text, Form(min_length=1)],
        token_type_hint: FormText = None,
    ) -> None:
        self.db, self.keys, self.settings, self.client, self.token = db, keys, settings, client, token


TokenAskedDep = Annotated[TokenAsked, Depends()]


@router.post("/oauth2/revoke", name="oauth.revoke", responses=OAUTH_ERRORS, status_code=200)
def revoke(asked: TokenAskedDep) -> JSONResponse:
    """Revoke a refresh token (and every token of its grant) or an access token (RFC 7009). Always 200 for a
    token that is unknown or not the client's, as the RFC requires."""
    tokens.revoke(asked.db, asked.keys, asked.settings, asked.client, asked.token)
    return JSONResponse({}, headers=NO_STORE)


@router.post(
    "/oauth2/introspect", response_model=IntrospectionResponse, name="oauth.introspect", responses=OAUTH_ERRORS
)
def introspect(asked: TokenAskedDep) -> JSONResponse:
    """What a token of the calling client means now (RFC 7662): `active` and its claims, or `active: false`."""
    return JSONResponse(
        tokens.introspect(asked.db, asked.keys, asked.settings, asked.client, asked.token), headers=NO_STORE
    )


USERINFO_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {}, "application/jwt": {"schema": {"type": "string"}}}},
    **problem_responses(400, 401, 403),
}


@router.get("/oauth2/userinfo", name="oauth.userinfo", response_model=None, responses=USERINFO_RESPONSES)
@router.post("/oauth2/userinfo", name="oauth.userinfo_post", response_model=None, responses=USERINFO_RESPONSES)
def userinfo(caller: CurrentCitizen, db: SessionDep, keys: KeysDep, settings: SettingsDep) -> Response:
    """Claims about the signed-in citizen, by the token's scopes: `openid` (sub, account_level), `profile`
    (name parts, birthdate, gender, personal_id), `address` (OIDC structure), `phone`; the `userinfo` member of the
    sign-in's `claims` parameter chooses among them. The token must have been granted `openid` (else 403
    `insufficient_scope`); it comes in the Authorization header or, by POST, as the form field `access_token`
    (RFC 6750 §2.2), not both. A client that registered `userinfo_signed_response_alg` (or encryption) gets them
    as an `application/jwt`, signed then encrypted."""
    names = claims.userinfo_claim_names(db, caller.scopes, caller.grant_id)
    released = claims.release_claims(db, caller.client, caller.personal_id, names, USERINFO)
    token = encryption.userinfo_jwt(db, keys, settings, caller.client, released)
    return JSONResponse(released) if token is None else Response(token, media_type="application/jwt")


@router.get("/.well-known/openid-configuration", name="oauth.discovery")
@router.get("/.well-known/oauth-authorization-server", name="oauth.authorization_server_metadata")
def openid_configuration(settings: SettingsDep) -> dict[str, Any]:
    """OpenID Provider metadata: the source of truth for the endpoints; it lists only what is implemented. The
    same document is served as OAuth 2.0 Authorization Server Metadata (RFC 8414) for OAuth-only libraries."""
    return discovery.metadata(settings.public_url)


@router.get("/.well-known/jwks.json", response_model=JsonWebKeySet, name="oauth.jwks")
def jwks(db: SessionDep, keys: KeysDep, settings: SettingsDep) -> JsonWebKeySet:
    """The public keys that verify every token the sandbox signs, each with `kid`, `alg` and `use`: the active
    key per algorithm, the next one (published before it signs anything), and retired ones while tokens
    they signed may still be alive."""
    retention = timedelta(seconds=settings.access_token_ttl_seconds)
    return JsonWebKeySet(
        keys=[JsonWebKey.model_validate(k.public_jwk()) for k in keys.published(db, datetime.now(UTC), retention)]
    )
