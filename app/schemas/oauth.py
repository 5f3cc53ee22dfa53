"""Shapes of the OAuth 2.0 endpoints (RFC 6749, RFC 7517)."""

from pydantic import BaseModel, ConfigDict


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


class IntrospectionResponse(BaseModel):
    model_config = ConfigDict(extra="allow")

    active: bool
