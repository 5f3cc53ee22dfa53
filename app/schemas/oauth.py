"""Shapes of the OAuth 2.0 endpoints (RFC 6749, RFC 7517)."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from app.schemas.common import Text
from app.services.oidc.tokens import ApiScope

# An absolute http(s) URI without a fragment (RFC 6749 §3.1.2), in RFC 3986's characters, with a host. A pattern, so
# that the schema states the rule exactly as it is enforced. The URI is kept as written, never normalised (HttpUrl
# would add a trailing slash): the authorization endpoint compares redirect URIs character for character.
REDIRECT_URI = (
    r"^[Hh][Tt][Tt][Pp][Ss]?://"
    r"(?:[A-Za-z0-9._~!$&'()*+,;=:%-]*@)?"  # user information
    r"(?:[A-Za-z0-9._~!$&'()*+,;=%-]+|\[[0-9A-Fa-f:.]+\])"  # host: a name or an IP literal
    r"(?::[0-9]*)?"  # port
    r"(?:[/?][A-Za-z0-9._~!$&'()*+,;=:@%/?-]*)?$"  # path and query
)
RedirectUri = Annotated[
    str,
    Field(
        max_length=500,
        pattern=REDIRECT_URI,
        examples=["https://rp.example/callback"],
        description="An absolute http(s) URI without a fragment, in RFC 3986 characters (RFC 6749 §3.1.2).",
    ),
]


class TokenResponse(BaseModel):
    access_token: str
    token_type: str
    expires_in: int
    scope: str
    id_token: str | None = None
    refresh_token: str | None = None


class OAuthErrorBody(BaseModel):
    error: str
    error_description: str


class JsonWebKey(BaseModel):
    model_config = ConfigDict(extra="allow")

    kty: str
    kid: str
    alg: str
    use: str


class JsonWebKeySet(BaseModel):
    keys: list[JsonWebKey]


class PushedAuthorizationResponse(BaseModel):
    request_uri: str = Field(examples=["urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c"])
    expires_in: int = Field(examples=[60], description="Seconds the request_uri stays usable (once).")


class IntrospectionResponse(BaseModel):
    model_config = ConfigDict(extra="allow")

    active: bool


class ClientRegistration(BaseModel):
    """A test client of your own (registered clients are test clients: personas, scenarios)."""

    model_config = ConfigDict(extra="forbid")

    client_id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{2,79}$", examples=["my-rental-app"])]
    name: Text = Field(min_length=1, max_length=200)
    kind: Literal["business", "agency", "public"]
    auth_methods: list[Literal["client_secret_basic", "client_secret_post", "private_key_jwt", "none"]] = Field(
        min_length=1, max_length=4
    )
    grant_types: list[Literal["authorization_code", "refresh_token", "client_credentials"]] = Field(
        min_length=1, max_length=3
    )
    redirect_uris: list[RedirectUri] = Field(
        default_factory=list, max_length=10, description="Stored exactly as written; matched exactly."
    )
    scopes: list[
        Literal[
            "openid",
            "profile",
            "address",
            "phone",
            ApiScope,
        ]
    ] = Field(min_length=1, max_length=10)
    jwks: JsonWebKeySet | None = Field(default=None, description="Public keys for private_key_jwt, inline.")
    jwks_uri: HttpUrl | None = Field(default=None, description="…or where to fetch them (cached 5 minutes).")
    purpose: Text = Field(min_length=3, max_length=200, description="Shown on the consent screen.")
    id_token_alg: Literal["RS256", "ES256"] = "RS256"
    profile: Literal["fapi2"] | None = Field(
        default=None,
        description="`fapi2`: held to the FAPI 2.0 Security Profile (PAR, PKCE S256, private_key_jwt, DPoP, "
        "PS256/ES256/EdDSA); a registration that contradicts it is refused.",
    )
    require_pushed_authorization_requests: bool | None = None
    dpop_bound_access_tokens: bool | None = None
    id_token_encrypted_response_alg: Literal["RSA-OAEP-256", "ECDH-ES+A256KW"] | None = Field(
        default=None, description="Encrypt ID tokens to the key of your jwks with `use: enc` and this `alg`."
    )
    id_token_encrypted_response_enc: Literal["A256GCM"] | None = None
    userinfo_signed_response_alg: Literal["RS256", "ES256"] | None = Field(
        default=None, description="Userinfo answers as a signed JWT (`application/jwt`)."
    )
    userinfo_encrypted_response_alg: Literal["RSA-OAEP-256", "ECDH-ES+A256KW"] | None = None
    userinfo_encrypted_response_enc: Literal["A256GCM"] | None = None
