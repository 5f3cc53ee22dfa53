"""Relying parties (clients) registered with the sandbox's OAuth 2.0 / OpenID Connect provider."""

from typing import Any

from sqlalchemy import JSON, Boolean, String, false
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class Client(Base):
    __tablename__ = "client"

    client_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # business (reads with the citizen's consent), agency (reads with a stated legal purpose), public
    kind: Mapped[str] = mapped_column(String(20))
    secret_hash: Mapped[str | None] = mapped_column(String(128))
    auth_methods: Mapped[list[str]] = mapped_column(JSON)
    grant_types: Mapped[list[str]] = mapped_column(JSON)
    redirect_uris: Mapped[list[str]] = mapped_column(JSON)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    jwks: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    jwks_uri: Mapped[str | None] = mapped_column(String(500))
    # What the client uses citizens' data for: shown on the consent screen and stored with the consent.
    purpose: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # Test clients may sign personas in headlessly (login_hint) and follow sandbox scenarios.
    test_client: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    id_token_alg: Mapped[str] = mapped_column(String(10), default="RS256", server_default="RS256")
    # The security profile the client is held to: None, or "fapi2" (FAPI 2.0 Security Profile, oidc/profiles.py).
    profile: Mapped[str | None] = mapped_column(String(20))
    require_pushed_authorization_requests: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    dpop_bound_access_tokens: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # JWE of ID tokens and userinfo to a key of the client's JWKS (use "enc"); userinfo as a JWT when alg is set.
    id_token_encrypted_response_alg: Mapped[str | None] = mapped_column(String(30))
    id_token_encrypted_response_enc: Mapped[str | None] = mapped_column(String(30))
    userinfo_signed_response_alg: Mapped[str | None] = mapped_column(String(10))
    userinfo_encrypted_response_alg: Mapped[str | None] = mapped_column(String(30))
    userinfo_encrypted_response_enc: Mapped[str | None] = mapped_column(String(30))
